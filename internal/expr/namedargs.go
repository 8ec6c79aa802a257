package expr

import (
	"strings"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// paramNames are the parameter names PostgreSQL declares for the functions people call with
// named arguments (make_interval(days => 3)), in declaration order.
var paramNames = map[string][]string{
	"make_interval":    {"years", "months", "weeks", "days", "hours", "mins", "secs"},
	"make_date":        {"year", "month", "day"},
	"make_time":        {"hour", "min", "sec"},
	"make_timestamp":   {"year", "month", "mday", "hour", "min", "sec"},
	"make_timestamptz": {"year", "month", "mday", "hour", "min", "sec", "timezone"},
}

// paramDefaults are the DEFAULT values of parameters a named call may leave out: make_interval
// declares every parameter DEFAULT 0.
var paramDefaults = map[string][]any{
	"make_interval": {int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), 0.0},
}

// CallNamed binds a call whose arguments may be named (name => value), as the parser gives them:
// names[i] is "" for a positional argument. Named arguments are put in declaration order and
// omitted ones take their defaults, then the call binds as Call does. An unknown or repeated name,
// or a function without declared names, is 42883 as in PostgreSQL.
func CallNamed(name string, args []Expr, names []string) (Expr, error) {
	named := false
	for _, n := range names {
		named = named || n != ""
	}
	if !named {
		return Call(name, args)
	}
	n := strings.ToLower(strings.TrimPrefix(strings.ToLower(name), "pg_catalog."))
	params, defs := paramNames[n], paramDefaults[n]
	slots := make([]Expr, len(params))
	for i, a := range args {
		pos := i
		if names[i] != "" {
			pos = indexOf(params, strings.ToLower(names[i]))
		}
		if pos < 0 || pos >= len(slots) || slots[pos] != nil {
			return nil, errNoNamedFunction(n, args, names)
		}
		slots[pos] = a
	}
	// trailing parameters left out are dropped, as a shorter overload takes them; a gap before a
	// given one needs a default
	last := len(slots) - 1
	for last >= 0 && slots[last] == nil && (defs == nil || n == "make_timestamptz") {
		last--
	}
	out := make([]Expr, 0, last+1)
	for i := 0; i <= last; i++ {
		switch {
		case slots[i] != nil:
			out = append(out, slots[i])
		case defs != nil:
			out = append(out, NewConst(defs[i], defaultType(defs[i])))
		default:
			return nil, errNoNamedFunction(n, args, names)
		}
	}
	e, err := Call(n, out)
	if se, ok := sqlstate.As(err); ok && se.Code == sqlstate.UndefinedFunction {
		return nil, errNoNamedFunction(n, args, names) // name the call as the user wrote it
	}
	return e, err
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func defaultType(v any) sqltypes.Type {
	if _, ok := v.(float64); ok {
		return sqltypes.Float8
	}
	return sqltypes.Int4
}

// errNoNamedFunction is PostgreSQL's 42883 for a named call no function matches:
// function make_interval(dayz => integer) does not exist.
func errNoNamedFunction(name string, args []Expr, names []string) error {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = sqltypes.FormatType(a.Type())
		if names[i] != "" {
			parts[i] = names[i] + " => " + parts[i]
		}
	}
	return &sqlstate.Error{Code: sqlstate.UndefinedFunction,
		Message: "function " + name + "(" + strings.Join(parts, ", ") + ") does not exist",
		Hint:    "No function matches the given name and argument types. You might need to add explicit type casts."}
}
