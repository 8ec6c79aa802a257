package planner

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// SubqueryKind is what a subquery expression computes from the rows of its query.
type SubqueryKind int

// The kinds of subquery expressions, as PostgreSQL's SubLink types.
const (
	SubScalar  SubqueryKind = iota // (SELECT x …): the one value, NULL for no row, 21000 for several
	SubExists                      // EXISTS (SELECT …)
	SubAny                         // x IN (SELECT …), x op ANY (SELECT …)
	SubAll                         // x op ALL (SELECT …)
	SubArray                       // ARRAY(SELECT …)
	SubLateral                     // FROM LATERAL (SELECT …): rows, read by a LateralJoin
)

// inListMax is the largest init-plan result of x IN (SELECT …) that is substituted as an IN list
// (and so pushed down to Stripe as a list of keys); larger results become a hashed set.
const inListMax = 1000

// Subquery is an expression whose value comes from running a nested query. An uncorrelated one
// is an init plan: the executor runs it once before the statement and calls Planned.Replan, which
// plans the statement again with the result in place as a constant, so `customer = (SELECT id …)`
// or `customer IN (SELECT id …)` is pushed to Stripe like a literal. A correlated one (it reads
// columns of the enclosing query, listed in Outer) is a sub plan: per outer row the executor
// evaluates Outer, plans the subquery with those values as constants (Instantiate, so they are
// pushed down too) and runs it, remembering the result for each distinct set of outer values.
type Subquery struct {
	Kind SubqueryKind
	// ID identifies the subquery within its statement (its position in the SQL text).
	ID int32
	// Num is the number EXPLAIN gives it, as PostgreSQL does: 1, 2, … in the order the
	// statement's subqueries are planned.
	Num int
	// Op is the comparison of ANY and ALL ("=" for IN).
	Op string
	// Test is the left operand of ANY and ALL, over the outer row; nil otherwise.
	Test expr.Expr
	// Plan is the subquery's plan with outer references left open: EXPLAIN prints it, and an
	// uncorrelated subquery runs it.
	Plan *Planned
	// Outer are the outer-row expressions a correlated subquery reads; empty when uncorrelated.
	Outer []expr.Expr
	// T is the expression's type.
	T sqltypes.Type
	// cmp compares Test (column 0) with one subquery value (column 1), for ANY and ALL.
	cmp         expr.Expr
	instantiate func(outer []any) (*Planned, error)
}

// SubqueryRunner runs a subquery's plan and returns its rows. The executor implements it on the
// expr.Session it passes in every Env, which is how a Subquery finds a way to run while staying
// free of I/O itself. outer are the values of Subquery.Outer; implementations memoise by them.
type SubqueryRunner interface {
	SubqueryRows(s *Subquery, outer []any) ([][]any, error)
}

// Correlated reports whether the subquery reads columns of its enclosing query.
func (s *Subquery) Correlated() bool { return len(s.Outer) > 0 }

// Instantiate plans a correlated subquery with outer (the values of Outer) as constants.
func (s *Subquery) Instantiate(outer []any) (*Planned, error) {
	if s.instantiate == nil || len(outer) != len(s.Outer) {
		return nil, sqlstate.New(sqlstate.InternalError, "subquery %d cannot be instantiated", s.ID)
	}
	return s.instantiate(outer)
}

// Type implements expr.Expr.
func (s *Subquery) Type() sqltypes.Type { return s.T }

// Children lets expr.Walk see the outer-row expressions the subquery reads.
func (s *Subquery) Children() []expr.Expr {
	var out []expr.Expr
	if s.Test != nil {
		out = append(out, s.Test)
	}
	return append(out, s.Outer...)
}

