package expr

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// TestJSONConstructors checks the json (not jsonb) constructors' text, which PostgreSQL 15 lays out
// differently from jsonb: " : " in objects, keys in argument order with duplicates kept, ", "
// between elements, and no spaces inside an array argument. The wanted strings are PostgreSQL's.
func TestJSONConstructors(t *testing.T) {
	tests := []struct{ sql, want string }{
		{`json_build_object('a', 1, 'b', 2)`, `{"a" : 1, "b" : 2}`},
		{`json_build_object('b', 1, 'a', 'x', 'b', NULL)`, `{"b" : 1, "a" : "x", "b" : null}`},
		{`json_build_object()`, `{}`},
		{`json_build_object('n', 1.50, 't', true, 'arr', ARRAY[1, 2])`, `{"n" : 1.50, "t" : true, "arr" : [1,2]}`},
		{`json_build_object('j', '{"z":1,  "y":2}'::json, 'jb', '{"z":1,  "y":2}'::jsonb)`, `{"j" : {"z":1,  "y":2}, "jb" : {"y": 2, "z": 1}}`},
		{`json_build_object('q', 'say "hi"')`, `{"q" : "say \"hi\""}`},
		{`json_build_array(1, 'two', NULL, false)`, `[1, "two", null, false]`},
		{`json_build_array()`, `[]`},
		{`json_build_array(ARRAY['a', 'b'], json_build_object('k', 1))`, `[["a","b"], {"k" : 1}]`},
		{`to_json('text'::text)`, `"text"`},
		{`to_json(42)`, `42`},
		{`to_json(ARRAY[1, NULL, 3])`, `[1,null,3]`},
		{`to_json('{"b":1, "a":2}'::jsonb)`, `{"a": 2, "b": 1}`},
		{`json_build_object('a', 7) ->> 'a'`, `7`},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			e, err := (&testBinder{}).bindSQL(tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			v, err := Fold(e, &Env{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, sqltypes.FormatText(v, e.Type())); diff != "" {
				t.Errorf("text (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJSONConstructorErrors(t *testing.T) {
	tests := []struct{ sql, code string }{
		{`json_build_object('a')`, "22023"},
		{`json_build_object(NULL, 1)`, "22023"},
		{`to_json()`, "42883"},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			e, err := (&testBinder{}).bindSQL(tt.sql)
			if err == nil {
				_, err = Fold(e, &Env{})
			}
			se, ok := err.(interface{ SQLState() string })
			if !ok || se.SQLState() != tt.code {
				t.Errorf("err = %v, want SQLSTATE %s", err, tt.code)
			}
		})
	}
}

// TestJSONAgg checks json_agg's layout: elements joined with ", ", each in its json text.
func TestJSONAgg(t *testing.T) {
	tests := []struct {
		name string
		t    sqltypes.Type
		rows []any
		want string
	}{
		{"integers", sqltypes.Int8, []any{int64(1), int64(2), int64(3)}, `[1, 2, 3]`},
		{"text with null", sqltypes.Text, []any{"a", nil}, `["a", null]`},
		{"json keeps its text", sqltypes.JSON, []any{sqltypes.JSONValue{V: map[string]any{"a": sqltypes.DecimalFromInt(1)}, Text: `{"a" : 1}`}}, `[{"a" : 1}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := (&testBinder{cols: []testCol{{"x", tt.t}}}).bindAggSQL("json_agg(x)")
			if err != nil {
				t.Fatal(err)
			}
			st := a.NewState()
			for _, r := range tt.rows {
				if err := st.Add(&Env{Row: []any{r}}); err != nil {
					t.Fatal(err)
				}
			}
			v, err := st.Result()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, sqltypes.FormatText(v, a.Type())); diff != "" {
				t.Errorf("text (-want +got):\n%s", diff)
			}
		})
	}
}
