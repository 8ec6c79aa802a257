package planner

import (
	"math"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"google.golang.org/protobuf/proto"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// A set-returning function in FROM becomes a leaf node that computes its rows in process
// (generate_series a SeriesScan, unnest an UnnestScan), added to the FROM clause's scope like a
// derived table so that it joins, filters and groups like any other source.

// SeriesScan emits Start, Start+Step, … while the value has not passed Stop (in the direction of
// the step): generate_series over integers, numerics and timestamps. Next computes the value after
// the one in column 0 of the row it is evaluated on.
type SeriesScan struct {
	Start, Stop, Step expr.Expr
	Next              expr.Expr
	T                 sqltypes.Type
	Estimate
}

// Inputs implements Node.
func (n *SeriesScan) Inputs() []Node { return nil }

// describe renders the node for EXPLAIN.
func (n *SeriesScan) describe(sess *Session) (string, []string) {
	return "Function Scan on generate_series  " + estText(n.Estimate, sess.Rate(), false),
		[]string{"Series: " + n.Start.String() + " to " + n.Stop.String() + " by " + n.Step.String()}
}

// UnnestScan emits the elements of one array in order (unnest(anyarray)); with WITH ORDINALITY a
// second bigint column numbers them from 1. psql's \d+ reads pg_class.reloptions this way, so
// the argument may be an outer reference of a correlated subquery.
type UnnestScan struct {
	// Func is unnest, or pg_partition_ancestors: Arg is then a regclass and the scan is empty.
	Func       string
	Arg        expr.Expr
	T          sqltypes.Type // the element type
	Ordinality bool
	Estimate
}

// Inputs implements Node.
func (n *UnnestScan) Inputs() []Node { return nil }

// describe renders the node for EXPLAIN.
func (n *UnnestScan) describe(sess *Session) (string, []string) {
	return "Function Scan on " + n.Func + "  " + estText(n.Estimate, sess.Rate(), false),
		[]string{"Array: " + n.Arg.String()}
}

// addFunctionFrom adds generate_series(…) or unnest(…) [WITH ORDINALITY] [AS alias[(columns)]] to
// the FROM clause.
func (pl *planCtx) addFunctionFrom(b *binder, rf *pg.RangeFunction, steps *[]joinStep) error {
	if rf.Lateral || rf.IsRowsfrom || len(rf.Functions) != 1 || len(rf.Coldeflist) > 0 {
		return sqlstate.New(sqlstate.FeatureNotSupported, "only a single generate_series(...) or unnest(...) is supported as a function in FROM")
	}
	item := rf.Functions[0].GetList()
	if item == nil || len(item.Items) == 0 || item.Items[0].GetFuncCall() == nil {
		return sqlstate.New(sqlstate.FeatureNotSupported, "only generate_series(...) and unnest(...) are supported as functions in FROM")
	}
	fc := item.Items[0].GetFuncCall()
	name := funcName(fc)
	if !fromFunctions[name] {
		return b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "function %s is not supported in FROM", name).
			WithHint("generate_series and unnest are the set-returning functions stripesql supports in FROM"), fc.Location)
	}
	if rf.Ordinality && name == "generate_series" {
		return b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "WITH ORDINALITY is not supported for generate_series"), fc.Location)
	}
	// The arguments see no columns of the FROM clause (no LATERAL); a subquery's outer
	// references still resolve through b.corr.
	saved, savedClause := b.scope, b.clause
	b.scope, b.clause = &scope{}, "FROM"
	args, err := b.bindList(fc.Args)
	b.scope, b.clause = saved, savedClause
	if err != nil {
		return err
	}
	var node Node
	cols := []Column{{Name: name}}
	switch name {
	case "pg_partition_ancestors":
		u, err := partitionAncestors(args)
		if err != nil {
			return b.errAt(asCoded(err), fc.Location)
		}
		u.Ordinality = rf.Ordinality
		node, cols[0].Type = u, u.T
		if rf.Ordinality {
			cols = append(cols, Column{Name: "ordinality", Type: sqltypes.Int8})
		}
	case "unnest", "_pg_expandarray":
		u, err := unnestScan(name, args)
		if err != nil {
			return b.errAt(asCoded(err), fc.Location)
		}
		u.Ordinality = rf.Ordinality
		if !pl.describe && expr.IsConstant(u.Arg) {
			// a constant array's length is the exact row count
			if v, err := expr.Fold(u.Arg, pl.env()); err == nil {
				a, _ := v.(sqltypes.Array)
				u.Estimate.Rows = float64(len(a.Items))
			}
		}
		node, cols[0].Type = u, u.T
		if rf.Ordinality {
			cols = append(cols, Column{Name: "ordinality", Type: sqltypes.Int8})
		}
	default:
		g, err := seriesScan(args)
		if err != nil {
			return b.errAt(asCoded(err), fc.Location)
		}
		if !pl.describe {
			g.Estimate.Rows = pl.seriesRows(g)
		}
		node, cols[0].Type = g, g.T
	}
	alias := name
	if rf.Alias != nil {
		// A function returning one column names it after the alias unless a column list says otherwise.
		alias, cols[0].Name = rf.Alias.Aliasname, rf.Alias.Aliasname
		if len(rf.Alias.Colnames) > len(cols) {
			return sqlstate.New(sqlstate.InvalidColumnReference, "table %q has %d columns available but %d columns specified", alias, len(cols), len(rf.Alias.Colnames))
		}
		for i, c := range rf.Alias.Colnames {
			cols[i].Name = c.GetString_().GetSval()
		}
	}
	if err := b.scope.addDerived(alias, cols, node); err != nil {
		return err
	}
	*steps = append(*steps, joinStep{item: len(b.scope.items) - 1})
	return nil
}

