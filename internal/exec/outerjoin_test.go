package exec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOuterJoins checks RIGHT and FULL joins in the executor: right rows that match nothing come
// out once, after the matches, padded with NULLs on the left — whether their key is NULL, the join
// has no equality keys (a loop join), or the join is deeper in FROM than the first two tables.
func TestOuterJoins(t *testing.T) {
	b := newFake(6) // wid_1…wid_6 owned by own_1, own_2, own_3, own_0, own_1, own_2; own_4 owns none
	sess := session(nil)
	for _, tc := range []struct {
		name, sql string
		want      []string
	}{
		{"full join keeps both sides", `SELECT w.id, o.id FROM (SELECT id, owner FROM widgets WHERE size <= 20) w FULL JOIN owners o ON o.id = w.owner ORDER BY 1, 2`,
			[]string{"wid_1|own_1", "wid_2|own_2", "NULL|own_0", "NULL|own_3", "NULL|own_4"}},
		{"right join with null and unmatched right keys", `SELECT w.id, o.n FROM widgets w RIGHT JOIN (SELECT name AS n FROM owners) o ON o.n = w.color ORDER BY 2`,
			[]string{"NULL|Owner 0", "NULL|Owner 1", "NULL|Owner 2", "NULL|Owner 4", "NULL|NULL"}},
		{"right join after an inner join", `SELECT w.id, o.id, v.id FROM widgets w JOIN owners o ON o.id = w.owner RIGHT JOIN (SELECT id FROM widgets WHERE size >= 50) v ON v.id = w.id AND o.id = 'own_1' ORDER BY 3`,
			[]string{"wid_5|own_1|wid_5", "NULL|NULL|wid_6"}},
		{"full join without keys loops", `SELECT a.id, b.id FROM (SELECT id FROM owners WHERE id IN ('own_0', 'own_3')) a FULL JOIN (SELECT id FROM owners WHERE id IN ('own_1', 'own_2')) b ON a.id < b.id ORDER BY 1, 2`,
			[]string{"own_0|own_1", "own_0|own_2", "own_3|NULL"}},
		{"full join on false", `SELECT count(*), count(a.id), count(b.id) FROM owners a FULL JOIN (SELECT id FROM widgets WHERE size <= 30) b ON false`,
			[]string{"8|5|3"}},
		{"right join using shows the right side's value", `SELECT owner, w.id FROM owners x JOIN (SELECT id, owner FROM widgets WHERE size <= 10) w ON w.owner = x.id RIGHT JOIN (SELECT id AS owner FROM owners WHERE id IN ('own_1', 'own_4')) o USING (owner) ORDER BY 1`,
			[]string{"own_1|wid_1", "own_4|NULL"}},
		{"left join of a nested inner join", `SELECT o.id, w.id, v.id FROM owners o LEFT JOIN (widgets w JOIN widgets v ON v.id = w.id AND v.size > 40) ON w.owner = o.id ORDER BY 1, 2`,
			[]string{"own_0|NULL|NULL", "own_1|wid_5|wid_5", "own_2|wid_6|wid_6", "own_3|NULL|NULL", "own_4|NULL|NULL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, queryRows(t, b, sess, tc.sql)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.sql, diff)
			}
		})
	}
}
