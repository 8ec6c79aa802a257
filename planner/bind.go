package planner

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// scopeCol is one column a name can resolve to.
type scopeCol struct {
	table  string // the table's name or alias
	name   string
	typ    sqltypes.Type
	oid    uint32
	attnum int16
	// filterOnly columns may only be read when constrained with =.
	filterOnly bool
	// merged marks the right-hand copy of a JOIN ... USING / NATURAL column: it equals the
	// left-hand one, so an unqualified name or an unqualified * does not see it (join.go).
	merged bool
}

// scope is the set of columns visible in a query's FROM clause, in row order: the columns of
// each table, one table after the other.
type scope struct {
	cols []scopeCol
	// table and alias are the first table's, for single-table queries.
	table *catalog.Table
	alias string
	items []scopeItem
	// starOrder, when set, is the order SELECT * lists cols in (columns past its end follow in
	// row order): JOIN ... USING lists the joined columns first, and a RIGHT JOIN, planned with
	// its sides swapped, lists the left side first (join.go).
	starOrder []int
}

// starCols returns the indexes of cols in the order SELECT * lists them.
func (s *scope) starCols() []int {
	out := append([]int(nil), s.starOrder...)
	for i := len(s.starOrder); i < len(s.cols); i++ {
		out = append(out, i)
	}
	return out
}

// scopeItem is one table of the FROM clause and where its columns sit in the row.
type scopeItem struct {
	alias  string
	table  *catalog.Table
	offset int
	ncols  int
	// node is the plan of a subquery in FROM (table is then nil).
	node Node
	// joined names the tables of a join nested on the right of an outer join, planned as one
	// item whose columns keep their tables' names (nested.go).
	joined []string
}

// addDerived appends a subquery's result columns under its alias.
func (s *scope) addDerived(alias string, cols []Column, node Node) error {
	if alias != "" && s.hasAlias(alias) {
		return sqlstate.New("42712", "table name %q specified more than once", alias)
	}
	s.items = append(s.items, scopeItem{alias: alias, offset: len(s.cols), ncols: len(cols), node: node})
	for _, c := range cols {
		s.cols = append(s.cols, scopeCol{table: alias, name: c.Name, typ: c.Type, oid: c.TableOID, attnum: c.AttNum})
	}
	return nil
}

// itemScope is the scope of one FROM item alone, its columns numbered from zero.
func (s *scope) itemScope(i int) *scope {
	it := s.items[i]
	if it.table != nil {
		return tableScope(it.table, it.alias)
	}
	out := &scope{alias: it.alias}
	out.items = []scopeItem{{alias: it.alias, ncols: it.ncols, node: it.node, joined: it.joined}}
	out.cols = append(out.cols, s.cols[it.offset:it.offset+it.ncols]...)
	return out
}

func tableScope(t *catalog.Table, alias string) *scope {
	s := &scope{}
	_ = s.add(t, alias)
	return s
}

// add appends a table's columns; an alias used twice is 42712 as in PostgreSQL.
func (s *scope) add(t *catalog.Table, alias string) error {
	if alias == "" {
		alias = t.Name
	}
	if s.hasAlias(alias) {
		return sqlstate.New("42712", "table name %q specified more than once", alias)
	}
	if len(s.items) == 0 {
		s.table, s.alias = t, alias
	}
	s.items = append(s.items, scopeItem{alias: alias, table: t, offset: len(s.cols), ncols: len(t.Columns)})
	for i, c := range t.Columns {
		s.cols = append(s.cols, scopeCol{table: alias, name: c.Name, typ: c.Type, oid: t.OID, attnum: int16(i + 1), filterOnly: c.FilterOnly})
	}
	return nil
}

func (s *scope) hasAlias(a string) bool {
	for _, it := range s.items {
		if it.alias == a || slices.Contains(it.joined, a) {
			return true
		}
	}
	return false
}

// itemOf returns the index of the table that column col belongs to.
func (s *scope) itemOf(col int) int {
	for i := len(s.items) - 1; i >= 0; i-- {
		if col >= s.items[i].offset {
			return i
		}
	}
	return 0
}

// aggCtx collects the grouping keys and aggregate calls of a grouped query. Expressions bound in
// this context read the Aggregate node's output row: the group values, then the aggregates.
type aggCtx struct {
	groups    []expr.Expr
	groupKeys []string
	aggs      []*expr.Agg
	aggKeys   []string
	// gsets are the GROUPING SETS / ROLLUP / CUBE of the query, nil without (grouping.go).
	gsets *groupingSets
}

