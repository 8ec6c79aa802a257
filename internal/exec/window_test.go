package exec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The widgets of newFake(10): wid_i has size i*10, color red/green/blue by i%3 (0/1/2), owner
// own_(i%4), and the list returns them newest (wid_10) first.

func TestWindowFunctions(t *testing.T) {
	tests := []struct {
		name  string
		sql   string
		want  []string
		calls []string
	}{
		{"row_number per partition", "SELECT id, row_number() OVER (PARTITION BY color ORDER BY size DESC) FROM widgets ORDER BY id",
			[]string{"wid_1|4", "wid_10|1", "wid_2|3", "wid_3|3", "wid_4|3", "wid_5|2", "wid_6|2", "wid_7|2", "wid_8|1", "wid_9|1"}, nil},
		{"ranking with ties and named window",
			"SELECT DISTINCT owner, rank() OVER w, dense_rank() OVER w, cume_dist() OVER w FROM widgets WINDOW w AS (ORDER BY owner) ORDER BY 1",
			[]string{"own_0|1|1|0.2", "own_1|3|2|0.5", "own_2|6|3|0.8", "own_3|9|4|1"}, nil},
		{"percent_rank", "SELECT size, percent_rank() OVER (ORDER BY size % 20) FROM widgets WHERE size <= 40 ORDER BY size",
			// keys: 10→10, 20→0, 30→10, 40→0: ranks 3, 1, 3, 1 of four rows.
			[]string{"10|0.6666666666666666", "20|0", "30|0.6666666666666666", "40|0"}, nil},
		{"default frame includes peers", "SELECT DISTINCT owner, sum(size) OVER (ORDER BY owner) FROM widgets ORDER BY 1",
			[]string{"own_0|120", "own_1|270", "own_2|450", "own_3|550"}, nil},
		{"no order by: whole partition", "SELECT DISTINCT color, count(*) OVER (PARTITION BY color), max(size) OVER (PARTITION BY color) FROM widgets ORDER BY 1",
			[]string{"blue|3|80", "green|4|100", "red|3|90"}, nil},
		{"rows frame around current row", "SELECT id, sum(size) OVER (ORDER BY size ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM widgets ORDER BY size",
			[]string{"wid_1|30", "wid_2|60", "wid_3|90", "wid_4|120", "wid_5|150", "wid_6|180", "wid_7|210", "wid_8|240", "wid_9|270", "wid_10|190"}, nil},
		{"rows frame ahead of current row", "SELECT size, count(*) OVER (ORDER BY size ROWS BETWEEN 2 FOLLOWING AND UNBOUNDED FOLLOWING) FROM widgets WHERE size <= 50 ORDER BY size",
			[]string{"10|3", "20|2", "30|1", "40|0", "50|0"}, nil},
		{"range frame with offsets", "SELECT size, count(*) OVER (ORDER BY size RANGE BETWEEN 15 PRECEDING AND 10 FOLLOWING) FROM widgets ORDER BY size",
			[]string{"10|2", "20|3", "30|3", "40|3", "50|3", "60|3", "70|3", "80|3", "90|3", "100|2"}, nil},
		{"range frame descending", "SELECT size, sum(size) OVER (ORDER BY size DESC RANGE BETWEEN 15 PRECEDING AND CURRENT ROW) FROM widgets WHERE size >= 70 ORDER BY size DESC",
			[]string{"100|100", "90|190", "80|170", "70|150"}, nil},
		{"lag and lead with offset and default", "SELECT id, lag(size) OVER (ORDER BY size), lead(size, 2, -1) OVER (ORDER BY size) FROM widgets ORDER BY size",
			[]string{"wid_1|NULL|30", "wid_2|10|40", "wid_3|20|50", "wid_4|30|60", "wid_5|40|70", "wid_6|50|80", "wid_7|60|90", "wid_8|70|100", "wid_9|80|-1", "wid_10|90|-1"}, nil},
		{"ntile spreads the remainder over the first buckets", "SELECT size, ntile(3) OVER (ORDER BY size) FROM widgets ORDER BY size",
			[]string{"10|1", "20|1", "30|1", "40|1", "50|2", "60|2", "70|2", "80|3", "90|3", "100|3"}, nil},
		{"first, last and nth value over the whole partition",
			"SELECT DISTINCT color, first_value(id) OVER w, last_value(id) OVER w, nth_value(size, 2) OVER w FROM widgets " +
				"WINDOW w AS (PARTITION BY color ORDER BY size ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) ORDER BY 1",
			[]string{"blue|wid_2|wid_8|50", "green|wid_1|wid_10|40", "red|wid_3|wid_9|60"}, nil},
		{"default frame ends at the last peer", "SELECT size, max(size) OVER (ORDER BY size / 30) FROM widgets WHERE size <= 70 ORDER BY size",
			[]string{"10|20", "20|20", "30|50", "40|50", "50|50", "60|70", "70|70"}, nil},
		{"nth_value before the frame reaches it", "SELECT size, nth_value(size, 3) OVER (ORDER BY size) FROM widgets WHERE size <= 40 ORDER BY size",
			[]string{"10|NULL", "20|NULL", "30|30", "40|30"}, nil},
		{"window over aggregates", "SELECT color, count(*), sum(count(*)) OVER (), rank() OVER (ORDER BY count(*) DESC) FROM widgets GROUP BY color ORDER BY color",
			[]string{"blue|3|10|2", "green|4|10|1", "red|3|10|2"}, nil},
		{"window over group key", "SELECT color, row_number() OVER (ORDER BY color DESC) FROM widgets GROUP BY color ORDER BY 1",
			[]string{"blue|3", "green|2", "red|1"}, nil},
		{"aggregate with filter over a window", "SELECT DISTINCT color, count(*) FILTER (WHERE active) OVER (PARTITION BY color) FROM widgets ORDER BY 1",
			[]string{"blue|2", "green|2", "red|1"}, nil},
		{"expression around a window function", "SELECT id, round(100.0 * size / sum(size) OVER (), 1) FROM widgets ORDER BY size DESC LIMIT 2",
			[]string{"wid_10|18.2", "wid_9|16.4"}, nil},
		{"order by window alias", "SELECT id, row_number() OVER (ORDER BY size DESC) AS rn FROM widgets ORDER BY rn LIMIT 3",
			[]string{"wid_10|1", "wid_9|2", "wid_8|3"}, nil},
		{"limit is not pushed below a window", "SELECT id, count(*) OVER () FROM widgets LIMIT 2",
			[]string{"wid_10|10", "wid_9|10"}, []string{"list /v1/widgets?limit=100"}},
		{"empty input", "SELECT id, row_number() OVER () FROM widgets WHERE color = 'purple'", nil, nil},
		{"parameters in the call and the frame", "SELECT size, lag(size, $1) OVER (ORDER BY size), sum(size) OVER (ORDER BY size ROWS BETWEEN $1 PRECEDING AND CURRENT ROW) FROM widgets WHERE size <= 30 ORDER BY size",
			[]string{"10|NULL|10", "20|NULL|30", "30|10|60"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb := newFake(10)
			var args []any
			if strings.Contains(tt.sql, "$1") {
				args = []any{int64(2)}
			}
			got := queryRows(t, fb, session(nil), tt.sql, args...)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if tt.calls != nil {
				if diff := cmp.Diff(tt.calls, fb.calls, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("calls (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestWindowErrors(t *testing.T) {
	tests := []struct {
		name     string
		sql      string
		settings map[string]string
		code     string
	}{
		{"window in where", "SELECT id FROM widgets WHERE row_number() OVER () > 1", nil, "42P20"},
		{"window in group by", "SELECT count(*) FROM widgets GROUP BY row_number() OVER ()", nil, "42P20"},
		{"nested window calls", "SELECT sum(row_number() OVER ()) OVER () FROM widgets", nil, "42P20"},
		{"unknown window name", "SELECT row_number() OVER nope FROM widgets", nil, "42704"},
		{"override partition of named window", "SELECT row_number() OVER (w PARTITION BY id) FROM widgets WINDOW w AS (PARTITION BY color)", nil, "42P20"},
		{"range offset needs one order key", "SELECT sum(size) OVER (ORDER BY size, id RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM widgets", nil, "42P20"},
		{"distinct window aggregate", "SELECT count(DISTINCT color) OVER () FROM widgets", nil, "0A000"},
		{"groups frame", "SELECT count(*) OVER (ORDER BY size GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM widgets", nil, "0A000"},
		{"not a window function", "SELECT lower(color) OVER () FROM widgets", nil, "42809"},
		{"unknown function", "SELECT nosuch(color) OVER () FROM widgets", nil, "42883"},
		{"ntile of zero", "SELECT ntile(0) OVER () FROM widgets", nil, "22014"},
		{"negative rows offset", "SELECT sum(size) OVER (ORDER BY size ROWS BETWEEN -1 PRECEDING AND CURRENT ROW) FROM widgets", nil, "22013"},
		{"partition over work_mem_rows", "SELECT row_number() OVER () FROM widgets", map[string]string{"stripesql.work_mem_rows": "5"}, "53200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, newFake(10), session(tt.settings), tt.sql, tt.code)
		})
	}
}

// TestWindowWorkMemFits checks that a window exactly at the row limit still runs.
func TestWindowWorkMemFits(t *testing.T) {
	rows, _, err := runAll(t, newFake(10), session(map[string]string{"stripesql.work_mem_rows": "10"}), "SELECT max(size) OVER () FROM widgets LIMIT 1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"100"}, []string{rowString(rows[0])}); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
