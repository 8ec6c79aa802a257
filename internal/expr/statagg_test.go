package expr

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Expected values are the exact results rounded half up to the scale PostgreSQL's numeric_stddev_internal
// picks, over x in (2, 4, 4, 4, NULL, 5, 5, 7, 9) (the NULL is skipped):
func TestStatisticalAggregates(t *testing.T) {
	ints := []any{int64(2), int64(4), int64(4), int64(4), nil, int64(5), int64(5), int64(7), int64(9)}
	floats := []any{2.0, 4.0, 4.0, 4.0, nil, 5.0, 5.0, 7.0, 9.0}
	tests := []struct {
		name string
		t    sqltypes.Type
		rows []any
		want string
	}{
		{"var_pop", sqltypes.Int8, ints, "4.0000000000000000"},
		{"var_samp", sqltypes.Int8, ints, "4.5714285714285714"},
		{"variance", sqltypes.Int4, ints, "4.5714285714285714"},
		{"stddev_pop", sqltypes.Int8, ints, "2.0000000000000000"},
		{"stddev_samp", sqltypes.Int8, ints, "2.1380899352993951"},
		{"stddev", sqltypes.Int8, ints, "2.1380899352993951"},
		{"stddev_pop", sqltypes.Float8, floats, "2"},
		{"var_samp", sqltypes.Float8, floats, "4.571428571428571"},
		{"stddev_samp", sqltypes.Int8, []any{int64(3)}, "NULL"},
		{"var_pop", sqltypes.Int8, []any{int64(3)}, "0"},
		{"var_pop", sqltypes.Int8, nil, "NULL"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+sqltypes.FormatType(tt.t), func(t *testing.T) {
			a, err := Aggregate(tt.name, []Expr{col(0, tt.t, "x")}, false, false)
			if err != nil {
				t.Fatal(err)
			}
			st := a.NewState()
			for _, v := range tt.rows {
				if err := st.Add(&Env{Row: []any{v}}); err != nil {
					t.Fatal(err)
				}
			}
			v, err := st.Result()
			if err != nil {
				t.Fatal(err)
			}
			got := "NULL"
			if v != nil {
				got = sqltypes.FormatText(v, a.Type())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := Aggregate("stddev", []Expr{col(0, sqltypes.Text, "s")}, false, false); codeOf(err) != "42883" {
		t.Errorf("stddev(text) error %v; want 42883", err)
	}
}

func TestJSONBDelete(t *testing.T) {
	obj := NewConst(sqltypes.JSONValue{V: map[string]any{"a": "1", "b": []any{"x", "y"}}}, sqltypes.JSONB)
	arr := NewConst(sqltypes.JSONValue{V: []any{"x", float64(1), "y", "x"}}, sqltypes.JSONB)
	tests := []struct {
		name string
		l    Expr
		r    Expr
		want string
		code string
	}{
		{"object key", obj, lit("a"), `{"b": ["x", "y"]}`, ""},
		{"missing key", obj, lit("zz"), `{"a": "1", "b": ["x", "y"]}`, ""},
		{"array strings", arr, lit("x"), `[1, "y"]`, ""},
		{"array index", arr, i64(1), `["x", "y", "x"]`, ""},
		{"negative index", arr, i64(-1), `["x", 1, "y"]`, ""},
		{"keys array", obj, NewConst(array{Elem: sqltypes.Text, Items: []any{"a", "b"}}, sqltypes.TextArray), "{}", ""},
		{"unknown literal is one key", obj, lit("{a,b}"), `{"a": "1", "b": ["x", "y"]}`, ""},
		{"index on object", obj, i64(0), "", "22023"},
		{"scalar", NewConst(sqltypes.JSONValue{V: "s"}, sqltypes.JSONB), lit("s"), "", "22023"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Operator("-", tt.l, tt.r)
			if err != nil {
				t.Fatal(err)
			}
			v, err := e.Eval(nil)
			if tt.code != "" {
				if codeOf(err) != tt.code {
					t.Errorf("error %v; want %s", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, sqltypes.FormatText(v, sqltypes.JSONB)); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}