// unnestScan resolves unnest's one signature, unnest(anyarray) → the element type.
// name is unnest, or _pg_expandarray (whose composite rows expandArrayTargets reads as unnest
// WITH ORDINALITY), for the error.
func unnestScan(name string, args []expr.Expr) (*UnnestScan, error) {
	if len(args) != 1 || !sqltypes.IsArray(args[0].Type()) {
		return nil, expr.ErrNoFunction(name, argTypesOf(args))
	}
	return &UnnestScan{Func: "unnest", Arg: args[0], T: sqltypes.Elem(args[0].Type()), Estimate: Estimate{Rows: 100}}, nil
}

// fromFunctions are the set-returning functions stripesql runs in FROM (and, by srfTargetAsFrom,
// as the only item of a SELECT list without FROM).
var fromFunctions = map[string]bool{"generate_series": true, "unnest": true, "pg_partition_ancestors": true, "_pg_expandarray": true}

// partitionAncestors resolves pg_partition_ancestors(regclass). PostgreSQL returns no rows for a
// relation that is neither a partition nor partitioned, and no stripesql table is either, so the
// scan is empty for every argument (exec still evaluates it, so a bad name is an error); psql's \d
// asks it for the tables a foreign key may reference.
func partitionAncestors(args []expr.Expr) (*UnnestScan, error) {
	if len(args) != 1 {
		return nil, expr.ErrNoFunction("pg_partition_ancestors", argTypesOf(args))
	}
	arg, err := castTo(args[0], sqltypes.Regclass)
	if err != nil {
		return nil, expr.ErrNoFunction("pg_partition_ancestors", argTypesOf(args))
	}
	return &UnnestScan{Func: "pg_partition_ancestors", Arg: arg, T: sqltypes.Regclass, Estimate: Estimate{Rows: 1}}, nil
}

