package expr

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Compare orders two non-NULL values of type t the way PostgreSQL's default btree operator class
// does: numbers by value (NaN above everything), text bytewise as in the C collation, intervals by
// their 30-day-month span, jsonb by its documented order, arrays element by element. ORDER BY,
// GROUP BY, DISTINCT, MIN/MAX and the comparison operators all use it.
func Compare(a, b any, t sqltypes.Type) (int, error) {
	return compareValues(a, b)
}

func normValue(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	case json.Number:
		if n, ok := sqltypes.ParseDecimal(string(x)); ok {
			return n
		}
	case *sqltypes.Decimal:
		return *x
	}
	return v
}

func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareValues(a, b any) (int, error) {
	a, b = normValue(a), normValue(b)
	switch x := a.(type) {
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0, nil
			case !x:
				return -1, nil
			}
			return 1, nil
		}
	case int64:
		switch y := b.(type) {
		case int64:
			return cmpInt(x, y), nil
		case float64:
			return cmpFloat(float64(x), y), nil
		case sqltypes.Decimal:
			return sqltypes.DecimalFromInt(x).Cmp(y), nil
		}
	case float64:
		switch y := b.(type) {
		case int64:
			return cmpFloat(x, float64(y)), nil
		case float64:
			return cmpFloat(x, y), nil
		case sqltypes.Decimal:
			return cmpFloat(x, y.Float64()), nil
		}
	case sqltypes.Decimal:
		switch y := b.(type) {
		case int64:
			return x.Cmp(sqltypes.DecimalFromInt(y)), nil
		case float64:
			return cmpFloat(x.Float64(), y), nil
		case sqltypes.Decimal:
			return x.Cmp(y), nil
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), nil
		}
	case []byte:
		if y, ok := b.([]byte); ok {
			return bytes.Compare(x, y), nil
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y), nil
		}
	case sqltypes.IntervalValue:
		if y, ok := b.(sqltypes.IntervalValue); ok {
			xd, xr := intervalKey(x)
			yd, yr := intervalKey(y)
			if c := cmpInt(xd, yd); c != 0 {
				return c, nil
			}
			return cmpInt(xr, yr), nil
		}
	case sqltypes.JSONValue:
		if y, ok := b.(sqltypes.JSONValue); ok {
			return compareJSON(x.V, y.V), nil
		}
	case sqltypes.Array:
		if y, ok := b.(sqltypes.Array); ok {
			return compareItems(x.Items, y.Items)
		}
	case sqltypes.Row:
		if y, ok := b.(sqltypes.Row); ok {
			return compareItems(x.Values, y.Values)
		}
	}
	return 0, sqlstate.New(sqlstate.InternalError, "cannot compare %T with %T", a, b)
}

// compareItems orders two arrays' elements or two records' fields element by element, NULL after
// every value, a shorter list before a longer one it starts.
func compareItems(x, y []any) (int, error) {
	for i := 0; i < len(x) && i < len(y); i++ {
		xi, yi := x[i], y[i]
		switch {
		case xi == nil && yi == nil:
			continue
		case xi == nil:
			return 1, nil
		case yi == nil:
			return -1, nil
		}
		c, err := compareValues(xi, yi)
		if err != nil || c != 0 {
			return c, err
		}
	}
	return cmpInt(int64(len(x)), int64(len(y))), nil
}

// intervalKey normalises an interval to whole days (30-day months) and the microseconds left over,
// PostgreSQL's interval_cmp_value.
func intervalKey(iv sqltypes.IntervalValue) (int64, int64) {
	days := int64(iv.Months)*30 + int64(iv.Days)
	d := iv.Micros / sqltypes.MicrosPerDay
	r := iv.Micros % sqltypes.MicrosPerDay
	if r < 0 {
		r += sqltypes.MicrosPerDay
		d--
	}
	return days + d, r
}

// jsonRank is jsonb's ordering of kinds: null < string < number < boolean < array < object.
func jsonRank(v any) int {
	switch normValue(v).(type) {
	case nil:
		return 0
	case string:
		return 1
	case sqltypes.Decimal, float64, int64:
		return 2
	case bool:
		return 3
	case []any:
		return 4
	case map[string]any:
		return 5
	}
	return 6
}

func compareJSON(a, b any) int {
	ra, rb := jsonRank(a), jsonRank(b)
	if ra != rb {
		return cmpInt(int64(ra), int64(rb))
	}
	switch x := a.(type) {
	case []any:
		y := b.([]any)
		if len(x) != len(y) {
			return cmpInt(int64(len(x)), int64(len(y)))
		}
		for i := range x {
			if c := compareJSON(x[i], y[i]); c != 0 {
				return c
			}
		}
		return 0
	case map[string]any:
		y := b.(map[string]any)
		if len(x) != len(y) {
			return cmpInt(int64(len(x)), int64(len(y)))
		}
		kx, ky := sqltypes.JSONKeys(x), sqltypes.JSONKeys(y)
		for i := range kx {
			if c := strings.Compare(kx[i], ky[i]); c != 0 {
				return c
			}
			if c := compareJSON(x[kx[i]], y[ky[i]]); c != 0 {
				return c
			}
		}
		return 0
	case nil:
		return 0
	}
	c, err := compareValues(a, b)
	if err != nil {
		return 0
	}
	return c
}

