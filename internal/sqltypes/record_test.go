package sqltypes

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFormatRecord(t *testing.T) {
	tests := []struct {
		name string
		row  Row
		want string
	}{
		{"plain fields", Row{Values: []any{int64(1), "abc"}, Types: []Type{Int4, Text}}, "(1,abc)"},
		{"null is empty, empty string quoted", Row{Values: []any{nil, ""}, Types: []Type{Int4, Text}}, `(,"")`},
		{"space, comma and parentheses quoted", Row{Values: []any{"a b", "x,y", "(p)"}, Types: []Type{Text, Text, Text}}, `("a b","x,y","(p)")`},
		{"quotes and backslashes doubled", Row{Values: []any{`q"b\c`}, Types: []Type{Text}}, `("q""b\\c")`},
		{"array field quoted", Row{Values: []any{Array{Elem: Int4, Items: []any{int64(1), int64(2)}}}, Types: []Type{Int4Array}}, `("{1,2}")`},
		{"nested record", Row{Values: []any{Row{Values: []any{int64(1), "a b"}, Types: []Type{Int4, Text}}}, Types: []Type{Record}}, `("(1,""a b"")")`},
		{"jsonb string", Row{Values: []any{"k", JSONValue{V: "v"}}, Types: []Type{Text, JSONB}}, `(k,"""v""")`},
		{"no fields", Row{}, "()"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, FormatText(tt.row, Record)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRecordType(t *testing.T) {
	xn := []RecordField{{Name: "x", Type: Int2}, {Name: "n", Type: Int4}}
	a, b := RecordType(xn), RecordType(append([]RecordField(nil), xn...))
	if a != b {
		t.Errorf("the same fields got types %d and %d", a, b)
	}
	if c := RecordType([]RecordField{{Name: "x", Type: Int4}, {Name: "n", Type: Int4}}); c == a {
		t.Errorf("fields of other types share type %d", c)
	}
	fields, ok := RecordFields(a)
	if !ok {
		t.Fatal("RecordFields: not a record type")
	}
	if diff := cmp.Diff(xn, fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	got := []any{IsRecord(a), IsRecord(Record), IsRecord(Int4), PublicType(a), PublicType(Int4), FormatType(a), Typname(a), Size(a), Category(a)}
	want := []any{true, true, false, Record, Int4, "record", "record", int16(-1), byte('P')}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, ok := RecordFields(Record); ok {
		t.Error("plain record has no known fields")
	}
}
