package expr

import (
	"sort"
	"strings"
	"sync"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Function describes a scalar SQL function. Packages register functions with RegisterFunction
// (the wire server adds version(), current_database(), format_type, pg_get_expr, … that way), and
// Call binds calls to them by lowercase name.
type Function struct {
	// Name is the lowercase SQL name, without schema.
	Name string
	// MinArgs and MaxArgs bound the argument count; MaxArgs < 0 means any number (variadic).
	MinArgs, MaxArgs int
	// ArgTypes chooses the types the arguments are converted to, given their types as bound;
	// conversions follow PostgreSQL's implicit casts (unknown literals are read as the chosen type).
	// Returning an error rejects the call (use ErrNoFunction for "function f(integer) does not
	// exist"). Nil keeps each argument's own type, reading unknown literals as text.
	ArgTypes func(args []sqltypes.Type) ([]sqltypes.Type, error)
	// Result returns the result type given the converted argument types. It is required.
	Result func(args []sqltypes.Type) sqltypes.Type
	// Eval computes the result from argument values in the representations of package sqltypes.
	// With Strict set it is never called with a NULL argument.
	Eval func(env *Env, args []any) (any, error)
	// EvalTyped, when set, is used instead of Eval and also receives the converted argument
	// types, for functions whose behaviour depends on them (to_jsonb, concat, format).
	EvalTyped func(env *Env, argTypes []sqltypes.Type, args []any) (any, error)
	// Volatile marks functions whose result changes within a statement (random(),
	// clock_timestamp()); IsConstant is false for calls of them, so the planner never folds them.
	Volatile bool
	// Strict means any NULL argument makes the result NULL without calling Eval.
	Strict bool
}

var registry = struct {
	sync.RWMutex
	m map[string]*Function
}{m: map[string]*Function{}}

// RegisterFunction adds f (or replaces the function of the same name), for packages that provide
// functions expr does not own. It is safe to call from init functions of several packages.
func RegisterFunction(f Function) {
	registry.Lock()
	defer registry.Unlock()
	c := f
	c.Name = strings.ToLower(f.Name)
	registry.m[c.Name] = &c
}

// LookupFunction returns the registered function with that lowercase name.
func LookupFunction(name string) (*Function, bool) {
	registry.RLock()
	defer registry.RUnlock()
	f, ok := registry.m[strings.ToLower(name)]
	return f, ok
}

// FunctionNames lists the registered function names in order, for pg_proc rows and hints.
func FunctionNames() []string {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]string, 0, len(registry.m))
	for n := range registry.m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ErrNoFunction is the 42883 error PostgreSQL gives for a call no function matches:
// `function lower(integer) does not exist`.
func ErrNoFunction(name string, args []sqltypes.Type) *sqlstate.Error {
	names := make([]string, len(args))
	for i, t := range args {
		names[i] = sqltypes.FormatType(t)
	}
	return &sqlstate.Error{Code: sqlstate.UndefinedFunction,
		Message: "function " + name + "(" + strings.Join(names, ", ") + ") does not exist",
		Hint:    "No function matches the given name and argument types. You might need to add explicit type casts."}
}

// Call binds a call of a scalar function by name (schema pg_catalog allowed). An unknown name is
// 42883 with a "did you mean" hint when a registered name is close.
func Call(name string, args []Expr) (Expr, error) {
	n := strings.ToLower(strings.TrimPrefix(strings.ToLower(name), "pg_catalog."))
	f, ok := LookupFunction(n)
	types := argTypes(args)
	if !ok {
		e := ErrNoFunction(n, types)
		if IsAggregate(n) {
			return nil, sqlstate.New(sqlstate.GroupingError, "aggregate function %s must be bound as an aggregate", n)
		}
		if s := closestName(n); s != "" {
			e.Hint = "Perhaps you meant to call the function \"" + s + "\"."
		}
		return nil, e
	}
	if len(args) < f.MinArgs || (f.MaxArgs >= 0 && len(args) > f.MaxArgs) {
		return nil, ErrNoFunction(n, types)
	}
	want := types
	if f.ArgTypes != nil {
		var err error
		if want, err = f.ArgTypes(types); err != nil {
			return nil, err
		}
	} else {
		want = make([]sqltypes.Type, len(types))
		for i, t := range types {
			want[i] = t
			if t == sqltypes.Unknown {
				want[i] = sqltypes.Text
			}
		}
	}
	bound := make([]Expr, len(args))
	for i, a := range args {
		c, err := coerce(a, want[i])
		if err != nil {
			return nil, err
		}
		bound[i] = c
	}
	return &FuncExpr{Name: n, Args: bound, T: f.Result(want), fn: f, types: want}, nil
}

// closestName finds a registered function name within edit distance 2 of n, or "" when none is.
func closestName(n string) string {
	if near := sqlstate.Closest(n, FunctionNames(), 2); len(near) > 0 {
		return near[0]
	}
	return ""
}

// Helpers for declaring functions.

// Fixed returns an ArgTypes that converts the arguments to ts (the last type repeats for
// variadic functions) and rejects arguments that cannot be converted implicitly.
func Fixed(name string, ts ...sqltypes.Type) func([]sqltypes.Type) ([]sqltypes.Type, error) {
	return func(args []sqltypes.Type) ([]sqltypes.Type, error) {
		out := make([]sqltypes.Type, len(args))
		for i, a := range args {
			w := ts[min(i, len(ts)-1)]
			if !implicitOK(a, w) && !(isStringType(w) && isStringType(a)) {
				return nil, ErrNoFunction(name, args)
			}
			out[i] = w
		}
		return out, nil
	}
}

// Returns returns a Result that always answers t.
func Returns(t sqltypes.Type) func([]sqltypes.Type) sqltypes.Type {
	return func([]sqltypes.Type) sqltypes.Type { return t }
}

func sameAsFirst(args []sqltypes.Type) sqltypes.Type { return args[0] }

func reg(fs ...Function) {
	for _, f := range fs {
		if f.Result == nil {
			panic("expr: function " + f.Name + " has no Result")
		}
		RegisterFunction(f)
	}
}
