package planner

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// fanOut plans a table that Stripe lists only under one parent (invoice_line_items under an
// invoice, subscription_items for a subscription) when the query names no parent: it lists the
// parent table and then the child once per parent, as
//
//	SELECT c.* FROM invoices p, LATERAL (SELECT … FROM invoice_line_items WHERE invoice = p.id) c
//
// so the cost (one list of parents plus one list per parent) is estimated, shown by EXPLAIN and
// held to the budget like any other plan. where, bound over t alone, filters the result. It returns
// listErr, the error that listing t without its parent gave, when t has no single parent table to
// fan out from.
func (pl *planCtx) fanOut(t *catalog.Table, where expr.Expr, listErr error) (Node, error) {
	parentCol, parent := pl.parentTable(t)
	if parent == nil {
		return nil, listErr
	}
	// Always quoted (not expr.QuoteIdent, which quotes only the keywords it knows): this text is
	// parsed, and a Stripe column named after any keyword must still read as a column.
	quote := func(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }
	var inner, outer []string
	for _, c := range t.Columns {
		col := quote(c.Name)
		if c.FilterOnly && c.Name != parentCol {
			// Readable only when the query constrains it; the fan-out does not.
			col = "NULL::" + sqltypes.FormatType(c.Type) + " AS " + col
		}
		inner = append(inner, col)
		outer = append(outer, "c."+quote(c.Name))
	}
	sql := fmt.Sprintf("SELECT %s FROM %s p, LATERAL (SELECT %s FROM %s WHERE %s = p.id) c",
		strings.Join(outer, ", "), quote(parent.Name), strings.Join(inner, ", "), quote(t.Name), quote(parentCol))
	tree, err := pg.Parse(sql)
	if err != nil {
		return nil, err
	}
	b := &binder{sess: pl.sess, sql: sql, full: sql}
	ip, err := pl.planDerived(b, tree.Stmts[0].Stmt.GetSelectStmt())
	if err != nil {
		return nil, err
	}
	root := ip.Root
	if where != nil {
		root = &Filter{Input: root, Cond: where, Estimate: withRows(root.Est(), root.Est().Rows*selResidual)}
	}
	return root, nil
}

// parentTable finds the table whose rows are the parents of t's rows: for a list path with one
// placeholder (/v1/invoices/%s/lines) the table listed at the path before it (/v1/invoices), for
// one required list filter (subscription) the table retrieved at /v1/<filter>s/%s. It returns the
// child's parent column and the parent table, or nil when t has none or several.
func (pl *planCtx) parentTable(t *catalog.Table) (string, *catalog.Table) {
	if t.List == nil || len(t.List.Parents)+len(t.List.Required) != 1 {
		return "", nil
	}
	cat := pl.sess.Catalog()
	if len(t.List.Parents) == 1 {
		prefix, _, ok := strings.Cut(t.List.Path, "/%s")
		if !ok {
			return "", nil
		}
		for _, p := range cat.Tables() {
			if p.List != nil && p.List.Path == prefix && len(p.List.Parents)+len(p.List.Required) == 0 {
				return t.List.Parents[0], p
			}
		}
		return "", nil
	}
	name := t.List.Required[0]
	for _, p := range cat.Tables() {
		if p.Retrieve != nil && p.Retrieve.Path == "/v1/"+name+"s/%s" && p.List != nil && len(p.List.Parents)+len(p.List.Required) == 0 {
			return name, p
		}
	}
	return "", nil
}