// binder turns pg_query expression nodes into bound expressions of package expr.
type binder struct {
	sess   *Session
	sql    string
	full   string // the whole query string, where node locations point (see Statement.full)
	scope  *scope
	params []sqltypes.Type
	agg    *aggCtx
	// clause names where the expression stands, for errors ("WHERE", "LIMIT").
	clause string
	// usedCols records the scope columns that were referenced, by index.
	usedCols map[int]bool
	// win collects window function calls and named windows (window.go).
	win *windowCtx
	// pl plans subqueries; corr resolves a subquery's outer references (subquery.go).
	pl   *planCtx
	corr *correlation
	// ctes are the WITH queries visible here; cteHere names those of this query level (cte.go).
	ctes    []*CTE
	cteHere []string
	// visible, when set, limits name resolution to some FROM items: those an ON condition may
	// read (join.go).
	visible *itemRange
}

// itemRange is the scope items lo up to (not including) hi.
type itemRange struct{ lo, hi int }

// sees reports whether column col of the scope may be referenced here.
func (b *binder) sees(col int) bool {
	if b.visible == nil {
		return true
	}
	it := b.scope.itemOf(col)
	return it >= b.visible.lo && it < b.visible.hi
}

// seesAlias reports whether a FROM item named a may be referenced here.
func (b *binder) seesAlias(a string) bool {
	for i, it := range b.scope.items {
		if (it.alias == a || slices.Contains(it.joined, a)) && (b.visible == nil || i >= b.visible.lo && i < b.visible.hi) {
			return true
		}
	}
	return false
}

func (b *binder) errAt(e *sqlstate.Error, loc int32) error {
	if e.Position != 0 {
		return e
	}
	src := b.sql
	if b.full != "" {
		src = b.full
	}
	if loc >= 0 && int(loc) < len(src) {
		return e.WithPosition(charPos(src, int(loc)))
	}
	return e
}

func charPos(sql string, byteOff int) int {
	if byteOff > len(sql) {
		byteOff = len(sql)
	}
	return len([]rune(sql[:byteOff])) + 1
}

// bind binds n; in a grouped query it maps grouped expressions and aggregates to the Aggregate
// node's output columns.
func (b *binder) bind(n *pg.Node) (expr.Expr, error) {
	if n == nil {
		return expr.NewConst(nil, sqltypes.Unknown), nil
	}
	if b.agg == nil {
		return b.bindNode(n)
	}
	if fc := n.GetFuncCall(); fc != nil && isAggCall(fc) {
		return b.bindAggCall(fc)
	}
	if !containsAgg(n) && !needsAggContext(n) {
		saved := b.agg
		b.agg = nil
		e, err := b.bindNode(n)
		b.agg = saved
		if err != nil {
			return nil, err
		}
		key := exprKey(e)
		for i, g := range saved.groupKeys {
			if g == key {
				return &expr.ColumnRef{Index: i, T: e.Type(), Name: e.String()}, nil
			}
		}
		if !hasColumnRef(e) {
			return e, nil
		}
	}
	if cr := n.GetColumnRef(); cr != nil {
		name := columnRefName(cr)
		return nil, b.errAt(sqlstate.New(sqlstate.GroupingError, "column %q must appear in the GROUP BY clause or be used in an aggregate function", name), cr.Location)
	}
	return b.bindNode(n)
}

// exprKey identifies an expression for matching GROUP BY and ORDER BY items: its SQL text plus
// the columns it reads, so a.id and b.id of a join (both printed "id") stay apart.
func exprKey(e expr.Expr) string {
	var sb strings.Builder
	sb.WriteString(e.String())
	expr.Walk(e, func(x expr.Expr) bool {
		if cr, ok := x.(*expr.ColumnRef); ok {
			fmt.Fprintf(&sb, "#%d", cr.Index)
		}
		return true
	})
	return sb.String()
}

func hasColumnRef(e expr.Expr) bool {
	found := false
	expr.Walk(e, func(x expr.Expr) bool {
		if _, ok := x.(*expr.ColumnRef); ok {
			found = true
		}
		return !found
	})
	return found
}