// srfTargetAsFrom rewrites SELECT f(args) [AS name] (no FROM, f a function of fromFunctions) into
// SELECT f.name FROM f(args) AS f(name): a set-returning function alone in the select list
// returns one row per value, as in PostgreSQL. Other statements are returned unchanged.
func srfTargetAsFrom(sel *pg.SelectStmt) *pg.SelectStmt {
	if len(sel.FromClause) > 0 || len(sel.TargetList) != 1 || len(sel.GroupClause) > 0 || sel.HavingClause != nil ||
		len(sel.DistinctClause) > 0 || len(sel.WindowClause) > 0 {
		return sel
	}
	rt := sel.TargetList[0].GetResTarget()
	if rt == nil || rt.Val == nil {
		return sel
	}
	fc := rt.Val.GetFuncCall()
	if fc == nil || fc.AggStar || fc.AggDistinct || fc.Over != nil || len(fc.AggOrder) > 0 || fc.AggFilter != nil || fc.AggWithinGroup {
		return sel
	}
	name := funcName(fc)
	if !fromFunctions[name] || name == "_pg_expandarray" { // its rows are composite values
		return sel
	}
	col := name
	if rt.Name != "" {
		col = rt.Name
	}
	from := &pg.Node{Node: &pg.Node_RangeFunction{RangeFunction: &pg.RangeFunction{
		Functions: []*pg.Node{pg.MakeListNode([]*pg.Node{rt.Val})},
		Alias:     &pg.Alias{Aliasname: name, Colnames: []*pg.Node{pg.MakeStrNode(col)}},
	}}}
	ref := pg.MakeColumnRefNode([]*pg.Node{pg.MakeStrNode(name), pg.MakeStrNode(col)}, rt.Location)
	return &pg.SelectStmt{
		TargetList:  []*pg.Node{pg.MakeResTargetNodeWithNameAndVal(col, ref, rt.Location)},
		FromClause:  []*pg.Node{from},
		WhereClause: sel.WhereClause,
		SortClause:  sel.SortClause,
		LimitCount:  sel.LimitCount,
		LimitOffset: sel.LimitOffset,
		LimitOption: sel.LimitOption,
		Op:          sel.Op,
	}
}

// seriesScan resolves generate_series's signature: (int, int[, int]) → the wider integer type,
// (numeric, numeric[, numeric]) → numeric, (timestamptz, timestamptz, interval) → timestamptz and
// the same for timestamp.
func seriesScan(args []expr.Expr) (*SeriesScan, error) {
	noFunc := func() error { return expr.ErrNoFunction("generate_series", argTypesOf(args)) }
	if len(args) < 2 || len(args) > 3 {
		return nil, noFunc()
	}
	var t sqltypes.Type
	a, b := args[0].Type(), args[1].Type()
	isTime := func(x sqltypes.Type) bool {
		return x == sqltypes.Timestamptz || x == sqltypes.Timestamp || x == sqltypes.Date
	}
	switch {
	case isTime(a) || isTime(b) || len(args) == 3 && args[2].Type() == sqltypes.Interval:
		if len(args) != 3 {
			return nil, noFunc()
		}
		t = sqltypes.Timestamptz
		if a == sqltypes.Timestamp && (b == sqltypes.Timestamp || b == sqltypes.Unknown) {
			t = sqltypes.Timestamp
		}
	default:
		t = sqltypes.Int4
		for _, x := range args {
			switch x.Type() {
			case sqltypes.Int2, sqltypes.Int4, sqltypes.Unknown:
			case sqltypes.Int8:
				if t != sqltypes.Numeric {
					t = sqltypes.Int8
				}
			case sqltypes.Numeric:
				t = sqltypes.Numeric
			default:
				return nil, noFunc()
			}
		}
	}
	start, err := castTo(args[0], t)
	if err != nil {
		return nil, err
	}
	stop, err := castTo(args[1], t)
	if err != nil {
		return nil, err
	}
	var step expr.Expr = expr.NewConst(int64(1), sqltypes.Int4)
	if t == sqltypes.Numeric {
		step = expr.NewConst(sqltypes.DecimalFromInt(1), sqltypes.Numeric)
	}
	if len(args) == 3 {
		st := t
		if t == sqltypes.Timestamptz || t == sqltypes.Timestamp {
			st = sqltypes.Interval
		}
		if step, err = castTo(args[2], st); err != nil {
			return nil, err
		}
	} else if t == sqltypes.Int8 {
		step = expr.NewConst(int64(1), sqltypes.Int8)
	}
	next, err := expr.Operator("+", &expr.ColumnRef{Index: 0, T: t, Name: "generate_series"}, step)
	if err != nil {
		return nil, err
	}
	if next.Type() != t {
		if next, err = castTo(next, t); err != nil {
			return nil, err
		}
	}
	return &SeriesScan{Start: start, Stop: stop, Step: step, Next: next, T: t, Estimate: Estimate{Rows: 1000}}, nil
}

