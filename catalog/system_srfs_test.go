package catalog

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// TestSetFunctionsInPgProc checks that pg_proc lists the set-returning functions stripesql runs
// as such (proretset), with the row type of each.
func TestSetFunctionsInPgProc(t *testing.T) {
	c := New(SystemTables()...)
	tests := []struct {
		name string
		want []any
	}{
		{"jsonb_each", []any{true, int64(sqltypes.Record), float64(100)}},
		{"jsonb_array_elements", []any{true, int64(sqltypes.JSONB), float64(100)}},
		{"json_array_elements_text", []any{true, int64(sqltypes.Text), float64(100)}},
		{"generate_series", []any{true, int64(sqltypes.Int4), float64(1000)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := rowsWhere(t, c, "pg_proc", "proname", tt.name)
			if len(rows) != 1 {
				t.Fatalf("pg_proc has %d rows for %s", len(rows), tt.name)
			}
			if diff := cmp.Diff(tt.want, pick(t, c, "pg_proc", rows[0], "proretset", "prorettype", "prorows")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
