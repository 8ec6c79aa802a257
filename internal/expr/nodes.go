package expr

import (
	"fmt"
	"strings"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// OpExpr is an operator applied to one (prefix) or two arguments, with arguments already
// converted to the operator's input types.
type OpExpr struct {
	Op   string
	Args []Expr
	T    sqltypes.Type
	// eval computes the result from the argument values, which are non-NULL unless nonStrict.
	eval      func(env *Env, args []any) (any, error)
	nonStrict bool
	// eval2, when set, is the same computation for a strict binary operator without the slice.
	eval2 func(env *Env, a, b any) (any, error)
}

// Type implements Expr.
func (o *OpExpr) Type() sqltypes.Type { return o.T }

// Eval implements Expr: NULL in, NULL out (except for the few non-strict operators such as
// array || element).
func (o *OpExpr) Eval(env *Env) (_ any, err error) {
	defer recoverEval(o.Op, &err)
	if o.eval2 != nil {
		a, err := o.Args[0].Eval(env)
		if err != nil || a == nil {
			return nil, err
		}
		b, err := o.Args[1].Eval(env)
		if err != nil || b == nil {
			return nil, err
		}
		return o.eval2(env, a, b)
	}
	var buf [2]any
	vals := buf[:0]
	for _, a := range o.Args {
		v, err := a.Eval(env)
		if err != nil {
			return nil, err
		}
		if v == nil && !o.nonStrict {
			return nil, nil
		}
		vals = append(vals, v)
	}
	return o.eval(env, vals)
}

// String renders the expression SQL-like for EXPLAIN.
func (o *OpExpr) String() string {
	if len(o.Args) == 1 {
		return "(" + o.Op + " " + o.Args[0].String() + ")"
	}
	return "(" + o.Args[0].String() + " " + o.Op + " " + o.Args[1].String() + ")"
}

// FuncExpr is a call of a registered scalar function.
type FuncExpr struct {
	Name  string
	Args  []Expr
	T     sqltypes.Type
	fn    *Function
	types []sqltypes.Type
}

// Type implements Expr.
func (f *FuncExpr) Type() sqltypes.Type { return f.T }

// Function returns the registry entry the call was bound to.
func (f *FuncExpr) Function() *Function { return f.fn }

// Eval implements Expr.
func (f *FuncExpr) Eval(env *Env) (_ any, err error) {
	defer recoverEval(f.Name, &err)
	vals := make([]any, len(f.Args))
	for i, a := range f.Args {
		v, err := a.Eval(env)
		if err != nil {
			return nil, err
		}
		if v == nil && f.fn.Strict {
			return nil, nil
		}
		vals[i] = v
	}
	if env == nil {
		env = &Env{}
	}
	if f.fn.EvalTyped != nil {
		return f.fn.EvalTyped(env, f.types, vals)
	}
	return f.fn.Eval(env, vals)
}

func argTypes(args []Expr) []sqltypes.Type {
	ts := make([]sqltypes.Type, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	return ts
}

// String renders the expression SQL-like for EXPLAIN.
func (f *FuncExpr) String() string { return f.Name + "(" + joinExprs(f.Args, ", ") + ")" }

func joinExprs(es []Expr, sep string) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, sep)
}

// CastExpr converts its argument to type T (explicit :: / CAST, or an implicit cast a constructor
// inserted).
type CastExpr struct {
	Arg      Expr
	T        sqltypes.Type
	implicit bool
	// mod is the type modifier of CastTypeName: numeric precision and scale, varchar length.
	mod typmod
}

// Type implements Expr.
func (c *CastExpr) Type() sqltypes.Type { return c.T }

// Implicit reports whether the cast was inserted by type resolution rather than written.
func (c *CastExpr) Implicit() bool { return c.implicit }

// Eval implements Expr.
func (c *CastExpr) Eval(env *Env) (_ any, err error) {
	defer recoverEval("cast", &err)
	v, err := c.Arg.Eval(env)
	if err != nil || v == nil {
		return nil, err
	}
	if c.Arg.Type() != c.T {
		if v, err = castValue(env, v, c.Arg.Type(), c.T); err != nil {
			return nil, err
		}
	}
	return c.mod.apply(v)
}

