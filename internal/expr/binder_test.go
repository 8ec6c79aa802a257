package expr

import (
	"fmt"
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// This file is a small test-only binder from PostgreSQL's parse tree to expr constructors, so the
// tests can state cases as SQL text and compare them with a real PostgreSQL. The real binder lives
// in the planner; this one covers only what the corpus uses.

// testCol is a column the test binder resolves by name.
type testCol struct {
	name string
	t    sqltypes.Type
}

type testBinder struct {
	cols []testCol
}

// bindSQL parses "SELECT <e>" and binds the single target expression.
func (b *testBinder) bindSQL(e string) (Expr, error) {
	res, err := pg.Parse("SELECT " + e)
	if err != nil {
		return nil, err
	}
	if len(res.Stmts) != 1 || res.Stmts[0].Stmt.GetSelectStmt() == nil {
		return nil, fmt.Errorf("not one SELECT: %s", e)
	}
	sel := res.Stmts[0].Stmt.GetSelectStmt()
	if len(sel.TargetList) == 0 || sel.TargetList[0].GetResTarget() == nil || sel.TargetList[0].GetResTarget().Val == nil {
		return nil, fmt.Errorf("no target: %s", e)
	}
	return b.bind(sel.TargetList[0].GetResTarget().Val)
}

// bindAggSQL parses "SELECT agg(...) [FILTER (WHERE ...)]" and binds an aggregate.
func (b *testBinder) bindAggSQL(e string) (*Agg, error) {
	res, err := pg.Parse("SELECT " + e)
	if err != nil {
		return nil, err
	}
	fc := res.Stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget().Val.GetFuncCall()
	if fc == nil {
		return nil, fmt.Errorf("not an aggregate call: %s", e)
	}
	args, err := b.bindList(fc.Args)
	if err != nil {
		return nil, err
	}
	a, err := Aggregate(nameOf(fc.Funcname), args, fc.AggDistinct, fc.AggStar)
	if err != nil {
		return nil, err
	}
	if fc.AggFilter != nil {
		f, err := b.bind(fc.AggFilter)
		if err != nil {
			return nil, err
		}
		if a.Filter, err = CheckBool(f, "FILTER"); err != nil {
			return nil, err
		}
	}
	for _, o := range fc.AggOrder {
		sb := o.GetSortBy()
		k, err := b.bind(sb.Node)
		if err != nil {
			return nil, err
		}
		desc := sb.SortbyDir == pg.SortByDir_SORTBY_DESC
		a.OrderBy = append(a.OrderBy, SortKey{Expr: k, Desc: desc, NullsFirst: desc})
	}
	return a, nil
}

func nameOf(ns []*pg.Node) string {
	parts := make([]string, 0, len(ns))
	for _, n := range ns {
		if n.GetString_() != nil {
			parts = append(parts, n.GetString_().Sval)
		}
	}
	if len(parts) > 1 && parts[0] == "pg_catalog" {
		parts = parts[1:]
	}
	return strings.Join(parts, ".")
}

func (b *testBinder) bindList(ns []*pg.Node) ([]Expr, error) {
	out := make([]Expr, 0, len(ns))
	for _, n := range ns {
		e, err := b.bind(n)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func typeNameOf(tn *pg.TypeName) string {
	s := nameOf(tn.Names)
	if s == "bpchar" && len(tn.Typmods) == 0 {
		s = "text"
	}
	if len(tn.Typmods) > 0 {
		var mods []string
		for _, m := range tn.Typmods {
			if c := m.GetAConst(); c != nil && c.GetIval() != nil {
				mods = append(mods, strconv.Itoa(int(c.GetIval().Ival)))
			}
		}
		s += "(" + strings.Join(mods, ",") + ")"
	}
	if len(tn.ArrayBounds) > 0 {
		s += "[]"
	}
	return s
}

func (b *testBinder) bind(n *pg.Node) (Expr, error) {
	if n == nil {
		return nil, fmt.Errorf("test binder: missing node")
	}
	switch {
	case n.GetAConst() != nil:
		c := n.GetAConst()
		switch {
		case c.Isnull:
			return NewConst(nil, sqltypes.Unknown), nil
		case c.GetIval() != nil:
			return NewConst(int64(c.GetIval().Ival), sqltypes.Int4), nil
		case c.GetFval() != nil:
			s := c.GetFval().Fval
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				// PostgreSQL's make_const: an integer literal that fits int4 is int4
				if i == int64(int32(i)) {
					return NewConst(i, sqltypes.Int4), nil
				}
				return NewConst(i, sqltypes.Int8), nil
			}
			d, ok := sqltypes.ParseDecimal(s)
			if !ok {
				return nil, fmt.Errorf("bad numeric literal %s", s)
			}
			return NewConst(d, sqltypes.Numeric), nil
		case c.GetBoolval() != nil:
			return NewConst(c.GetBoolval().Boolval, sqltypes.Bool), nil
		case c.GetSval() != nil:
			return NewConst(c.GetSval().Sval, sqltypes.Unknown), nil
		}
		return NewConst(int64(0), sqltypes.Int4), nil
	case n.GetColumnRef() != nil:
		f := n.GetColumnRef().Fields
		if len(f) == 0 || f[len(f)-1].GetString_() == nil {
			return nil, fmt.Errorf("test binder: unsupported column reference")
		}
		name := f[len(f)-1].GetString_().Sval
		for i, c := range b.cols {
			if c.name == name {
				return &ColumnRef{Index: i, T: c.t, Name: name}, nil
			}
		}
		return nil, fmt.Errorf("column %s does not exist", name)
	case n.GetParamRef() != nil:
		return &ParamRef{N: int(n.GetParamRef().Number), T: sqltypes.Unknown}, nil
	case n.GetTypeCast() != nil:
		tc := n.GetTypeCast()
		tname := typeNameOf(tc.TypeName)
		t, err := TypeByName(tname)
		if err != nil {
			return nil, err
		}
		if ae := tc.Arg.GetAArrayExpr(); ae != nil && sqltypes.Elem(t) != 0 {
			elems, err := b.bindList(ae.Elements)
			if err != nil {
				return nil, err
			}
			return ArrayLiteral(elems, sqltypes.Elem(t))
		}
		arg, err := b.bind(tc.Arg)
		if err != nil {
			return nil, err
		}
		return CastTypeName(arg, tname)
	case n.GetAExpr() != nil:
		return b.bindAExpr(n.GetAExpr())
	case n.GetBoolExpr() != nil:
		be := n.GetBoolExpr()
		args, err := b.bindList(be.Args)
		if err != nil {
			return nil, err
		}
		for i, a := range args {
			if args[i], err = CheckBool(a, strings.TrimSuffix(be.Boolop.String(), "_EXPR")); err != nil {
				return nil, err
			}
		}
		switch be.Boolop {
		case pg.BoolExprType_AND_EXPR:
			return And(args...), nil
		case pg.BoolExprType_OR_EXPR:
			return Or(args...), nil
		}
		return Not(args[0]), nil
	case n.GetNullTest() != nil:
		nt := n.GetNullTest()
		a, err := b.bind(nt.Arg)
		if err != nil {
			return nil, err
		}
		return IsNull(a, nt.Nulltesttype == pg.NullTestType_IS_NOT_NULL), nil
	case n.GetBooleanTest() != nil:
		bt := n.GetBooleanTest()
		a, err := b.bind(bt.Arg)
		if err != nil {
			return nil, err
		}
		test := map[pg.BoolTestType]string{pg.BoolTestType_IS_TRUE: "IS TRUE", pg.BoolTestType_IS_NOT_TRUE: "IS NOT TRUE",
			pg.BoolTestType_IS_FALSE: "IS FALSE", pg.BoolTestType_IS_NOT_FALSE: "IS NOT FALSE",
			pg.BoolTestType_IS_UNKNOWN: "IS UNKNOWN", pg.BoolTestType_IS_NOT_UNKNOWN: "IS NOT UNKNOWN"}[bt.Booltesttype]
		return BoolTest(a, test)
	case n.GetCaseExpr() != nil:
		ce := n.GetCaseExpr()
		var operand, els Expr
		var err error
		if ce.Arg != nil {
			if operand, err = b.bind(ce.Arg); err != nil {
				return nil, err
			}
		}
		if ce.Defresult != nil {
			if els, err = b.bind(ce.Defresult); err != nil {
				return nil, err
			}
		}
		var whens [][2]Expr
		for _, w := range ce.Args {
			cw := w.GetCaseWhen()
			if cw == nil {
				return nil, fmt.Errorf("test binder: bad CASE")
			}
			c, err := b.bind(cw.Expr)
			if err != nil {
				return nil, err
			}
			r, err := b.bind(cw.Result)
			if err != nil {
				return nil, err
			}
			whens = append(whens, [2]Expr{c, r})
		}
		return Case(operand, whens, els)
	case n.GetCoalesceExpr() != nil:
		args, err := b.bindList(n.GetCoalesceExpr().Args)
		if err != nil {
			return nil, err
		}
		return Coalesce(args)
	case n.GetMinMaxExpr() != nil:
		mm := n.GetMinMaxExpr()
		args, err := b.bindList(mm.Args)
		if err != nil {
			return nil, err
		}
		if mm.Op == pg.MinMaxOp_IS_GREATEST {
			return Greatest(args)
		}
		return Least(args)
	case n.GetFuncCall() != nil:
		fc := n.GetFuncCall()
		args, err := b.bindList(fc.Args)
		if err != nil {
			return nil, err
		}
		return Call(nameOf(fc.Funcname), args)
	case n.GetSqlvalueFunction() != nil:
		switch n.GetSqlvalueFunction().Op {
		case pg.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
			return Call("current_date", nil)
		case pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP:
			return Call("localtimestamp", nil)
		}
		return Call("current_timestamp", nil)
	case n.GetAArrayExpr() != nil:
		elems, err := b.bindList(n.GetAArrayExpr().Elements)
		if err != nil {
			return nil, err
		}
		return ArrayLiteral(elems, 0)
	case n.GetAIndirection() != nil:
		ind := n.GetAIndirection()
		e, err := b.bind(ind.Arg)
		if err != nil {
			return nil, err
		}
		for _, i := range ind.Indirection {
			if i.GetAIndices() == nil || i.GetAIndices().IsSlice {
				return nil, fmt.Errorf("test binder: unsupported indirection")
			}
			ix, err := b.bind(i.GetAIndices().Uidx)
			if err != nil {
				return nil, err
			}
			if e, err = Subscript(e, ix); err != nil {
				return nil, err
			}
		}
		return e, nil
	}
	return nil, fmt.Errorf("test binder: unsupported node %T", n.Node)
}

func (b *testBinder) bindAExpr(ae *pg.A_Expr) (Expr, error) {
	op := nameOf(ae.Name)
	var l, r Expr
	var err error
	if ae.Lexpr != nil {
		if l, err = b.bind(ae.Lexpr); err != nil {
			return nil, err
		}
	}
	switch ae.Kind {
	case pg.A_Expr_Kind_AEXPR_IN:
		if ae.Rexpr.GetList() == nil {
			return nil, fmt.Errorf("test binder: IN subquery")
		}
		list, err := b.bindList(ae.Rexpr.GetList().Items)
		if err != nil {
			return nil, err
		}
		return In(l, list, op == "<>")
	case pg.A_Expr_Kind_AEXPR_BETWEEN, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN, pg.A_Expr_Kind_AEXPR_BETWEEN_SYM, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		bounds, err := b.bindList(ae.Rexpr.GetList().Items)
		if err != nil {
			return nil, err
		}
		neg := ae.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN || ae.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM
		sym := ae.Kind == pg.A_Expr_Kind_AEXPR_BETWEEN_SYM || ae.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM
		return Between(l, bounds[0], bounds[1], neg, sym)
	}
	if r, err = b.bind(ae.Rexpr); err != nil {
		return nil, err
	}
	switch ae.Kind {
	case pg.A_Expr_Kind_AEXPR_OP:
		if l == nil {
			return Operator(op, r)
		}
		return Operator(op, l, r)
	case pg.A_Expr_Kind_AEXPR_OP_ANY, pg.A_Expr_Kind_AEXPR_OP_ALL:
		return AnyAll(op, l, r, ae.Kind == pg.A_Expr_Kind_AEXPR_OP_ALL)
	case pg.A_Expr_Kind_AEXPR_DISTINCT:
		return IsDistinctFrom(l, r, false)
	case pg.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		return IsDistinctFrom(l, r, true)
	case pg.A_Expr_Kind_AEXPR_NULLIF:
		return NullIf(l, r)
	case pg.A_Expr_Kind_AEXPR_LIKE, pg.A_Expr_Kind_AEXPR_ILIKE, pg.A_Expr_Kind_AEXPR_SIMILAR:
		return Operator(op, l, r)
	}
	return nil, fmt.Errorf("test binder: unsupported A_Expr kind %v", ae.Kind)
}