func (b *binder) bindAggCall(fc *pg.FuncCall) (expr.Expr, error) {
	name := funcName(fc)
	if b.agg == nil {
		return nil, b.errAt(sqlstate.New(sqlstate.GroupingError, "aggregate functions are not allowed in %s", b.clauseName()), fc.Location)
	}
	saved := b.agg
	b.agg = nil
	defer func() { b.agg = saved }()
	var args []expr.Expr
	for _, a := range fc.Args {
		if containsAgg(a) {
			return nil, b.errAt(sqlstate.New(sqlstate.GroupingError, "aggregate function calls cannot be nested"), fc.Location)
		}
		e, err := b.bindNode(a)
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	var ag *expr.Agg
	var err error
	if len(fc.AggOrder) > 0 || fc.AggWithinGroup || expr.IsOrderedSetAggregate(name) {
		ag, err = b.bindOrderedAgg(fc, name, args) // ordered.go
	} else {
		ag, err = expr.Aggregate(name, args, fc.AggDistinct, fc.AggStar)
	}
	if err != nil {
		return nil, b.errAt(asCoded(err), fc.Location)
	}
	if fc.AggFilter != nil {
		f, err := b.bindNode(fc.AggFilter)
		if err != nil {
			return nil, err
		}
		if f, err = expr.CheckBool(f, "FILTER"); err != nil {
			return nil, err
		}
		ag.Filter = f
	}
	key := aggKey(name, args, fc.AggDistinct, fc.AggStar, ag.Filter) + orderKey(ag, fc.AggWithinGroup)
	for i, k := range saved.aggKeys {
		if k == key {
			return &expr.ColumnRef{Index: len(saved.groups) + i, T: saved.aggs[i].Type(), Name: ag.String()}, nil
		}
	}
	saved.aggs = append(saved.aggs, ag)
	saved.aggKeys = append(saved.aggKeys, key)
	return &expr.ColumnRef{Index: len(saved.groups) + len(saved.aggs) - 1, T: ag.Type(), Name: ag.String()}, nil
}

func aggKey(name string, args []expr.Expr, distinct, star bool, filter expr.Expr) string {
	var sb strings.Builder
	sb.WriteString(name)
	sb.WriteByte('(')
	if distinct {
		sb.WriteString("DISTINCT ")
	}
	if star {
		sb.WriteByte('*')
	}
	for i, a := range args {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(exprKey(a))
	}
	sb.WriteByte(')')
	if filter != nil {
		sb.WriteString(" FILTER (WHERE " + exprKey(filter) + ")")
	}
	return sb.String()
}

func (b *binder) clauseName() string {
	if b.clause == "" {
		return "this context"
	}
	return b.clause
}

func asCoded(err error) *sqlstate.Error { return sqlstate.Wrap(err) }

// bindNode binds one node structurally; children go through bind.
func (b *binder) bindNode(n *pg.Node) (expr.Expr, error) {
	switch x := n.Node.(type) {
	case *pg.Node_AConst:
		return b.bindConst(x.AConst)
	case *pg.Node_ColumnRef:
		return b.bindColumnRef(x.ColumnRef)
	case *pg.Node_ParamRef:
		return b.bindParam(x.ParamRef)
	case *pg.Node_AExpr:
		return b.bindAExpr(x.AExpr)
	case *pg.Node_BoolExpr:
		args := make([]expr.Expr, 0, len(x.BoolExpr.Args))
		for _, a := range x.BoolExpr.Args {
			e, err := b.bind(a)
			if err != nil {
				return nil, err
			}
			op := "AND"
			switch x.BoolExpr.Boolop {
			case pg.BoolExprType_OR_EXPR:
				op = "OR"
			case pg.BoolExprType_NOT_EXPR:
				op = "NOT"
			}
			if e, err = expr.CheckBool(e, op); err != nil {
				return nil, b.errAt(asCoded(err), x.BoolExpr.Location)
			}
			args = append(args, e)
		}
		switch x.BoolExpr.Boolop {
		case pg.BoolExprType_AND_EXPR:
			return expr.And(args...), nil
		case pg.BoolExprType_OR_EXPR:
			return expr.Or(args...), nil
		default:
			return expr.Not(args[0]), nil
		}
	case *pg.Node_FuncCall:
		return b.bindFuncCall(x.FuncCall)
	case *pg.Node_TypeCast:
		arg, err := b.bind(x.TypeCast.Arg)
		if err != nil {
			return nil, err
		}
		t, err := typeFromName(x.TypeCast.TypeName)
		if err != nil {
			return nil, b.errAt(asCoded(err), x.TypeCast.Location)
		}
		e, err := castWithTypmods(arg, t, x.TypeCast.TypeName) // typmod.go
		if err != nil {
			return nil, b.errAt(asCoded(err), x.TypeCast.Location)
		}
		return e, nil
	case *pg.Node_NullTest:
		arg, err := b.bind(x.NullTest.Arg)
		if err != nil {
			return nil, err
		}
		return expr.IsNull(arg, x.NullTest.Nulltesttype == pg.NullTestType_IS_NOT_NULL), nil
	case *pg.Node_BooleanTest:
		arg, err := b.bind(x.BooleanTest.Arg)
		if err != nil {
			return nil, err
		}
		tests := map[pg.BoolTestType]string{
			pg.BoolTestType_IS_TRUE: "IS TRUE", pg.BoolTestType_IS_NOT_TRUE: "IS NOT TRUE",
			pg.BoolTestType_IS_FALSE: "IS FALSE", pg.BoolTestType_IS_NOT_FALSE: "IS NOT FALSE",
			pg.BoolTestType_IS_UNKNOWN: "IS UNKNOWN", pg.BoolTestType_IS_NOT_UNKNOWN: "IS NOT UNKNOWN",
		}
		e, err := expr.BoolTest(arg, tests[x.BooleanTest.Booltesttype])
		if err != nil {
			return nil, b.errAt(asCoded(err), x.BooleanTest.Location)
		}
		return e, nil
	case *pg.Node_CaseExpr:
		return b.bindCase(x.CaseExpr)
	case *pg.Node_CoalesceExpr:
		return b.bindListInto(x.CoalesceExpr.Args, x.CoalesceExpr.Location, expr.Coalesce)
	case *pg.Node_MinMaxExpr:
		build := expr.Greatest
		if x.MinMaxExpr.Op == pg.MinMaxOp_IS_LEAST {
			build = expr.Least
		}
		return b.bindListInto(x.MinMaxExpr.Args, x.MinMaxExpr.Location, build)
	case *pg.Node_SqlvalueFunction:
		return b.bindSQLValueFunction(x.SqlvalueFunction)
	case *pg.Node_AArrayExpr:
		return b.bindListInto(x.AArrayExpr.Elements, x.AArrayExpr.Location, func(elems []expr.Expr) (expr.Expr, error) {
			return expr.ArrayLiteral(elems, sqltypes.Unknown)
		})
	case *pg.Node_AIndirection:
		return b.bindIndirection(x.AIndirection) // record.go
	case *pg.Node_RowExpr:
		return b.bindRow(x.RowExpr) // record.go
	case *pg.Node_CollateClause:
		return b.bind(x.CollateClause.Arg)
	case *pg.Node_GroupingFunc:
		return b.bindGroupingFunc(x.GroupingFunc) // grouping.go
	case *pg.Node_SubLink:
		return b.bindSubLink(x.SubLink) // subquery.go
	case *pg.Node_AStar:
		return nil, sqlstate.New(sqlstate.SyntaxError, "\"*\" is not allowed here")
	}
	return nil, sqlstate.New(sqlstate.FeatureNotSupported, "expression %s is not supported", nodeName(n))
}

func nodeName(n *pg.Node) string {
	s := fmt.Sprintf("%T", n.Node)
	s = strings.TrimPrefix(s, "*pg_query.Node_")
	return strings.ToLower(s)
}

func (b *binder) bindList(ns []*pg.Node) ([]expr.Expr, error) {
	out := make([]expr.Expr, 0, len(ns))
	for _, n := range ns {
		e, err := b.bind(n)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func (b *binder) bindConst(c *pg.A_Const) (expr.Expr, error) {
	if c.Isnull {
		return expr.NewConst(nil, sqltypes.Unknown), nil
	}
	switch v := c.Val.(type) {
	case *pg.A_Const_Ival:
		return expr.NewConst(int64(v.Ival.Ival), sqltypes.Int4), nil
	case *pg.A_Const_Fval:
		s := v.Fval.Fval
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return expr.NewConst(i, sqltypes.Int8), nil
		}
		n, err := sqltypes.ParseText(s, sqltypes.Numeric, nil)
		if err != nil {
			return nil, b.errAt(asCoded(err), c.Location)
		}
		return expr.NewConst(n, sqltypes.Numeric), nil
	case *pg.A_Const_Sval:
		return expr.NewConst(v.Sval.Sval, sqltypes.Unknown), nil
	case *pg.A_Const_Boolval:
		return expr.NewConst(v.Boolval.Boolval, sqltypes.Bool), nil
	}
	return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "bit string constants are not supported"), c.Location)
}

