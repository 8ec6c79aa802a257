package exec

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/planner"
)

// TestSetFunctions runs the JSON set-returning functions in FROM (LATERAL after a table) and
// set-returning functions in a select list with FROM, which run in lockstep per input row.
// widgets' metadata is {"k": "v<n>"}.
func TestSetFunctions(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"each_text lateral after a table", "SELECT w.id, m.key, m.value FROM widgets w, jsonb_each_text(w.metadata) m WHERE w.size <= 20 ORDER BY w.id",
			[]string{"wid_1|k|v1", "wid_2|k|v2"}},
		{"left join lateral keeps rows without members", "SELECT w.id, m.key FROM widgets w LEFT JOIN LATERAL jsonb_each_text(w.metadata - 'k') m ON true WHERE w.size <= 20 ORDER BY w.id",
			[]string{"wid_1|NULL", "wid_2|NULL"}},
		{"each value is jsonb", "SELECT m.value::text, jsonb_typeof(m.value) FROM widgets w, jsonb_each(w.metadata) m WHERE w.id = 'wid_3'", []string{`"v3"|string`}},
		{"array elements with ordinality", "SELECT value::text, ordinality FROM jsonb_array_elements('[10, \"x\", null]') WITH ORDINALITY", []string{"10|1", `"x"|2`, "null|3"}},
		{"array elements text", "SELECT t.value FROM jsonb_array_elements_text('[10, \"x\", null, [1]]') AS t", []string{"10", "x", "NULL", "[1]"}},
		{"object keys in jsonb order", "SELECT * FROM jsonb_object_keys('{\"bb\": 1, \"a\": 2, \"c\": 3}')", []string{"a", "c", "bb"}},
		{"json keeps document order", "SELECT key FROM json_each('{\"bb\": 1, \"a\": 2, \"bb\": 3}')", []string{"bb", "a", "bb"}},
		{"null document has no rows", "SELECT count(*) FROM jsonb_each(NULL::jsonb)", []string{"0"}},
		{"select list with from", "SELECT id, jsonb_object_keys(metadata) FROM widgets WHERE size <= 20 ORDER BY id", []string{"wid_1|k", "wid_2|k"}},
		{"lockstep padded with nulls", "SELECT id, generate_series(1, 3) AS g, jsonb_object_keys(metadata) AS k FROM widgets WHERE id = 'wid_1' ORDER BY g",
			[]string{"wid_1|1|k", "wid_1|2|NULL", "wid_1|3|NULL"}},
		{"rows whose functions return nothing are dropped", "SELECT id, jsonb_object_keys(metadata - 'k') FROM widgets", nil},
		{"unnest in a select list with from", "SELECT id, unnest(ARRAY[color, 'x']) FROM widgets WHERE size <= 20 ORDER BY id, 2",
			[]string{"wid_1|green", "wid_1|x", "wid_2|blue", "wid_2|x"}},
		{"fields of a composite function", "SELECT (jsonb_each_text(metadata)).key AS k, (jsonb_each_text(metadata)).value AS v FROM widgets WHERE id = 'wid_2'",
			[]string{"k|v2"}},
		{"whole record as text", "SELECT jsonb_each(metadata)::text FROM widgets WHERE id = 'wid_2'", []string{`(k,"""v2""")`}},
		{"record read by an outer query", "SELECT (r.kv).value FROM (SELECT jsonb_each_text(metadata) AS kv FROM widgets) r WHERE (r.kv).value IN ('v1', 'v4') ORDER BY 1",
			[]string{"v1", "v4"}},
		{"star of a record", "SELECT (r).* FROM (SELECT ROW(id, size) AS r FROM widgets WHERE id = 'wid_1') s", []string{"wid_1|10"}},
		{"rows from in lockstep", "SELECT * FROM ROWS FROM (unnest(ARRAY[1, 2, 3]), jsonb_object_keys('{\"a\": 1}')) WITH ORDINALITY AS r(u, k, n)",
			[]string{"1|a|1", "2|NULL|2", "3|NULL|3"}},
		{"row comparison with null", "SELECT (1, NULL) = (1, NULL), (1, 2) < (1, 3), (2, NULL) > (1, 5)", []string{"NULL|true|true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := queryRows(t, newFake(10), session(nil), tt.sql)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSetFunctionErrors(t *testing.T) {
	tests := []struct {
		name, sql, code string
	}{
		{"each of an array", "SELECT * FROM jsonb_each('[1]')", "22023"},
		{"elements of an object", "SELECT * FROM jsonb_array_elements('{}')", "22023"},
		{"keys of a scalar", "SELECT * FROM jsonb_object_keys('1')", "22023"},
		{"each of a number", "SELECT * FROM jsonb_each(1)", "42883"},
		{"grouped select list", "SELECT color, jsonb_object_keys(metadata) FROM widgets GROUP BY color, metadata", "0A000"},
		{"nested set-returning calls", "SELECT unnest(ARRAY[jsonb_object_keys(metadata)]) FROM widgets", "0A000"},
		{"field of a scalar", "SELECT (size).x FROM widgets", "42809"},
		{"unknown field", "SELECT (ROW(1, 2)).f9", "42703"},
		{"rows of different lengths", "SELECT (1, 2) = (1, 2, 3)", "42601"},
		{"column definition list", "SELECT * FROM jsonb_each('{}') AS x(a text, b jsonb)", "0A000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, newFake(10), session(nil), tt.sql, tt.code)
		})
	}
}

// TestPgjdbcPrimaryKeys runs pgjdbc 42.5's getPrimaryKeys query as the driver sends it: the
// record information_schema._pg_expandarray returns is selected whole in a subquery and its
// field x read outside, next to a field selection of a second call running in lockstep.
func TestPgjdbcPrimaryKeys(t *testing.T) {
	const q = `SELECT result.TABLE_CAT, result.TABLE_SCHEM, result.TABLE_NAME, result.COLUMN_NAME, result.KEY_SEQ, result.PK_NAME FROM (` +
		`SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM, ct.relname AS TABLE_NAME, a.attname AS COLUMN_NAME, ` +
		`(information_schema._pg_expandarray(i.indkey)).n AS KEY_SEQ, ci.relname AS PK_NAME, information_schema._pg_expandarray(i.indkey) AS KEYS, a.attnum AS A_ATTNUM ` +
		`FROM pg_catalog.pg_class ct JOIN pg_catalog.pg_attribute a ON (ct.oid = a.attrelid) JOIN pg_catalog.pg_namespace n ON (ct.relnamespace = n.oid) ` +
		`JOIN pg_catalog.pg_index i ON ( a.attrelid = i.indrelid) JOIN pg_catalog.pg_class ci ON (ci.oid = i.indexrelid) ` +
		`WHERE true AND n.nspname = E'public' AND ct.relname = E'customers' AND i.indisprimary ) result where result.A_ATTNUM = (result.KEYS).x ` +
		`ORDER BY result.table_name, result.pk_name, result.key_seq`
	sess := planner.NewSession(planner.SessionConfig{Catalog: catalog.Default()})
	got := queryRows(t, newFake(1), sess, q)
	if diff := cmp.Diff([]string{"NULL|public|customers|id|1|customers_pkey"}, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
