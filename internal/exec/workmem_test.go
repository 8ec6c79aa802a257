package exec

import "testing"

// TestWorkMemRows checks that sorts, hash aggregates and hash joins stop with 53200 once they
// hold stripesql.work_mem_rows rows (checked every workMemStride rows), and run below it.
func TestWorkMemRows(t *testing.T) {
	queries := []struct{ name, sql string }{
		{"sort", "SELECT g FROM generate_series(1, 5000) g ORDER BY g DESC"},
		{"hash aggregate", "SELECT g, count(*) FROM generate_series(1, 5000) g GROUP BY g"},
		{"hash join", "SELECT count(*) FROM generate_series(1, 10) a JOIN generate_series(1, 5000) b ON a = b"},
	}
	for _, q := range queries {
		for _, tc := range []struct {
			limit string
			code  string
		}{{"2000", "53200"}, {"6000", ""}} {
			t.Run(q.name+"/limit "+tc.limit, func(t *testing.T) {
				_, _, err := runAll(t, newFake(1), session(map[string]string{"stripesql.work_mem_rows": tc.limit}), q.sql)
				if got := codeOfErr(err); got != tc.code || tc.code == "" && err != nil {
					t.Errorf("error %v has code %q; want %q", err, got, tc.code)
				}
			})
		}
	}
}