func (b *binder) bindParam(p *pg.ParamRef) (expr.Expr, error) {
	n := int(p.Number)
	if n < 1 || n > 65535 {
		return nil, b.errAt(sqlstate.New(sqlstate.UndefinedParameter, "there is no parameter $%d", n), p.Location)
	}
	for len(b.params) < n {
		b.params = append(b.params, sqltypes.Unknown)
	}
	return &expr.ParamRef{N: n, T: b.params[n-1]}, nil
}

func columnRefName(cr *pg.ColumnRef) string {
	parts := make([]string, 0, len(cr.Fields))
	for _, f := range cr.Fields {
		if s := f.GetString_(); s != nil {
			parts = append(parts, s.Sval)
		} else {
			parts = append(parts, "*")
		}
	}
	return strings.Join(parts, ".")
}

// resolve finds a column by optional qualifier and name, across every table of the FROM clause.
func (b *binder) resolve(qual, name string, loc int32) (int, error) {
	if b.scope == nil || len(b.scope.cols) == 0 {
		if qual != "" {
			return -1, b.errAt(sqlstate.New(sqlstate.UndefinedTable, "missing FROM-clause entry for table %q", qual), loc)
		}
		return -1, b.errAt(sqlstate.New(sqlstate.UndefinedColumn, "column %q does not exist", name), loc)
	}
	if qual != "" && !b.seesAlias(qual) {
		e := sqlstate.New(sqlstate.UndefinedTable, "missing FROM-clause entry for table %q", qual)
		if b.scope.hasAlias(qual) {
			e = sqlstate.New(sqlstate.UndefinedTable, "invalid reference to FROM-clause entry for table %q", qual).
				WithHint("There is an entry for table %q, but it cannot be referenced from this part of the query.", qual)
			return -1, b.errAt(e, loc)
		}
		for _, it := range b.scope.items {
			if it.table != nil && qual == it.table.Name {
				e = sqlstate.New(sqlstate.UndefinedTable, "invalid reference to FROM-clause entry for table %q", qual).
					WithHint("Perhaps you meant to reference the table alias %q.", it.alias)
			}
		}
		return -1, b.errAt(e, loc)
	}
	found := -1
	for i, c := range b.scope.cols {
		if c.name == name && (qual == "" && !c.merged || qual != "" && c.table == qual) && b.sees(i) {
			if found >= 0 {
				return -1, b.errAt(sqlstate.New(sqlstate.AmbiguousColumn, "column reference %q is ambiguous", name), loc)
			}
			found = i
		}
	}
	if found < 0 {
		full := name
		if qual != "" {
			full = qual + "." + name
		}
		e := sqlstate.New(sqlstate.UndefinedColumn, "column %q does not exist", full)
		var names []string
		var idx []int
		for i, c := range b.scope.cols {
			if qual != "" && c.table != qual {
				continue
			}
			names, idx = append(names, c.name), append(idx, i)
		}
		if near := sqlstate.Closest(name, names, max(2, len(name)/3)); len(near) > 0 {
			best := b.scope.cols[idx[slices.Index(names, near[0])]]
			e = e.WithHint("Perhaps you meant to reference the column \"%s.%s\".", best.table, best.name)
		}
		return -1, b.errAt(e, loc)
	}
	if b.usedCols != nil {
		b.usedCols[found] = true
	}
	return found, nil
}

