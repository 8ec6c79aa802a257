package exec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestJoinUsing checks JOIN ... USING and NATURAL JOIN: the condition is the equality of the
// named columns, an unqualified USING column is not ambiguous, and SELECT * shows it once.
func TestJoinUsing(t *testing.T) {
	b := newFake(6)
	sess := session(nil)
	for _, tc := range []struct {
		name, sql string
		want      []string
	}{
		{"using", `SELECT w.id, o.name FROM widgets w JOIN (SELECT id AS owner, name FROM owners) o USING (owner) WHERE w.size <= 30 ORDER BY w.id`,
			[]string{"wid_1|Owner 1", "wid_2|Owner 2", "wid_3|NULL"}},
		{"unqualified using column", `SELECT owner, w.id FROM widgets w JOIN (SELECT id AS owner FROM owners) o USING (owner) WHERE owner = 'own_2' ORDER BY w.id`,
			[]string{"own_2|wid_2", "own_2|wid_6"}},
		{"star shows the using column once", `SELECT * FROM (SELECT id, size FROM widgets WHERE size <= 20) a JOIN (SELECT id, color FROM widgets) b USING (id) ORDER BY id`,
			[]string{"wid_1|10|green", "wid_2|20|blue"}},
		{"natural", `SELECT * FROM (SELECT id, size FROM widgets WHERE size <= 20) a NATURAL JOIN (SELECT id, color FROM widgets) b ORDER BY 1`,
			[]string{"wid_1|10|green", "wid_2|20|blue"}},
		{"natural over two common columns", `SELECT count(*) FROM (SELECT id, size FROM widgets) a NATURAL JOIN (SELECT id, size + 0 AS size FROM widgets WHERE size > 30) b`,
			[]string{"3"}},
		{"natural without common columns is a cross join", `SELECT count(*) FROM (SELECT id FROM widgets) a NATURAL JOIN (SELECT name FROM owners) b`,
			[]string{"30"}},
		{"left join using keeps unmatched rows", `SELECT o.id, w.id FROM (SELECT id, id AS owner FROM owners) o LEFT JOIN (SELECT id, owner FROM widgets) w USING (owner) WHERE o.id IN ('own_0', 'own_4') ORDER BY 1, 2`,
			[]string{"own_0|wid_4", "own_4|NULL"}},
		{"qualified right-hand copy stays readable", `SELECT a.id, b.id FROM (SELECT id FROM widgets WHERE size = 10) a JOIN (SELECT id FROM widgets) b USING (id)`,
			[]string{"wid_1|wid_1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, queryRows(t, b, sess, tc.sql)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.sql, diff)
			}
		})
	}
	for _, tc := range []struct{ name, sql, code string }{
		{"missing on the left", `SELECT 1 FROM widgets w JOIN owners o USING (name)`, "42703"},
		{"missing on the right", `SELECT 1 FROM widgets w JOIN owners o USING (color)`, "42703"},
		{"named twice", `SELECT 1 FROM widgets w JOIN owners o USING (id, id)`, "42701"},
		{"ambiguous on the left", `SELECT 1 FROM widgets w JOIN widgets v ON v.id = w.id JOIN owners o USING (id)`, "42702"},
		{"without using the name is still ambiguous", `SELECT id FROM widgets w JOIN owners o ON o.id = w.owner`, "42702"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, b, sess, tc.sql, tc.code) })
	}
}

// TestBitwiseAndExpandarray checks the integer operators &, | and #, the regproc array_in and the select-list
// (information_schema._pg_expandarray(arr)).n / .x that pgjdbc's getIndexInfo sends.
func TestBitwiseAndExpandarray(t *testing.T) {
	b := newFake(3)
	sess := session(nil)
	for _, tc := range []struct {
		name, sql string
		want      []string
	}{
		{"array_in is a regproc", `SELECT 'pg_catalog.array_in'::regproc::text, 'array_in'::regproc = 'pg_catalog.array_in'::regproc`, []string{"array_in|true"}},
		{"and or xor", `SELECT 6::int2 & 3::int2, 6 | 3, 6::int8 # 3, 5 & 1::smallint`, []string{"2|7|5|1"}},
		{"expandarray fields", `SELECT w.id, (information_schema._pg_expandarray(a.v)).n AS k, (information_schema._pg_expandarray(a.v)).x FROM widgets w, (SELECT ARRAY[w2.size, w2.size * 2] AS v, w2.id FROM widgets w2) a WHERE a.id = w.id AND w.size = 10 ORDER BY 2`,
			[]string{"wid_1|1|10", "wid_1|2|20"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, queryRows(t, b, sess, tc.sql)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.sql, diff)
			}
		})
	}
}

// TestRightJoin checks that a RIGHT JOIN keeps every row of its right side and lists the left
// side's columns first, as written.
func TestRightJoin(t *testing.T) {
	b := newFake(6)
	sess := session(nil)
	for _, tc := range []struct {
		name, sql string
		want      []string
	}{
		{"unmatched right rows", `SELECT o.id, w.id FROM widgets w RIGHT JOIN owners o ON o.id = w.owner AND w.size > 40 ORDER BY 1, 2`,
			[]string{"own_0|NULL", "own_1|wid_5", "own_2|wid_6", "own_3|NULL", "own_4|NULL"}},
		{"star keeps the written order", `SELECT * FROM (SELECT id, size FROM widgets WHERE size = 10) w RIGHT JOIN (SELECT id AS oid, name FROM owners) o ON o.oid = 'own_1' AND w.id IS NOT NULL ORDER BY 3`,
			[]string{"NULL|NULL|own_0|Owner 0", "wid_1|10|own_1|Owner 1", "NULL|NULL|own_2|Owner 2", "NULL|NULL|own_3|NULL", "NULL|NULL|own_4|Owner 4"}},
		{"right join using lists the preserved column", `SELECT * FROM (SELECT owner, id FROM widgets WHERE size <= 20) w RIGHT JOIN (SELECT id AS owner, name FROM owners) o USING (owner) ORDER BY 1`,
			[]string{"own_0|NULL|Owner 0", "own_1|wid_1|Owner 1", "own_2|wid_2|Owner 2", "own_3|NULL|NULL", "own_4|NULL|Owner 4"}},
		{"where on the left side filters after the join", `SELECT o.id FROM widgets w RIGHT JOIN owners o ON o.id = w.owner WHERE w.id IS NULL ORDER BY 1`,
			[]string{"own_4"}}, // own_0 owns wid_4
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, queryRows(t, b, sess, tc.sql)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.sql, diff)
			}
		})
	}
	t.Run("right join after another join", func(t *testing.T) {
		got := queryRows(t, b, sess, `SELECT p.id, count(w.id) FROM widgets w JOIN owners o ON o.id = w.owner RIGHT JOIN owners p ON p.id = o.id GROUP BY 1 ORDER BY 1`)
		if diff := cmp.Diff([]string{"own_0|1", "own_1|2", "own_2|2", "own_3|1", "own_4|0"}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}
