package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// TestDescribeSubqueries checks that parameters used only inside subqueries and CTEs get their
// types from there, and that result columns are named as PostgreSQL names them.
func TestDescribeSubqueries(t *testing.T) {
	tests := []struct {
		name   string
		sql    string
		params []sqltypes.Type
		cols   []string
	}{
		{"param in a scalar subquery", `SELECT id FROM charges WHERE customer = (SELECT id FROM customers WHERE email = $1)`, []sqltypes.Type{sqltypes.Text}, []string{"id"}},
		{"param in a correlated exists", `SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM charges ch WHERE ch.customer = c.id AND ch.amount > $1)`, []sqltypes.Type{sqltypes.Int8}, []string{"id"}},
		{"param in a cte", `WITH big AS (SELECT id FROM charges WHERE amount > $1) SELECT count(*) FROM big`, []sqltypes.Type{sqltypes.Int8}, []string{"count"}},
		{"subquery column names", `SELECT (SELECT max(amount) FROM charges), EXISTS (SELECT 1 FROM customers), ARRAY(SELECT id FROM customers), 1 IN (SELECT 1)`, nil, []string{"max", "exists", "array", "?column?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sts, err := Parse(tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Describe(goldenSession(), sts[0], nil)
			if err != nil {
				t.Fatal(err)
			}
			var cols []string
			for _, c := range d.Columns {
				cols = append(cols, c.Name)
			}
			if diff := cmp.Diff(tt.params, d.Params); diff != "" && !(len(tt.params) == 0 && len(d.Params) == 0) {
				t.Errorf("params (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.cols, cols); diff != "" {
				t.Errorf("columns (-want +got):\n%s", diff)
			}
		})
	}
}
