package planner

import (
	"math"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/expr"
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

// unnestScan resolves unnest's one signature, unnest(anyarray) → the element type.
// name is the function's name for the error.
func unnestScan(name string, args []expr.Expr) (*UnnestScan, error) {
	if len(args) != 1 || !sqltypes.IsArray(args[0].Type()) {
		return nil, expr.ErrNoFunction(name, argTypesOf(args))
	}
	return &UnnestScan{Func: "unnest", Arg: args[0], T: sqltypes.Elem(args[0].Type()), Estimate: Estimate{Rows: 100}}, nil
}

// fromFunctions are the set-returning functions stripesql runs in FROM (and, by srfTargetAsFrom,
// as the only item of a SELECT list without FROM).
// The set-returning functions of package expr (record_srf.go) run there too.
var fromFunctions = map[string]bool{"generate_series": true, "unnest": true, "pg_partition_ancestors": true}

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
	if !fromFunctions[name] {
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
