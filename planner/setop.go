package planner

import (
	"math"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// UNION, INTERSECT and EXCEPT plan each branch as its own query, cast the branches' columns to
// one type per column (PostgreSQL's UNION type resolution), and combine them in a SetOp node; the
// ORDER BY, LIMIT and OFFSET of the whole statement then apply to the combined rows.

// SetOp combines the rows of Left and Right. Op is "UNION", "INTERSECT" or "EXCEPT"; without All,
// duplicates are removed (NULLs compare equal, as in DISTINCT). UNION ALL streams; the others hold
// the distinct rows (UNION) or the right side's rows (INTERSECT, EXCEPT) in memory.
type SetOp struct {
	Op          string
	All         bool
	Left, Right Node
	Estimate
}

// Inputs implements Node.
func (n *SetOp) Inputs() []Node { return []Node{n.Left, n.Right} }

// describe renders the node for EXPLAIN.
func (n *SetOp) describe(sess *Session) (string, []string) {
	head := map[string]string{"INTERSECT": "HashSetOp Intersect", "EXCEPT": "HashSetOp Except"}[n.Op]
	if n.Op == "UNION" {
		head = "Append"
		if !n.All {
			head = "HashUnion"
		}
	}
	if n.All && n.Op != "UNION" {
		head += " All"
	}
	return head + "  " + estText(n.Estimate, sess.Rate(), false), nil
}

// buildSetOp plans a SELECT whose Op is a set operation.
func (pl *planCtx) buildSetOp(b *binder, sel *pg.SelectStmt) (*Planned, error) {
	if sel.WithClause != nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "WITH on a UNION, INTERSECT or EXCEPT is not supported")
	}
	if len(sel.LockingClause) > 0 {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "FOR UPDATE and FOR SHARE are not supported: stripe has no locks")
	}
	var op string
	switch sel.Op {
	case pg.SetOperation_SETOP_UNION:
		op = "UNION"
	case pg.SetOperation_SETOP_INTERSECT:
		op = "INTERSECT"
	case pg.SetOperation_SETOP_EXCEPT:
		op = "EXCEPT"
	default:
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "set operation %s is not supported", sel.Op.String())
	}
	left, err := pl.planBranch(b, sel.Larg)
	if err != nil {
		return nil, err
	}
	right, err := pl.planBranch(b, sel.Rarg)
	if err != nil {
		return nil, err
	}
	if len(left.Columns) != len(right.Columns) {
		return nil, sqlstate.New(sqlstate.SyntaxError, "each %s query must have the same number of columns", op)
	}
	cols := make([]Column, len(left.Columns))
	for i, lc := range left.Columns {
		rc := right.Columns[i]
		t := lc.Type
		if rc.Type != lc.Type {
			c, err := expr.Coalesce([]expr.Expr{&expr.ColumnRef{Index: i, T: lc.Type}, &expr.ColumnRef{Index: i, T: rc.Type}})
			if err != nil {
				return nil, sqlstate.New(sqlstate.DatatypeMismatch, "%s types %s and %s cannot be matched", op, sqltypes.FormatType(lc.Type), sqltypes.FormatType(rc.Type))
			}
			t = c.Type()
		}
		cols[i] = Column{Name: lc.Name, Type: t}
	}
	lroot, err := castBranch(left, cols)
	if err != nil {
		return nil, err
	}
	rroot, err := castBranch(right, cols)
	if err != nil {
		return nil, err
	}
	le, re := lroot.Est(), rroot.Est()
	est := Estimate{Requests: le.Requests + re.Requests, Seconds: le.Seconds + re.Seconds, Rows: le.Rows + re.Rows}
	switch {
	case op == "INTERSECT":
		est.Rows = math.Min(le.Rows, re.Rows)
	case op == "EXCEPT":
		est.Rows = le.Rows
	}
	var root Node = &SetOp{Op: op, All: sel.All, Left: lroot, Right: rroot, Estimate: est}
	if root, err = pl.orderLimitResult(b, sel, root, cols); err != nil {
		return nil, err
	}
	pl.types = append([]sqltypes.Type(nil), b.params...)
	p := &Planned{Kind: "SELECT", Tag: "SELECT", Columns: cols, Root: root, Params: pl.params, Now: pl.now}
	p.Estimate = root.Est()
	return p, nil
}