// seriesRows estimates the number of values from constant integer bounds (1000 otherwise).
func (pl *planCtx) seriesRows(n *SeriesScan) float64 {
	if !expr.IsConstant(n.Start) || !expr.IsConstant(n.Stop) || !expr.IsConstant(n.Step) {
		return 1000
	}
	env := pl.env()
	lo, err1 := expr.Fold(n.Start, env)
	hi, err2 := expr.Fold(n.Stop, env)
	st, err3 := expr.Fold(n.Step, env)
	if err1 != nil || err2 != nil || err3 != nil {
		return 1000
	}
	l, ok1 := lo.(int64)
	h, ok2 := hi.(int64)
	s, ok3 := st.(int64)
	if !ok1 || !ok2 || !ok3 || s == 0 {
		return 1000
	}
	return math.Max(0, math.Floor(float64(h-l)/float64(s))+1)
}

// expandarrayAlias names the LATERAL subquery expandArrayTargets adds to the FROM clause.
const expandarrayAlias = "_pg_expandarray"

// expandArrayTargets rewrites the select-list items (information_schema._pg_expandarray(arr)).x
// and .n of a query with FROM into columns of
//
//	LATERAL (SELECT u.x, u.n::int4 AS n FROM unnest(arr) WITH ORDINALITY AS u(x, n)) AS _pg_expandarray
//
// (with unnest named _pg_expandarray, for errors) appended to the FROM list: one row per array element, as the set-returning function yields
// them in PostgreSQL's select list. pgjdbc's getIndexInfo reads index key positions this way. Every
// call must take the same column (more would run in lockstep in PostgreSQL, not as a cross
// product); a bare call, which returns a composite value, is left alone and so stays an error.
// Other statements are returned unchanged; sel itself is never modified.
func expandArrayTargets(sel *pg.SelectStmt) *pg.SelectStmt {
	if len(sel.FromClause) == 0 {
		return sel
	}
	var arg *pg.ColumnRef
	var hits []int
	for i, t := range sel.TargetList {
		rt := t.GetResTarget()
		if rt == nil {
			continue
		}
		ind := rt.Val.GetAIndirection()
		if ind == nil || len(ind.Indirection) != 1 {
			continue
		}
		fc := ind.Arg.GetFuncCall()
		field := ind.Indirection[0].GetString_().GetSval()
		if fc == nil || funcName(fc) != "_pg_expandarray" || len(fc.Args) != 1 || field != "x" && field != "n" {
			continue
		}
		cr := fc.Args[0].GetColumnRef()
		if cr == nil {
			return sel
		}
		if arg != nil && columnRefText(arg) != columnRefText(cr) {
			return sel
		}
		arg = cr
		hits = append(hits, i)
	}
	if arg == nil {
		return sel
	}
	tree, err := pg.Parse("SELECT 1 FROM t, LATERAL (SELECT u.x, u.n::int4 AS n FROM information_schema._pg_expandarray(0) WITH ORDINALITY AS u(x, n)) AS " + expandarrayAlias)
	if err != nil || len(tree.Stmts) != 1 {
		return sel
	}
	lateral := tree.Stmts[0].Stmt.GetSelectStmt().FromClause[1]
	call := lateral.GetRangeSubselect().Subquery.GetSelectStmt().FromClause[0].GetRangeFunction().Functions[0].GetList().Items[0].GetFuncCall()
	call.Args[0] = &pg.Node{Node: &pg.Node_ColumnRef{ColumnRef: proto.Clone(arg).(*pg.ColumnRef)}}
	out := proto.Clone(sel).(*pg.SelectStmt)
	for _, i := range hits {
		rt := out.TargetList[i].GetResTarget()
		ind := rt.Val.GetAIndirection()
		field := ind.Indirection[0].GetString_().GetSval()
		if rt.Name == "" {
			rt.Name = field
		}
		rt.Val = pg.MakeColumnRefNode([]*pg.Node{pg.MakeStrNode(expandarrayAlias), pg.MakeStrNode(field)}, rt.Location)
	}
	out.FromClause = append(out.FromClause, lateral)
	return out
}

// columnRefText is a column reference as written, without its location, for comparing two.
func columnRefText(cr *pg.ColumnRef) string {
	var parts []string
	for _, f := range cr.Fields {
		if s := f.GetString_(); s != nil {
			parts = append(parts, s.Sval)
		} else {
			parts = append(parts, "*")
		}
	}
	return strings.Join(parts, ".")
}
