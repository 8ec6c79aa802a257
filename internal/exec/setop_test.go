package exec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSetOperations(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"union all keeps duplicates and order", "SELECT color FROM widgets WHERE size <= 20 UNION ALL SELECT color FROM widgets WHERE size <= 20",
			[]string{"blue", "green", "blue", "green"}},
		{"union removes duplicates", "SELECT owner FROM widgets UNION SELECT id FROM owners ORDER BY 1",
			[]string{"own_0", "own_1", "own_2", "own_3", "own_4"}},
		{"intersect", "SELECT id FROM owners INTERSECT SELECT owner FROM widgets ORDER BY id",
			[]string{"own_0", "own_1", "own_2", "own_3"}},
		{"except", "SELECT id FROM owners EXCEPT SELECT owner FROM widgets", []string{"own_4"}},
		{"intersect all keeps the smaller multiplicity", "SELECT owner FROM widgets INTERSECT ALL SELECT owner FROM widgets WHERE size > 50 ORDER BY 1",
			[]string{"own_0", "own_1", "own_2", "own_2", "own_3"}},
		{"except all subtracts multiplicities", "SELECT owner FROM widgets EXCEPT ALL SELECT owner FROM widgets WHERE size > 50 ORDER BY 1",
			[]string{"own_0", "own_1", "own_1", "own_2", "own_3"}},
		{"column types are unified", "SELECT size FROM widgets WHERE id = 'wid_1' UNION ALL SELECT price FROM widgets WHERE id = 'wid_2' ORDER BY 1",
			[]string{"2.50", "10"}},
		{"order by name with limit and offset", "SELECT id AS o FROM owners UNION SELECT owner FROM widgets ORDER BY o DESC LIMIT 2 OFFSET 1",
			[]string{"own_3", "own_2"}},
		{"nulls are equal", "SELECT name FROM owners WHERE id = 'own_3' UNION SELECT name FROM owners WHERE id = 'own_3'", []string{"NULL"}},
		{"values with order by and limit", "VALUES (3, 'c'), (1, 'a'), (2, 'b') ORDER BY column1 DESC LIMIT 2 OFFSET 1", []string{"2|b", "1|a"}},
		{"values in from", "SELECT s, n * 10 FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s) ORDER BY n DESC", []string{"b|20", "a|10"}},
		{"left associative chain", "SELECT 1 UNION SELECT 2 EXCEPT SELECT 1", []string{"2"}},
		{"parenthesised branch with its own limit", "(SELECT id FROM widgets ORDER BY size LIMIT 1) UNION ALL (SELECT id FROM widgets ORDER BY size DESC LIMIT 1)",
			[]string{"wid_1", "wid_10"}},
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

func TestSetOperationErrors(t *testing.T) {
	tests := []struct {
		name     string
		sql      string
		settings map[string]string
		code     string
	}{
		{"column count", "SELECT id, size FROM widgets UNION SELECT id FROM owners", nil, "42601"},
		{"types cannot be matched", "SELECT size FROM widgets UNION SELECT id FROM owners", nil, "42804"},
		{"order by expression", "SELECT id FROM owners UNION SELECT owner FROM widgets ORDER BY upper(id)", nil, "0A000"},
		{"order by position out of range", "SELECT id FROM owners UNION SELECT owner FROM widgets ORDER BY 2", nil, "42P10"},
		{"union over work_mem_rows", "SELECT id FROM widgets UNION SELECT id FROM owners", map[string]string{"stripesql.work_mem_rows": "5"}, "53200"},
		{"except over work_mem_rows", "SELECT id FROM owners EXCEPT SELECT id FROM widgets", map[string]string{"stripesql.work_mem_rows": "5"}, "53200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, newFake(10), session(tt.settings), tt.sql, tt.code)
		})
	}
}
