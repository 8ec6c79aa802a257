package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Cast returns e::t, the explicit cast. It accepts every pair PostgreSQL allows for stripesql's
// types (text to and from anything, numbers among themselves, dates and timestamps among
// themselves, int4 ↔ bool, jsonb to bool and numbers, arrays element-wise) and returns 42846
// `cannot cast type integer to date` otherwise. Casting an unknown literal reads it as t at once.
func Cast(e Expr, t sqltypes.Type) (Expr, error) {
	from := e.Type()
	if from == t {
		return e, nil
	}
	if !canCast(from, t) {
		return nil, sqlstate.New(sqlstate.CannotCoerce, "cannot cast type %s to %s", sqltypes.FormatType(from), sqltypes.FormatType(t))
	}
	if from == sqltypes.Unknown {
		c, err := coerce(e, t)
		if err != nil {
			return nil, err
		}
		if cc, ok := c.(*CastExpr); ok {
			cc.implicit = false
		}
		return c, nil
	}
	return &CastExpr{Arg: e, T: t}, nil
}

// castKey names a conversion registered with RegisterCast.
type castKey struct{ from, to sqltypes.Type }

var extraCasts = struct {
	sync.RWMutex
	m map[castKey]func(env *Env, v any) (any, error)
}{m: map[castKey]func(env *Env, v any) (any, error){}}

// RegisterCast adds (or replaces) the conversion from one type to another, for casts that need
// more than values: text ↔ regclass/regtype/regproc look names up in the catalog, so the package
// that owns the catalog registers them. fn receives non-NULL values of type from. A registered
// cast is allowed explicitly and, from unknown literals, implicitly ('customers'::regclass,
// oid = 'customers'::regclass).
func RegisterCast(from, to sqltypes.Type, fn func(env *Env, v any) (any, error)) {
	extraCasts.Lock()
	defer extraCasts.Unlock()
	extraCasts.m[castKey{from, to}] = fn
}

func lookupCast(from, to sqltypes.Type) func(env *Env, v any) (any, error) {
	extraCasts.RLock()
	defer extraCasts.RUnlock()
	if f, ok := extraCasts.m[castKey{from, to}]; ok {
		return f
	}
	if isStringType(from) && from != sqltypes.Text {
		return extraCasts.m[castKey{sqltypes.Text, to}]
	}
	return nil
}

func canCast(from, to sqltypes.Type) bool {
	if lookupCast(from, to) != nil {
		return true
	}
	switch {
	case from == to, from == sqltypes.Unknown:
		return true
	case isStringType(from) || isStringType(to):
		return true
	case numRank(from) == 3 || numRank(to) == 3:
		// oid and reg* convert only among themselves and with the integer types
		ok := func(t sqltypes.Type) bool { return numRank(t) == 3 || t == sqltypes.Int4 || t == sqltypes.Int8 }
		return (ok(from) || from == sqltypes.Int2) && ok(to)
	case numRank(from) > 0 && numRank(to) > 0:
		return true
	case dtRank(from) > 0 && dtRank(to) > 0:
		return true
	case (from == sqltypes.Int4 && to == sqltypes.Bool) || (from == sqltypes.Bool && to == sqltypes.Int4):
		return true
	case from == sqltypes.JSONB && (to == sqltypes.Bool || numRank(to) > 0 && numRank(to) != 3 || to == sqltypes.JSON):
		return true
	case from == sqltypes.JSON && to == sqltypes.JSONB:
		return true
	case from == sqltypes.Timestamptz && to == sqltypes.Time, from == sqltypes.Timestamp && to == sqltypes.Time:
		return true
	}
	if ef, et := sqltypes.Elem(from), sqltypes.Elem(to); ef != 0 && et != 0 {
		return canCast(ef, et)
	}
	return false
}

