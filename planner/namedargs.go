package planner

import (
	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/expr"
)

// bindCallArgs binds a function call's arguments, keeping the names of named ones
// (make_interval(days => 3)): names[i] is "" for a positional argument, and nil when none is
// named, for expr.CallNamed.
func (b *binder) bindCallArgs(ns []*pg.Node) ([]expr.Expr, []string, error) {
	args := make([]expr.Expr, 0, len(ns))
	var names []string
	for i, n := range ns {
		na := n.GetNamedArgExpr()
		if na != nil {
			if names == nil {
				names = make([]string, len(ns))
			}
			names[i], n = na.Name, na.Arg
		}
		e, err := b.bind(n)
		if err != nil {
			return nil, nil, err
		}
		args = append(args, e)
	}
	return args, names, nil
}
