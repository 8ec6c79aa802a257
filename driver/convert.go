package driver

import (
	sqldriver "database/sql/driver"
	"encoding/json"
	"math"
	"math/big"
	"reflect"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// CheckNamedValue implements driver.NamedValueChecker: it converts every argument a caller may
// pass into the representation of package sqltypes the planner binds $n to. Accepted: every
// integer and float kind, bool, string, []byte, time.Time, nil, json.RawMessage, maps and slices
// (sent as jsonb), pointers to those, and driver.Valuer. An unsigned value above the int8 range
// becomes numeric rather than overflowing. Named arguments are refused: PostgreSQL parameters are
// positional ($1, $2).
func (c *Conn) CheckNamedValue(nv *sqldriver.NamedValue) error { return checkNamedValue(nv) }

func checkNamedValue(nv *sqldriver.NamedValue) error {
	if nv.Name != "" {
		return sqlstate.New(sqlstate.FeatureNotSupported, "named arguments are not supported").
			WithHint("refer to arguments by position: $1, $2, …")
	}
	v, err := convertArg(nv.Value, 0)
	if err != nil {
		if e, ok := sqlstate.As(err); ok {
			return e.WithDetail("argument $%d", nv.Ordinal)
		}
		return err
	}
	nv.Value = v
	return nil
}

// argValues returns the arguments by position, converted (again: Stmt.Exec and Stmt.Query receive
// values that database/sql did not pass through CheckNamedValue).
func argValues(args []sqldriver.NamedValue) ([]any, error) {
	if len(args) == 0 {
		return nil, nil
	}
	out := make([]any, len(args))
	for i := range args {
		nv := args[i]
		if err := checkNamedValue(&nv); err != nil {
			return nil, err
		}
		pos := nv.Ordinal - 1
		if pos < 0 || pos >= len(out) {
			pos = i
		}
		out[pos] = nv.Value
	}
	return out, nil
}

var (
	timeType   = reflect.TypeOf(time.Time{})
	valuerType = reflect.TypeOf((*sqldriver.Valuer)(nil)).Elem()
)

// maxValuerDepth bounds Valuers that return Valuers.
const maxValuerDepth = 8

func convertArg(v any, depth int) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64, bool, string, float64:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint:
		return uintValue(uint64(x)), nil
	case uint64:
		return uintValue(x), nil
	case float32:
		return float64(x), nil
	case []byte:
		if x == nil {
			return nil, nil
		}
		return append([]byte{}, x...), nil
	case json.RawMessage:
		return jsonArg(x)
	case time.Time:
		return x.UTC(), nil
	case sqltypes.Decimal, sqltypes.JSONValue:
		// Already converted: Stmt.Exec and QueryContext convert again what CheckNamedValue made.
		return x, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Type().Implements(valuerType) {
		if rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil, nil
		}
		if depth >= maxValuerDepth {
			return nil, sqlstate.New(sqlstate.InvalidParameterValue, "argument of type %T: Value methods nest too deeply", v)
		}
		dv, err := v.(sqldriver.Valuer).Value()
		if err != nil {
			return nil, err
		}
		return convertArg(dv, depth+1)
	}
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		return convertArg(rv.Elem().Interface(), depth)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return uintValue(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Slice:
		if rv.IsNil() {
			return nil, nil
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			// A named []byte type is bytea, like []byte itself.
			return append([]byte{}, rv.Bytes()...), nil
		}
		return marshalJSONArg(v)
	case reflect.Map:
		if rv.IsNil() {
			return nil, nil
		}
		return marshalJSONArg(v)
	case reflect.Array:
		return marshalJSONArg(v)
	case reflect.Struct:
		if rv.Type().ConvertibleTo(timeType) {
			return rv.Convert(timeType).Interface().(time.Time).UTC(), nil
		}
	}
	return nil, sqlstate.New(sqlstate.InvalidParameterValue, "unsupported argument type %T", v).
		WithHint("pass an integer, float, bool, string, []byte, time.Time, json.RawMessage, map or slice")
}

// uintValue is an unsigned integer as int8 when it fits and as numeric when it does not.
func uintValue(u uint64) any {
	if u <= math.MaxInt64 {
		return int64(u)
	}
	return sqltypes.Decimal{Coef: new(big.Int).SetUint64(u)}
}

func jsonArg(raw json.RawMessage) (any, error) {
	if raw == nil {
		return nil, nil
	}
	return sqltypes.ParseJSON(string(raw), sqltypes.JSONB)
}

func marshalJSONArg(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, sqlstate.New(sqlstate.InvalidParameterValue, "cannot encode argument of type %T as json", v).
			WithDetail("%s", err.Error())
	}
	return sqltypes.ParseJSON(string(b), sqltypes.JSONB)
}

// driverValue converts a value of package sqltypes to one of database/sql's value types: numeric,
// interval, json and arrays become their PostgreSQL text, which every Scan destination that makes
// sense for them (string, []byte, json.RawMessage, a Scanner) accepts without loss.
func driverValue(v any, t sqltypes.Type) sqldriver.Value {
	switch x := v.(type) {
	case nil:
		return nil
	case int64, float64, bool, string, time.Time:
		return x
	case []byte:
		return x
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	}
	return sqltypes.FormatText(v, t)
}
