package expr

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// hashKeyCases are values of every representation HashKey knows, with the key each must have.
// The keys are the bytes HashKey produced before AppendHashKey existed, so a change of format
// (which would not break grouping, but is not what the append form is for) shows here.
func hashKeyCases(t testing.TB) []struct {
	name string
	v    any
	t    sqltypes.Type
	want string
} {
	t.Helper()
	dec, ok := sqltypes.ParseDecimal("1234.50")
	if !ok {
		t.Fatal("cannot parse 1234.50")
	}
	return []struct {
		name string
		v    any
		t    sqltypes.Type
		want string
	}{
		{"null", nil, sqltypes.Text, "N"},
		{"true", true, sqltypes.Bool, "t"},
		{"false", false, sqltypes.Bool, "f"},
		{"bigint", int64(-5), sqltypes.Int8, "n-5"},
		{"int", 7, sqltypes.Int4, "n7"},
		{"whole float", 2.0, sqltypes.Float8, "n2"},
		{"fractional float", 2.5, sqltypes.Float8, "n2.5"},
		{"nan", math.NaN(), sqltypes.Float8, "nNaN"},
		{"numeric", dec, sqltypes.Numeric, "n1234.5"},
		{"text", "cus_1", sqltypes.Text, "s5:cus_1"},
		{"bytea", []byte{0, 'x'}, sqltypes.Bytea, "b2:\x00x"},
		{"timestamptz", time.Date(2024, 1, 1, 0, 0, 0, 1000, time.UTC), sqltypes.Timestamptz, "T1704067200000001"},
		{"interval", sqltypes.IntervalValue{Months: 1, Days: 2, Micros: 3}, sqltypes.Interval, "i32:3"},
		{"jsonb", sqltypes.JSONValue{V: map[string]any{"b": []any{1.0, "x"}, "a": nil}}, sqltypes.JSONB, `j{"a":null,"b":[n1,"x",],}`},
		{"array", sqltypes.Array{Elem: sqltypes.Text, Items: []any{"a", nil}}, sqltypes.TextArray, "a[s1:a,N,]"},
		{"record", sqltypes.Row{Values: []any{int64(1), "b"}}, sqltypes.Text, "r(n1,s1:b,)"},
	}
}

// TestHashKeyBytes pins the key of each representation.
func TestHashKeyBytes(t *testing.T) {
	for _, tc := range hashKeyCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, HashKey(tc.v, tc.t)); d != "" {
				t.Errorf("HashKey(%#v) (-want +got):\n%s", tc.v, d)
			}
		})
	}
}

// TestAppendHashKey checks that AppendHashKey appends exactly HashKey's bytes after what the
// buffer holds, whether the buffer must grow or already has room, and leaves the prefix alone.
func TestAppendHashKey(t *testing.T) {
	for _, tc := range hashKeyCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			for _, buf := range [][]byte{nil, []byte("prefix|"), append(make([]byte, 0, 256), "roomy|"...)} {
				prefix := string(buf)
				got := string(AppendHashKey(buf, tc.v, tc.t))
				if d := cmp.Diff(prefix+tc.want, got); d != "" {
					t.Errorf("AppendHashKey(%q, %#v) (-want +got):\n%s", prefix, tc.v, d)
				}
			}
		})
	}
}

// BenchmarkAppendHashKey appends each case's key to a reused buffer, as hash aggregates and
// joins build their keys: no allocation per key (compare BenchmarkHashKey).
func BenchmarkAppendHashKey(b *testing.B) {
	for _, tc := range hashKeyCases(b) {
		b.Run(tc.name, func(b *testing.B) {
			buf := make([]byte, 0, 64)
			b.ReportAllocs()
			for b.Loop() {
				buf = AppendHashKey(buf[:0], tc.v, tc.t)
			}
		})
	}
}