func (b *binder) scopeNames() []string {
	out := make([]string, len(b.scope.cols))
	for i, c := range b.scope.cols {
		out[i] = c.name
	}
	return out
}

func (b *binder) bindColumnRef(cr *pg.ColumnRef) (expr.Expr, error) {
	var parts []string
	for _, f := range cr.Fields {
		s := f.GetString_()
		if s == nil {
			return nil, b.errAt(sqlstate.New(sqlstate.SyntaxError, "\"*\" is not allowed here"), cr.Location)
		}
		parts = append(parts, s.Sval)
	}
	var qual, name string
	switch len(parts) {
	case 1:
		name = parts[0]
	case 2:
		qual, name = parts[0], parts[1]
	case 3:
		qual, name = parts[1], parts[2]
	default:
		return nil, b.errAt(sqlstate.New(sqlstate.SyntaxError, "improper qualified name (too many dotted names): %s", strings.Join(parts, ".")), cr.Location)
	}
	i, err := b.resolve(qual, name, cr.Location)
	if err != nil && name == "tableoid" {
		if e := b.tableOID(qual); e != nil {
			return e, nil
		}
	}
	if err != nil {
		if b.corr != nil { // an outer reference of a subquery (subquery.go)
			if e, oerr := b.corr.lookup(cr, qual, name); e != nil || oerr != nil {
				return e, oerr
			}
		}
		return nil, err
	}
	c := b.scope.cols[i]
	return &expr.ColumnRef{Index: i, T: c.typ, Name: c.name}, nil
}

