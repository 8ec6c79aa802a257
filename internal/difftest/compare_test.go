package difftest

import (
	"strings"
	"testing"
)

// s makes a text value; n is NULL.
func s(v string) *string { return &v }

var n *string

func res(cols []string, types []uint32, rows ...[]*string) Result {
	return Result{Columns: cols, Types: types, Rows: rows}
}

// TestCompare is the harness's self-test at the value level: every kind of wrong answer must be
// detected, and only the differences PostgreSQL itself allows (row order without ORDER BY, float
// rounding, numeric scale) may pass.
func TestCompare(t *testing.T) {
	textInt := []uint32{25, 20}
	base := res([]string{"id", "amount"}, textInt, []*string{s("a"), s("1")}, []*string{s("b"), s("2")})
	tests := []struct {
		name     string
		want     Result
		got      Result
		opt      Options
		wantDiff string // substring of the report; "" means equal
	}{
		{"same rows", base, base, Options{Ordered: true, Names: true, Types: true}, ""},
		{"other order, unordered query", base,
			res([]string{"id", "amount"}, textInt, []*string{s("b"), s("2")}, []*string{s("a"), s("1")}), Options{}, ""},
		{"other order, ordered query", base,
			res([]string{"id", "amount"}, textInt, []*string{s("b"), s("2")}, []*string{s("a"), s("1")}), Options{Ordered: true}, "rows differ (in order"},
		{"wrong value", base,
			res([]string{"id", "amount"}, textInt, []*string{s("a"), s("1")}, []*string{s("b"), s("3")}), Options{}, `"b | 3"`},
		{"missing row", base, res([]string{"id", "amount"}, textInt, []*string{s("a"), s("1")}), Options{}, "want 2 rows, got 1"},
		{"extra duplicate row", base,
			res([]string{"id", "amount"}, textInt, []*string{s("a"), s("1")}, []*string{s("b"), s("2")}, []*string{s("b"), s("2")}), Options{}, "want 2 rows, got 3"},
		{"duplicates count in a multiset",
			res([]string{"x"}, []uint32{25}, []*string{s("a")}, []*string{s("a")}, []*string{s("b")}),
			res([]string{"x"}, []uint32{25}, []*string{s("a")}, []*string{s("b")}, []*string{s("b")}), Options{}, "rows differ"},
		{"null is not the text NULL",
			res([]string{"x"}, []uint32{25}, []*string{n}),
			res([]string{"x"}, []uint32{25}, []*string{s("NULL")}), Options{}, `'NULL'`},
		{"null is not the empty string",
			res([]string{"x"}, []uint32{25}, []*string{n}),
			res([]string{"x"}, []uint32{25}, []*string{s("")}), Options{}, "rows differ"},
		{"column count", base, res([]string{"id"}, []uint32{25}, []*string{s("a")}), Options{}, "column count"},
		{"column names", base, res([]string{"id", "sum"}, textInt, base.Rows...), Options{Names: true}, "column names"},
		{"column names ignored when not asked", base, res([]string{"id", "sum"}, textInt, base.Rows...), Options{}, ""},
		{"column types", base, res([]string{"id", "amount"}, []uint32{25, 1700}, base.Rows...), Options{Types: true}, "column types"},
		{"float within tolerance",
			res([]string{"f"}, []uint32{701}, []*string{s("0.30000000000000004")}),
			res([]string{"f"}, []uint32{701}, []*string{s("0.3")}), Options{}, ""},
		{"float outside tolerance",
			res([]string{"f"}, []uint32{701}, []*string{s("1.000001")}),
			res([]string{"f"}, []uint32{701}, []*string{s("1")}), Options{}, "rows differ"},
		{"float infinity is not a big number",
			res([]string{"f"}, []uint32{701}, []*string{s("Infinity")}),
			res([]string{"f"}, []uint32{701}, []*string{s("1.7976931348623157e+308")}), Options{}, "rows differ"},
		{"float NaN equals NaN",
			res([]string{"f"}, []uint32{701}, []*string{s("NaN")}),
			res([]string{"f"}, []uint32{701}, []*string{s("NaN")}), Options{}, ""},
		{"numeric by value",
			res([]string{"d"}, []uint32{1700}, []*string{s("12.50")}),
			res([]string{"d"}, []uint32{1700}, []*string{s("12.5")}), Options{}, ""},
		{"numeric last digit",
			res([]string{"d"}, []uint32{1700}, []*string{s("2416.6666666666666667")}),
			res([]string{"d"}, []uint32{1700}, []*string{s("2416.6666666666666666")}), Options{}, "rows differ"},
		{"text compared exactly",
			res([]string{"t"}, []uint32{25}, []*string{s("12.50")}),
			res([]string{"t"}, []uint32{25}, []*string{s("12.5")}), Options{}, "rows differ"},
		{"unordered with numeric scale differences sorts alike",
			res([]string{"d"}, []uint32{1700}, []*string{s("2.0")}, []*string{s("10")}),
			res([]string{"d"}, []uint32{1700}, []*string{s("10.00")}, []*string{s("2")}), Options{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Compare(tt.want, tt.got, tt.opt)
			switch {
			case tt.wantDiff == "" && d != "":
				t.Errorf("Compare found a difference where there is none:\n%s", d)
			case tt.wantDiff != "" && !strings.Contains(d, tt.wantDiff):
				t.Errorf("Compare report lacks %q:\n%s", tt.wantDiff, d)
			}
		})
	}
}
