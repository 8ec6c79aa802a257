package exec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Widgets by color and active (even i): blue 5 (false), 2 and 8 (true); green 1, 7 (false), 4, 10
// (true); red 3, 9 (false), 6 (true).
func TestGroupingSets(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"rollup", "SELECT color, active, count(*) FROM widgets GROUP BY ROLLUP (color, active) ORDER BY 1, 2",
			[]string{"blue|false|1", "blue|true|2", "blue|NULL|3", "green|false|2", "green|true|2", "green|NULL|4",
				"red|false|2", "red|true|1", "red|NULL|3", "NULL|NULL|10"}},
		{"cube with grouping()", "SELECT color, active, grouping(color, active), count(*) FROM widgets WHERE size <= 30 GROUP BY CUBE (color, active) ORDER BY 3, 1, 2",
			[]string{"blue|true|0|1", "green|false|0|1", "red|false|0|1", "blue|NULL|1|1", "green|NULL|1|1", "red|NULL|1|1",
				"NULL|false|2|2", "NULL|true|2|1", "NULL|NULL|3|3"}},
		{"grouping sets with the empty set over no rows", "SELECT color, count(*) FROM widgets WHERE size > 1000 GROUP BY GROUPING SETS ((color), ())",
			[]string{"NULL|0"}},
		{"plain key times rollup, with having", "SELECT color, active, sum(size) FROM widgets GROUP BY color, ROLLUP (active) HAVING color = 'red' ORDER BY 2",
			[]string{"red|false|120", "red|true|60", "red|NULL|180"}},
		{"window over grouping sets", "SELECT color, count(*), rank() OVER (ORDER BY count(*) DESC, color) FROM widgets GROUP BY ROLLUP (color) ORDER BY 3",
			[]string{"NULL|10|1", "green|4|2", "blue|3|3", "red|3|4"}},
		{"grouping() of an ordinary group by", "SELECT color, grouping(color) FROM widgets GROUP BY color ORDER BY 1",
			[]string{"blue|0", "green|0", "red|0"}},
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

func TestGroupingSetErrors(t *testing.T) {
	tests := []struct {
		name     string
		sql      string
		settings map[string]string
		code     string
	}{
		{"grouping of a column not grouped", "SELECT grouping(size) FROM widgets GROUP BY ROLLUP (color)", nil, "42803"},
		{"grouping outside a grouped query", "SELECT grouping(color) FROM widgets", nil, "42803"},
		{"column outside every set", "SELECT size FROM widgets GROUP BY ROLLUP (color)", nil, "42803"},
		{"groups over work_mem_rows", "SELECT id, count(*) FROM widgets GROUP BY CUBE (id)", map[string]string{"stripesql.work_mem_rows": "5"}, "53200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, newFake(10), session(tt.settings), tt.sql, tt.code)
		})
	}
}