// orderLimitResult applies the ORDER BY, LIMIT and OFFSET of a set operation or a VALUES list to
// its combined rows: ORDER BY names or numbers result columns.
func (pl *planCtx) orderLimitResult(b *binder, sel *pg.SelectStmt, root Node, cols []Column) (Node, error) {
	var err error
	rs := &scope{}
	if err := rs.addDerived("", cols, nil); err != nil {
		return nil, err
	}
	ob := &binder{sess: b.sess, sql: b.sql, full: b.full, scope: rs, params: b.params, pl: b.pl, clause: "ORDER BY"}
	var keys []SortKey
	for _, s := range sel.SortClause {
		sb := s.GetSortBy()
		if sb == nil {
			continue
		}
		var e expr.Expr
		switch {
		case sb.Node.GetAConst() != nil && sb.Node.GetAConst().GetIval() != nil:
			k := int(sb.Node.GetAConst().GetIval().Ival)
			if k < 1 || k > len(cols) {
				return nil, ob.errAt(sqlstate.New(sqlstate.InvalidColumnReference, "ORDER BY position %d is not in select list", k), sb.Node.GetAConst().Location)
			}
			e = &expr.ColumnRef{Index: k - 1, T: cols[k-1].Type, Name: cols[k-1].Name}
		case sb.Node.GetColumnRef() != nil && len(sb.Node.GetColumnRef().Fields) == 1:
			if e, err = ob.bind(sb.Node); err != nil {
				return nil, err
			}
		default:
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "invalid UNION/INTERSECT/EXCEPT ORDER BY clause").
				WithDetail("Only result column names can be used, not expressions or functions.").
				WithHint("Add the expression/function to every SELECT, or move the UNION into a FROM clause.")
		}
		if sb.SortbyDir == pg.SortByDir_SORTBY_USING {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "ORDER BY ... USING is not supported")
		}
		desc, nullsFirst := sortDirection(sb)
		keys = append(keys, SortKey{Expr: e, Desc: desc, NullsFirst: nullsFirst})
	}
	if len(keys) > 0 {
		root = &Sort{Input: root, Keys: keys, Estimate: root.Est()}
	}
	count, offset, err := pl.setOpLimit(ob, sel)
	if err != nil {
		return nil, err
	}
	if count >= 0 || offset > 0 {
		rows := root.Est().Rows
		if count >= 0 {
			rows = math.Min(rows, float64(count))
		}
		root = &Limit{Input: root, Count: count, Offset: offset, Estimate: withRows(root.Est(), rows)}
	}
	return root, nil
}

// planBranch plans one side of a set operation as a query of its own.
func (pl *planCtx) planBranch(b *binder, sel *pg.SelectStmt) (*Planned, error) {
	if sel == nil {
		return nil, sqlstate.New(sqlstate.SyntaxError, "missing query in set operation")
	}
	sub := *pl
	sub.types = nil
	inner := &binder{sess: b.sess, sql: b.sql, full: b.full, params: append([]sqltypes.Type(nil), b.params...), pl: &sub, corr: b.corr, ctes: b.ctes}
	p, err := sub.buildSelect(inner, sel)
	if err != nil {
		return nil, err
	}
	// Parameter types a branch inferred become known to the statement.
	b.adoptParamTypes(sub.types)
	if sub.params != nil {
		pl.params = sub.params
	}
	if p.Root == nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "a set operation branch must be a query")
	}
	return p, nil
}

// castBranch casts a branch's columns to the set operation's column types.
func castBranch(p *Planned, cols []Column) (Node, error) {
	same := true
	exprs := make([]expr.Expr, len(cols))
	for i, c := range p.Columns {
		e := expr.Expr(&expr.ColumnRef{Index: i, T: c.Type, Name: c.Name})
		if c.Type != cols[i].Type {
			same = false
			ce, err := expr.Cast(e, cols[i].Type)
			if err != nil {
				return nil, asCoded(err)
			}
			e = ce
		}
		exprs[i] = e
	}
	if same {
		return p.Root, nil
	}
	return &Project{Input: p.Root, Exprs: exprs, Estimate: p.Root.Est()}, nil
}

// setOpLimit evaluates the LIMIT and OFFSET of a set operation (-1: no limit).
func (pl *planCtx) setOpLimit(b *binder, sel *pg.SelectStmt) (int64, int64, error) {
	if sel.LimitOption == pg.LimitOption_LIMIT_OPTION_WITH_TIES {
		return 0, 0, sqlstate.New(sqlstate.FeatureNotSupported, "FETCH ... WITH TIES is not supported")
	}
	b.scope = &scope{}
	eval := func(n *pg.Node, clause string) (int64, bool, error) {
		if n == nil {
			return 0, false, nil
		}
		b.clause = clause
		e, err := b.bind(n)
		if err != nil {
			return 0, false, err
		}
		if e, err = castTo(e, sqltypes.Int8); err != nil {
			return 0, false, err
		}
		if pl.describe {
			return 0, false, nil
		}
		return pl.foldRowCount(e, clause)
	}
	count, offset := int64(-1), int64(0)
	n, ok, err := eval(sel.LimitCount, "LIMIT")
	if err != nil {
		return 0, 0, err
	}
	if ok {
		count = n
	}
	if n, ok, err = eval(sel.LimitOffset, "OFFSET"); err != nil {
		return 0, 0, err
	}
	if ok {
		offset = n
	}
	return count, offset, nil
}
