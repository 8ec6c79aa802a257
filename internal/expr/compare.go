package expr

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

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
			for i := 0; i < len(x.Items) && i < len(y.Items); i++ {
				xi, yi := x.Items[i], y.Items[i]
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
			return cmpInt(int64(len(x.Items)), int64(len(y.Items))), nil
		}
	}
	return 0, sqlstate.New(sqlstate.InternalError, "cannot compare %T with %T", a, b)
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
// DISTINCT and hash joins.
func HashKey(v any, t sqltypes.Type) string {
	var sb strings.Builder
	hashInto(&sb, v)
	return sb.String()
}

func hashInto(sb *strings.Builder, v any) {
	switch x := normValue(v).(type) {
	case nil:
		sb.WriteString("N")
	case bool:
		if x {
			sb.WriteString("t")
		} else {
			sb.WriteString("f")
		}
	case int64:
		sb.WriteString("n")
		sb.WriteString(strconv.FormatInt(x, 10))
	case float64:
		sb.WriteString("n")
		switch {
		case math.IsNaN(x):
			sb.WriteString("NaN")
		case x == math.Trunc(x) && math.Abs(x) < 1e18:
			sb.WriteString(strconv.FormatInt(int64(x), 10))
		default:
			n, err := sqltypes.DecimalFromFloat(x)
			if err != nil {
				sb.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
			} else {
				sb.WriteString(n.Normalized().String())
			}
		}
	case sqltypes.Decimal:
		sb.WriteString("n")
		sb.WriteString(x.Normalized().String())
	case string:
		sb.WriteString("s")
		sb.WriteString(strconv.Quote(x))
	case []byte:
		sb.WriteString("b")
		sb.WriteString(strconv.Quote(string(x)))
	case time.Time:
		sb.WriteString("T")
		sb.WriteString(strconv.FormatInt(x.UnixMicro(), 10))
	case sqltypes.IntervalValue:
		d, r := intervalKey(x)
		sb.WriteString("i")
		sb.WriteString(strconv.FormatInt(d, 10))
		sb.WriteString(":")
		sb.WriteString(strconv.FormatInt(r, 10))
	case sqltypes.JSONValue:
		sb.WriteString("j")
		hashJSON(sb, x.V)
	case sqltypes.Array:
		sb.WriteString("a[")
		for _, it := range x.Items {
			hashInto(sb, it)
			sb.WriteString(",")
		}
		sb.WriteString("]")
	case map[string]any, []any:
		sb.WriteString("j")
		hashJSON(sb, x)
	default:
		sb.WriteString("?")
	}
}

// hashJSON writes a canonical form of a JSON value in which numbers equal as numerics (1 and 1.0)
// are spelled alike, matching jsonb equality.
func hashJSON(sb *strings.Builder, v any) {
	switch x := normValue(v).(type) {
	case map[string]any:
		sb.WriteString("{")
		for _, k := range sqltypes.JSONKeys(x) {
			sb.WriteString(strconv.Quote(k))
			sb.WriteString(":")
			hashJSON(sb, x[k])
			sb.WriteString(",")
		}
		sb.WriteString("}")
	case []any:
		sb.WriteString("[")
		for _, e := range x {
			hashJSON(sb, e)
			sb.WriteString(",")
		}
		sb.WriteString("]")
	case sqltypes.Decimal, float64, int64:
		hashInto(sb, x)
	default:
		sb.WriteString(sqltypes.FormatJSON(x))
	}
}
