package driver

import (
	sqldriver "database/sql/driver"
	"encoding/json"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

type status string

type valuer struct{ v any }

func (v valuer) Value() (sqldriver.Value, error) { return v.v, nil }

type failingValuer struct{}

func (failingValuer) Value() (sqldriver.Value, error) { return nil, errors.New("no value") }

func TestCheckNamedValue(t *testing.T) {
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("CEST", 2*3600))
	n := 5
	var nilPtr *int
	var nilValuer *valuer
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"nil", nil, nil},
		{"int", 7, int64(7)},
		{"int8", int8(-8), int64(-8)},
		{"int16", int16(16), int64(16)},
		{"int32", int32(32), int64(32)},
		{"uint8", uint8(255), int64(255)},
		{"uint32", uint32(1 << 31), int64(1 << 31)},
		{"uint64 small", uint64(9), int64(9)},
		{"uint64 huge", uint64(1<<63 + 1), sqltypes.Decimal{Coef: new(big.Int).SetUint64(1<<63 + 1)}},
		{"float32", float32(0.5), 0.5},
		{"float64", 2.25, 2.25},
		{"bool", true, true},
		{"string", "x", "x"},
		{"named string type", status("paid"), "paid"},
		{"bytes", []byte{1, 2}, []byte{1, 2}},
		{"nil bytes", []byte(nil), nil},
		{"time in utc", when, when.UTC()},
		{"pointer", &n, int64(5)},
		{"nil pointer", nilPtr, nil},
		{"valuer", valuer{"v"}, "v"},
		{"valuer of valuer", valuer{valuer{int32(3)}}, int64(3)},
		{"nil valuer pointer", nilValuer, nil},
		{"raw json", json.RawMessage(`{"a": [1, 2.50]}`), sqltypes.JSONValue{V: map[string]any{"a": []any{dec(1, 0), dec(250, 2)}}}},
		{"map", map[string]any{"k": "v"}, sqltypes.JSONValue{V: map[string]any{"k": "v"}}},
		{"slice", []int{1, 2}, sqltypes.JSONValue{V: []any{dec(1, 0), dec(2, 0)}}},
		{"nil map", map[string]int(nil), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nv := sqldriver.NamedValue{Ordinal: 1, Value: tt.in}
			if err := checkNamedValue(&nv); err != nil {
				t.Fatalf("checkNamedValue(%#v): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, nv.Value, cmp.Comparer(func(a, b sqltypes.Decimal) bool { return a.Cmp(b) == 0 && a.Scale == b.Scale })); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func dec(coef int64, scale int32) sqltypes.Decimal {
	return sqltypes.Decimal{Coef: big.NewInt(coef), Scale: scale}
}

func TestCheckNamedValueErrors(t *testing.T) {
	tests := []struct {
		name string
		nv   sqldriver.NamedValue
		code string
	}{
		{"named", sqldriver.NamedValue{Name: "a", Ordinal: 1, Value: 1}, sqlstate.FeatureNotSupported},
		{"struct", sqldriver.NamedValue{Ordinal: 2, Value: struct{}{}}, sqlstate.InvalidParameterValue},
		{"channel", sqldriver.NamedValue{Ordinal: 1, Value: make(chan int)}, sqlstate.InvalidParameterValue},
		{"bad raw json", sqldriver.NamedValue{Ordinal: 1, Value: json.RawMessage(`{`)}, sqlstate.InvalidTextRepresentation},
		{"unencodable map", sqldriver.NamedValue{Ordinal: 1, Value: map[string]any{"f": func() {}}}, sqlstate.InvalidParameterValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkNamedValue(&tt.nv)
			e, ok := sqlstate.As(err)
			if !ok {
				t.Fatalf("err = %v, want a coded error", err)
			}
			if diff := cmp.Diff(tt.code, e.Code); diff != "" {
				t.Errorf("code mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if err := checkNamedValue(&sqldriver.NamedValue{Ordinal: 1, Value: failingValuer{}}); err == nil || err.Error() != "no value" {
		t.Errorf("failing Valuer: err = %v, want its own error", err)
	}
}

func TestDriverValue(t *testing.T) {
	when := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		in   any
		typ  sqltypes.Type
		want sqldriver.Value
	}{
		{"null", nil, sqltypes.Text, nil},
		{"int8", int64(3), sqltypes.Int8, int64(3)},
		{"float", 1.5, sqltypes.Float8, 1.5},
		{"bool", false, sqltypes.Bool, false},
		{"text", "x", sqltypes.Text, "x"},
		{"bytea", []byte{0xde}, sqltypes.Bytea, []byte{0xde}},
		{"timestamptz", when, sqltypes.Timestamptz, when},
		{"numeric", dec(1250, 2), sqltypes.Numeric, "12.50"},
		{"jsonb", sqltypes.JSONValue{V: map[string]any{"a": "b"}}, sqltypes.JSONB, `{"a": "b"}`},
		{"interval", sqltypes.IntervalValue{Days: 3}, sqltypes.Interval, "3 days"},
		{"text array", sqltypes.Array{Elem: sqltypes.Text, Items: []any{"a", nil}}, sqltypes.TextArray, "{a,NULL}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, driverValue(tt.in, tt.typ)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTagCount(t *testing.T) {
	tests := map[string]int64{"SELECT 5": 5, "INSERT 0 2": 2, "UPDATE 3": 3, "SET": 0, "": 0, "CALL": 0}
	for tag, want := range tests {
		if got := tagCount(tag); got != want {
			t.Errorf("tagCount(%q) = %d, want %d", tag, got, want)
		}
	}
}
