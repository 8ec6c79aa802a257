package procedures

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Args are the arguments of one call: positional ones fill parameters in order, then named ones
// (`name => value`) fill parameters by case-insensitive name, as in PostgreSQL.
type Args struct {
	Positional []any
	Named      []NamedArg
}

// NamedArg is one `name => value` argument.
type NamedArg struct {
	Name  string
	Value any
}

// Bind matches args to the procedure's parameters and returns one value per Param (nil where an
// optional parameter is not given), each converted to the parameter's SQL type. Errors are
// PostgreSQL's: too many arguments, an unknown or repeated name, or a missing required argument
// is 42883 naming the parameters, with the signature in HINT; a NULL for a required parameter
// is 22023; a value of the wrong type is 22P02 or 42804.
func (p *Procedure) Bind(args Args) ([]any, error) {
	values := make([]any, len(p.Params))
	given := make([]bool, len(p.Params))
	if len(args.Positional) > len(p.Params) {
		return nil, p.callError("procedure %s takes at most %d arguments, %d given", p.Name, len(p.Params), len(args.Positional))
	}
	for i, v := range args.Positional {
		values[i], given[i] = v, true
	}
	for _, a := range args.Named {
		i := p.paramIndex(a.Name)
		if i < 0 {
			err := p.callError("procedure %s has no parameter named %s", p.Name, a.Name)
			if near := p.closestParam(a.Name); near != "" {
				err.Hint = fmt.Sprintf("did you mean %s? %s", near, err.Hint)
			}
			return nil, err
		}
		if given[i] {
			if i < len(args.Positional) {
				return nil, p.callError("parameter %s of %s is given both by position and by name", p.Params[i].Name, p.Name)
			}
			return nil, sqlstate.New(sqlstate.SyntaxError, "argument name %q used more than once", a.Name)
		}
		values[i], given[i] = a.Value, true
	}
	var missing []string
	for i, prm := range p.Params {
		if prm.Required && !given[i] {
			missing = append(missing, prm.Name)
		}
	}
	if len(missing) > 0 {
		noun := "argument"
		if len(missing) > 1 {
			noun = "arguments"
		}
		return nil, p.callError("procedure %s is missing required %s %s", p.Name, noun, strings.Join(missing, ", "))
	}
	for i, prm := range p.Params {
		if values[i] == nil {
			if prm.Required {
				return nil, sqlstate.New(sqlstate.InvalidParameterValue, "argument %s of %s must not be null", prm.Name, p.Name).WithHint("%s", p.Signature())
			}
			continue
		}
		v, err := coerce(values[i], prm.Type)
		if err != nil {
			se := sqlstate.Wrap(err)
			c := *se
			c.Message = fmt.Sprintf("argument %s of %s: %s", prm.Name, p.Name, se.Message)
			return nil, &c
		}
		values[i] = v
	}
	return values, nil
}

func (p *Procedure) callError(format string, args ...any) *sqlstate.Error {
	return sqlstate.New(sqlstate.UndefinedFunction, format, args...).WithHint("%s", p.Signature())
}

func (p *Procedure) paramIndex(name string) int {
	for i, prm := range p.Params {
		if strings.EqualFold(prm.Name, name) {
			return i
		}
	}
	return -1
}

// closestParam returns the parameter name nearest to name, ignoring case, or "" when none is near
// enough to be a plausible typo.
func (p *Procedure) closestParam(name string) string {
	lower := make([]string, len(p.Params))
	for i, prm := range p.Params {
		lower[i] = strings.ToLower(prm.Name)
	}
	near := sqlstate.Closest(strings.ToLower(name), lower, len(name)/3+1)
	if len(near) == 0 {
		return ""
	}
	return p.Params[slices.Index(lower, near[0])].Name
}

// coerce converts an argument to the representation of type t. Literals often arrive as text
// (an untyped '…' or a driver parameter), so text is parsed; numbers and booleans are accepted
// for text parameters too, since Stripe ids and enums are text on the wire anyway.
func coerce(v any, t sqltypes.Type) (any, error) {
	switch t {
	case sqltypes.Text, sqltypes.Varchar:
		switch x := v.(type) {
		case string:
			return x, nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case bool:
			return strconv.FormatBool(x), nil
		case time.Time:
			// A timestamp is never an id or an enum; refusing it beats sending Go's spelling.
		case fmt.Stringer:
			if _, isJSON := v.(sqltypes.JSONValue); !isJSON {
				return x.String(), nil
			}
		}
	case sqltypes.Int8, sqltypes.Int4, sqltypes.Int2:
		switch x := v.(type) {
		case int64, time.Time:
			return x, nil
		case int:
			return int64(x), nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int64(x), nil
			}
			return nil, sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid input syntax for type bigint: %q", strconv.FormatFloat(x, 'g', -1, 64))
		case string:
			n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			if err != nil {
				return nil, sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid input syntax for type bigint: %q", x)
			}
			return n, nil
		case sqltypes.Decimal:
			if n, ok := x.Int64(); ok && x.IsInteger() {
				return n, nil
			}
			return nil, sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid input syntax for type bigint: %q", x.String())
		}
	case sqltypes.Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			b, ok := sqltypes.ParseBool(x)
			if !ok {
				return nil, sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid input syntax for type boolean: %q", x)
			}
			return b, nil
		}
	case sqltypes.Float8, sqltypes.Float4, sqltypes.Numeric:
		switch x := v.(type) {
		case float64, sqltypes.Decimal:
			return x, nil
		case int64:
			return x, nil
		case string:
			d, ok := sqltypes.ParseDecimal(strings.TrimSpace(x))
			if !ok {
				return nil, sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid input syntax for type numeric: %q", x)
			}
			return d, nil
		}
	case sqltypes.Timestamptz:
		switch x := v.(type) {
		case time.Time:
			return x, nil
		case string:
			return sqltypes.ParseText(x, t, time.UTC)
		}
	case sqltypes.JSONB, sqltypes.JSON:
		switch x := v.(type) {
		case sqltypes.JSONValue, sqltypes.Array:
			return x, nil
		case string:
			return sqltypes.ParseJSON(x, sqltypes.JSONB)
		case map[string]any, []any:
			return sqltypes.JSONValue{V: sqltypes.NormalizeJSON(x)}, nil
		}
	default:
		if sqltypes.IsArray(t) {
			switch x := v.(type) {
			case sqltypes.Array, []string:
				return x, nil
			case sqltypes.JSONValue:
				if _, ok := x.V.([]any); ok {
					return x, nil
				}
			case string:
				return sqltypes.ParseText(x, t, time.UTC)
			}
		}
	}
	return nil, sqlstate.New(sqlstate.DatatypeMismatch, "a value of Go type %T cannot be used as %s", v, sqltypes.FormatType(t))
}
