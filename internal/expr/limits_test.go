package expr

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// withValueLimit lowers maxValueBytes for one test, so the limit is exercised without
// allocating a gigabyte. Tests using it must not run in parallel.
func withValueLimit(t *testing.T, n int64) {
	t.Helper()
	old := maxValueBytes
	maxValueBytes = n
	t.Cleanup(func() { maxValueBytes = old })
}

// TestValueLimitScalars checks that every function whose output size the user controls refuses,
// with 54000 and before allocating, a value past the limit, and still builds one just under it.
func TestValueLimitScalars(t *testing.T) {
	withValueLimit(t, 1000)
	tests := []struct {
		sql  string
		want string // SQLSTATE, or the length of the result
	}{
		{"length(rpad('x', 2000000000))", "54000"},
		{"length(lpad('x', 2000000000, 'ab'))", "54000"},
		{"length(lpad('x', 2000000000, 'é'))", "54000"},
		{"length(rpad('x', 200))", "200"},
		{"length(lpad('x', 200, 'é'))", "200"},
		{"length(repeat('x', 2000000000))", "54000"},
		{"length(repeat('xy', 501))", "54000"},
		{"length(repeat('xy', 500))", "1000"},
		{"length(repeat('x', 600) || repeat('y', 600))", "54000"},
		{"length(repeat('x', 600) || 5)", "601"},
		{"length(concat(repeat('x', 600), repeat('y', 600)))", "54000"},
		{"length(concat_ws(',', repeat('x', 600), repeat('y', 600)))", "54000"},
		{"length(replace(repeat('x', 100), 'x', 'yyyyyyyyyyyy'))", "54000"},
		{"length(replace(repeat('x', 50), 'x', 'yy'))", "100"},
		{"length(overlay(repeat('x', 600) placing repeat('y', 600) from 2 for 0))", "54000"},
		{"length(format('%2000s', 'x'))", "54000"},
		{"length(format('%99999999999999999999s', 'x'))", "22003"},
		{"length(format('%20s', 'x'))", "20"},
		{"cardinality(string_to_array(repeat('x,', 10), ',') || string_to_array(repeat('y,', 10), ','))", "22"},
	}
	b := &testBinder{}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			e, err := b.bindSQL(tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			v, err := e.Eval(&Env{})
			if err != nil {
				got = codeOf(err)
			} else {
				got = sqltypes.FormatText(v, e.Type())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.sql, diff)
			}
		})
	}
}

// TestValueLimitAggregates checks that accumulating aggregates stop at the row that takes their
// result past the limit (PostgreSQL: 54000 "out of memory"), with and without ORDER BY, and that
// a group under the limit is unaffected.
func TestValueLimitAggregates(t *testing.T) {
	withValueLimit(t, 1000)
	x := col(0, sqltypes.Text, "x")
	tests := []struct {
		name    string
		args    []Expr
		orderBy bool
		rows    int
		want    string // SQLSTATE of the first failing Add or of Result, or the result's length
	}{
		{"string_agg", []Expr{x, lit(",")}, false, 99, "54000"},
		{"string_agg", []Expr{x, lit(",")}, false, 90, "989"},
		{"string_agg", []Expr{x, lit(",")}, true, 99, "54000"},
		{"array_agg", []Expr{x}, false, 101, "54000"},
		{"array_agg", []Expr{x}, false, 100, "100"},
		{"jsonb_agg", []Expr{x}, false, 101, "54000"},
		{"json_agg", []Expr{x}, false, 101, "54000"},
		{"count", []Expr{x}, false, 200, "200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Aggregate(tt.name, tt.args, false, false)
			if err != nil {
				t.Fatal(err)
			}
			if tt.orderBy {
				a.OrderBy = []SortKey{{Expr: x}}
			}
			st := a.NewState()
			got := ""
			for i := 0; i < tt.rows && got == ""; i++ {
				if err := st.Add(&Env{Row: []any{"0123456789"}}); err != nil {
					got = codeOf(err)
				}
			}
			if got == "" {
				v, err := st.Result()
				switch {
				case err != nil:
					got = codeOf(err)
				case tt.name == "string_agg":
					got = sqltypes.FormatText(int64(len(v.(string))), sqltypes.Int4)
				case tt.name == "array_agg":
					got = sqltypes.FormatText(int64(len(v.(array).Items)), sqltypes.Int4)
				default:
					got = sqltypes.FormatText(v, a.Type())
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s over %d rows (-want +got):\n%s", tt.name, tt.rows, diff)
			}
		})
	}
}
