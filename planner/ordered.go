package planner

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
)

// Aggregates with an ORDER BY of their own: string_agg(x, ',' ORDER BY y) and array_agg(x ORDER BY
// y) sort their input, and the ordered-set aggregates percentile_cont, percentile_disc and mode
// read the values of WITHIN GROUP (ORDER BY x) in order.

// bindOrderedAgg binds an aggregate call that has AggOrder (inside the call or WITHIN GROUP). args
// are the bound direct arguments; the binder is already out of the aggregate context.
func (b *binder) bindOrderedAgg(fc *pg.FuncCall, name string, args []expr.Expr) (*expr.Agg, error) {
	var keys []expr.SortKey
	for _, o := range fc.AggOrder {
		sb := o.GetSortBy()
		if sb == nil {
			continue
		}
		if sb.SortbyDir == pg.SortByDir_SORTBY_USING {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "ORDER BY ... USING is not supported")
		}
		if containsAgg(sb.Node) {
			return nil, b.errAt(sqlstate.New(sqlstate.GroupingError, "aggregate function calls cannot be nested"), fc.Location)
		}
		e, err := b.bindNode(sb.Node)
		if err != nil {
			return nil, err
		}
		desc, nullsFirst := sortDirection(sb)
		keys = append(keys, expr.SortKey{Expr: e, Desc: desc, NullsFirst: nullsFirst})
	}
	if fc.AggWithinGroup {
		if len(keys) != 1 {
			return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "WITHIN GROUP needs exactly one ORDER BY key"), fc.Location)
		}
		if fc.AggDistinct {
			return nil, b.errAt(sqlstate.New(sqlstate.SyntaxError, "cannot use DISTINCT with WITHIN GROUP"), fc.Location)
		}
		ag, err := expr.OrderedSetAggregate(name, args, keys[0])
		if err != nil {
			return nil, b.errAt(asCoded(err), fc.Location)
		}
		return ag, nil
	}
	if expr.IsOrderedSetAggregate(name) {
		return nil, b.errAt(sqlstate.New(wrongObjectType, "WITHIN GROUP is required for ordered-set aggregate %s", name), fc.Location)
	}
	ag, err := expr.Aggregate(name, args, fc.AggDistinct, fc.AggStar)
	if err != nil {
		return nil, b.errAt(asCoded(err), fc.Location)
	}
	if fc.AggDistinct {
		// PostgreSQL: with DISTINCT, ORDER BY expressions must appear in the argument list.
		for _, k := range keys {
			if len(args) == 0 || exprKey(k.Expr) != exprKey(args[0]) {
				return nil, b.errAt(sqlstate.New(sqlstate.InvalidColumnReference, "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list"), fc.Location)
			}
		}
	}
	ag.OrderBy = keys
	return ag, nil
}

// orderKey extends an aggregate's identity with its ORDER BY, so string_agg(x, ',' ORDER BY x)
// and string_agg(x, ',') are computed separately.
func orderKey(ag *expr.Agg, withinGroup bool) string {
	if len(ag.OrderBy) == 0 {
		return ""
	}
	var sb strings.Builder
	if withinGroup {
		sb.WriteString(" WITHIN GROUP")
	}
	for _, k := range ag.OrderBy {
		fmt.Fprintf(&sb, " ORDER BY %s %v %v", exprKey(k.Expr), k.Desc, k.NullsFirst)
	}
	return sb.String()
}