// castValue converts non-NULL v of type from to type to.
func castValue(env *Env, v any, from, to sqltypes.Type) (any, error) {
	if f := lookupCast(from, to); f != nil {
		return f(env, v)
	}
	v = normValue(v)
	if isStringType(to) {
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case bool:
			s = "false"
			if x {
				s = "true"
			}
		default:
			s = sqltypes.FormatTextIn(v, from, env.Location())
		}
		if to == sqltypes.Char && len(s) > 1 {
			s = s[:1]
		}
		return s, nil
	}
	if s, ok := v.(string); ok {
		if dtRank(to) > 0 {
			return sqltypes.ParseTime(s, to, env.Location(), env.StatementTime())
		}
		return sqltypes.ParseText(s, to, env.Location())
	}
	switch {
	case isIntType(to):
		return toInt(v, to)
	case to == sqltypes.Float8 || to == sqltypes.Float4:
		f, err := toFloatChecked(v, to)
		if err != nil {
			return nil, err
		}
		if to == sqltypes.Float4 {
			if math.Abs(f) > math.MaxFloat32 && !math.IsInf(f, 0) {
				return nil, sqlstate.New(sqlstate.NumericValueOutOfRange, "value out of range: overflow")
			}
			f = float64(float32(f))
		}
		return f, nil
	case to == sqltypes.Numeric:
		return toNumeric(v)
	case to == sqltypes.Bool:
		switch x := v.(type) {
		case int64:
			return x != 0, nil
		case jsonVal:
			if b, ok := x.V.(bool); ok {
				return b, nil
			}
			return nil, errJSONCast(x.V, to)
		}
	case dtRank(to) > 0 || to == sqltypes.Time:
		if t, ok := v.(time.Time); ok {
			return convertTime(t, from, to, env.Location()), nil
		}
	case to == sqltypes.JSONB || to == sqltypes.JSON:
		if j, ok := v.(jsonVal); ok {
			return jsonVal{V: j.V}, nil
		}
	case sqltypes.Elem(to) != 0:
		if a, ok := v.(array); ok {
			et := sqltypes.Elem(to)
			out := array{Elem: et, Items: make([]any, len(a.Items))}
			for i, it := range a.Items {
				if it == nil {
					continue
				}
				c, err := castValue(env, it, a.Elem, et)
				if err != nil {
					return nil, err
				}
				out.Items[i] = c
			}
			return out, nil
		}
	case to == sqltypes.Interval:
		if iv, ok := v.(interval); ok {
			return iv, nil
		}
	}
	return nil, sqlstate.New(sqlstate.CannotCoerce, "cannot cast type %s to %s", sqltypes.FormatType(from), sqltypes.FormatType(to))
}

func errJSONCast(v any, to sqltypes.Type) error {
	kind := jsonTypeof(v)
	if kind == "number" {
		kind = "numeric"
	}
	return sqlstate.New(sqlstate.InvalidParameterValue, "cannot cast jsonb %s to type %s", kind, sqltypes.FormatType(to))
}

// convertTime moves between date, timestamp and timestamptz through the session zone.
func convertTime(t time.Time, from, to sqltypes.Type, loc *time.Location) time.Time {
	// wall clock of the value
	var wall time.Time
	if from == sqltypes.Timestamptz {
		w := t.In(loc)
		wall = time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
	} else {
		wall = t.UTC()
	}
	switch to {
	case sqltypes.Date:
		return time.Date(wall.Year(), wall.Month(), wall.Day(), 0, 0, 0, 0, time.UTC)
	case sqltypes.Timestamp:
		return wall
	case sqltypes.Time:
		return time.Date(1970, 1, 1, wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), time.UTC)
	}
	if from == sqltypes.Timestamptz {
		return t.UTC()
	}
	return sqltypes.InZone(wall, loc)
}

func toInt(v any, to sqltypes.Type) (any, error) {
	switch x := v.(type) {
	case int64:
		if numRank(to) == 3 {
			if x < math.MinInt32 || x > math.MaxUint32 {
				return nil, sqlstate.New(sqlstate.NumericValueOutOfRange, "OID out of range")
			}
			if x < 0 {
				return int64(uint32(int32(x))), nil
			}
			return x, nil
		}
		return intRange(x, to)
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, errIntRange(to)
		}
		r := math.RoundToEven(x)
		if r < -9.223372036854775808e18 || r >= 9.223372036854775808e18 {
			return nil, errIntRange(to)
		}
		return intRange(int64(r), to)
	case decimal:
		if x.NaN {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "cannot convert NaN to %s", sqltypes.FormatType(to))
		}
		n, ok := x.Int64()
		if !ok {
			return nil, errIntRange(to)
		}
		return intRange(n, to)
	case jsonVal:
		switch y := normValue(x.V).(type) {
		case decimal:
			return toInt(y, to)
		}
		return nil, errJSONCast(x.V, to)
	}
	return nil, sqlstate.New(sqlstate.CannotCoerce, "cannot cast %T to %s", v, sqltypes.FormatType(to))
}

func toFloatChecked(v any, to sqltypes.Type) (float64, error) {
	switch x := v.(type) {
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	case decimal:
		return x.Float64(), nil
	case jsonVal:
		if d, ok := normValue(x.V).(decimal); ok {
			return d.Float64(), nil
		}
		return 0, errJSONCast(x.V, to)
	}
	return 0, sqlstate.New(sqlstate.CannotCoerce, "cannot cast %T to %s", v, sqltypes.FormatType(to))
}

