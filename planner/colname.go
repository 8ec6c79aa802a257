package planner

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// Name strengths, as in PostgreSQL's FigureColnameInternal: a type name from a cast or the word
// "case" is a weak guess (1) that an enclosing cast or CASE may replace; a column, function or
// keyword name is strong (2) and wins.
const (
	colnameNone   = 0
	colnameWeak   = 1
	colnameStrong = 2
)

// figureColname names an unnamed select-list item the way PostgreSQL's FigureColname does, so
// clients that read columns by name see PostgreSQL's names: "?column?" when nothing names it.
func figureColname(n *pg.Node) string {
	if name, strength := colnameOf(n); strength > colnameNone {
		return name
	}
	return "?column?"
}

// colnameOf returns the name n suggests and how strongly; see the strength constants.
func colnameOf(n *pg.Node) (string, int) {
	if n == nil {
		return "", colnameNone
	}
	switch x := n.Node.(type) {
	case *pg.Node_ColumnRef:
		if name := lastFieldName(x.ColumnRef.Fields); name != "" {
			return name, colnameStrong
		}
	case *pg.Node_AIndirection:
		// (r).field is named after its last field; a subscript keeps the name of what it indexes
		if name := lastFieldName(x.AIndirection.Indirection); name != "" {
			return name, colnameStrong
		}
		return colnameOf(x.AIndirection.Arg)
	case *pg.Node_FuncCall:
		return funcName(x.FuncCall), colnameStrong
	case *pg.Node_AExpr:
		if x.AExpr.Kind == pg.A_Expr_Kind_AEXPR_NULLIF {
			return "nullif", colnameStrong
		}
	case *pg.Node_TypeCast:
		name, strength := colnameOf(x.TypeCast.Arg)
		if strength <= colnameWeak {
			if tn := x.TypeCast.TypeName; tn != nil && len(tn.Names) > 0 {
				if s := tn.Names[len(tn.Names)-1].GetString_(); s != nil {
					return s.Sval, colnameWeak
				}
			}
		}
		return name, strength
	case *pg.Node_CollateClause:
		return colnameOf(x.CollateClause.Arg)
	case *pg.Node_GroupingFunc:
		return "grouping", colnameStrong
	case *pg.Node_SubLink:
		return subLinkColname(x.SubLink)
	case *pg.Node_CaseExpr:
		name, strength := colnameOf(x.CaseExpr.Defresult)
		if strength <= colnameWeak {
			return "case", colnameWeak
		}
		return name, strength
	case *pg.Node_AArrayExpr:
		return "array", colnameStrong
	case *pg.Node_RowExpr:
		return "row", colnameStrong
	case *pg.Node_CoalesceExpr:
		return "coalesce", colnameStrong
	case *pg.Node_MinMaxExpr:
		if x.MinMaxExpr.Op == pg.MinMaxOp_IS_LEAST {
			return "least", colnameStrong
		}
		return "greatest", colnameStrong
	case *pg.Node_SqlvalueFunction:
		if name := sqlValueFunctionName(x.SqlvalueFunction.Op); name != "" {
			return name, colnameStrong
		}
	}
	return "", colnameNone
}

// lastFieldName is the last name among a column reference's fields or an indirection's
// elements, skipping "*" and subscripts; "" when there is none.
func lastFieldName(fields []*pg.Node) string {
	for i := len(fields) - 1; i >= 0; i-- {
		if s := fields[i].GetString_(); s != nil {
			return s.Sval
		}
	}
	return ""
}

// subLinkColname names a subquery expression as PostgreSQL does: EXISTS and ARRAY by their
// keyword, a scalar subquery by its own column's name (which is "?column?" when unnamed, and
// still strong: a cast around it does not rename it); comparisons (IN, ANY, ALL) have no name.
func subLinkColname(sl *pg.SubLink) (string, int) {
	switch sl.SubLinkType {
	case pg.SubLinkType_EXISTS_SUBLINK:
		return "exists", colnameStrong
	case pg.SubLinkType_ARRAY_SUBLINK:
		return "array", colnameStrong
	case pg.SubLinkType_EXPR_SUBLINK:
		if sel := sl.Subselect.GetSelectStmt(); sel != nil && len(sel.TargetList) > 0 {
			if rt := sel.TargetList[0].GetResTarget(); rt != nil {
				if rt.Name != "" {
					return rt.Name, colnameStrong
				}
				return figureColname(rt.Val), colnameStrong
			}
		}
	}
	return "", colnameNone
}

// sqlValueFunctionName is the name PostgreSQL gives the SQL-standard niladic functions
// (CURRENT_DATE, LOCALTIME(3), CURRENT_USER, …), which the grammar parses without parentheses:
// the keyword in lower case, which is also the name of the operation (SVFOP_LOCALTIME_N).
func sqlValueFunctionName(op pg.SQLValueFunctionOp) string {
	name, ok := strings.CutPrefix(op.String(), "SVFOP_")
	if !ok {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(name, "_N"))
}