// tableOID is the system column tableoid of the table named qual (or of the only table in FROM):
// the table's OID, a constant here since a table is never inherited. psql's \dd and \dL read it
// from catalog tables. It is nil when qual names no table with an OID.
func (b *binder) tableOID(qual string) expr.Expr {
	if b.scope == nil {
		return nil
	}
	var oid uint32
	for _, it := range b.scope.items {
		if it.table == nil || qual != "" && it.alias != qual {
			continue
		}
		if qual == "" && oid != 0 {
			return nil // ambiguous without a qualifier
		}
		oid = it.table.OID
	}
	if oid == 0 {
		return nil
	}
	return &expr.Const{Value: int64(oid), T: sqltypes.OID}
}

// wrongObjectType is PostgreSQL's 42809, which package sqlstate does not name.
const wrongObjectType = "42809"

func (b *binder) bindAExpr(a *pg.A_Expr) (expr.Expr, error) {
	op := ""
	if len(a.Name) > 0 {
		if s := a.Name[len(a.Name)-1].GetString_(); s != nil {
			op = s.Sval
		}
	}
	wrap := func(e expr.Expr, err error) (expr.Expr, error) {
		if err != nil {
			return nil, b.errAt(asCoded(err), a.Location)
		}
		return e, nil
	}
	switch a.Kind {
	case pg.A_Expr_Kind_AEXPR_OP, pg.A_Expr_Kind_AEXPR_LIKE, pg.A_Expr_Kind_AEXPR_ILIKE:
		if a.Lexpr == nil {
			r, err := b.bind(a.Rexpr)
			if err != nil {
				return nil, err
			}
			return wrap(expr.Operator(op, r))
		}
		l, r, err := b.bindOperands(a)
		if err != nil {
			return nil, err
		}
		if fn := bitwiseFunc(op, l.Type(), r.Type()); fn != "" {
			return wrap(expr.Call(fn, []expr.Expr{l, r}))
		}
		return wrap(expr.Operator(op, l, r))
	case pg.A_Expr_Kind_AEXPR_DISTINCT, pg.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		l, r, err := b.bindOperands(a)
		if err != nil {
			return nil, err
		}
		return wrap(expr.IsDistinctFrom(l, r, a.Kind == pg.A_Expr_Kind_AEXPR_NOT_DISTINCT))
	case pg.A_Expr_Kind_AEXPR_NULLIF:
		l, r, err := b.bindOperands(a)
		if err != nil {
			return nil, err
		}
		return wrap(expr.NullIf(l, r))
	case pg.A_Expr_Kind_AEXPR_IN:
		l, err := b.bind(a.Lexpr)
		if err != nil {
			return nil, err
		}
		items := a.Rexpr.GetList()
		if items == nil {
			return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "IN with a subquery is not supported"), a.Location)
		}
		list, err := b.bindList(items.Items)
		if err != nil {
			return nil, err
		}
		return wrap(expr.In(l, list, op == "<>"))
	case pg.A_Expr_Kind_AEXPR_BETWEEN, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN, pg.A_Expr_Kind_AEXPR_BETWEEN_SYM, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		l, err := b.bind(a.Lexpr)
		if err != nil {
			return nil, err
		}
		items := a.Rexpr.GetList()
		if items == nil || len(items.Items) != 2 {
			return nil, b.errAt(sqlstate.New(sqlstate.SyntaxError, "malformed BETWEEN"), a.Location)
		}
		bounds, err := b.bindList(items.Items)
		if err != nil {
			return nil, err
		}
		if a.Kind == pg.A_Expr_Kind_AEXPR_BETWEEN {
			// PostgreSQL rewrites x BETWEEN a AND b to x >= a AND x <= b; so do we, so that the
			// two bounds reach pushdown as an ordinary range.
			ge, err := expr.Operator(">=", l, bounds[0])
			if err != nil {
				return wrap(nil, err)
			}
			le, err := expr.Operator("<=", l, bounds[1])
			if err != nil {
				return wrap(nil, err)
			}
			return expr.And(ge, le), nil
		}
		neg := a.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN || a.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM
		sym := a.Kind == pg.A_Expr_Kind_AEXPR_BETWEEN_SYM || a.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM
		return wrap(expr.Between(l, bounds[0], bounds[1], neg, sym))
	case pg.A_Expr_Kind_AEXPR_OP_ANY, pg.A_Expr_Kind_AEXPR_OP_ALL:
		if a.Rexpr.GetSubLink() != nil {
			return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "subqueries are not supported"), a.Location)
		}
		l, r, err := b.bindOperands(a)
		if err != nil {
			return nil, err
		}
		return wrap(expr.AnyAll(op, l, r, a.Kind == pg.A_Expr_Kind_AEXPR_OP_ALL))
	}
	if a.Kind == pg.A_Expr_Kind_AEXPR_SIMILAR {
		return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "SIMILAR TO is not supported").
			WithHint("use LIKE, or ~ with a POSIX regular expression"), a.Location)
	}
	return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "this operator form is not supported"), a.Location)
}