// String implements expr.Expr, in EXPLAIN's words.
func (s *Subquery) String() string {
	name := s.Label()
	switch s.Kind {
	case SubExists:
		return "EXISTS(" + name + ")"
	case SubAny:
		if s.Op == "=" {
			return "(" + s.Test.String() + " = ANY (" + name + "))"
		}
		return "(" + s.Test.String() + " " + s.Op + " ANY (" + name + "))"
	case SubAll:
		return "(" + s.Test.String() + " " + s.Op + " ALL (" + name + "))"
	case SubArray:
		return "ARRAY(" + name + ")"
	case SubLateral:
		return "LATERAL (" + name + ")"
	}
	return "(" + name + ")"
}

// Label names the subquery as EXPLAIN does: "InitPlan n" when it runs once, "SubPlan n" when
// it runs per outer row.
func (s *Subquery) Label() string {
	if s.Kind == SubLateral {
		return "LATERAL subquery"
	}
	if s.Correlated() {
		return fmt.Sprintf("SubPlan %d", s.Num)
	}
	return fmt.Sprintf("InitPlan %d", s.Num)
}

// Eval implements expr.Expr: it asks the executor (through env.Session) for the subquery's rows
// and computes the value.
func (s *Subquery) Eval(env *expr.Env) (any, error) {
	var run SubqueryRunner
	if env != nil {
		run, _ = env.Session.(SubqueryRunner)
	}
	if run == nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "subquery cannot be evaluated here")
	}
	outer := make([]any, len(s.Outer))
	for i, o := range s.Outer {
		v, err := o.Eval(env)
		if err != nil {
			return nil, err
		}
		outer[i] = v
	}
	var test any
	if s.Test != nil {
		v, err := s.Test.Eval(env)
		if err != nil {
			return nil, err
		}
		test = v
	}
	rows, err := run.SubqueryRows(s, outer)
	if err != nil {
		return nil, err
	}
	return s.value(test, rows, env)
}

