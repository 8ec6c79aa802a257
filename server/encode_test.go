package server

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

func TestVectorsPrintSpaceSeparated(t *testing.T) {
	tests := []struct {
		t    sqltypes.Type
		v    sqltypes.Array
		want string
	}{
		{sqltypes.OIDVector, sqltypes.Array{Elem: sqltypes.OID, Items: []any{int64(25), int64(3802)}}, "25 3802"},
		{sqltypes.Int2Vector, sqltypes.Array{Elem: sqltypes.Int2, Items: []any{int64(1)}}, "1"},
		{sqltypes.OIDVector, sqltypes.Array{Elem: sqltypes.OID}, ""},
		{sqltypes.Int8Array, sqltypes.Array{Elem: sqltypes.Int8, Items: []any{int64(1), int64(2)}}, "{1,2}"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, formatValueText(tt.v, tt.t, time.UTC)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", sqltypes.FormatType(tt.t), diff)
		}
	}
}

// TestBinaryRoundTrip encodes values as a result would be and decodes them as a Bind parameter
// would be: both directions must agree for every type stripesql emits.
func TestBinaryRoundTrip(t *testing.T) {
	c := &conn{}
	c.sess = &fakeSession{settings: map[string]string{}}
	num, _ := sqltypes.ParseDecimal("-12.3400")
	tests := []struct {
		t sqltypes.Type
		v any
	}{
		{sqltypes.Bool, true},
		{sqltypes.Int2, int64(-7)},
		{sqltypes.Int4, int64(1 << 30)},
		{sqltypes.Int8, int64(-1 << 60)},
		{sqltypes.Float8, 3.25},
		{sqltypes.Numeric, num},
		{sqltypes.Text, "héllo"},
		{sqltypes.Bytea, []byte{0, 1, 2}},
		{sqltypes.Date, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{sqltypes.Timestamp, time.Date(2024, 2, 29, 1, 2, 3, 4000, time.UTC)},
		{sqltypes.Timestamptz, time.Date(2024, 2, 29, 1, 2, 3, 0, time.UTC)},
		{sqltypes.Interval, sqltypes.IntervalValue{Months: 1, Days: 2, Micros: 3}},
		{sqltypes.JSONB, sqltypes.JSONValue{V: map[string]any{"a": true}}},
		{sqltypes.OID, int64(16385)},
		{sqltypes.TextArray, sqltypes.Array{Elem: sqltypes.Text, Items: []any{"a", nil}}},
		{sqltypes.Int8Array, sqltypes.Array{Elem: sqltypes.Int8, Items: []any{int64(1), int64(2)}}},
	}
	for _, tt := range tests {
		t.Run(sqltypes.FormatType(tt.t), func(t *testing.T) {
			b, err := c.encodeBinary(tt.t, tt.v)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.decodeParam(tt.t, 1, b)
			if err != nil {
				t.Fatal(err)
			}
			// Compare by text form: Decimal and JSON values hold pointers and maps.
			want := sqltypes.FormatText(tt.v, tt.t)
			if diff := cmp.Diff(want, sqltypes.FormatText(got, tt.t)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
