package planner

import (
	"math"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Lateral is a LATERAL subquery of a FROM clause as a scope item: it reads columns of the items
// before it, so it cannot be planned on its own; planJoins turns it into a LateralJoin.
type Lateral struct {
	Sub *Subquery
	Estimate
}

// Inputs implements Node.
func (n *Lateral) Inputs() []Node { return nil }

// LateralJoin joins each left row with the rows of a LATERAL subquery planned with that row's
// values as constants (so they are pushed to Stripe, like a lookup join); results are remembered
// per distinct set of outer values. Rows are the left row followed by the subquery's row; a LEFT
// lateral join emits unmatched left rows with NULLs on the right.
type LateralJoin struct {
	Left Node
	Sub  *Subquery
	// RightFilter is the condition on the subquery's row alone (its own columns from zero).
	RightFilter expr.Expr
	// Cond is the rest of the join condition, over the combined row.
	Cond        expr.Expr
	LeftJoin    bool
	RightOffset int
	Width       int
	Estimate
}

// Inputs implements Node.
func (n *LateralJoin) Inputs() []Node { return []Node{n.Left} }

func (n *LateralJoin) describe(sess *Session) (string, []string) {
	head := "Nested Loop Lateral"
	if n.LeftJoin {
		head += " Left"
	}
	var d []string
	if n.RightFilter != nil {
		d = append(d, "Subquery Filter: "+n.RightFilter.String())
	}
	if n.Cond != nil {
		d = append(d, "Join Filter: "+n.Cond.String())
	}
	return head + "  " + estText(n.Estimate, sess.Rate(), false), d
}

// instantiator returns Subquery.instantiate for sel planned under corr: a fresh planning with
// the outer values as constants.
func (pl *planCtx) instantiator(sel *pg.SelectStmt, corr *correlation, ctes []*CTE) func([]any) (*Planned, error) {
	names, types := corr.names, corr.types
	sess, st, args, now := pl.sess, pl.st, pl.args, pl.now
	return func(outer []any) (*Planned, error) {
		ip := &planCtx{sess: sess, st: st, args: args, now: now}
		ip.sub = &subState{replannable: true}
		c := &correlation{inst: true, names: names, types: types, values: outer}
		ib := &binder{sess: sess, sql: st.text, full: st.full, pl: ip, corr: c, ctes: ctes}
		q, err := ip.buildSelect(ib, sel)
		if err != nil {
			return nil, err
		}
		if len(ip.sub.initPlans) > 0 {
			ip.attachReplan(q, sel, c, ctes)
		}
		return q, nil
	}
}

// addLateral adds FROM LATERAL (SELECT …) alias: the subquery is planned with the items before it
// as its outer scope. One that reads none of them is an ordinary derived table.
func (pl *planCtx) addLateral(b *binder, rs *pg.RangeSubselect, sel *pg.SelectStmt, steps *[]joinStep) error {
	corr := &correlation{parent: b}
	sub := &planCtx{sess: pl.sess, st: pl.st, args: pl.args, describe: pl.describe, given: pl.given, now: pl.now, explaining: pl.explaining}
	sub.sub = &subState{}
	inner := &binder{sess: b.sess, sql: b.sql, full: b.full, params: append([]sqltypes.Type(nil), b.params...), pl: sub, corr: corr, ctes: b.ctes}
	p, err := sub.buildSelect(inner, sel)
	if err != nil {
		return err
	}
	b.adoptParamTypes(sub.types)
	alias := ""
	cols := p.Columns
	if rs.Alias != nil {
		alias = rs.Alias.Aliasname
		var err error
		if cols, err = aliasColumns(rs.Alias, cols); err != nil {
			return err
		}
	}
	var node Node = p.Root
	if len(corr.refs) > 0 {
		s := &Subquery{Kind: SubLateral, ID: int32(-1 - len(b.scope.items)), Plan: p, Outer: corr.refs}
		s.instantiate = pl.instantiator(sel, corr, b.ctes)
		node = &Lateral{Sub: s, Estimate: p.Estimate}
	}
	if err := b.scope.addDerived(alias, cols, node); err != nil {
		return err
	}
	*steps = append(*steps, joinStep{item: len(b.scope.items) - 1})
	return nil
}

// markLateralRefs records the columns LATERAL subqueries read from the items before them as
// used, so those items' scans convert them.
func (b *binder) markLateralRefs() {
	for _, it := range b.scope.items {
		if l, ok := it.node.(*Lateral); ok {
			for _, o := range l.Sub.Outer {
				expr.Walk(o, func(x expr.Expr) bool {
					if cr, ok := x.(*expr.ColumnRef); ok {
						b.usedCols[cr.Index] = true
					}
					return true
				})
			}
		}
	}
}

// lateralJoin joins root with a LATERAL item; own is the item's own condition (its columns from
// zero) and rest the conditions over the combined row.
func (pl *planCtx) lateralJoin(root Node, l *Lateral, own expr.Expr, rest []expr.Expr, left bool, offset, width int) Node {
	j := &LateralJoin{Left: root, Sub: l.Sub, RightFilter: own, LeftJoin: left, RightOffset: offset, Width: width}
	if len(rest) > 0 {
		j.Cond = expr.And(rest...)
	}
	le, re := root.Est(), l.Sub.Plan.Estimate
	loops := math.Max(1, le.Rows)
	j.Estimate = Estimate{Requests: le.Requests + loops*re.Requests, Rows: loops * math.Max(1, re.Rows)}
	j.Seconds = j.Requests / pl.sess.Rate()
	return j
}