// value computes the subquery's result from its rows; test is Test's value for ANY and ALL.
func (s *Subquery) value(test any, rows [][]any, env *expr.Env) (any, error) {
	switch s.Kind {
	case SubExists:
		return len(rows) > 0, nil
	case SubScalar:
		switch len(rows) {
		case 0:
			return nil, nil
		case 1:
			return rows[0][0], nil
		}
		return nil, sqlstate.New(sqlstate.CardinalityViolation, "more than one row returned by a subquery used as an expression")
	case SubArray:
		items := make([]any, len(rows))
		for i, r := range rows {
			items[i] = r[0]
		}
		return sqltypes.Array{Elem: sqltypes.Elem(s.T), Items: items}, nil
	}
	// ANY / ALL with three-valued logic: ANY is true if a comparison is true, else NULL if one is
	// NULL, else false; ALL is false if one is false, else NULL if one is NULL, else true.
	all := s.Kind == SubAll
	sawNull := false
	local := expr.Env{}
	if env != nil {
		local = *env
	}
	for _, r := range rows {
		local.Row = []any{test, r[0]}
		v, err := s.cmp.Eval(&local)
		if err != nil {
			return nil, err
		}
		b, known := expr.Truth(v)
		switch {
		case !known:
			sawNull = true
		case b && !all:
			return true, nil
		case !b && all:
			return false, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return all, nil
}

// OuterRef stands for a column of an enclosing query in a correlated subquery's template plan
// (Subquery.Plan). It is constant within one run of the subquery, so pushdown treats it like a
// parameter; it is never evaluated: the executor runs Instantiate's plan instead, where it is a
// constant.
type OuterRef struct {
	K    int
	T    sqltypes.Type
	Name string
}

// Type implements expr.Expr.
func (o *OuterRef) Type() sqltypes.Type { return o.T }

// Eval implements expr.Expr; a template plan is never run.
func (o *OuterRef) Eval(*expr.Env) (any, error) {
	return nil, sqlstate.New(sqlstate.InternalError, "outer reference %s evaluated outside its subquery", o.Name)
}

// String implements expr.Expr.
func (o *OuterRef) String() string { return "outer." + o.Name }

// correlation links a subquery's binder to the enclosing query. In template mode a column the
// subquery cannot resolve is looked up in parent and becomes an OuterRef; in instantiate mode it
// becomes the constant values[k].
type correlation struct {
	parent *binder
	refs   []expr.Expr // outer expressions, in the parent's row numbering
	types  []sqltypes.Type
	keys   []string
	names  map[string]int
	values []any // instantiate mode
	inst   bool
}

// lookup resolves qual.name in the enclosing query; it returns nil, nil when the name is not
// there either, and the enclosing query's error when the column exists but may not be read
// there (an ungrouped column of a grouped query).
func (c *correlation) lookup(cr *pg.ColumnRef, qual, name string) (expr.Expr, error) {
	key := qual + "." + name
	if c.inst {
		k, ok := c.names[key]
		if !ok || k >= len(c.values) {
			return nil, nil
		}
		return expr.NewConst(c.values[k], c.types[k]), nil
	}
	if c.parent == nil {
		return nil, nil
	}
	e, err := c.parent.bind(&pg.Node{Node: &pg.Node_ColumnRef{ColumnRef: cr}})
	if err != nil {
		if se, ok := sqlstate.As(err); ok && se.Code == sqlstate.GroupingError {
			return nil, err
		}
		return nil, nil
	}
	k := -1
	ek := exprKey(e)
	for i, x := range c.keys {
		if x == ek {
			k = i
		}
	}
	if k < 0 {
		k = len(c.refs)
		c.refs = append(c.refs, e)
		c.types = append(c.types, e.Type())
		c.keys = append(c.keys, ek)
	}
	if c.names == nil {
		c.names = map[string]int{}
	}
	c.names[key] = k
	return &OuterRef{K: k, T: e.Type(), Name: name}, nil
}

// subState is one planning's bookkeeping of subqueries: the init plans met, and the results to
// substitute for them when planning again after they ran.
type subState struct {
	// replannable is set when Planned.Replan will plan this statement again with init-plan
	// results; only then are init plans deferred (pushed down as placeholders).
	replannable bool
	initPlans   []*Subquery
	results     map[int32][][]any
	// nums are the EXPLAIN numbers given so far, shared with the subqueries' own planning so
	// that nested subqueries are numbered in one sequence.
	nums *subNumbers
	// ctes are the WITH queries planned, in order; planning again reuses them (reuse), so a CTE
	// an init plan already materialised is not fetched a second time (cte.go).
	ctes  []*CTE
	reuse []*CTE
	// listed are the values substituted from init plans that list accounts (connect.go).
	listed map[string]bool
}

// subNumbers gives a statement's subqueries their EXPLAIN numbers, by Subquery.ID.
type subNumbers struct{ byID map[int32]int }

// number is the EXPLAIN number of the subquery at SQL position id: the next one the first time
// it is planned, the same one when it is planned again (Replan, a sub plan's instances).
func (st *subState) number(id int32) int {
	if st.nums == nil {
		st.nums = &subNumbers{byID: map[int32]int{}}
	}
	n, ok := st.nums.byID[id]
	if !ok {
		n = len(st.nums.byID) + 1
		st.nums.byID[id] = n
	}
	return n
}

func (pl *planCtx) subs() *subState {
	if pl.sub == nil {
		pl.sub = &subState{}
	}
	return pl.sub
}

// deferred reports whether e will be a constant known before the statement runs: it reads only
// init plans of this planning that Replan replaces, and outer references of a template.
func (pl *planCtx) deferred(e expr.Expr) bool {
	found, ok := false, true
	expr.Walk(e, func(x expr.Expr) bool {
		switch n := x.(type) {
		case *OuterRef:
			found = true
		case *Subquery:
			if n.Correlated() || pl.sub == nil || !pl.sub.replannable {
				ok = false
			}
			found = true
			return false
		}
		return ok
	})
	return found && ok
}

// deferredPred reports whether every value of p is deferred (see deferred).
func (pl *planCtx) deferredPred(p pred) bool {
	for _, a := range p.args {
		if !pl.deferred(a) {
			return false
		}
	}
	return len(p.args) > 0
}

// bindSubLink binds a subquery expression: it plans the subquery (with the enclosing query as
// its outer scope) and, when planning again after init plans ran, substitutes their results.
func (b *binder) bindSubLink(sl *pg.SubLink) (expr.Expr, error) {
	pl := b.pl
	if pl == nil {
		return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "subqueries are not supported here"), sl.Location)
	}
	sel := sl.Subselect.GetSelectStmt()
	if sel == nil {
		return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "only SELECT subqueries are supported"), sl.Location)
	}
	s := &Subquery{ID: sl.Location, Num: pl.subs().number(sl.Location)}
	switch sl.SubLinkType {
	case pg.SubLinkType_EXISTS_SUBLINK:
		s.Kind, s.T = SubExists, sqltypes.Bool
	case pg.SubLinkType_EXPR_SUBLINK:
		s.Kind = SubScalar
	case pg.SubLinkType_ANY_SUBLINK:
		s.Kind, s.T, s.Op = SubAny, sqltypes.Bool, "="
	case pg.SubLinkType_ALL_SUBLINK:
		s.Kind, s.T = SubAll, sqltypes.Bool
	case pg.SubLinkType_ARRAY_SUBLINK:
		s.Kind = SubArray
	default:
		return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "this kind of subquery is not supported"), sl.Location)
	}
	if len(sl.OperName) > 0 {
		if str := sl.OperName[len(sl.OperName)-1].GetString_(); str != nil {
			s.Op = str.Sval
		}
	}
	if s.Kind == SubAny || s.Kind == SubAll {
		if sl.Testexpr.GetRowExpr() != nil {
			return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "row comparisons with subqueries are not supported"), sl.Location)
		}
		t, err := b.bind(sl.Testexpr)
		if err != nil {
			return nil, err
		}
		s.Test = t
	}

	// Plan the subquery with the enclosing query as its outer scope.
	corr := &correlation{parent: b}
	sub := &planCtx{sess: pl.sess, st: pl.st, args: pl.args, describe: pl.describe, given: pl.given, now: pl.now, explaining: pl.explaining}
	sub.sub = &subState{replannable: true, nums: pl.subs().nums}
	ctes := b.ctes
	inner := &binder{sess: b.sess, sql: b.sql, full: b.full, params: append([]sqltypes.Type(nil), b.params...), pl: sub, corr: corr, ctes: ctes}
	p, err := sub.buildSelect(inner, sel)
	if err != nil {
		return nil, err
	}
	if sub.sub != nil && len(sub.sub.initPlans) > 0 {
		sub.attachReplan(p, sel, nil, ctes)
	}
	b.adoptParamTypes(sub.types)
	if s.Kind != SubExists && len(p.Columns) != 1 {
		return nil, b.errAt(sqlstate.New(sqlstate.SyntaxError, "subquery must return only one column"), sl.Location)
	}
	s.Plan = p
	s.Outer = corr.refs
	if s.Kind == SubScalar {
		s.T = p.Columns[0].Type
	}
	if s.Kind == SubArray {
		at, err := expr.TypeByName(sqltypes.FormatType(p.Columns[0].Type) + "[]")
		if err != nil {
			return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "ARRAY() of type %s is not supported", sqltypes.FormatType(p.Columns[0].Type)), sl.Location)
		}
		s.T = at
	}
	if s.Kind == SubAny || s.Kind == SubAll {
		cmp, err := expr.Operator(s.Op, &expr.ColumnRef{Index: 0, T: s.Test.Type(), Name: s.Test.String()},
			&expr.ColumnRef{Index: 1, T: p.Columns[0].Type, Name: p.Columns[0].Name})
		if err != nil {
			return nil, b.errAt(asCoded(err), sl.Location)
		}
		if cmp.Type() != sqltypes.Bool {
			return nil, b.errAt(sqlstate.New(sqlstate.DatatypeMismatch, "operator %s must return type boolean", s.Op), sl.Location)
		}
		s.cmp = cmp
	}
	if s.Correlated() {
		s.instantiate = pl.instantiator(sel, corr, ctes) // lateral.go
		return s, nil
	}
	// Uncorrelated: an init plan. Planning again after it ran substitutes its result.
	st := pl.subs()
	if rows, ok := st.results[s.ID]; ok {
		if readsAccounts(s.Plan) { // connect.go: the accounts a fan-out reads, however many
			st.noteListed(rows)
			return s.substituteList(rows, 0)
		}
		return s.substitute(rows)
	}
	dup := false
	for _, x := range st.initPlans {
		dup = dup || x.ID == s.ID
	}
	if !dup {
		st.initPlans = append(st.initPlans, s)
	}
	return s, nil
}

