package planner

import (
	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Composite values in expressions: ROW(…) constructors, field selection (r).field and array
// subscripts, which pg_query parses alike as indirection, and (r).* in a select list.

// bindIndirection binds arg[i]…, (arg).field… in the order written.
func (b *binder) bindIndirection(ind *pg.A_Indirection) (expr.Expr, error) {
	arg, err := b.bind(ind.Arg)
	if err != nil {
		return nil, err
	}
	for _, step := range ind.Indirection {
		switch {
		case step.GetString_() != nil:
			if arg, err = expr.Field(arg, step.GetString_().Sval); err != nil {
				return nil, b.errAt(asCoded(err), nodeLocation(ind.Arg))
			}
		case step.GetAStar() != nil:
			return nil, b.errAt(sqlstate.New(sqlstate.FeatureNotSupported, "(…).* is supported only as an item of a select list"), nodeLocation(ind.Arg))
		default:
			idx := step.GetAIndices()
			if idx == nil || idx.IsSlice {
				return nil, sqlstate.New(sqlstate.FeatureNotSupported, "only array subscripts of the form a[i] are supported")
			}
			i, err := b.bind(idx.Uidx)
			if err != nil {
				return nil, err
			}
			if arg, err = expr.Subscript(arg, i); err != nil {
				return nil, asCoded(err)
			}
		}
	}
	return arg, nil
}

// bindRow binds ROW(a, b, …) (or (a, b, …)). Its fields are f1, f2, … unless the node names them,
// as the select-list rewrite of a composite set-returning function does (record_srf.go).
func (b *binder) bindRow(r *pg.RowExpr) (expr.Expr, error) {
	args, err := b.bindList(r.Args)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, c := range r.Colnames {
		names = append(names, c.GetString_().GetSval())
	}
	e, err := expr.Row(args, names)
	if err != nil {
		return nil, b.errAt(asCoded(err), r.Location)
	}
	return e, nil
}

// starFields expands the select-list item (r).* into one item per field of r's record type:
// (r).f1, (r).f2, …, each named after its field. ok is false when n is not of that form.
func (b *binder) starFields(n *pg.Node) (items []*pg.Node, names []string, ok bool, err error) {
	ind := n.GetAIndirection()
	if ind == nil || len(ind.Indirection) == 0 || ind.Indirection[len(ind.Indirection)-1].GetAStar() == nil {
		return nil, nil, false, nil
	}
	base := &pg.A_Indirection{Arg: ind.Arg, Indirection: ind.Indirection[:len(ind.Indirection)-1]}
	var r expr.Expr
	if len(base.Indirection) == 0 {
		r, err = b.bind(base.Arg)
	} else {
		r, err = b.bindIndirection(base)
	}
	if err != nil {
		return nil, nil, true, err
	}
	fields := expr.RowFields(r.Type())
	if len(fields) == 0 {
		_, err := expr.Field(r, "*")
		return nil, nil, true, b.errAt(asCoded(err), nodeLocation(ind.Arg))
	}
	for _, f := range fields {
		steps := append(append([]*pg.Node(nil), base.Indirection...), pg.MakeStrNode(f))
		items = append(items, &pg.Node{Node: &pg.Node_AIndirection{AIndirection: &pg.A_Indirection{Arg: ind.Arg, Indirection: steps}}})
		names = append(names, f)
	}
	return items, names, true, nil
}

// nodeLocation is the parse location of the common expression nodes, -1 when unknown.
func nodeLocation(n *pg.Node) int32 {
	switch x := n.GetNode().(type) {
	case *pg.Node_ColumnRef:
		return x.ColumnRef.Location
	case *pg.Node_FuncCall:
		return x.FuncCall.Location
	case *pg.Node_RowExpr:
		return x.RowExpr.Location
	case *pg.Node_TypeCast:
		return x.TypeCast.Location
	}
	return -1
}

// publicColumns returns cols with each record type from sqltypes.RecordType replaced by record,
// the type clients are told (the field list is the planner's business).
func publicColumns(cols []Column) []Column {
	var out []Column
	for i, c := range cols {
		if t := sqltypes.PublicType(c.Type); t != c.Type {
			if out == nil {
				out = append([]Column(nil), cols...)
			}
			out[i].Type = t
		}
	}
	if out == nil {
		return cols
	}
	return out
}