func funcName(fc *pg.FuncCall) string {
	var parts []string
	for _, n := range fc.Funcname {
		if s := n.GetString_(); s != nil {
			parts = append(parts, s.Sval)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.ToLower(parts[len(parts)-1])
}

func isAggCall(fc *pg.FuncCall) bool {
	return fc.Over == nil && expr.IsAggregate(funcName(fc))
}

func (b *binder) bindFuncCall(fc *pg.FuncCall) (expr.Expr, error) {
	name := funcName(fc)
	if fc.Over != nil {
		return b.bindWindowCall(fc) // window.go
	}
	if expr.IsAggregate(name) {
		return b.bindAggCall(fc)
	}
	if fc.AggStar || fc.AggDistinct || fc.AggFilter != nil {
		return nil, b.errAt(sqlstate.New(wrongObjectType, "%s is not an aggregate function", name), fc.Location)
	}
	if isSetFunction(name) { // one left where selectSRFsAsFrom does not reach (record_srf.go)
		return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "set-returning functions are not allowed in %s", b.clauseName()), fc.Location)
	}
	args, names, err := b.bindCallArgs(fc.Args) // namedargs.go
	if err != nil {
		return nil, err
	}
	e, err := expr.CallNamed(name, args, names)
	if err != nil {
		return nil, b.errAt(asCoded(err), fc.Location)
	}
	return e, nil
}

func (b *binder) bindCase(c *pg.CaseExpr) (expr.Expr, error) {
	var operand expr.Expr
	var err error
	if c.Arg != nil {
		if operand, err = b.bind(c.Arg); err != nil {
			return nil, err
		}
	}
	var whens [][2]expr.Expr
	for _, w := range c.Args {
		cw := w.GetCaseWhen()
		if cw == nil {
			continue
		}
		cond, err := b.bind(cw.Expr)
		if err != nil {
			return nil, err
		}
		res, err := b.bind(cw.Result)
		if err != nil {
			return nil, err
		}
		whens = append(whens, [2]expr.Expr{cond, res})
	}
	var els expr.Expr
	if c.Defresult != nil {
		if els, err = b.bind(c.Defresult); err != nil {
			return nil, err
		}
	}
	e, err := expr.Case(operand, whens, els)
	if err != nil {
		return nil, b.errAt(asCoded(err), c.Location)
	}
	return e, nil
}

func (b *binder) bindSQLValueFunction(f *pg.SQLValueFunction) (expr.Expr, error) {
	name := ""
	switch f.Op {
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
		name = "current_date"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
		name = "now"
	case pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		name = "localtimestamp"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_USER, pg.SQLValueFunctionOp_SVFOP_USER, pg.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:
		name = "current_user"
	case pg.SQLValueFunctionOp_SVFOP_SESSION_USER:
		name = "session_user"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
		name = "current_database"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
		name = "current_schema"
	default:
		return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "%s is not supported", strings.ToLower(strings.TrimPrefix(f.Op.String(), "SVFOP_"))), f.Location)
	}
	e, err := expr.Call(name, nil)
	if err != nil {
		return nil, b.errAt(asCoded(err), f.Location)
	}
	return e, nil
}

