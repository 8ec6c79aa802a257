package exec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGenerateSeries(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"integers", "SELECT * FROM generate_series(1, 4)", []string{"1", "2", "3", "4"}},
		{"integers with step and alias", "SELECT n FROM generate_series(10, 1, -4) AS s(n)", []string{"10", "6", "2"}},
		{"empty when the step points away", "SELECT * FROM generate_series(5, 1)", nil},
		{"bigint bounds", "SELECT max(g), count(*) FROM generate_series(9223372036854775800, 9223372036854775807, 3) g", []string{"9223372036854775806|3"}},
		{"numeric", "SELECT x FROM generate_series(0.5, 2, 0.5) AS x", []string{"0.5", "1.0", "1.5", "2.0"}},
		{"timestamptz by month", "SELECT to_char(m, 'YYYY-MM-DD') FROM generate_series(timestamptz '2024-01-31', timestamptz '2024-04-30', interval '1 month') AS m",
			[]string{"2024-01-31", "2024-02-29", "2024-03-29", "2024-04-29"}},
		{"joined with a table", "SELECT g, count(w.id) FROM generate_series(1, 3) g LEFT JOIN widgets w ON w.size = g * 10 GROUP BY g ORDER BY g",
			[]string{"1|1", "2|1", "3|1"}},
		{"on the right of a join", "SELECT w.id, g FROM widgets w JOIN generate_series(20, 30, 10) g ON w.size = g ORDER BY g",
			[]string{"wid_2|20", "wid_3|30"}},
		{"where and limit", "SELECT g FROM generate_series(1, 1000000000) g WHERE g % 2 = 0 LIMIT 3", []string{"2", "4", "6"}},
		{"parameter bounds", "SELECT count(*) FROM generate_series(1, $1::int)", []string{"7"}},
		{"null bound is empty", "SELECT count(*) FROM generate_series(1, NULL::int)", []string{"0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var args []any
			if tt.name == "parameter bounds" {
				args = []any{int64(7)}
			}
			got := queryRows(t, newFake(10), session(nil), tt.sql, args...)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGenerateSeriesErrors(t *testing.T) {
	tests := []struct {
		name, sql, code string
	}{
		{"zero step", "SELECT * FROM generate_series(1, 5, 0)", "22023"},
		{"zero interval step", "SELECT * FROM generate_series(now(), now(), interval '0 days')", "22023"},
		{"text arguments", "SELECT * FROM generate_series('a'::text, 'b'::text)", "42883"},
		{"other functions", "SELECT * FROM regexp_split_to_table('a b', ' ')", "0A000"},
		{"with ordinality", "SELECT * FROM generate_series(1, 2) WITH ORDINALITY", "0A000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, newFake(10), session(nil), tt.sql, tt.code)
		})
	}
}
