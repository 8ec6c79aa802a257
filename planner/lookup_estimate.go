package planner

import (
	"math"
	"sync/atomic"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
)

// refRowsDefault is the rows per referenced object assumed for an equality on a reference column
// (charges.customer = 'cus_…': a customer's charges) while Stats do not know both tables' sizes:
// a few, not the 1% of the table that selEq would give (2,500 of a default 250,000 charges).
const refRowsDefault = 10

// eqSelectivity is the fraction of t (of size rows) one value of an equality on column col
// keeps: one row for t's id; for a reference to another table's id (catalog.ForeignKeys), the
// rows per referenced object, rows(t) / rows(referenced) (at least 1) when Stats know both sizes,
// else refRowsDefault; PostgreSQL's default selEq for any other column.
func (pl *planCtx) eqSelectivity(t *catalog.Table, col int, size float64) float64 {
	size = math.Max(1, size)
	if t.Columns[col].Name == "id" {
		return 1 / size
	}
	ref := references(pl.sess.Catalog())[refKey{t, col}]
	if ref == nil {
		return selEq
	}
	rows := float64(refRowsDefault)
	stats := pl.sess.Stats()
	n, okT := stats.Size(t.Name)
	m, okR := stats.Size(ref.Name)
	if okT && okR && m > 0 {
		rows = math.Max(1, float64(n)/float64(m))
	}
	return math.Min(1, rows/size)
}

// searchEqSelectivity is the selectivity of search term c (sel as searchTerm rates it): for an
// equality on a column, the same as a list filter would have (eqSelectivity), so that a search
// and a list on the same predicate are costed alike.
func (pl *planCtx) searchEqSelectivity(t *catalog.Table, c expr.Expr, sel, size float64) float64 {
	if op, ok := c.(*expr.OpExpr); ok && op.Op == "=" && len(op.Args) == 2 {
		if cr, ok := op.Args[0].(*expr.ColumnRef); ok && cr.Index < len(t.Columns) {
			return pl.eqSelectivity(t, cr.Index, size)
		}
	}
	return sel
}

// refKey names a column of a table.
type refKey struct {
	t   *catalog.Table
	col int
}

// refCache holds the references of the catalog last asked about: a node plans against one
// catalog, which does not change once built, so one entry keeps the cost to one pass.
var refCache atomic.Pointer[refEntry]

type refEntry struct {
	cat  *catalog.Catalog
	refs map[refKey]*catalog.Table
}

// references returns the table each reference column of c points to.
func references(c *catalog.Catalog) map[refKey]*catalog.Table {
	if c == nil {
		return nil
	}
	if e := refCache.Load(); e != nil && e.cat == c {
		return e.refs
	}
	m := map[refKey]*catalog.Table{}
	for _, fk := range c.ForeignKeys() {
		m[refKey{fk.Table, fk.Column}] = fk.Ref
	}
	refCache.Store(&refEntry{cat: c, refs: m})
	return m
}