// HashKey returns a string that is equal for values Compare finds equal, for hash grouping,
// DISTINCT and hash joins. It is AppendHashKey into a new buffer: the same bytes.
func HashKey(v any, t sqltypes.Type) string {
	// As strings.Builder does, the string shares the new buffer, which nothing else references
	// or changes: one allocation for a key of up to 24 bytes.
	buf := AppendHashKey(make([]byte, 0, 24), v, t)
	return unsafe.String(unsafe.SliceData(buf), len(buf))
}

// AppendHashKey appends v's hash key (the bytes HashKey returns) to buf and returns the extended
// buffer. Operators that key every input row (hash aggregate, hash join, DISTINCT, set
// operations) reuse one buffer and look their map up with string(buf), which Go does without
// allocating, so a row whose key is already there costs no allocation.
func AppendHashKey(buf []byte, v any, t sqltypes.Type) []byte {
	return appendHash(buf, v)
}

// appendHashInt appends tag and n's digits.
func appendHashInt(buf []byte, tag byte, n int64) []byte {
	return strconv.AppendInt(append(buf, tag), n, 10)
}

// appendHashString appends tag, the byte length of s, ':' and s itself. The length makes the key
// unambiguous inside arrays and records whatever bytes s holds, without the rune-by-rune scan a
// quoted form costs per row.
func appendHashString(buf []byte, tag byte, s string) []byte {
	buf = append(appendHashInt(buf, tag, int64(len(s))), ':')
	return append(buf, s...)
}

func appendHash(buf []byte, v any) []byte {
	switch x := normValue(v).(type) {
	case nil:
		return append(buf, 'N')
	case bool:
		if x {
			return append(buf, 't')
		}
		return append(buf, 'f')
	case int64:
		return appendHashInt(buf, 'n', x)
	case float64:
		switch {
		case math.IsNaN(x):
			return append(buf, "nNaN"...)
		case x == math.Trunc(x) && math.Abs(x) < 1e18:
			return appendHashInt(buf, 'n', int64(x))
		default:
			n, err := sqltypes.DecimalFromFloat(x)
			if err != nil {
				return strconv.AppendFloat(append(buf, 'n'), x, 'g', -1, 64)
			}
			return append(append(buf, 'n'), n.Normalized().String()...)
		}
	case sqltypes.Decimal:
		return append(append(buf, 'n'), x.Normalized().String()...)
	case string:
		return appendHashString(buf, 's', x)
	case []byte:
		return appendHashString(buf, 'b', string(x))
	case time.Time:
		return appendHashInt(buf, 'T', x.UnixMicro())
	case sqltypes.IntervalValue:
		d, r := intervalKey(x)
		buf = append(appendHashInt(buf, 'i', d), ':')
		return strconv.AppendInt(buf, r, 10)
	case sqltypes.JSONValue:
		return appendHashJSON(append(buf, 'j'), x.V)
	case sqltypes.Array:
		buf = append(buf, "a["...)
		for _, it := range x.Items {
			buf = append(appendHash(buf, it), ',')
		}
		return append(buf, ']')
	case sqltypes.Row:
		buf = append(buf, "r("...)
		for _, it := range x.Values {
			buf = append(appendHash(buf, it), ',')
		}
		return append(buf, ')')
	case map[string]any, []any:
		return appendHashJSON(append(buf, 'j'), x)
	default:
		return append(buf, '?')
	}
}

// appendHashJSON appends a canonical form of a JSON value in which numbers equal as numerics (1
// and 1.0) are spelled alike, matching jsonb equality.
func appendHashJSON(buf []byte, v any) []byte {
	switch x := normValue(v).(type) {
	case map[string]any:
		buf = append(buf, '{')
		for _, k := range sqltypes.JSONKeys(x) {
			buf = append(strconv.AppendQuote(buf, k), ':')
			buf = append(appendHashJSON(buf, x[k]), ',')
		}
		return append(buf, '}')
	case []any:
		buf = append(buf, '[')
		for _, e := range x {
			buf = append(appendHashJSON(buf, e), ',')
		}
		return append(buf, ']')
	case sqltypes.Decimal, float64, int64:
		return appendHash(buf, x)
	default:
		return append(buf, sqltypes.FormatJSON(x)...)
	}
}
