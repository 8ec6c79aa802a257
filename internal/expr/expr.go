package expr

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Expr is a bound, typed scalar expression. The planner builds expressions with the constructors of
// this package (which check types and insert PostgreSQL's implicit casts); the executor evaluates
// them once per row.
type Expr interface {
	// Type is the SQL type of the values Eval returns.
	Type() sqltypes.Type
	// Eval computes the value for env's current row, in the representations of package sqltypes
	// (nil is SQL NULL).
	Eval(env *Env) (any, error)
	// String renders the expression SQL-like for EXPLAIN, e.g. (amount > 1000).
	String() string
}

// Env is everything evaluation may read: the current row, the statement's parameters, the
// statement's start time and the session. A nil *Env is allowed for expressions that need none.
type Env struct {
	// Row is the current input row; ColumnRef{Index: i} reads Row[i].
	Row []any
	// Params holds the values of $1..$n, already converted to the parameter types.
	Params []any
	// Now is the statement's start time: now(), current_timestamp and current_date return it, so
	// they are stable within a statement as in PostgreSQL. Zero means time.Now() at evaluation.
	Now time.Time
	// Session answers settings, user and time zone; it may be nil (tests, plan-time folding).
	Session Session
}

// Session is what functions may ask of the session: settings, user and time zone. The planner's
// session implements it; keeping the interface here lets expr stay below the planner in the
// import graph.
type Session interface {
	Setting(name string) (string, bool)
	SetSetting(name, value string) error
	User() string
	Database() string
	BackendPID() int32
	// Location is the TimeZone setting, used to print timestamptz and to convert between dates,
	// timestamps and timestamptz.
	Location() *time.Location
}

// Location returns the session's time zone, or UTC when there is no session.
func (env *Env) Location() *time.Location {
	if env != nil && env.Session != nil {
		if l := env.Session.Location(); l != nil {
			return l
		}
	}
	return time.UTC
}

// StatementTime returns env.Now, or the current time when the environment has none.
func (env *Env) StatementTime() time.Time {
	if env != nil && !env.Now.IsZero() {
		return env.Now
	}
	return time.Now()
}

// Const is a constant value of type T. A string literal whose type is not yet known has
// T = sqltypes.Unknown and a string Value; constructors convert it to the type the context needs.
type Const struct {
	Value any
	T     sqltypes.Type
}

// NewConst returns a constant of type t.
func NewConst(v any, t sqltypes.Type) *Const { return &Const{Value: v, T: t} }

// Type implements Expr.
func (c *Const) Type() sqltypes.Type { return c.T }

// Eval implements Expr.
func (c *Const) Eval(*Env) (any, error) { return c.Value, nil }

