package planner

import (
	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// planDerived plans a subquery of the FROM clause on its own, with the statement's parameters,
// CTEs and init plans (subquery.go); parameter types it infers become known to the outer query.
func (pl *planCtx) planDerived(b *binder, sel *pg.SelectStmt) (*Planned, error) {
	inner := &binder{sess: b.sess, sql: b.sql, full: b.full, params: append([]sqltypes.Type(nil), b.params...), ctes: b.ctes}
	sub := &planCtx{sess: pl.sess, st: pl.st, args: pl.args, describe: pl.describe, given: pl.given, now: pl.now, sub: pl.subs()}
	ip, err := sub.buildSelect(inner, sel)
	if err != nil {
		return nil, err
	}
	b.adoptParamTypes(sub.types)
	return ip, nil
}

// addNestedJoin adds a join nested on the right of an outer join, such as the parenthesised
// part of `a LEFT JOIN (b JOIN c ON …) ON …`. The left-deep join order cannot express it (the
// nested join must happen before its rows meet a), so it is planned on its own, as a subquery
// selecting every column of its tables, and enters the scope as one item whose columns keep their
// tables' names: the ON clause and the rest of the query read b.x and c.y as written. Conditions
// outside it are not pushed into its scans.
func (pl *planCtx) addNestedJoin(b *binder, n *pg.Node, steps *[]joinStep) error {
	// Learn the nested join's columns by adding its tables to a scratch scope.
	probe := &binder{sess: b.sess, sql: b.sql, full: b.full, params: append([]sqltypes.Type(nil), b.params...), ctes: b.ctes, scope: &scope{}}
	if err := pl.addFrom(probe, n, new([]joinStep)); err != nil {
		return err
	}
	var targets []*pg.Node
	var cols []scopeCol
	for _, c := range probe.scope.cols {
		if c.filterOnly {
			continue // readable only under an equality on the table itself
		}
		if c.table == "" {
			return sqlstate.New(sqlstate.FeatureNotSupported, "a subquery in a nested join needs an alias")
		}
		ref := pg.MakeColumnRefNode([]*pg.Node{pg.MakeStrNode(c.table), pg.MakeStrNode(c.name)}, -1)
		targets = append(targets, pg.MakeResTargetNodeWithVal(ref, -1))
		cols = append(cols, c)
	}
	ip, err := pl.planDerived(b, &pg.SelectStmt{TargetList: targets, FromClause: []*pg.Node{n}})
	if err != nil {
		return err
	}
	var tables []string
	for _, it := range probe.scope.items {
		if it.alias != "" {
			tables = append(tables, it.alias)
		}
	}
	for _, t := range tables {
		if b.scope.hasAlias(t) {
			return sqlstate.New("42712", "table name %q specified more than once", t)
		}
	}
	b.scope.items = append(b.scope.items, scopeItem{offset: len(b.scope.cols), ncols: len(cols), node: ip.Root, joined: tables})
	for i, c := range cols {
		c.typ = ip.Columns[i].Type
		b.scope.cols = append(b.scope.cols, c)
	}
	*steps = append(*steps, joinStep{item: len(b.scope.items) - 1})
	return nil
}
