package difftest

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"
)

// PostgreSQL type OIDs whose values are compared by value rather than by text.
const (
	oidFloat4  = 700
	oidFloat8  = 701
	oidNumeric = 1700
)

// FloatTolerance is the relative difference two floating-point values may have and still be
// equal: stripesql and PostgreSQL may sum floats in different orders.
const FloatTolerance = 1e-9

// Result is a query's answer reduced to what a PostgreSQL client sees in text format.
type Result struct {
	// Columns are the result column names.
	Columns []string
	// Types are the result column type OIDs.
	Types []uint32
	// Rows hold each value in PostgreSQL's text form; a nil pointer is NULL.
	Rows [][]*string
}

// Options say what Compare checks besides the values.
type Options struct {
	// Ordered compares rows in order (the query has an ORDER BY); otherwise as multisets.
	Ordered bool
	// Names requires the same column names.
	Names bool
	// Types requires the same column type OIDs.
	Types bool
}

// Compare returns "" when got answers the same as want, else a readable description of every
// difference found: column names, types, row count and the rows themselves as a cmp.Diff
// (-want +got) of their text form.
func Compare(want, got Result, opt Options) string {
	var out []string
	if len(want.Columns) != len(got.Columns) {
		return fmt.Sprintf("column count: want %d %q, got %d %q", len(want.Columns), want.Columns, len(got.Columns), got.Columns)
	}
	if opt.Names {
		if d := cmp.Diff(want.Columns, got.Columns); d != "" {
			out = append(out, "column names (-want +got):\n"+d)
		}
	}
	if opt.Types {
		if d := cmp.Diff(typeNames(want.Types), typeNames(got.Types)); d != "" {
			out = append(out, "column types (-want +got):\n"+d)
		}
	}
	if d := compareRows(want, got, opt.Ordered); d != "" {
		out = append(out, d)
	}
	return strings.Join(out, "\n")
}

func compareRows(want, got Result, ordered bool) string {
	types := want.Types
	wr, gr := want.Rows, got.Rows
	if !ordered {
		wr, gr = sortedRows(wr, types), sortedRows(gr, types)
	}
	equal := len(wr) == len(gr)
	for i := 0; equal && i < len(wr); i++ {
		equal = rowEqual(wr[i], gr[i], types)
	}
	if equal {
		return ""
	}
	how := "as multisets, sorted"
	if ordered {
		how = "in order"
	}
	return fmt.Sprintf("rows differ (%s; want %d rows, got %d) (-want +got):\n%s", how, len(wr), len(gr),
		cmp.Diff(render(wr), render(gr)))
}

// rowEqual compares two rows value by value: floats within FloatTolerance, numerics by value,
// everything else by its exact text.
func rowEqual(a, b []*string, types []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if (a[i] == nil) != (b[i] == nil) {
			return false
		}
		if a[i] == nil || *a[i] == *b[i] {
			continue
		}
		if i >= len(types) {
			return false
		}
		switch types[i] {
		case oidFloat4, oidFloat8:
			if !floatsClose(*a[i], *b[i]) {
				return false
			}
		case oidNumeric:
			if !numericsEqual(*a[i], *b[i]) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func floatsClose(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	if x == y || (math.IsNaN(x) && math.IsNaN(y)) {
		return true
	}
	if math.IsInf(x, 0) || math.IsInf(y, 0) || math.IsNaN(x) || math.IsNaN(y) {
		return false
	}
	return math.Abs(x-y) <= FloatTolerance*math.Max(math.Abs(x), math.Abs(y))
}

func numericsEqual(a, b string) bool {
	x, ok1 := new(big.Rat).SetString(a)
	y, ok2 := new(big.Rat).SetString(b)
	return ok1 && ok2 && x.Cmp(y) == 0
}

// sortKey is a row's key for multiset comparison: floats rounded well above the tolerance and
// numerics normalised, so rows that compare equal sort to the same place.
func sortKey(row []*string, types []uint32) string {
	var sb strings.Builder
	for i, v := range row {
		if i > 0 {
			sb.WriteByte(0)
		}
		if v == nil {
			sb.WriteString("\x01NULL")
			continue
		}
		s := *v
		if i < len(types) {
			switch types[i] {
			case oidFloat4, oidFloat8:
				if f, err := strconv.ParseFloat(s, 64); err == nil {
					s = strconv.FormatFloat(f, 'g', 8, 64)
				}
			case oidNumeric:
				if r, ok := new(big.Rat).SetString(s); ok {
					s = r.RatString()
				}
			}
		}
		sb.WriteString(s)
	}
	return sb.String()
}

func sortedRows(rows [][]*string, types []uint32) [][]*string {
	keys := make([]string, len(rows))
	idx := make([]int, len(rows))
	for i, r := range rows {
		keys[i], idx[i] = sortKey(r, types), i
	}
	sort.SliceStable(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	out := make([][]*string, len(rows))
	for i, j := range idx {
		out[i] = rows[j]
	}
	return out
}

// render prints rows one per line, values separated by " | ", NULL as NULL (and a text value
// that reads NULL quoted, so the two never look alike).
func render(rows [][]*string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		parts := make([]string, len(r))
		for j, v := range r {
			switch {
			case v == nil:
				parts[j] = "NULL"
			case *v == "NULL":
				parts[j] = "'NULL'"
			default:
				parts[j] = *v
			}
		}
		out[i] = strings.Join(parts, " | ")
	}
	return out
}

// typeNames prints OIDs for type diffs.
func typeNames(oids []uint32) []string {
	out := make([]string, len(oids))
	for i, o := range oids {
		out[i] = strconv.FormatUint(uint64(o), 10)
	}
	return out
}
