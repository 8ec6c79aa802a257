package expr

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// runSetFunc calls a set-returning function on one document given as text and renders each
// row's cells as PostgreSQL prints them, "NULL" for SQL NULL.
func runSetFunc(t *testing.T, name string, t0 sqltypes.Type, doc string) ([]string, error) {
	t.Helper()
	v, err := sqltypes.ParseText(doc, t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := SetCall(name, []Expr{NewConst(v, t0)})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.Rows(nil)
	var out []string
	for _, r := range rows {
		s := ""
		for i, c := range r {
			if i > 0 {
				s += "|"
			}
			if c == nil {
				s += "NULL"
				continue
			}
			s += sqltypes.FormatText(c, f.Columns[i].Type)
		}
		out = append(out, s)
	}
	return out, err
}

func TestSetFunctionRows(t *testing.T) {
	const obj = `{"b": [1, 2], "a": {"x": null}, "ccc": "t u", "dd": 1.50, "n": null}`
	tests := []struct {
		fn   string
		t    sqltypes.Type
		doc  string
		want []string
	}{
		{"jsonb_each", sqltypes.JSONB, obj, []string{`a|{"x": null}`, "b|[1, 2]", "n|null", "dd|1.50", `ccc|"t u"`}},
		{"jsonb_each_text", sqltypes.JSONB, obj, []string{`a|{"x": null}`, "b|[1, 2]", "n|NULL", "dd|1.50", "ccc|t u"}},
		{"json_each", sqltypes.JSON, obj, []string{"b|[1, 2]", `a|{"x": null}`, `ccc|"t u"`, "dd|1.50", "n|null"}},
		{"json_each_text", sqltypes.JSON, `{"z":"a\"b","y":[ 1,2 ]}`, []string{`z|a"b`, "y|[ 1,2 ]"}},
		{"jsonb_object_keys", sqltypes.JSONB, obj, []string{"a", "b", "n", "dd", "ccc"}},
		{"json_object_keys", sqltypes.JSON, `{"b": 1, "a": 2, "b": 3}`, []string{"b", "a", "b"}},
		{"jsonb_array_elements", sqltypes.JSONB, `[1, "x", null, {"a": []}]`, []string{"1", `"x"`, "null", `{"a": []}`}},
		{"jsonb_array_elements_text", sqltypes.JSONB, `[1, "x", null, {"a": []}]`, []string{"1", "x", "NULL", `{"a": []}`}},
		{"json_array_elements", sqltypes.JSON, `[1,  "x" , {"a":[]}]`, []string{"1", `"x"`, `{"a":[]}`}},
		{"jsonb_array_elements", sqltypes.JSONB, `[]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.fn+" "+tt.doc, func(t *testing.T) {
			got, err := runSetFunc(t, tt.fn, tt.t, tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSetFunctionShapeErrors checks PostgreSQL 15's messages (22023) for a document of the wrong
// shape, which differ between json and jsonb.
func TestSetFunctionShapeErrors(t *testing.T) {
	tests := []struct {
		fn   string
		t    sqltypes.Type
		doc  string
		want string
	}{
		{"jsonb_each", sqltypes.JSONB, "[1]", "cannot call jsonb_each on a non-object"},
		{"jsonb_each_text", sqltypes.JSONB, "1", "cannot call jsonb_each_text on a non-object"},
		{"jsonb_array_elements", sqltypes.JSONB, "{}", "cannot extract elements from an object"},
		{"jsonb_array_elements", sqltypes.JSONB, "1", "cannot extract elements from a scalar"},
		{"jsonb_object_keys", sqltypes.JSONB, "1", "cannot call jsonb_object_keys on a scalar"},
		{"jsonb_object_keys", sqltypes.JSONB, "[]", "cannot call jsonb_object_keys on an array"},
		{"json_each", sqltypes.JSON, "[1]", "cannot deconstruct an array as an object"},
		{"json_each", sqltypes.JSON, "1", "cannot deconstruct a scalar"},
		{"json_array_elements", sqltypes.JSON, "{}", "cannot call json_array_elements on a non-array"},
		{"json_array_elements_text", sqltypes.JSON, "{}", "cannot call json_array_elements_text on a non-array"},
		{"json_array_elements", sqltypes.JSON, "1", "cannot call json_array_elements on a scalar"},
		{"json_object_keys", sqltypes.JSON, "1", "cannot call json_object_keys on a scalar"},
		{"json_object_keys", sqltypes.JSON, "[]", "cannot call json_object_keys on an array"},
	}
	for _, tt := range tests {
		t.Run(tt.fn+" "+tt.doc, func(t *testing.T) {
			_, err := runSetFunc(t, tt.fn, tt.t, tt.doc)
			e, ok := sqlstate.As(err)
			if !ok {
				t.Fatalf("err = %v, want a coded error", err)
			}
			if diff := cmp.Diff([]string{sqlstate.InvalidParameterValue, tt.want}, []string{e.Code, e.Message}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestExpandArray(t *testing.T) {
	arr := NewConst(sqltypes.Array{Elem: sqltypes.Int2, Items: []any{int64(3), nil, int64(1)}}, sqltypes.Int2Vector)
	f, err := SetCall("_pg_expandarray", []Expr{arr})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.Rows(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{int64(3), int64(1)}, {nil, int64(2)}, {int64(1), int64(3)}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	cols := []sqltypes.RecordField{{Name: "x", Type: sqltypes.Int2}, {Name: "n", Type: sqltypes.Int4}}
	if diff := cmp.Diff(cols, f.Columns); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	if _, err := SetCall("_pg_expandarray", []Expr{NewConst(int64(1), sqltypes.Int4)}); err == nil {
		t.Error("_pg_expandarray(integer) bound")
	}
}

func TestFieldSelection(t *testing.T) {
	row, err := Row([]Expr{NewConst(int64(1), sqltypes.Int4), NewConst("x", sqltypes.Unknown)}, []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "f2"}, RowFields(row.Type())); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	// Through a record value (not the constructor) the field is read at evaluation.
	col := &ColumnRef{Index: 0, T: row.Type(), Name: "r"}
	f2, err := Field(col, "f2")
	if err != nil {
		t.Fatal(err)
	}
	v, err := row.Eval(nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f2.Eval(&Env{Row: []any{v}})
	if err != nil {
		t.Fatal(err)
	}
	null, err := f2.Eval(&Env{Row: []any{nil}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{sqltypes.Text, "x", nil, "(r).f2"}, []any{f2.Type(), got, null, f2.String()}); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		arg  Expr
		name string
		code string
	}{
		{col, "zz", sqlstate.UndefinedColumn},
		{NewConst(int64(1), sqltypes.Int4), "x", "42809"},
		{NewConst(nil, sqltypes.Record), "x", "42809"},
	} {
		_, err := Field(tt.arg, tt.name)
		if e, _ := sqlstate.As(err); e == nil || e.Code != tt.code {
			t.Errorf("Field(%s, %s) = %v, want %s", tt.arg, tt.name, err, tt.code)
		}
	}
}