// String renders the expression SQL-like for EXPLAIN.
func (c *Const) String() string {
	if c.Value == nil {
		return "NULL"
	}
	s := sqltypes.FormatText(c.Value, c.T)
	switch c.T {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Numeric, sqltypes.Float8, sqltypes.Bool:
		if c.T == sqltypes.Bool {
			if c.Value.(bool) {
				return "true"
			}
			return "false"
		}
		if !strings.HasPrefix(s, "-") && s != "NaN" && !strings.Contains(s, "Infinity") {
			return s
		}
	case sqltypes.Unknown, sqltypes.Text:
		return quoteLiteral(s)
	}
	return quoteLiteral(s) + "::" + sqltypes.FormatType(c.T)
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ColumnRef reads column Index of the current row. Name is for EXPLAIN only.
type ColumnRef struct {
	Index int
	T     sqltypes.Type
	Name  string
}

// Type implements Expr.
func (c *ColumnRef) Type() sqltypes.Type { return c.T }

// Eval implements Expr. Values in a near representation (Go int, float64 for an integer column,
// json.Number) are converted to the column type's representation, so a sloppy row cannot make an
// operator fail on a type assertion.
func (c *ColumnRef) Eval(env *Env) (any, error) {
	if env == nil || c.Index < 0 || c.Index >= len(env.Row) {
		return nil, sqlstate.New(sqlstate.InternalError, "column %d is not in the row", c.Index)
	}
	v := env.Row[c.Index]
	switch v.(type) {
	case nil, string, bool, int64:
		if _, isInt := v.(int64); isInt && (c.T == sqltypes.Numeric || c.T == sqltypes.Float8 || c.T == sqltypes.Float4) {
			return conformValue(v, c.T)
		}
		return v, nil
	}
	return conformValue(v, c.T)
}

// conformValue converts a value to the representation of type t when it arrived in a near one.
func conformValue(v any, t sqltypes.Type) (any, error) {
	v = normValue(v)
	switch x := v.(type) {
	case int64:
		switch t {
		case sqltypes.Numeric:
			return sqltypes.DecimalFromInt(x), nil
		case sqltypes.Float8, sqltypes.Float4:
			return float64(x), nil
		}
	case float64:
		switch {
		case isIntType(t) && x == math.Trunc(x) && math.Abs(x) < 1<<63:
			return int64(x), nil
		case t == sqltypes.Numeric:
			return sqltypes.DecimalFromFloat(x)
		}
	case sqltypes.Decimal:
		switch {
		case isIntType(t):
			if n, ok := x.Int64(); ok && x.IsInteger() {
				return n, nil
			}
		case t == sqltypes.Float8 || t == sqltypes.Float4:
			return x.Float64(), nil
		}
	case map[string]any, []any:
		if t == sqltypes.JSON || t == sqltypes.JSONB {
			return sqltypes.JSONValue{V: sqltypes.NormalizeJSON(x)}, nil
		}
	}
	return v, nil
}

// recoverEval turns a panic during evaluation (a value of an unexpected Go type) into an internal
// error, so bad input can fail a query but never crash the process.
func recoverEval(what string, err *error) {
	if r := recover(); r != nil {
		*err = sqlstate.New(sqlstate.InternalError, "evaluating %s: %v", what, r)
	}
}

// String renders the expression SQL-like for EXPLAIN.
func (c *ColumnRef) String() string {
	if c.Name != "" {
		return c.Name
	}
	return fmt.Sprintf("$col%d", c.Index)
}

// ParamRef reads parameter $N (1-based). T is Unknown until a constructor infers the type from the
// context (then it returns a new ParamRef with that type); the planner collects the types of the
// ParamRefs in the bound tree with Walk to describe a prepared statement.
type ParamRef struct {
	N int
	T sqltypes.Type
}

// Type implements Expr.
func (p *ParamRef) Type() sqltypes.Type { return p.T }

// Eval implements Expr. A parameter sent as text for a non-text type is read here, and Go values
// in a near representation (int, float64 for an integer) are converted, so a driver may pass
// either.
func (p *ParamRef) Eval(env *Env) (any, error) {
	if env == nil || p.N < 1 || p.N > len(env.Params) {
		return nil, sqlstate.New(sqlstate.UndefinedParameter, "there is no parameter $%d", p.N)
	}
	v := env.Params[p.N-1]
	if s, ok := v.(string); ok && !isStringType(p.T) && p.T != sqltypes.Unknown {
		return sqltypes.ParseText(s, p.T, env.Location())
	}
	if v == nil {
		return nil, nil
	}
	return conformValue(v, p.T)
}

// String renders the expression SQL-like for EXPLAIN.
func (p *ParamRef) String() string { return fmt.Sprintf("$%d", p.N) }

// BoolKind says which boolean connective a BoolExpr is.
type BoolKind int

// The boolean connectives.
const (
	AndKind BoolKind = iota
	OrKind
	NotKind
)

// BoolExpr is AND, OR (any number of arguments) or NOT (one argument), with SQL's three-valued
// logic.
type BoolExpr struct {
	Kind BoolKind
	Args []Expr
}

// Type implements Expr.
func (b *BoolExpr) Type() sqltypes.Type { return sqltypes.Bool }

// Eval implements Expr: AND is false if any argument is false, else NULL if any is NULL; OR is
// true if any is true, else NULL if any is NULL; NOT NULL is NULL.
func (b *BoolExpr) Eval(env *Env) (any, error) {
	switch b.Kind {
	case NotKind:
		v, err := b.Args[0].Eval(env)
		if err != nil || v == nil {
			return nil, err
		}
		t, _ := Truth(v)
		return !t, nil
	case AndKind, OrKind:
		short := b.Kind == OrKind // value that decides the result
		sawNull := false
		for _, a := range b.Args {
			v, err := a.Eval(env)
			if err != nil {
				return nil, err
			}
			t, known := Truth(v)
			if !known {
				sawNull = true
				continue
			}
			if t == short {
				return short, nil
			}
		}
		if sawNull {
			return nil, nil
		}
		return !short, nil
	}
	return nil, sqlstate.New(sqlstate.InternalError, "unknown boolean kind %d", b.Kind)
}

// String renders the expression SQL-like for EXPLAIN.
func (b *BoolExpr) String() string {
	if b.Kind == NotKind {
		return "(NOT " + b.Args[0].String() + ")"
	}
	sep := " AND "
	if b.Kind == OrKind {
		sep = " OR "
	}
	parts := make([]string, len(b.Args))
	for i, a := range b.Args {
		parts[i] = a.String()
	}
	return "(" + strings.Join(parts, sep) + ")"
}

// And returns the conjunction of args, flattening nested ANDs (the planner splits it back into
// conjuncts for pushdown). Arguments must be boolean (or unknown literals, read as booleans).
func And(args ...Expr) Expr { return boolOf(AndKind, args) }

// Or returns the disjunction of args, flattening nested ORs.
func Or(args ...Expr) Expr { return boolOf(OrKind, args) }

// Not returns the negation of e.
func Not(e Expr) Expr { return &BoolExpr{Kind: NotKind, Args: []Expr{boolArg(e)}} }

func boolOf(k BoolKind, args []Expr) Expr {
	var flat []Expr
	for _, a := range args {
		if b, ok := a.(*BoolExpr); ok && b.Kind == k {
			flat = append(flat, b.Args...)
			continue
		}
		flat = append(flat, boolArg(a))
	}
	if len(flat) == 1 {
		return flat[0]
	}
	return &BoolExpr{Kind: k, Args: flat}
}

// boolArg turns an unknown literal into a boolean constant when it spells one; other expressions
// are left as they are (the planner checks types with CheckBool where it needs to).
func boolArg(e Expr) Expr {
	if e == nil {
		return NewConst(nil, sqltypes.Bool)
	}
	if e.Type() == sqltypes.Unknown {
		if c, err := coerce(e, sqltypes.Bool); err == nil {
			return c
		}
	}
	return e
}

// CheckBool returns 42804 unless e is boolean (or an unknown literal), the check PostgreSQL makes
// on WHERE, HAVING, AND/OR/NOT arguments: `argument of WHERE must be type boolean, not type integer`.
func CheckBool(e Expr, clause string) (Expr, error) {
	switch e.Type() {
	case sqltypes.Bool:
		return e, nil
	case sqltypes.Unknown:
		return coerce(e, sqltypes.Bool)
	}
	return nil, sqlstate.New(sqlstate.DatatypeMismatch, "argument of %s must be type boolean, not type %s", clause, sqltypes.FormatType(e.Type()))
}

// NullTest is IS [NOT] NULL.
type NullTest struct {
	Arg    Expr
	Negate bool
}

// IsNull returns arg IS NULL, or arg IS NOT NULL when negate.
func IsNull(arg Expr, negate bool) Expr { return &NullTest{Arg: arg, Negate: negate} }

// Type implements Expr.
func (n *NullTest) Type() sqltypes.Type { return sqltypes.Bool }

// Eval implements Expr; it is never NULL.
func (n *NullTest) Eval(env *Env) (any, error) {
	v, err := n.Arg.Eval(env)
	if err != nil {
		return nil, err
	}
	return (v == nil) != n.Negate, nil
}

// String renders the expression SQL-like for EXPLAIN.
func (n *NullTest) String() string {
	if n.Negate {
		return "(" + n.Arg.String() + " IS NOT NULL)"
	}
	return "(" + n.Arg.String() + " IS NULL)"
}

// Truth reads a SQL boolean: known is false for NULL.
func Truth(v any) (value bool, known bool) {
	b, ok := v.(bool)
	return b, ok
}

// Children returns e's direct sub-expressions, for walking and rewriting trees.
func Children(e Expr) []Expr {
	switch n := e.(type) {
	case *OpExpr:
		return n.Args
	case *FuncExpr:
		return n.Args
	case *BoolExpr:
		return n.Args
	case *InExpr:
		return append([]Expr{n.Arg}, n.List...)
	case *NullTest:
		return []Expr{n.Arg}
	case *CastExpr:
		return []Expr{n.Arg}
	case *CaseExpr:
		var out []Expr
		if n.Operand != nil {
			out = append(out, n.Operand)
		}
		for _, w := range n.Whens {
			out = append(out, w[0], w[1])
		}
		if n.Else != nil {
			out = append(out, n.Else)
		}
		return out
	case *CoalesceExpr:
		return n.Args
	case *MinMaxExpr:
		return n.Args
	case *DistinctExpr:
		return []Expr{n.L, n.R}
	case *BoolTestExpr:
		return []Expr{n.Arg}
	case *BetweenExpr:
		return []Expr{n.Arg, n.Lo, n.Hi}
	case *ArrayExpr:
		return n.Elems
	case *SubscriptExpr:
		return []Expr{n.Arr, n.Idx}
	case *AnyAllExpr:
		return []Expr{n.L, n.Arr}
	case *NullIfExpr:
		return []Expr{n.A, n.B}
	case interface{ Children() []Expr }:
		return n.Children()
	}
	return nil
}

// Walk calls fn on e and, while fn returns true, on its sub-expressions, depth first.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	for _, c := range Children(e) {
		Walk(c, fn)
	}
}

// IsConstant reports whether e can be computed before any row is read: it has no ColumnRef and
// no volatile function. ParamRefs and stable functions such as now() are allowed, so the planner
// can turn `created > now() - interval '30 days'` or `id = $1` into a Stripe parameter.
func IsConstant(e Expr) bool {
	ok := true
	Walk(e, func(x Expr) bool {
		switch n := x.(type) {
		case *ColumnRef:
			ok = false
		case *FuncExpr:
			if n.fn != nil && n.fn.Volatile {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// Fold evaluates a constant expression (see IsConstant) with env's parameters, time and session.
func Fold(e Expr, env *Env) (any, error) {
	if !IsConstant(e) {
		return nil, sqlstate.New(sqlstate.InternalError, "expression %s is not constant", e.String())
	}
	if env == nil {
		env = &Env{}
	}
	local := *env
	local.Row = nil
	return e.Eval(&local)
}

func isStringType(t sqltypes.Type) bool {
	switch t {
	case sqltypes.Text, sqltypes.Varchar, sqltypes.Name, sqltypes.Char, sqltypes.Unknown:
		return true
	}
	return false
}
