package sqltypes

import (
	"encoding/json"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

func dec(s string) Decimal {
	d, ok := ParseDecimal(s)
	if !ok {
		panic("bad decimal " + s)
	}
	return d
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestFormatText(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	ny := mustZone(t, "America/New_York")
	kolkata := mustZone(t, "Asia/Kolkata")
	tests := []struct {
		name string
		v    any
		t    Type
		loc  *time.Location
		want string
	}{
		{"true", true, Bool, nil, "t"},
		{"false", false, Bool, nil, "f"},
		{"int", int64(-42), Int8, nil, "-42"},
		{"float million", 1e6, Float8, nil, "1000000"},
		{"float 1e15", 1e15, Float8, nil, "1e+15"},
		{"float 1e14", 1e14, Float8, nil, "100000000000000"},
		{"float small", 1e-5, Float8, nil, "1e-05"},
		{"float 0.0001", 0.0001, Float8, nil, "0.0001"},
		{"float shortest", func() float64 { a := 0.1; return a + 0.2 }(), Float8, nil, "0.30000000000000004"},
		{"float neg zero", math.Copysign(0, -1), Float8, nil, "-0"},
		{"float nan", math.NaN(), Float8, nil, "NaN"},
		{"float inf", math.Inf(-1), Float8, nil, "-Infinity"},
		{"float4", float64(float32(0.1)), Float4, nil, "0.1"},
		{"float4 big", 1e7, Float4, nil, "1e+07"},
		{"numeric scale", dec("1.50"), Numeric, nil, "1.50"},
		{"numeric small", dec("-0.005"), Numeric, nil, "-0.005"},
		{"numeric nan", Decimal{NaN: true}, Numeric, nil, "NaN"},
		{"text", "héllo", Text, nil, "héllo"},
		{"bytea", []byte("hi"), Bytea, nil, `\x6869`},
		{"date", ts, Date, nil, "2024-01-02"},
		{"timestamp", ts, Timestamp, nil, "2024-01-02 03:04:05"},
		{"timestamp frac", ts.Add(120 * time.Millisecond), Timestamp, nil, "2024-01-02 03:04:05.12"},
		{"timestamptz utc", ts, Timestamptz, nil, "2024-01-02 03:04:05+00"},
		{"timestamptz new york", ts, Timestamptz, ny, "2024-01-01 22:04:05-05"},
		{"timestamptz half hour zone", ts, Timestamptz, kolkata, "2024-01-02 08:34:05+05:30"},
		{"timestamptz micros", ts.Add(123456 * time.Microsecond), Timestamptz, nil, "2024-01-02 03:04:05.123456+00"},
		{"interval zero", IntervalValue{}, Interval, nil, "00:00:00"},
		{"interval day hours", IntervalValue{Days: 1, Micros: 2 * MicrosPerHour}, Interval, nil, "1 day 02:00:00"},
		{"interval months days", IntervalValue{Months: 1, Days: 2}, Interval, nil, "1 mon 2 days"},
		{"interval years", IntervalValue{Months: 14}, Interval, nil, "1 year 2 mons"},
		{"interval negative day positive time", IntervalValue{Days: -1, Micros: 2 * MicrosPerHour}, Interval, nil, "-1 days +02:00:00"},
		{"interval negative time", IntervalValue{Micros: -90 * MicrosPerMinute}, Interval, nil, "-01:30:00"},
		{"interval fraction", IntervalValue{Micros: 1_500_000}, Interval, nil, "00:00:01.5"},
		{"interval many hours", IntervalValue{Micros: 100 * MicrosPerHour}, Interval, nil, "100:00:00"},
		{"jsonb ordering", JSONValue{V: map[string]any{"bb": dec("1"), "a": []any{dec("1"), dec("2.0")}, "c": nil}}, JSONB, nil, `{"a": [1, 2.0], "c": null, "bb": 1}`},
		{"jsonb escapes", JSONValue{V: "a\"b\\c\nd\x01é"}, JSONB, nil, `"a\"b\\c\nd\u0001é"`},
		{"jsonb float input", JSONValue{V: map[string]any{"n": 1.5, "i": json.Number("10")}}, JSONB, nil, `{"i": 10, "n": 1.5}`},
		{"array quoting", Array{Elem: Text, Items: []any{"a", "b c", nil, "", "NULL", `q"\`, "x,y"}}, TextArray, nil, `{a,"b c",NULL,"","NULL","q\"\\","x,y"}`},
		{"array ints", Array{Elem: Int4, Items: []any{int64(1), int64(-2)}}, Int4Array, nil, "{1,-2}"},
		{"array bools", Array{Elem: Bool, Items: []any{true, false}}, BoolArray, nil, "{t,f}"},
		{"array timestamptz", Array{Elem: Timestamptz, Items: []any{ts}}, TimestamptzArray, nil, `{"2024-01-02 03:04:05+00"}`},
		{"empty array", Array{Elem: Int4, Items: []any{}}, Int4Array, nil, "{}"},
		{"null", nil, Text, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := FormatTextIn(tc.v, tc.t, tc.loc)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("FormatText(%v) (-want +got):\n%s", tc.v, diff)
			}
		})
	}
}

func TestParseText(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	tests := []struct {
		name string
		s    string
		t    Type
		loc  *time.Location
		want string // FormatText of the result in loc, or the error code
		msg  string // error message when want is an error code
	}{
		{"int", " 42 ", Int4, nil, "42", ""},
		{"int syntax", "x", Int4, nil, "22P02", `invalid input syntax for type integer: "x"`},
		{"int empty", "", Int8, nil, "22P02", `invalid input syntax for type bigint: ""`},
		{"int4 range", "2147483648", Int4, nil, "22003", `value "2147483648" is out of range for type integer`},
		{"int2 range", "40000", Int2, nil, "22003", `value "40000" is out of range for type smallint`},
		{"int8 range", "9223372036854775808", Int8, nil, "22003", `value "9223372036854775808" is out of range for type bigint`},
		{"float", "1.5e3", Float8, nil, "1500", ""},
		{"float nan", "NaN", Float8, nil, "NaN", ""},
		{"float infinity", "-Infinity", Float8, nil, "-Infinity", ""},
		{"float syntax", "1.2.3", Float8, nil, "22P02", `invalid input syntax for type double precision: "1.2.3"`},
		{"numeric", "-12.340", Numeric, nil, "-12.340", ""},
		{"numeric exponent", "1.5e2", Numeric, nil, "150", ""},
		{"numeric leading dot", ".5", Numeric, nil, "0.5", ""},
		{"numeric syntax", "1e", Numeric, nil, "22P02", `invalid input syntax for type numeric: "1e"`},
		{"bool t", "t", Bool, nil, "t", ""},
		{"bool yes", "YES", Bool, nil, "t", ""},
		{"bool on", "on", Bool, nil, "t", ""},
		{"bool off", "off", Bool, nil, "f", ""},
		{"bool 0", "0", Bool, nil, "f", ""},
		{"bool prefix", "fal", Bool, nil, "f", ""},
		{"bool ambiguous o", "o", Bool, nil, "22P02", `invalid input syntax for type boolean: "o"`},
		{"date", "2024-01-02", Date, nil, "2024-01-02", ""},
		{"date compact", "20240102", Date, nil, "2024-01-02", ""},
		{"date month name", "Jan 5, 2024", Date, nil, "2024-01-05", ""},
		{"date with time", "2024-01-02 10:00", Date, nil, "2024-01-02", ""},
		{"date out of range", "2024-02-30", Date, nil, "22008", `date/time field value out of range: "2024-02-30"`},
		{"date syntax", "yesterdayish", Date, nil, "22007", `invalid input syntax for type date: "yesterdayish"`},
		{"timestamptz date only", "2024-01-01", Timestamptz, nil, "2024-01-01 00:00:00+00", ""},
		{"timestamptz minutes", "2024-01-01 10:00", Timestamptz, nil, "2024-01-01 10:00:00+00", ""},
		{"timestamptz T Z", "2024-01-01T10:00:00Z", Timestamptz, nil, "2024-01-01 10:00:00+00", ""},
		{"timestamptz offset", "2024-01-01 10:00:00+02", Timestamptz, nil, "2024-01-01 08:00:00+00", ""},
		{"timestamptz offset minutes", "2024-01-01T10:00:00-05:30", Timestamptz, nil, "2024-01-01 15:30:00+00", ""},
		{"timestamptz compact offset", "2024-01-01 10:00:00+0530", Timestamptz, nil, "2024-01-01 04:30:00+00", ""},
		{"timestamptz fraction", "2024-01-01 10:00:00.1234567", Timestamptz, nil, "2024-01-01 10:00:00.123457+00", ""},
		{"timestamptz session zone", "2024-01-01 10:00", Timestamptz, ny, "2024-01-01 10:00:00-05", ""},
		{"timestamptz named zone", "2024-07-01 10:00 Europe/Paris", Timestamptz, nil, "2024-07-01 08:00:00+00", ""},
		{"timestamptz epoch", "epoch", Timestamptz, nil, "1970-01-01 00:00:00+00", ""},
		{"timestamp ignores zone", "2024-01-01 10:00:00+02", Timestamp, nil, "2024-01-01 10:00:00", ""},
		{"timestamptz bad", "2024-01-01 10", Timestamptz, nil, "22007", `invalid input syntax for type timestamp with time zone: "2024-01-01 10"`},
		{"timestamptz hour range", "2024-01-01 25:00", Timestamptz, nil, "22008", `date/time field value out of range: "2024-01-01 25:00"`},
		{"interval days", "30 days", Interval, nil, "30 days", ""},
		{"interval hour", "1 hour", Interval, nil, "01:00:00", ""},
		{"interval mixed", "2 mons 3 days 04:05:06", Interval, nil, "2 mons 3 days 04:05:06", ""},
		{"interval iso", "P1Y2M3DT4H5M6S", Interval, nil, "1 year 2 mons 3 days 04:05:06", ""},
		{"interval iso time", "PT1H30M", Interval, nil, "01:30:00", ""},
		{"interval ago", "@ 1 day ago", Interval, nil, "-1 days", ""},
		{"interval fractional day", "1.5 days", Interval, nil, "1 day 12:00:00", ""},
		{"interval fractional month", "1.5 mons", Interval, nil, "1 mon 15 days", ""},
		{"interval weeks", "2 weeks", Interval, nil, "14 days", ""},
		{"interval compact unit", "10min", Interval, nil, "00:10:00", ""},
		{"interval bad", "abc", Interval, nil, "22007", `invalid input syntax for type interval: "abc"`},
		{"jsonb", `{"b": [1, 2.50], "a": "x"}`, JSONB, nil, `{"a": "x", "b": [1, 2.50]}`, ""},
		{"jsonb bad", `{"a"`, JSONB, nil, "22P02", "invalid input syntax for type json"},
		{"jsonb trailing", `1 2`, JSONB, nil, "22P02", "invalid input syntax for type json"},
		{"int array", "{1, 2,NULL}", Int4Array, nil, "{1,2,NULL}", ""},
		{"text array quoted", `{"a b","c\"d",NULL,"NULL"}`, TextArray, nil, `{"a b","c\"d",NULL,"NULL"}`, ""},
		{"empty array", "{}", TextArray, nil, "{}", ""},
		{"array malformed", "{1,2", Int4Array, nil, "22P02", `malformed array literal: "{1,2"`},
		{"array bad element", "{1,x}", Int4Array, nil, "22P02", `invalid input syntax for type integer: "x"`},
		{"bytea hex", `\x6869`, Bytea, nil, `\x6869`, ""},
		{"bytea escape", `a\\b\101`, Bytea, nil, `\x615c6241`, ""},
		{"oid", "4294967295", OID, nil, "4294967295", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc := tc.loc
			if loc == nil {
				loc = time.UTC
			}
			v, err := ParseText(tc.s, tc.t, loc)
			var got, msg string
			if err != nil {
				e, ok := sqlstate.As(err)
				if !ok {
					t.Fatalf("error %v is not a *sqlstate.Error", err)
				}
				got, msg = e.Code, e.Message
			} else {
				got = FormatTextIn(v, tc.t, loc)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseText(%q, %s) (-want +got):\n%s", tc.s, FormatType(tc.t), diff)
			}
			if diff := cmp.Diff(tc.msg, msg); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseSpecialTimes checks 'now', 'today', 'tomorrow' and 'yesterday' against a fixed clock.
func TestParseSpecialTimes(t *testing.T) {
	now := time.Date(2024, 3, 15, 3, 30, 0, 0, time.UTC) // 23:30 the day before in New York
	ny := mustZone(t, "America/New_York")
	tests := []struct {
		s    string
		t    Type
		loc  *time.Location
		want string
	}{
		{"now", Timestamptz, time.UTC, "2024-03-15 03:30:00+00"},
		{"today", Date, time.UTC, "2024-03-15"},
		{"today", Date, ny, "2024-03-14"},
		{"today", Timestamptz, ny, "2024-03-14 00:00:00-04"},
		{"tomorrow", Date, time.UTC, "2024-03-16"},
		{"yesterday", Timestamp, time.UTC, "2024-03-14 00:00:00"},
	}
	for _, tc := range tests {
		t.Run(tc.s+"/"+FormatType(tc.t)+"/"+tc.loc.String(), func(t *testing.T) {
			v, err := ParseTime(tc.s, tc.t, tc.loc, now)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, FormatTextIn(v, tc.t, tc.loc)); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func TestDecimalArithmetic(t *testing.T) {
	tests := []struct {
		name string
		got  func() Decimal
		want string
	}{
		{"add keeps larger scale", func() Decimal { return dec("1.5").Add(dec("2.25")) }, "3.75"},
		{"sub", func() Decimal { return dec("1").Sub(dec("0.001")) }, "0.999"},
		{"mul adds scales", func() Decimal { return dec("1.5").Mul(dec("2.25")) }, "3.375"},
		{"div 5/2", func() Decimal { q, _ := DecimalFromInt(5).Div(DecimalFromInt(2)); return q }, "2.5000000000000000"},
		{"div 1/3", func() Decimal { q, _ := DecimalFromInt(1).Div(DecimalFromInt(3)); return q }, "0.33333333333333333333"},
		{"div big", func() Decimal { q, _ := dec("123456789").Div(DecimalFromInt(7)); return q }, "17636684.142857142857"},
		{"div small", func() Decimal { q, _ := dec("0.001").Div(DecimalFromInt(3)); return q }, "0.00033333333333333333"},
		{"div rounds half up", func() Decimal { q, _ := DecimalFromInt(2).Div(DecimalFromInt(3)); return q }, "0.66666666666666666667"},
		{"div negative", func() Decimal { q, _ := DecimalFromInt(-2).Div(DecimalFromInt(3)); return q }, "-0.66666666666666666667"},
		{"round half away", func() Decimal { return dec("2.5").Round(0) }, "3"},
		{"round negative half", func() Decimal { return dec("-2.5").Round(0) }, "-3"},
		{"round 2", func() Decimal { return dec("1.23456").Round(2) }, "1.23"},
		{"round extends scale", func() Decimal { return dec("1.2").Round(3) }, "1.200"},
		{"round negative scale", func() Decimal { return dec("1250").Round(-2) }, "1300"},
		{"trunc", func() Decimal { return dec("-1.789").Trunc(2) }, "-1.78"},
		{"floor negative", func() Decimal { return dec("-1.5").Floor() }, "-2"},
		{"ceil", func() Decimal { return dec("1.2").Ceil() }, "2"},
		{"mod sign of dividend", func() Decimal { m, _ := dec("-7.5").Mod(DecimalFromInt(2)); return m }, "-1.5"},
		{"sqrt 2", func() Decimal { r, _ := DecimalFromInt(2).Sqrt(); return r }, "1.414213562373095"},
		{"sqrt exact", func() Decimal { r, _ := DecimalFromInt(16).Sqrt(); return r }, "4.000000000000000"},
		{"from float", func() Decimal { d, _ := DecimalFromFloat(0.1); return d }, "0.1"},
		{"from float large", func() Decimal { d, _ := DecimalFromFloat(1e20); return d }, "100000000000000000000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got().String()); diff != "" {
				t.Error(diff)
			}
		})
	}
	if _, ok := DecimalFromInt(1).Div(DecimalFromInt(0)); ok {
		t.Error("division by zero reported ok")
	}
	if c := dec("1.50").Cmp(dec("1.5")); c != 0 {
		t.Errorf("1.50 vs 1.5 = %d, want 0", c)
	}
	if c := (Decimal{NaN: true}).Cmp(dec("1e100")); c != 1 {
		t.Errorf("NaN vs 1e100 = %d, want 1", c)
	}
	if got := dec("1.500").Normalized().String(); got != "1.5" {
		t.Errorf("Normalized = %s", got)
	}
	if (Decimal{Coef: big.NewInt(5)}).String() != "5" {
		t.Error("zero-scale decimal prints wrong")
	}
}

func TestTypeInfo(t *testing.T) {
	tests := []struct {
		t        Type
		name     string
		typname  string
		size     int16
		category byte
	}{
		{Int8, "bigint", "int8", 8, 'N'},
		{Int4, "integer", "int4", 4, 'N'},
		{Text, "text", "text", -1, 'S'},
		{Timestamptz, "timestamp with time zone", "timestamptz", 8, 'D'},
		{Timestamp, "timestamp without time zone", "timestamp", 8, 'D'},
		{Bool, "boolean", "bool", 1, 'B'},
		{Numeric, "numeric", "numeric", -1, 'N'},
		{Float8, "double precision", "float8", 8, 'N'},
		{Varchar, "character varying", "varchar", -1, 'S'},
		{JSONB, "jsonb", "jsonb", -1, 'U'},
		{Interval, "interval", "interval", 16, 'T'},
		{Name, "name", "name", 64, 'S'},
		{Char, `"char"`, "char", 1, 'Z'},
		{TextArray, "text[]", "_text", -1, 'A'},
		{Unknown, "unknown", "unknown", -2, 'X'},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := []any{FormatType(tc.t), Typname(tc.t), Size(tc.t), Category(tc.t)}
			want := []any{tc.name, tc.typname, tc.size, tc.category}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
	for _, at := range Types() {
		e := Elem(at)
		if e == 0 || at == Int2Vector || at == OIDVector {
			continue
		}
		if ArrayOf(e) != at {
			t.Errorf("ArrayOf(Elem(%s)) = %d, want %d", FormatType(at), ArrayOf(e), at)
		}
		if !IsArray(at) || IsArray(e) {
			t.Errorf("IsArray wrong for %s / %s", FormatType(at), FormatType(e))
		}
	}
}

func TestInZone(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	tests := []struct {
		name string
		wall time.Time
		want string
	}{
		{"ordinary", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "2024-01-02 08:04:05+00"},
		{"fall back ambiguous takes later", time.Date(2024, 11, 3, 1, 30, 0, 0, time.UTC), "2024-11-03 06:30:00+00"},
		{"spring forward gap uses earlier offset", time.Date(2024, 3, 10, 2, 30, 0, 0, time.UTC), "2024-03-10 07:30:00+00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := FormatText(InZone(tc.wall, ny), Timestamptz)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func TestLoadZone(t *testing.T) {
	tests := []struct {
		name   string
		offset int // seconds east of UTC in January 2024, or -1 for an error
	}{
		{"UTC", 0},
		{"Europe/Paris", 3600},
		{"+02", -7200}, // POSIX: west of Greenwich
		{"UTC+3", -10800},
		{"-05:30", 19800},
		{"Mars/Olympus", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := LoadZone(tc.name)
			if tc.offset == -1 {
				if e, ok := sqlstate.As(err); !ok || e.Code != sqlstate.InvalidParameterValue {
					t.Fatalf("err = %v, want 22023", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, off := time.Date(2024, 1, 15, 12, 0, 0, 0, l).Zone()
			if off != tc.offset {
				t.Errorf("offset = %d, want %d", off, tc.offset)
			}
		})
	}
}

// TestRoundTrip checks that text output reads back to an equal value for every type.
func TestRoundTrip(t *testing.T) {
	vals := []struct {
		v any
		t Type
	}{
		{int64(-9223372036854775808), Int8},
		{0.1, Float8},
		{1e300, Float8},
		{math.SmallestNonzeroFloat64, Float8},
		{dec("-123.4500"), Numeric},
		{time.Date(2024, 2, 29, 23, 59, 59, 999999000, time.UTC), Timestamptz},
		{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), Date},
		{IntervalValue{Months: -13, Days: 40, Micros: -1}, Interval},
		{IntervalValue{Days: -1, Micros: 2 * MicrosPerHour}, Interval},
		{JSONValue{V: map[string]any{"a": []any{nil, true, "x\ty", dec("1.0")}}}, JSONB},
		{Array{Elem: Text, Items: []any{"", "NULL", nil, `"\`, "{}"}}, TextArray},
		{[]byte{0, 255}, Bytea},
	}
	for _, tc := range vals {
		s := FormatText(tc.v, tc.t)
		t.Run(FormatType(tc.t)+"/"+s, func(t *testing.T) {
			back, err := ParseText(s, tc.t, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			if got := FormatText(back, tc.t); got != s {
				t.Errorf("round trip %q -> %q", s, got)
			}
		})
	}
}