// substitute returns the expression that replaces an init plan once its rows are known: a
// constant, an IN list (which pushdown turns into Stripe calls per key) or a hashed set.
func (s *Subquery) substitute(rows [][]any) (expr.Expr, error) {
	return s.substituteList(rows, inListMax)
}

// substituteList is substitute with at most maxList rows turned into an IN list (0: any number).
func (s *Subquery) substituteList(rows [][]any, maxList int) (expr.Expr, error) {
	if s.Kind == SubAny && s.Op == "=" && len(rows) > 0 && (maxList == 0 || len(rows) <= maxList) {
		list := make([]expr.Expr, len(rows))
		for i, r := range rows {
			list[i] = expr.NewConst(r[0], s.Plan.Columns[0].Type)
		}
		in, err := expr.In(s.Test, list, false)
		if err != nil {
			return nil, asCoded(err)
		}
		return in, nil
	}
	if s.Kind == SubAny || s.Kind == SubAll {
		if len(rows) == 0 {
			return expr.NewConst(s.Kind == SubAll, sqltypes.Bool), nil
		}
		return &subqueryValues{s: s, rows: rows}, nil
	}
	v, err := s.value(nil, rows, nil)
	if err != nil {
		return nil, err
	}
	return expr.NewConst(v, s.T), nil
}