// typeFromName reads a TypeName node ("pg_catalog.int4", "text[]", "timestamp with time zone").
func typeFromName(tn *pg.TypeName) (sqltypes.Type, error) {
	var parts []string
	for _, n := range tn.Names {
		if s := n.GetString_(); s != nil {
			parts = append(parts, s.Sval)
		}
	}
	if len(parts) == 0 {
		return 0, sqlstate.New(sqlstate.SyntaxError, "missing type name")
	}
	name := parts[len(parts)-1]
	switch name {
	case "timestamptz":
	case "bpchar":
		name = "text"
	}
	if len(tn.ArrayBounds) > 0 {
		name += "[]"
	}
	return expr.TypeByName(name)
}

// containsAgg reports whether the tree under n calls an aggregate function (outside subqueries).
func containsAgg(n *pg.Node) bool {
	return containsNode(n, func(m proto.Message) bool {
		fc, ok := m.(*pg.FuncCall)
		return ok && isAggCall(fc)
	})
}

// closest returns the candidate nearest to name by edit distance, or "" when none is near enough
// to be a plausible typo (or the nearest is name itself).
func closest(name string, candidates []string) string {
	near := sqlstate.Closest(name, candidates, max(2, len(name)/3))
	if len(near) == 0 || near[0] == name {
		return ""
	}
	return near[0]
}

// adoptParamTypes records the parameter types a nested planning (a subquery, CTE, set-operation
// branch or derived table) inferred, where the statement has not typed that parameter yet, so
// $n used only inside the nested query is still typed for Describe.
func (b *binder) adoptParamTypes(types []sqltypes.Type) {
	for i, t := range types {
		for len(b.params) <= i {
			b.params = append(b.params, sqltypes.Unknown)
		}
		if b.params[i] == sqltypes.Unknown || b.params[i] == 0 {
			b.params[i] = t
		}
	}
}

// aliasColumns renames cols by the column list of FROM … AS alias(c1, c2, …), leaving columns
// past the list as they are and cols itself untouched. A list longer than cols is 42P10, as in
// PostgreSQL, because the extra names would silently name nothing.
func aliasColumns(a *pg.Alias, cols []Column) ([]Column, error) {
	if len(a.Colnames) > len(cols) {
		return nil, sqlstate.New(sqlstate.InvalidColumnReference, "table %q has %d columns available but %d columns specified", a.Aliasname, len(cols), len(a.Colnames))
	}
	out := append([]Column(nil), cols...)
	for i, cn := range a.Colnames {
		out[i].Name = cn.GetString_().GetSval()
	}
	return out, nil
}

// bindListInto binds the arguments of a variadic construct (COALESCE, GREATEST, LEAST, ARRAY[…])
// and builds it with build; an error from build, such as arguments of no common type, points at
// the construct's location loc.
func (b *binder) bindListInto(nodes []*pg.Node, loc int32, build func([]expr.Expr) (expr.Expr, error)) (expr.Expr, error) {
	args, err := b.bindList(nodes)
	if err != nil {
		return nil, err
	}
	e, err := build(args)
	if err != nil {
		return nil, b.errAt(asCoded(err), loc)
	}
	return e, nil
}

// bitwiseFunc names the function (int2and … int8xor, registered by package catalog) that
// computes the integer operator &, | or # on operands of types l and r: the wider of the two
// integer types, an unknown literal taking the other's. It returns "" for anything else.
func bitwiseFunc(op string, l, r sqltypes.Type) string {
	names := map[string]string{"&": "and", "|": "or", "#": "xor"}
	suffix, ok := names[op]
	if !ok {
		return ""
	}
	rank := map[sqltypes.Type]int{sqltypes.Int2: 1, sqltypes.Int4: 2, sqltypes.Int8: 3}
	if l == sqltypes.Unknown {
		l = r
	}
	if r == sqltypes.Unknown {
		r = l
	}
	if rank[l] == 0 || rank[r] == 0 {
		return ""
	}
	t := l
	if rank[r] > rank[l] {
		t = r
	}
	name := sqltypes.Typname(t) + suffix
	if _, ok := expr.LookupFunction(name); !ok {
		return ""
	}
	return name
}

// bindOperands binds both sides of a binary expression, left first so errors point at the first
// bad operand.
func (b *binder) bindOperands(a *pg.A_Expr) (l, r expr.Expr, err error) {
	if l, err = b.bind(a.Lexpr); err != nil {
		return nil, nil, err
	}
	if r, err = b.bind(a.Rexpr); err != nil {
		return nil, nil, err
	}
	return l, r, nil
}
