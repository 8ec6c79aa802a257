package expr

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// TestDeclaredAggregatesRunningResult checks that a declared aggregate answers Result again after
// more rows are added, as a running window frame asks (exec/window.go reuses one state), and that
// the answer is the one for all rows so far.
func TestDeclaredAggregatesRunningResult(t *testing.T) {
	tests := []struct {
		name  string
		args  []Expr
		rows  [][]any
		wants []string // after each row
	}{
		{"bit_or", []Expr{col(0, sqltypes.Int4, "x")}, [][]any{{int64(1)}, {nil}, {int64(4)}}, []string{"1", "1", "5"}},
		{"bit_xor", []Expr{col(0, sqltypes.Int8, "x")}, [][]any{{int64(6)}, {int64(3)}}, []string{"6", "5"}},
		{"jsonb_object_agg", []Expr{col(0, sqltypes.Text, "k"), col(1, sqltypes.Int4, "v")},
			[][]any{{"b", int64(1)}, {"a", nil}, {"b", int64(2)}}, []string{`{"b": 1}`, `{"a": null, "b": 1}`, `{"a": null, "b": 2}`}},
		{"json_object_agg", []Expr{col(0, sqltypes.Text, "k"), col(1, sqltypes.Int4, "v")},
			[][]any{{"b", int64(1)}, {"a", nil}}, []string{`{ "b" : 1 }`, `{ "b" : 1, "a" : null }`}},
		{"regr_count", []Expr{col(0, sqltypes.Float8, "y"), col(1, sqltypes.Float8, "x")},
			[][]any{{1.0, 2.0}, {nil, 3.0}, {2.0, 4.0}}, []string{"1", "1", "2"}},
		{"regr_slope", []Expr{col(0, sqltypes.Float8, "y"), col(1, sqltypes.Float8, "x")},
			[][]any{{1.0, 1.0}, {3.0, 2.0}, {5.0, 3.0}}, []string{"NULL", "2", "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Aggregate(tt.name, tt.args, false, false)
			if err != nil {
				t.Fatal(err)
			}
			st := a.NewState()
			var got []string
			for _, r := range tt.rows {
				if err := st.Add(&Env{Row: r}); err != nil {
					t.Fatal(err)
				}
				v, err := st.Result()
				if err != nil {
					t.Fatal(err)
				}
				s := "NULL"
				if v != nil {
					s = sqltypes.FormatText(v, a.Type())
				}
				got = append(got, s)
			}
			if diff := cmp.Diff(tt.wants, got); diff != "" {
				t.Errorf("results after each row (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeclaredAggregatesBindErrors checks the errors of binding declared aggregates.
func TestDeclaredAggregatesBindErrors(t *testing.T) {
	k, v := col(0, sqltypes.Text, "k"), col(1, sqltypes.Int4, "v")
	tests := []struct {
		name     string
		fn       string
		args     []Expr
		distinct bool
		want     string
	}{
		{"bit_and of text", "bit_and", []Expr{k}, false, "42883"},
		{"bit_and with two arguments", "bit_and", []Expr{v, v}, false, "42883"},
		{"corr of text", "corr", []Expr{k, v}, false, "42883"},
		{"regr_slope with one argument", "regr_slope", []Expr{v}, false, "42883"},
		{"json_object_agg with one argument", "json_object_agg", []Expr{k}, false, "42883"},
		{"star", "bit_or", nil, false, "42601"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Aggregate(tt.fn, tt.args, tt.distinct, tt.args == nil)
			if diff := cmp.Diff(tt.want, codeOf(err)); diff != "" {
				t.Errorf("SQLSTATE of %v (-want +got):\n%s", err, diff)
			}
		})
	}
	// DISTINCT over one argument works: bit_xor(DISTINCT x) of 1, 1, 2 is 3
	a, err := Aggregate("bit_xor", []Expr{v}, true, false)
	if err != nil {
		t.Fatal(err)
	}
	st := a.NewState()
	for _, x := range []int64{1, 1, 2} {
		if err := st.Add(&Env{Row: []any{nil, x}}); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := st.Result(); err != nil || got != int64(3) {
		t.Errorf("bit_xor(DISTINCT x) = %v, %v; want 3", got, err)
	}
}
