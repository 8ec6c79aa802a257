package exec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Sizes are 10..100 (wid_1..wid_10); blue is 20, 50, 80; green 10, 40, 70, 100; red 30, 60, 90.
func TestOrderedAggregates(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"string_agg ordered", "SELECT color, string_agg(id, ',' ORDER BY size DESC) FROM widgets GROUP BY color ORDER BY 1",
			[]string{"blue|wid_8,wid_5,wid_2", "green|wid_10,wid_7,wid_4,wid_1", "red|wid_9,wid_6,wid_3"}},
		{"ordered and unordered calls are distinct", "SELECT string_agg(id, ',' ORDER BY id), string_agg(id, ',' ORDER BY size) FROM widgets WHERE size <= 30",
			[]string{"wid_1,wid_2,wid_3|wid_1,wid_2,wid_3"}},
		{"array_agg ordered", "SELECT array_agg(size ORDER BY size DESC)::text FROM widgets WHERE color = 'red'", []string{"{90,60,30}"}},
		{"percentile_cont interpolates", "SELECT color, percentile_cont(0.5) WITHIN GROUP (ORDER BY size) FROM widgets GROUP BY color ORDER BY 1",
			[]string{"blue|50", "green|55", "red|60"}},
		{"percentile_cont descending", "SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY size DESC) FROM widgets", []string{"77.5"}},
		{"percentile_disc", "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY size), percentile_disc(0) WITHIN GROUP (ORDER BY size) FROM widgets",
			[]string{"50|10"}},
		{"percentile array", "SELECT (percentile_cont(ARRAY[0, 0.5, 1]) WITHIN GROUP (ORDER BY size))::text FROM widgets", []string{"{10,55,100}"}},
		{"percentile of no rows", "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY size) FROM widgets WHERE size > 1000", []string{"NULL"}},
		{"mode picks the smallest most frequent", "SELECT mode() WITHIN GROUP (ORDER BY owner) FROM widgets", []string{"own_1"}},
		{"stddev and variance", "SELECT var_pop(size), round(stddev_samp(size), 4) FROM widgets WHERE color = 'red'", []string{"600.0000000000000000|30.0000"}},
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

func TestOrderedAggregateErrors(t *testing.T) {
	tests := []struct{ name, sql, code string }{
		{"percentile without within group", "SELECT percentile_cont(0.5) FROM widgets", "42809"},
		{"within group on a plain aggregate", "SELECT sum(1) WITHIN GROUP (ORDER BY size) FROM widgets", "42809"},
		{"fraction out of range", "SELECT percentile_disc(1.5) WITHIN GROUP (ORDER BY size) FROM widgets", "22003"},
		{"distinct order by not in arguments", "SELECT string_agg(DISTINCT id, ',' ORDER BY size) FROM widgets", "42P10"},
		{"ordered-set aggregate over a window", "SELECT percentile_cont(0.5) OVER () FROM widgets", "42809"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, newFake(10), session(nil), tt.sql, tt.code)
		})
	}
}