func toNumeric(v any) (any, error) {
	switch x := v.(type) {
	case int64:
		return sqltypes.DecimalFromInt(x), nil
	case float64:
		return sqltypes.DecimalFromFloat(x)
	case decimal:
		return x, nil
	case jsonVal:
		if d, ok := normValue(x.V).(decimal); ok {
			return d, nil
		}
		return nil, errJSONCast(x.V, sqltypes.Numeric)
	}
	return nil, sqlstate.New(sqlstate.CannotCoerce, "cannot cast %T to numeric", v)
}

// jsonTypeof is jsonb_typeof's answer for a decoded value.
func jsonTypeof(v any) string {
	switch normValue(v).(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case decimal, float64, int64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return strings.ToLower("unknown")
}

// typmod is a type modifier: numeric(precision, scale) or a character length limit.
type typmod struct {
	precision, scale int32 // numeric; precision 0 means none
	length           int32 // varchar(n) / char(n); 0 means none
}

// String renders the modifier as SQL writes it: (10,2) or (20).
func (m typmod) String() string {
	switch {
	case m.precision > 0:
		return fmt.Sprintf("(%d,%d)", m.precision, m.scale)
	case m.length > 0:
		return fmt.Sprintf("(%d)", m.length)
	}
	return ""
}

// apply coerces a value to the modifier: numeric rounds to the scale and checks the precision
// (22003 "numeric field overflow"), character types are truncated to the length.
func (m typmod) apply(v any) (any, error) {
	switch x := v.(type) {
	case decimal:
		if m.precision == 0 || x.NaN {
			return v, nil
		}
		r := x.Round(m.scale)
		intDigits := len(r.Abs().Trunc(0).String())
		if r.Abs().Trunc(0).Sign() == 0 {
			intDigits = 0
		}
		if int32(intDigits) > m.precision-m.scale {
			return nil, sqlstate.New(sqlstate.NumericValueOutOfRange, "numeric field overflow").WithDetail(
				"A field with precision %d, scale %d must round to an absolute value less than %s.", m.precision, m.scale, tenPow(m.precision-m.scale))
		}
		return r, nil
	case string:
		if m.length > 0 && utf8.RuneCountInString(x) > int(m.length) {
			return string([]rune(x)[:m.length]), nil
		}
	}
	return v, nil
}

func tenPow(n int32) string {
	if n <= 0 {
		return "1"
	}
	return "10^" + strconv.Itoa(int(n))
}

// CastTypeName is Cast with the target spelled as SQL writes it, type modifiers included:
// x::numeric(10,2) rounds to two decimals and checks the precision, x::varchar(3) truncates.
// The planner uses it for TypeCast nodes so modifiers are not lost.
func CastTypeName(e Expr, name string) (Expr, error) {
	t, err := TypeByName(name)
	if err != nil {
		return nil, err
	}
	var mod typmod
	if i := strings.IndexByte(name, '('); i >= 0 && !strings.HasSuffix(strings.TrimSpace(name), "[]") {
		j := strings.IndexByte(name[i:], ')')
		if j > 0 {
			parts := strings.Split(name[i+1:i+j], ",")
			nums := make([]int32, 0, 2)
			for _, p := range parts {
				n, err := strconv.Atoi(strings.TrimSpace(p))
				if err != nil {
					return nil, sqlstate.New(sqlstate.SyntaxError, "invalid type modifier in %s", name)
				}
				nums = append(nums, int32(n))
			}
			switch {
			case t == sqltypes.Numeric:
				if len(nums) > 2 || nums[0] < 1 || nums[0] > 1000 {
					return nil, sqlstate.New(sqlstate.InvalidParameterValue, "NUMERIC precision %d must be between 1 and 1000", nums[0])
				}
				mod.precision = nums[0]
				if len(nums) == 2 {
					mod.scale = nums[1]
				}
				if mod.scale < 0 || mod.scale > mod.precision {
					return nil, sqlstate.New(sqlstate.InvalidParameterValue, "NUMERIC scale %d must be between 0 and precision %d", mod.scale, mod.precision)
				}
			case isStringType(t):
				if len(nums) != 1 || nums[0] < 1 {
					return nil, sqlstate.New(sqlstate.SyntaxError, "length for type %s must be at least 1", sqltypes.FormatType(t))
				}
				mod.length = nums[0]
			}
		}
	}
	c, err := Cast(e, t)
	if err != nil || mod == (typmod{}) {
		return c, err
	}
	if cc, ok := c.(*CastExpr); ok && cc.T == t && cc.mod == (typmod{}) {
		cc.mod = mod
		return cc, nil
	}
	if k, ok := c.(*Const); ok {
		if k.Value == nil {
			return k, nil
		}
		v, err := mod.apply(k.Value)
		if err != nil {
			return nil, err
		}
		return NewConst(v, t), nil
	}
	return &CastExpr{Arg: c, T: t, mod: mod}, nil
}
