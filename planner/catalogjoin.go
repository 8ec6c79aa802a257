package planner

import (
	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
)

// Tables of a FROM clause are joined in the order written (join.go), which for Stripe tables is
// the order the request estimates and lookup joins are built around. Clients' catalog queries
// are written for PostgreSQL's join search instead: psqlODBC's SQLPrimaryKeys lists
//
//	FROM pg_attribute ta, pg_attribute ia, pg_class tc, pg_index i, pg_namespace n, pg_class ic
//
// whose first two tables share no condition, so in written order they are a cross product of
// pg_attribute with itself (tens of millions of rows, over a minute). catalogJoinOrder reorders
// such a FROM list when every item is a system table, computed in process at no Stripe cost:
// each next table is the first one still unjoined that a WHERE condition relates to the tables
// joined so far, so the joins meet on keys. SELECT * still lists the tables as written.

// catalogJoinOrder returns the FROM items' positions in the order to join them, or nil to keep
// the written order: when an item is not a plain system table, when the list is short, or when
// the written order already joins every table to an earlier one.
func (pl *planCtx) catalogJoinOrder(sel *pg.SelectStmt) []int {
	from := sel.FromClause
	if len(from) < 3 {
		return nil
	}
	aliases := make([]string, len(from))
	seen := map[string]bool{}
	for i, n := range from {
		rv := n.GetRangeVar()
		if rv == nil {
			return nil
		}
		t, err := pl.lookupTable(rv)
		if err != nil || t.Rows == nil {
			return nil
		}
		aliases[i] = rv.Relname
		if rv.Alias != nil {
			aliases[i] = rv.Alias.Aliasname
		}
		if seen[aliases[i]] {
			return nil
		}
		seen[aliases[i]] = true
	}
	// Each WHERE conjunct that names only qualified columns relates the items it names.
	var edges []map[int]bool
	for _, c := range astConjuncts(sel.WhereClause) {
		items, ok := conjunctItems(c, aliases)
		if ok && len(items) > 1 {
			edges = append(edges, items)
		}
	}
	joined := map[int]bool{}
	connects := func(x int) bool {
		for _, e := range edges {
			if !e[x] {
				continue
			}
			all := true
			for it := range e {
				all = all && (it == x || joined[it])
			}
			if all {
				return true
			}
		}
		return false
	}
	order := []int{0}
	joined[0] = true
	changed := false
	for len(order) < len(from) {
		next := -1
		for x := range from {
			if !joined[x] && connects(x) {
				next = x
				break
			}
		}
		if next < 0 { // nothing relates to the tables so far: the next one written
			for x := range from {
				if !joined[x] {
					next = x
					break
				}
			}
		}
		changed = changed || next != len(order)
		order = append(order, next)
		joined[next] = true
	}
	if !changed {
		return nil
	}
	return order
}

// conjunctItems returns the FROM items (by position in aliases) whose columns a condition
// reads; ok is false when it reads a column without a qualifier or has a subquery, whose tables
// cannot be told apart before binding.
func conjunctItems(c *pg.Node, aliases []string) (map[int]bool, bool) {
	items := map[int]bool{}
	ok := true
	containsNode(c, func(m proto.Message) bool {
		switch x := m.(type) {
		case *pg.SubLink:
			ok = false
		case *pg.ColumnRef:
			if len(x.Fields) < 2 {
				ok = false
				break
			}
			qual := x.Fields[len(x.Fields)-2].GetString_().GetSval()
			found := false
			for i, a := range aliases {
				if a == qual {
					items[i], found = true, true
				}
			}
			ok = ok && found
		}
		return false
	})
	return items, ok
}
