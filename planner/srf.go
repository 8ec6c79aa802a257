package planner

import (
	"math"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// A set-returning function in FROM (generate_series) becomes a SeriesScan: a leaf node that
// computes its rows in process, added to the FROM clause's scope like a derived table so that it
// joins, filters and groups like any other source.

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

// addFunctionFrom adds generate_series(…) [AS alias[(column)]] to the FROM clause.
func (pl *planCtx) addFunctionFrom(b *binder, rf *pg.RangeFunction, steps *[]joinStep) error {
	if rf.Lateral || rf.IsRowsfrom || rf.Ordinality || len(rf.Functions) != 1 || len(rf.Coldeflist) > 0 {
		return sqlstate.New(sqlstate.FeatureNotSupported, "only a single generate_series(...) is supported as a function in FROM")
	}
	item := rf.Functions[0].GetList()
	if item == nil || len(item.Items) == 0 || item.Items[0].GetFuncCall() == nil {
		return sqlstate.New(sqlstate.FeatureNotSupported, "only generate_series(...) is supported as a function in FROM")
	}
	fc := item.Items[0].GetFuncCall()
	name := funcName(fc)
	if name != "generate_series" {
		return b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "function %s is not supported in FROM", name).
			WithHint("generate_series is the set-returning function stripesql supports in FROM"), fc.Location)
	}
	// The arguments see no columns of the FROM clause (no LATERAL).
	saved, savedClause := b.scope, b.clause
	b.scope, b.clause = &scope{}, "FROM"
	args, err := b.bindList(fc.Args)
	b.scope, b.clause = saved, savedClause
	if err != nil {
		return err
	}
	node, err := seriesScan(args)
	if err != nil {
		return b.errAt(asCoded(err), fc.Location)
	}
	if !pl.describe {
		node.Estimate.Rows = pl.seriesRows(node)
	}
	alias, col := "generate_series", "generate_series"
	if rf.Alias != nil {
		alias, col = rf.Alias.Aliasname, rf.Alias.Aliasname
		if len(rf.Alias.Colnames) > 1 {
			return sqlstate.New(sqlstate.InvalidColumnReference, "table %q has 1 columns available but %d columns specified", alias, len(rf.Alias.Colnames))
		}
		if len(rf.Alias.Colnames) == 1 {
			col = rf.Alias.Colnames[0].GetString_().GetSval()
		}
	}
	if err := b.scope.addDerived(alias, []Column{{Name: col, Type: node.T}}, node); err != nil {
		return err
	}
	*steps = append(*steps, joinStep{item: len(b.scope.items) - 1})
	return nil
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