// subqueryValues is an ANY or ALL over an init plan's known rows, for results too large for an
// IN list or with an operator other than =. x = ANY over values of x's own type is a hash lookup
// (a hashed semi join; NOT IN an anti join); otherwise each row is compared.
type subqueryValues struct {
	s    *Subquery
	rows [][]any

	once    sync.Once
	set     map[string]bool // hash keys of the non-NULL values, when hashable
	sawNull bool
}

// hashed builds the value set once; it reports false when comparisons must be made row by row.
func (v *subqueryValues) hashed() bool {
	t := v.s.Plan.Columns[0].Type
	if v.s.Kind != SubAny || v.s.Op != "=" || v.s.Test.Type() != t {
		return false
	}
	v.once.Do(func() {
		v.set = make(map[string]bool, len(v.rows))
		for _, r := range v.rows {
			if r[0] == nil {
				v.sawNull = true
				continue
			}
			v.set[expr.HashKey(r[0], t)] = true
		}
	})
	return true
}

func (v *subqueryValues) Type() sqltypes.Type   { return sqltypes.Bool }
func (v *subqueryValues) Children() []expr.Expr { return []expr.Expr{v.s.Test} }
func (v *subqueryValues) String() string        { return v.s.String() }
func (v *subqueryValues) Eval(env *expr.Env) (any, error) {
	t, err := v.s.Test.Eval(env)
	if err != nil {
		return nil, err
	}
	if v.hashed() {
		switch {
		case t == nil: // rows is not empty here (an empty result is a constant)
			return nil, nil
		case v.set[expr.HashKey(t, v.s.Test.Type())]:
			return true, nil
		case v.sawNull:
			return nil, nil
		}
		return false, nil
	}
	return v.s.value(t, v.rows, env)
}

