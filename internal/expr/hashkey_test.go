package expr

import (
	"testing"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// TestHashKeyDistinguishesStrings checks that the hash keys of text and bytea values stay equal
// exactly when the values are, also inside arrays, whatever characters the strings
// hold (quotes, separators, bytes that are not UTF-8, digits and colons that look like a length).
func TestHashKeyDistinguishesStrings(t *testing.T) {
	texts := func(items ...any) sqltypes.Array { return sqltypes.Array{Elem: sqltypes.Text, Items: items} }
	tests := []struct {
		name string
		a, b any
		t    sqltypes.Type
		same bool
	}{
		{"equal text", "cus_0001", "cus_0001", sqltypes.Text, true},
		{"text differs", "cus_0001", "cus_0002", sqltypes.Text, false},
		{"empty and space", "", " ", sqltypes.Text, false},
		{"quote", `a"b`, `a\"b`, sqltypes.Text, false},
		{"invalid utf-8", "\xff", "\xfe", sqltypes.Text, false},
		{"text vs bytea", "ab", []byte("ab"), sqltypes.Text, false},
		{"equal bytea", []byte{0, 1}, []byte{0, 1}, sqltypes.Bytea, true},
		{"array item split", texts("a,", "b"), texts("a", ",b"), sqltypes.TextArray, false},
		{"array length lookalike", texts("1:a", ""), texts("1", ":a"), sqltypes.TextArray, false},
		{"array empty vs null item", texts(""), texts(nil), sqltypes.TextArray, false},
		{"array closing bracket", texts("a],s1:b"), texts("a", "b"), sqltypes.TextArray, false},
		{"equal arrays", texts("x", nil, "y"), texts("x", nil, "y"), sqltypes.TextArray, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ka, kb := HashKey(tc.a, tc.t), HashKey(tc.b, tc.t)
			if got := ka == kb; got != tc.same {
				t.Errorf("HashKey(%#v) == HashKey(%#v) is %v, want %v (keys %q, %q)", tc.a, tc.b, got, tc.same, ka, kb)
			}
		})
	}
}

// BenchmarkHashKey measures the key of one grouping or join value, built once per input row by
// hash aggregates, hash joins and DISTINCT.
func BenchmarkHashKey(b *testing.B) {
	d, _ := sqltypes.ParseDecimal("1234.50")
	for _, tc := range []struct {
		name string
		v    any
		t    sqltypes.Type
	}{
		{"text", "cus_0012345", sqltypes.Text},
		{"bigint", int64(123456789), sqltypes.Int8},
		{"numeric", d, sqltypes.Numeric},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				_ = HashKey(tc.v, tc.t)
			}
		})
	}
}

// BenchmarkAggregateAdd measures one aggregate state fed one row, the inner step of every
// GROUP BY.
func BenchmarkAggregateAdd(b *testing.B) {
	col := &ColumnRef{Index: 0, T: sqltypes.Int8}
	rows := make([][]any, 1024)
	for i := range rows {
		rows[i] = []any{int64(50 + i*97%100000)}
	}
	for _, name := range []string{"count", "sum", "avg"} {
		b.Run(name, func(b *testing.B) {
			ag, err := Aggregate(name, []Expr{col}, false, false)
			if err != nil {
				b.Fatal(err)
			}
			st := ag.NewState()
			env := &Env{}
			i := 0
			for b.Loop() {
				env.Row = rows[i%len(rows)]
				i++
				if err := st.Add(env); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := st.Result(); err != nil {
				b.Fatal(err)
			}
		})
	}
}
