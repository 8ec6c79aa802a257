package exec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestUnnest runs unnest in FROM (psql's \d+ reads pg_class.reloptions through it) and a
// set-returning function alone in a select list without FROM.
func TestUnnest(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"integers", "SELECT * FROM unnest(ARRAY[3, 1, 2])", []string{"3", "1", "2"}},
		{"alias names the column", "SELECT x FROM unnest(ARRAY['a', 'b']) x", []string{"a", "b"}},
		{"column alias", "SELECT v FROM unnest(ARRAY['a', 'b']) AS t(v)", []string{"a", "b"}},
		{"null elements are rows", "SELECT count(*), count(u) FROM unnest(ARRAY[1, NULL, 3]) u", []string{"3|2"}},
		{"null array is empty", "SELECT count(*) FROM unnest(NULL::text[])", []string{"0"}},
		{"empty array", "SELECT count(*) FROM unnest('{}'::int[])", []string{"0"}},
		{"with ordinality", "SELECT u, ordinality FROM unnest(ARRAY['x', 'y']) WITH ORDINALITY u", []string{"x|1", "y|2"}},
		{"with ordinality and column aliases", "SELECT n, v FROM unnest(ARRAY[10, 20]) WITH ORDINALITY AS t(v, n) ORDER BY n DESC", []string{"2|20", "1|10"}},
		{"in a correlated array subquery", "SELECT array_to_string(ARRAY(SELECT 'toast.' || x FROM unnest(o.opts) x), ', ') FROM (SELECT ARRAY['a=1', 'b=2'] AS opts) o",
			[]string{"toast.a=1, toast.b=2"}},
		{"correlated null array", "SELECT array_to_string(ARRAY(SELECT 'toast.' || x FROM unnest(o.opts) x), ', ') FROM (SELECT NULL::text[] AS opts) o",
			[]string{""}},
		{"joined with a table", "SELECT w.id FROM unnest(ARRAY[30, 10]) s JOIN widgets w ON w.size = s ORDER BY w.id", []string{"wid_1", "wid_3"}},
		{"select list without from", "SELECT unnest(ARRAY[1, 2]) ORDER BY 1 DESC", []string{"2", "1"}},
		{"select list alias", "SELECT g AS n FROM (SELECT generate_series(1, 3) AS g) s WHERE g > 1", []string{"2", "3"}},
		{"partition ancestors are empty", "SELECT count(*) FROM pg_partition_ancestors('widgets')", []string{"0"}},
		{"partition ancestors in psql's foreign-key query", "SELECT count(*) FROM (SELECT pg_partition_ancestors('widgets') UNION ALL VALUES ('widgets'::regclass)) s",
			[]string{"1"}},
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

func TestUnnestErrors(t *testing.T) {
	tests := []struct {
		name, sql, code string
	}{
		{"not an array", "SELECT * FROM unnest(1)", "42883"},
		{"two arguments", "SELECT * FROM unnest(ARRAY[1], ARRAY[2])", "42883"},
		{"too many column aliases", "SELECT * FROM unnest(ARRAY[1]) AS t(a, b)", "42P10"},
		{"unknown relation for partition ancestors", "SELECT * FROM pg_partition_ancestors('nosuch')", "42P01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, newFake(10), session(nil), tt.sql, tt.code)
		})
	}
}