// String renders the expression SQL-like for EXPLAIN.
func (c *CastExpr) String() string {
	return c.Arg.String() + "::" + sqltypes.FormatType(c.T) + c.mod.String()
}

// InExpr is arg [NOT] IN (list).
type InExpr struct {
	Arg    Expr
	List   []Expr
	Negate bool
}

// In returns arg IN (list), or NOT IN when negate, with arg and list converted to a common type.
func In(arg Expr, list []Expr, negate bool) (Expr, error) {
	t, err := commonTypeOf("IN", append([]Expr{arg}, list...))
	if err != nil {
		return nil, err
	}
	if !comparable(t) {
		return nil, errNoOperator("=", t, t)
	}
	a, err := coerce(arg, t)
	if err != nil {
		return nil, err
	}
	out := &InExpr{Arg: a, Negate: negate}
	for _, e := range list {
		c, err := coerce(e, t)
		if err != nil {
			return nil, err
		}
		out.List = append(out.List, c)
	}
	return out, nil
}

// Type implements Expr.
func (n *InExpr) Type() sqltypes.Type { return sqltypes.Bool }

// Eval implements Expr: true on a match; otherwise NULL if the argument or any item is NULL.
func (n *InExpr) Eval(env *Env) (any, error) {
	v, err := n.Arg.Eval(env)
	if err != nil || v == nil {
		return nil, err
	}
	sawNull := false
	for _, e := range n.List {
		w, err := e.Eval(env)
		if err != nil {
			return nil, err
		}
		if w == nil {
			sawNull = true
			continue
		}
		c, err := compareValues(v, w)
		if err != nil {
			return nil, err
		}
		if c == 0 {
			return !n.Negate, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return n.Negate, nil
}

// String renders the expression SQL-like for EXPLAIN.
func (n *InExpr) String() string {
	op := " IN ("
	if n.Negate {
		op = " NOT IN ("
	}
	return "(" + n.Arg.String() + op + joinExprs(n.List, ", ") + "))"
}

// comparable reports whether values of t have an ordering (and so =, <, ORDER BY).
func comparable(t sqltypes.Type) bool {
	switch t {
	case sqltypes.JSON, sqltypes.Void, sqltypes.Record:
		return false
	}
	return true
}

// DistinctExpr is l IS [NOT] DISTINCT FROM r: like <> but NULL-aware and never NULL.
type DistinctExpr struct {
	L, R   Expr
	Negate bool
}

// IsDistinctFrom returns l IS DISTINCT FROM r, or IS NOT DISTINCT FROM when negate.
func IsDistinctFrom(l, r Expr, negate bool) (Expr, error) {
	t, ok := commonType(l.Type(), r.Type())
	if !ok || !comparable(t) {
		return nil, errNoOperator("=", l.Type(), r.Type())
	}
	lc, err := coerce(l, t)
	if err != nil {
		return nil, err
	}
	rc, err := coerce(r, t)
	if err != nil {
		return nil, err
	}
	return &DistinctExpr{L: lc, R: rc, Negate: negate}, nil
}

// Type implements Expr.
func (d *DistinctExpr) Type() sqltypes.Type { return sqltypes.Bool }

// Eval implements Expr.
func (d *DistinctExpr) Eval(env *Env) (any, error) {
	a, err := d.L.Eval(env)
	if err != nil {
		return nil, err
	}
	b, err := d.R.Eval(env)
	if err != nil {
		return nil, err
	}
	var distinct bool
	switch {
	case a == nil && b == nil:
		distinct = false
	case a == nil || b == nil:
		distinct = true
	default:
		c, err := compareValues(a, b)
		if err != nil {
			return nil, err
		}
		distinct = c != 0
	}
	return distinct != d.Negate, nil
}

// String renders the expression SQL-like for EXPLAIN.
func (d *DistinctExpr) String() string {
	op := " IS DISTINCT FROM "
	if d.Negate {
		op = " IS NOT DISTINCT FROM "
	}
	return "(" + d.L.String() + op + d.R.String() + ")"
}

// BoolTestExpr is IS [NOT] TRUE / FALSE / UNKNOWN; never NULL.
type BoolTestExpr struct {
	Arg  Expr
	Test string
}

// BoolTest returns arg IS TRUE, IS NOT TRUE, IS FALSE, IS NOT FALSE, IS UNKNOWN or IS NOT UNKNOWN.
func BoolTest(arg Expr, test string) (Expr, error) {
	t := strings.ToUpper(strings.Join(strings.Fields(test), " "))
	switch t {
	case "IS TRUE", "IS NOT TRUE", "IS FALSE", "IS NOT FALSE", "IS UNKNOWN", "IS NOT UNKNOWN":
	default:
		return nil, sqlstate.New(sqlstate.SyntaxError, "unknown boolean test %s", test)
	}
	a, err := CheckBool(arg, t)
	if err != nil {
		return nil, err
	}
	return &BoolTestExpr{Arg: a, Test: t}, nil
}

// Type implements Expr.
func (b *BoolTestExpr) Type() sqltypes.Type { return sqltypes.Bool }

// Eval implements Expr.
func (b *BoolTestExpr) Eval(env *Env) (any, error) {
	v, err := b.Arg.Eval(env)
	if err != nil {
		return nil, err
	}
	val, known := Truth(v)
	switch b.Test {
	case "IS TRUE":
		return known && val, nil
	case "IS NOT TRUE":
		return !(known && val), nil
	case "IS FALSE":
		return known && !val, nil
	case "IS NOT FALSE":
		return !(known && !val), nil
	case "IS UNKNOWN":
		return !known, nil
	}
	return known, nil
}

// String renders the expression SQL-like for EXPLAIN.
func (b *BoolTestExpr) String() string { return "(" + b.Arg.String() + " " + b.Test + ")" }

// BetweenExpr is arg [NOT] BETWEEN [SYMMETRIC] lo AND hi.
type BetweenExpr struct {
	Arg, Lo, Hi       Expr
	Negate, Symmetric bool
}

// Between returns arg BETWEEN lo AND hi (inclusive), with NOT and SYMMETRIC variants. The planner
// may treat it as arg >= lo AND arg <= hi for range pushdown.
func Between(arg, lo, hi Expr, negate, symmetric bool) (Expr, error) {
	t, err := commonTypeOf("BETWEEN", []Expr{arg, lo, hi})
	if err != nil {
		return nil, err
	}
	if !comparable(t) {
		return nil, errNoOperator(">=", t, t)
	}
	var cs [3]Expr
	for i, e := range []Expr{arg, lo, hi} {
		if cs[i], err = coerce(e, t); err != nil {
			return nil, err
		}
	}
	return &BetweenExpr{Arg: cs[0], Lo: cs[1], Hi: cs[2], Negate: negate, Symmetric: symmetric}, nil
}

// Type implements Expr.
func (b *BetweenExpr) Type() sqltypes.Type { return sqltypes.Bool }

// Eval implements Expr with three-valued logic: (arg >= lo AND arg <= hi).
func (b *BetweenExpr) Eval(env *Env) (any, error) {
	v, err := b.Arg.Eval(env)
	if err != nil {
		return nil, err
	}
	lo, err := b.Lo.Eval(env)
	if err != nil {
		return nil, err
	}
	hi, err := b.Hi.Eval(env)
	if err != nil {
		return nil, err
	}
	r := between3(v, lo, hi)
	if b.Symmetric {
		r = or3(r, between3(v, hi, lo))
	}
	if r == nil {
		return nil, nil
	}
	return r.(bool) != b.Negate, nil
}

// cmp3 returns the comparison v op w as a SQL boolean (nil when either is NULL).
func cmp3(v, w any, ok func(int) bool) any {
	if v == nil || w == nil {
		return nil
	}
	c, err := compareValues(v, w)
	if err != nil {
		return nil
	}
	return ok(c)
}

func between3(v, lo, hi any) any {
	return and3(cmp3(v, lo, func(c int) bool { return c >= 0 }), cmp3(v, hi, func(c int) bool { return c <= 0 }))
}

func and3(a, b any) any {
	if a == false || b == false {
		return false
	}
	if a == nil || b == nil {
		return nil
	}
	return true
}

func or3(a, b any) any {
	if a == true || b == true {
		return true
	}
	if a == nil || b == nil {
		return nil
	}
	return false
}

// String renders the expression SQL-like for EXPLAIN.
func (b *BetweenExpr) String() string {
	op := " BETWEEN "
	if b.Negate {
		op = " NOT BETWEEN "
	}
	if b.Symmetric {
		op += "SYMMETRIC "
	}
	return "(" + b.Arg.String() + op + b.Lo.String() + " AND " + b.Hi.String() + ")"
}

// CaseExpr is CASE [operand] WHEN … THEN … [ELSE …] END.
type CaseExpr struct {
	Operand Expr
	Whens   [][2]Expr
	Else    Expr
	T       sqltypes.Type
}

// Case builds a simple CASE (operand non-nil: WHEN values compared with =) or a searched CASE
// (operand nil: WHEN conditions). The result type is the common type of THEN and ELSE values.
func Case(operand Expr, whens [][2]Expr, els Expr) (Expr, error) {
	if len(whens) == 0 {
		return nil, sqlstate.New(sqlstate.SyntaxError, "case expression needs at least one when clause")
	}
	// PostgreSQL resolves the ELSE value first, which shows in its error messages
	results := make([]Expr, 0, len(whens)+1)
	if els != nil {
		results = append(results, els)
	}
	for _, w := range whens {
		results = append(results, w[1])
	}
	t, err := commonTypeOf("CASE", results)
	if err != nil {
		return nil, err
	}
	out := &CaseExpr{T: t}
	var opType sqltypes.Type
	if operand != nil {
		conds := []Expr{operand}
		for _, w := range whens {
			conds = append(conds, w[0])
		}
		if opType, err = commonTypeOf("CASE/WHEN", conds); err != nil {
			return nil, err
		}
		if out.Operand, err = coerce(operand, opType); err != nil {
			return nil, err
		}
	}
	for _, w := range whens {
		var cond Expr
		if operand != nil {
			cond, err = coerce(w[0], opType)
		} else {
			cond, err = CheckBool(w[0], "CASE/WHEN")
		}
		if err != nil {
			return nil, err
		}
		res, err := coerce(w[1], t)
		if err != nil {
			return nil, err
		}
		out.Whens = append(out.Whens, [2]Expr{cond, res})
	}
	if els != nil {
		if out.Else, err = coerce(els, t); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Type implements Expr.
func (c *CaseExpr) Type() sqltypes.Type { return c.T }

// Eval implements Expr; only the chosen branch is evaluated.
func (c *CaseExpr) Eval(env *Env) (any, error) {
	var op any
	if c.Operand != nil {
		v, err := c.Operand.Eval(env)
		if err != nil {
			return nil, err
		}
		op = v
	}
	for _, w := range c.Whens {
		v, err := w[0].Eval(env)
		if err != nil {
			return nil, err
		}
		hit := false
		if c.Operand != nil {
			if op != nil && v != nil {
				cmp, err := compareValues(op, v)
				if err != nil {
					return nil, err
				}
				hit = cmp == 0
			}
		} else {
			hit, _ = Truth(v)
		}
		if hit {
			return w[1].Eval(env)
		}
	}
	if c.Else != nil {
		return c.Else.Eval(env)
	}
	return nil, nil
}

// String renders the expression SQL-like for EXPLAIN.
func (c *CaseExpr) String() string {
	var sb strings.Builder
	sb.WriteString("CASE")
	if c.Operand != nil {
		sb.WriteString(" " + c.Operand.String())
	}
	for _, w := range c.Whens {
		sb.WriteString(" WHEN " + w[0].String() + " THEN " + w[1].String())
	}
	if c.Else != nil {
		sb.WriteString(" ELSE " + c.Else.String())
	}
	sb.WriteString(" END")
	return sb.String()
}

// CoalesceExpr is COALESCE(args…): the first non-NULL argument.
type CoalesceExpr struct {
	Args []Expr
	T    sqltypes.Type
}

// Coalesce returns COALESCE(args…) with the arguments converted to their common type.
func Coalesce(args []Expr) (Expr, error) {
	t, cs, err := unify("COALESCE", args)
	if err != nil {
		return nil, err
	}
	return &CoalesceExpr{Args: cs, T: t}, nil
}

func unify(what string, args []Expr) (sqltypes.Type, []Expr, error) {
	if len(args) == 0 {
		return 0, nil, sqlstate.New(sqlstate.SyntaxError, "%s needs at least one argument", strings.ToLower(what))
	}
	t, err := commonTypeOf(what, args)
	if err != nil {
		return 0, nil, err
	}
	cs := make([]Expr, len(args))
	for i, a := range args {
		if cs[i], err = coerce(a, t); err != nil {
			return 0, nil, err
		}
	}
	return t, cs, nil
}

// Type implements Expr.
func (c *CoalesceExpr) Type() sqltypes.Type { return c.T }

// Eval implements Expr; arguments after the first non-NULL one are not evaluated.
func (c *CoalesceExpr) Eval(env *Env) (any, error) {
	for _, a := range c.Args {
		v, err := a.Eval(env)
		if err != nil || v != nil {
			return v, err
		}
	}
	return nil, nil
}

// String renders the expression SQL-like for EXPLAIN.
func (c *CoalesceExpr) String() string { return "COALESCE(" + joinExprs(c.Args, ", ") + ")" }

// NullIfExpr is NULLIF(a, b): NULL when a = b, else a.
type NullIfExpr struct {
	A, B Expr
}

// NullIf returns NULLIF(a, b).
func NullIf(a, b Expr) (Expr, error) {
	t, ok := commonType(a.Type(), b.Type())
	if !ok || !comparable(t) {
		return nil, errNoOperator("=", a.Type(), b.Type())
	}
	ac, err := coerce(a, t)
	if err != nil {
		return nil, err
	}
	bc, err := coerce(b, t)
	if err != nil {
		return nil, err
	}
	return &NullIfExpr{A: ac, B: bc}, nil
}

// Type implements Expr.
func (n *NullIfExpr) Type() sqltypes.Type { return n.A.Type() }

// Eval implements Expr.
func (n *NullIfExpr) Eval(env *Env) (any, error) {
	a, err := n.A.Eval(env)
	if err != nil || a == nil {
		return a, err
	}
	b, err := n.B.Eval(env)
	if err != nil {
		return nil, err
	}
	if b != nil {
		c, err := compareValues(a, b)
		if err != nil {
			return nil, err
		}
		if c == 0 {
			return nil, nil
		}
	}
	return a, nil
}

// String renders the expression SQL-like for EXPLAIN.
func (n *NullIfExpr) String() string { return "NULLIF(" + n.A.String() + ", " + n.B.String() + ")" }

// MinMaxExpr is GREATEST(args…) or LEAST(args…); NULL arguments are ignored.
type MinMaxExpr struct {
	Greatest bool
	Args     []Expr
	T        sqltypes.Type
}

// Greatest returns GREATEST(args…).
func Greatest(args []Expr) (Expr, error) { return minMax(true, args) }

// Least returns LEAST(args…).
func Least(args []Expr) (Expr, error) { return minMax(false, args) }

func minMax(greatest bool, args []Expr) (Expr, error) {
	name := "LEAST"
	if greatest {
		name = "GREATEST"
	}
	t, cs, err := unify(name, args)
	if err != nil {
		return nil, err
	}
	if !comparable(t) {
		return nil, errNoOperator(">", t, t)
	}
	return &MinMaxExpr{Greatest: greatest, Args: cs, T: t}, nil
}

// Type implements Expr.
func (m *MinMaxExpr) Type() sqltypes.Type { return m.T }

// Eval implements Expr.
func (m *MinMaxExpr) Eval(env *Env) (any, error) {
	var best any
	for _, a := range m.Args {
		v, err := a.Eval(env)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		if best == nil {
			best = v
			continue
		}
		c, err := compareValues(v, best)
		if err != nil {
			return nil, err
		}
		if (m.Greatest && c > 0) || (!m.Greatest && c < 0) {
			best = v
		}
	}
	return best, nil
}

// String renders the expression SQL-like for EXPLAIN.
func (m *MinMaxExpr) String() string {
	if m.Greatest {
		return "GREATEST(" + joinExprs(m.Args, ", ") + ")"
	}
	return "LEAST(" + joinExprs(m.Args, ", ") + ")"
}

// ArrayExpr is ARRAY[elems…].
type ArrayExpr struct {
	Elems []Expr
	T     sqltypes.Type
}

// ArrayLiteral returns ARRAY[elems…]. elemType may be 0 to take the elements' common type.
func ArrayLiteral(elems []Expr, elemType sqltypes.Type) (Expr, error) {
	var err error
	if elemType == 0 || elemType == sqltypes.Unknown {
		if len(elems) == 0 {
			return nil, sqlstate.New("42P18", "cannot determine type of empty array").WithHint("Explicitly cast to the desired type, for example ARRAY[]::integer[].")
		}
		if elemType, err = commonTypeOf("ARRAY", elems); err != nil {
			return nil, err
		}
	}
	at := sqltypes.ArrayOf(elemType)
	if at == 0 {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "arrays of type %s are not supported", sqltypes.FormatType(elemType))
	}
	out := &ArrayExpr{T: at}
	for _, e := range elems {
		c, err := coerce(e, elemType)
		if err != nil {
			return nil, err
		}
		out.Elems = append(out.Elems, c)
	}
	return out, nil
}

// Type implements Expr.
func (a *ArrayExpr) Type() sqltypes.Type { return a.T }

// Eval implements Expr.
func (a *ArrayExpr) Eval(env *Env) (any, error) {
	items := make([]any, len(a.Elems))
	for i, e := range a.Elems {
		v, err := e.Eval(env)
		if err != nil {
			return nil, err
		}
		items[i] = v
	}
	return array{Elem: sqltypes.Elem(a.T), Items: items}, nil
}

// String renders the expression SQL-like for EXPLAIN.
func (a *ArrayExpr) String() string { return "ARRAY[" + joinExprs(a.Elems, ", ") + "]" }

// SubscriptExpr is arr[idx] (from 1, or from 0 for int2vector and oidvector; out of range is
// NULL).
type SubscriptExpr struct {
	Arr, Idx Expr
}

// Subscript returns arr[idx].
func Subscript(arr, idx Expr) (Expr, error) {
	if sqltypes.Elem(arr.Type()) == 0 {
		return nil, sqlstate.New(sqlstate.DatatypeMismatch, "cannot subscript type %s because it does not support subscripting", sqltypes.FormatType(arr.Type()))
	}
	i, err := coerce(idx, sqltypes.Int4)
	if err != nil {
		return nil, err
	}
	if !isIntType(i.Type()) {
		return nil, sqlstate.New(sqlstate.DatatypeMismatch, "array subscript must have type integer")
	}
	return &SubscriptExpr{Arr: arr, Idx: i}, nil
}

// Type implements Expr.
func (s *SubscriptExpr) Type() sqltypes.Type { return sqltypes.Elem(s.Arr.Type()) }

// Eval implements Expr.
func (s *SubscriptExpr) Eval(env *Env) (any, error) {
	a, err := s.Arr.Eval(env)
	if err != nil || a == nil {
		return nil, err
	}
	i, err := s.Idx.Eval(env)
	if err != nil || i == nil {
		return nil, err
	}
	arr, ok := a.(array)
	if !ok {
		return nil, sqlstate.New(sqlstate.InternalError, "subscript of a non-array value %T", a)
	}
	n := i.(int64) - lowerBound(s.Arr.Type())
	if n < 0 || n >= int64(len(arr.Items)) {
		return nil, nil
	}
	return arr.Items[n], nil
}

// String renders the expression SQL-like for EXPLAIN.
func (s *SubscriptExpr) String() string { return s.Arr.String() + "[" + s.Idx.String() + "]" }

// AnyAllExpr is l op ANY (arr) or l op ALL (arr).
type AnyAllExpr struct {
	Op  string
	L   Expr
	Arr Expr
	All bool
	cmp *OpExpr
}

// AnyAll returns l op ANY(arr), or l op ALL(arr) when all. op is any boolean operator that
// Operator accepts between l and an element of arr (=, <>, <, LIKE, …).
func AnyAll(op string, l, arr Expr, all bool) (Expr, error) {
	at := arr.Type()
	if at == sqltypes.Unknown {
		et := l.Type()
		if et == sqltypes.Unknown {
			et = sqltypes.Text
		}
		if sqltypes.ArrayOf(et) == 0 {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "arrays of type %s are not supported", sqltypes.FormatType(et))
		}
		var err error
		if arr, err = coerce(arr, sqltypes.ArrayOf(et)); err != nil {
			return nil, err
		}
		at = arr.Type()
	}
	et := sqltypes.Elem(at)
	if et == 0 {
		return nil, sqlstate.New(sqlstate.DatatypeMismatch, "op ANY/ALL (array) requires array on right side")
	}
	probe, err := Operator(op, l, &ColumnRef{Index: 1, T: et, Name: "elem"})
	if err != nil {
		return nil, err
	}
	o, ok := probe.(*OpExpr)
	if !ok || o.T != sqltypes.Bool {
		return nil, sqlstate.New(sqlstate.DatatypeMismatch, "op ANY/ALL (array) requires operator to yield boolean")
	}
	return &AnyAllExpr{Op: o.Op, L: o.Args[0], Arr: arr, All: all, cmp: o}, nil
}

// Type implements Expr.
func (a *AnyAllExpr) Type() sqltypes.Type { return sqltypes.Bool }

// Eval implements Expr: ANY is true if some element matches, ALL false if some element fails;
// otherwise NULL when a NULL was met.
func (a *AnyAllExpr) Eval(env *Env) (any, error) {
	lv, err := a.L.Eval(env)
	if err != nil {
		return nil, err
	}
	av, err := a.Arr.Eval(env)
	if err != nil || av == nil {
		return nil, err
	}
	arr := av.(array)
	if len(arr.Items) == 0 {
		return a.All, nil
	}
	if lv == nil {
		return nil, nil
	}
	sawNull := false
	for _, it := range arr.Items {
		if it == nil {
			sawNull = true
			continue
		}
		v, err := a.cmp.evalArgs(env, lv, it)
		if err != nil {
			return nil, err
		}
		b, known := Truth(v)
		if !known {
			sawNull = true
			continue
		}
		if b != a.All {
			return b, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return a.All, nil
}

// evalArgs applies the operator to values of its argument positions, converting the right-hand
// value the way the bound operator's second argument would.
func (o *OpExpr) evalArgs(env *Env, l, r any) (any, error) {
	if c, ok := o.Args[1].(*CastExpr); ok {
		var err error
		if r, err = castValue(env, r, c.Arg.Type(), c.T); err != nil {
			return nil, err
		}
	}
	return o.eval(env, []any{l, r})
}

// String renders the expression SQL-like for EXPLAIN.
func (a *AnyAllExpr) String() string {
	q := "ANY"
	if a.All {
		q = "ALL"
	}
	return fmt.Sprintf("(%s %s %s (%s))", a.L.String(), a.Op, q, a.Arr.String())
}