// attachReplan records the init plans of p and how to plan sel again with their results.
// corr is the correlation of an instantiated subquery (nil for a top-level statement).
func (pl *planCtx) attachReplan(p *Planned, sel *pg.SelectStmt, corr *correlation, ctes []*CTE) {
	p.InitPlans = pl.sub.initPlans
	sess, st, args, describe, given, now, explaining := pl.sess, pl.st, pl.args, pl.describe, pl.given, pl.now, pl.explaining
	p.replan = func(results map[int32][][]any) (*Planned, error) {
		rp := &planCtx{sess: sess, st: st, args: args, describe: describe, given: given, now: now, explaining: explaining}
		rp.sub = &subState{replannable: true, results: results, reuse: pl.sub.ctes}
		b := &binder{sess: sess, sql: st.text, full: st.full, params: append([]sqltypes.Type(nil), given...), pl: rp, corr: corr, ctes: ctes}
		q, err := rp.buildSelect(b, sel)
		if err != nil {
			return nil, err
		}
		if len(rp.sub.initPlans) > 0 {
			// Init plans nested in ones that ran are resolved by the next round.
			rp.attachReplan(q, sel, corr, ctes)
		}
		return q, nil
	}
}

// Replan plans the statement again with the rows of its init plans (by Subquery.ID) in place of
// the subqueries, so their values are pushed down like literals, and checks the request budget
// of the result. The executor calls it after running p.InitPlans.
func (p *Planned) Replan(sess *Session, results map[int32][][]any) (*Planned, error) {
	if p.replan == nil {
		return p, nil
	}
	q, err := p.replan(results)
	if err != nil {
		return nil, err
	}
	q.Text = p.Text
	q.Columns = publicColumns(q.Columns) // record.go
	if q.Root != nil && len(q.InitPlans) == 0 {
		if err := checkBudget(sess, q); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// NodeSubqueries returns the subquery expressions a node evaluates (not those of its inputs), in
// the order they appear, for EXPLAIN and cost estimates.
func NodeSubqueries(n Node) []*Subquery {
	var out []*Subquery
	seen := map[*Subquery]bool{}
	for _, e := range nodeExprs(n) {
		expr.Walk(e, func(x expr.Expr) bool {
			if s, ok := x.(*Subquery); ok && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
			return true
		})
	}
	return out
}

var (
	exprType    = reflect.TypeOf((*expr.Expr)(nil)).Elem()
	sortKeyType = reflect.TypeOf(SortKey{})
	aggPtrType  = reflect.TypeOf(&expr.Agg{})
)

// nodeExprs lists the expressions held by a node's own fields (found by reflection, so nodes
// added by other features are covered without a case each).
func nodeExprs(n Node) []expr.Expr {
	v := reflect.ValueOf(n)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	var out []expr.Expr
	var visit func(f reflect.Value, depth int)
	visit = func(f reflect.Value, depth int) {
		if depth > 3 || !f.IsValid() {
			return
		}
		switch {
		case f.Type() == exprType || f.Type().Implements(exprType) && f.Kind() == reflect.Pointer:
			if !f.IsNil() {
				if e, ok := f.Interface().(expr.Expr); ok {
					out = append(out, e)
				}
			}
		case f.Type() == sortKeyType:
			visit(f.Field(0), depth+1)
		case f.Type() == aggPtrType:
			if !f.IsNil() {
				a := f.Interface().(*expr.Agg)
				out = append(out, a.Args...)
				if a.Filter != nil {
					out = append(out, a.Filter)
				}
			}
		case f.Kind() == reflect.Slice:
			for i := 0; i < f.Len(); i++ {
				visit(f.Index(i), depth+1)
			}
		}
	}
	s := v.Elem()
	for i := 0; i < s.NumField(); i++ {
		if !s.Type().Field(i).IsExported() {
			continue
		}
		if s.Field(i).Type().Implements(reflect.TypeOf((*Node)(nil)).Elem()) {
			continue
		}
		visit(s.Field(i), 0)
	}
	return out
}

// subqueryCost is the Stripe requests the subqueries and CTEs of a plan are expected to add to
// its tree's scans: an init plan or a CTE once, a sub plan once per row of the node that
// evaluates it (an upper bound: results are remembered per distinct outer value).
func subqueryCost(p *Planned) float64 {
	return extraCost(p, map[*CTE]bool{})
}

func scanRequests(root Node) float64 {
	total := 0.0
	Walk(root, func(n Node) {
		if s, ok := n.(*Scan); ok {
			total += s.Requests
		}
	})
	return total
}

func extraCost(p *Planned, seen map[*CTE]bool) float64 {
	full := func(q *Planned) float64 { return scanRequests(q.Root) + extraCost(q, seen) }
	total := 0.0
	for _, c := range cteTrees(p.Root) {
		if !seen[c.cte] {
			seen[c.cte] = true
			total += full(c.plan)
			if c.cte.Step != nil {
				total += full(c.cte.Step)
			}
		}
	}
	for _, s := range p.InitPlans {
		if s.Plan != nil {
			total += full(s.Plan)
		}
	}
	Walk(p.Root, func(n Node) {
		for _, s := range NodeSubqueries(n) {
			if s.Plan == nil || s.Plan.Root == nil || isInitPlan(p, s) {
				continue
			}
			req := full(s.Plan)
			if s.Correlated() {
				loops := n.Est().Rows
				if in := n.Inputs(); len(in) > 0 {
					loops = in[0].Est().Rows
				}
				req *= max(1, loops)
			}
			total += req
		}
	})
	return total
}

func isInitPlan(p *Planned, s *Subquery) bool {
	for _, x := range p.InitPlans {
		if x.ID == s.ID {
			return true
		}
	}
	return false
}

// subqueryLines renders the subqueries a node evaluates as EXPLAIN children at indent; the
// statement's init plans are listed under its top node.
func subqueryLines(p *Planned, n Node, sess *Session, indent string) []string {
	var lines []string
	subs := NodeSubqueries(n)
	if n == p.Root {
		subs = append(append([]*Subquery(nil), p.InitPlans...), subs...)
	}
	shown := map[int32]bool{}
	for _, s := range subs {
		if s.Plan == nil || s.Plan.Root == nil || shown[s.ID] || n != p.Root && isInitPlan(p, s) {
			continue
		}
		shown[s.ID] = true
		what := "runs once"
		if s.Correlated() {
			outs := make([]string, len(s.Outer))
			for i, o := range s.Outer {
				outs[i] = o.String()
			}
			what = "runs per distinct " + strings.Join(outs, ", ")
		}
		lines = append(lines, indent+s.Label()+" ("+what+")")
		for i, l := range ExplainLines(sess, s.Plan, nil) {
			switch {
			case strings.HasPrefix(l, "Estimated Stripe requests"):
			case i == 0:
				lines = append(lines, indent+"  ->  "+l)
			default:
				lines = append(lines, indent+"      "+l)
			}
		}
	}
	return lines
}

// budgetRoot returns p's tree with the trees of its init plans beside it, so that the request
// budget counts the scans an init plan is sure to make. Sub plans run per outer row and are
// held to the budget as they run.
func budgetRoot(p *Planned) Node {
	return budgetTree(p, map[*CTE]bool{})
}

func budgetTree(p *Planned, seen map[*CTE]bool) Node {
	ctes := cteTrees(p.Root)
	if len(p.InitPlans) == 0 && len(ctes) == 0 {
		return p.Root
	}
	n := &planGroup{nodes: []Node{p.Root}}
	for _, s := range p.InitPlans {
		if s.Plan != nil && s.Plan.Root != nil {
			n.nodes = append(n.nodes, budgetTree(s.Plan, seen))
		}
	}
	for _, c := range ctes {
		if !seen[c.cte] {
			seen[c.cte] = true
			n.nodes = append(n.nodes, budgetTree(c.plan, seen))
			if c.cte.Step != nil {
				n.nodes = append(n.nodes, budgetTree(c.cte.Step, seen))
			}
		}
	}
	return n
}

// planGroup gathers trees for walking; it is never run.
type planGroup struct {
	nodes []Node
	Estimate
}

func (g *planGroup) Inputs() []Node { return g.nodes }
