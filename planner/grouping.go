package planner

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// GROUP BY GROUPING SETS / ROLLUP / CUBE: the GROUP BY clause is flattened into its distinct
// expressions, which the ordinary GROUP BY binding turns into the Aggregate's groups, and into the
// list of sets, each a list of those groups. The Aggregate then groups its input once per set;
// its rows carry NULL in the groups outside the row's set, and one more column, the set's
// number, which grouping(…) reads.

// maxGroupingSets is PostgreSQL's limit on the number of grouping sets.
const maxGroupingSets = 4096

// groupingSets is a grouped query's sets while it is being bound.
type groupingSets struct {
	// sets are lists of indexes into the flattened GROUP BY items.
	sets [][]int
	// items maps each flattened item to its index in aggCtx.groups.
	items []int
	// info is shared with the grouping() expressions, filled in by planGroupingSets.
	info *groupingInfo
}

// groupingInfo tells grouping() expressions where the set number is and which groups each set has.
type groupingInfo struct {
	col  *expr.ColumnRef
	sets [][]int
}

// flattenGroupingSets returns the GROUP BY items to bind one by one and, when the clause has
// grouping sets, their sets (nil for an ordinary GROUP BY).
func flattenGroupingSets(clause []*pg.Node) ([]*pg.Node, *groupingSets, error) {
	has := false
	for _, n := range clause {
		has = has || n.GetGroupingSet() != nil
	}
	if !has {
		return clause, nil, nil
	}
	var flat []*pg.Node
	add := func(n *pg.Node) []int {
		if r := n.GetRowExpr(); r != nil {
			var out []int
			for _, a := range r.Args {
				flat = append(flat, a)
				out = append(out, len(flat)-1)
			}
			return out
		}
		flat = append(flat, n)
		return []int{len(flat) - 1}
	}
	var expand func(n *pg.Node) ([][]int, error)
	expand = func(n *pg.Node) ([][]int, error) {
		gs := n.GetGroupingSet()
		if gs == nil {
			return [][]int{add(n)}, nil
		}
		switch gs.Kind {
		case pg.GroupingSetKind_GROUPING_SET_EMPTY:
			return [][]int{{}}, nil
		case pg.GroupingSetKind_GROUPING_SET_SIMPLE:
			var set []int
			for _, c := range gs.Content {
				set = append(set, add(c)...)
			}
			return [][]int{set}, nil
		case pg.GroupingSetKind_GROUPING_SET_ROLLUP, pg.GroupingSetKind_GROUPING_SET_CUBE:
			var elems [][]int
			for _, c := range gs.Content {
				if c.GetGroupingSet() != nil && c.GetGroupingSet().Kind != pg.GroupingSetKind_GROUPING_SET_SIMPLE {
					return nil, sqlstate.New(sqlstate.SyntaxError, "grouping sets cannot be nested inside ROLLUP or CUBE")
				}
				var e []int
				if s := c.GetGroupingSet(); s != nil {
					for _, x := range s.Content {
						e = append(e, add(x)...)
					}
				} else {
					e = add(c)
				}
				elems = append(elems, e)
			}
			var out [][]int
			if gs.Kind == pg.GroupingSetKind_GROUPING_SET_ROLLUP {
				for k := len(elems); k >= 0; k-- {
					var set []int
					for _, e := range elems[:k] {
						set = append(set, e...)
					}
					out = append(out, set)
				}
				return out, nil
			}
			if len(elems) > 12 {
				return nil, sqlstate.New("54001", "CUBE is limited to 12 elements")
			}
			for mask := (1 << len(elems)) - 1; mask >= 0; mask-- {
				var set []int
				for i, e := range elems {
					if mask&(1<<(len(elems)-1-i)) != 0 {
						set = append(set, e...)
					}
				}
				out = append(out, set)
			}
			return out, nil
		}
		// GROUPING SETS (…): the union of its elements' sets.
		var out [][]int
		for _, c := range gs.Content {
			s, err := expand(c)
			if err != nil {
				return nil, err
			}
			out = append(out, s...)
		}
		return out, nil
	}
	sets := [][]int{{}}
	for _, n := range clause {
		s, err := expand(n)
		if err != nil {
			return nil, nil, err
		}
		var next [][]int
		for _, a := range sets {
			for _, b := range s {
				next = append(next, append(append([]int{}, a...), b...))
			}
		}
		if len(next) > maxGroupingSets {
			return nil, nil, sqlstate.New("54001", "too many grouping sets present (maximum %d)", maxGroupingSets)
		}
		sets = next
	}
	return flat, &groupingSets{sets: sets, info: &groupingInfo{col: &expr.ColumnRef{Index: -1, T: sqltypes.Int8, Name: "grouping set"}}}, nil
}

// note records which group the GROUP BY item just bound (identified by key) became.
func (g *groupingSets) note(agg *aggCtx, key string) {
	if g == nil {
		return
	}
	for i, k := range agg.groupKeys {
		if k == key {
			g.items = append(g.items, i)
			return
		}
	}
}

// active reports whether the query groups by grouping sets.
func (g *groupingSets) active() bool { return g != nil && len(g.sets) > 0 }

// planGroupingSets gives the Aggregate under root its sets and tells grouping() where the set
// number is.
func (pl *planCtx) planGroupingSets(root Node, agg *aggCtx) Node {
	if agg == nil || !agg.gsets.active() {
		return root
	}
	var ag *Aggregate
	Walk(root, func(n Node) {
		if a, ok := n.(*Aggregate); ok && ag == nil {
			ag = a
		}
	})
	if ag == nil {
		return root
	}
	g := agg.gsets
	for _, s := range g.sets {
		seen := map[int]bool{}
		var groups []int
		for _, item := range s {
			if item < len(g.items) && !seen[g.items[item]] {
				seen[g.items[item]] = true
				groups = append(groups, g.items[item])
			}
		}
		ag.Sets = append(ag.Sets, groups)
	}
	g.info.sets = ag.Sets
	g.info.col.Index = len(agg.groups) + len(agg.aggs)
	ag.Estimate.Rows *= float64(len(ag.Sets))
	return root
}

// groupingSetsText renders the sets for EXPLAIN.
func groupingSetsText(a *Aggregate) string {
	parts := make([]string, len(a.Sets))
	for i, s := range a.Sets {
		names := make([]string, len(s))
		for j, g := range s {
			names[j] = a.Groups[g].String()
		}
		parts[i] = "(" + strings.Join(names, ", ") + ")"
	}
	return "Grouping Sets: " + strings.Join(parts, ", ")
}

// groupingExpr is grouping(a, b, …): a bit per argument, set when the argument is not grouped in
// the current row's set (the last argument is the lowest bit).
type groupingExpr struct {
	groups []int
	args   []expr.Expr
	info   *groupingInfo
}

// Type implements expr.Expr.
func (g *groupingExpr) Type() sqltypes.Type { return sqltypes.Int4 }

// Eval implements expr.Expr.
func (g *groupingExpr) Eval(env *expr.Env) (any, error) {
	if g.info == nil || g.info.col.Index < 0 {
		return int64(0), nil
	}
	v, err := g.info.col.Eval(env)
	if err != nil {
		return nil, err
	}
	set, _ := v.(int64)
	if set < 0 || int(set) >= len(g.info.sets) {
		return nil, sqlstate.New(sqlstate.InternalError, "grouping set %d out of range", set)
	}
	var mask int64
	for _, gi := range g.groups {
		mask <<= 1
		in := false
		for _, x := range g.info.sets[set] {
			in = in || x == gi
		}
		if !in {
			mask |= 1
		}
	}
	return mask, nil
}

// String implements expr.Expr.
func (g *groupingExpr) String() string {
	parts := make([]string, len(g.args))
	for i, a := range g.args {
		parts[i] = a.String()
	}
	return "GROUPING(" + strings.Join(parts, ", ") + ")"
}

// Children makes the value depend on the row (it is not a constant).
func (g *groupingExpr) Children() []expr.Expr {
	if g.info == nil {
		return nil
	}
	return []expr.Expr{g.info.col}
}

// bindGroupingFunc binds grouping(a, b, …) in a grouped query.
func (b *binder) bindGroupingFunc(f *pg.GroupingFunc) (expr.Expr, error) {
	if b.agg == nil {
		return nil, b.errAt(sqlstate.New(sqlstate.GroupingError, "arguments to GROUPING must be grouping expressions of the associated query level"), f.Location)
	}
	if len(f.Args) > 31 {
		return nil, b.errAt(sqlstate.New("54011", "GROUPING must have fewer than 32 arguments"), f.Location)
	}
	saved := b.agg
	b.agg = nil
	defer func() { b.agg = saved }()
	g := &groupingExpr{}
	if saved.gsets != nil {
		g.info = saved.gsets.info
	}
	for _, a := range f.Args {
		e, err := b.bindNode(a)
		if err != nil {
			return nil, err
		}
		key := exprKey(e)
		idx := -1
		for i, k := range saved.groupKeys {
			if k == key {
				idx = i
			}
		}
		if idx < 0 {
			return nil, b.errAt(sqlstate.New(sqlstate.GroupingError, "arguments to GROUPING must be grouping expressions of the associated query level"), f.Location)
		}
		g.groups = append(g.groups, idx)
		g.args = append(g.args, e)
	}
	return g, nil
}

// needsAggContext reports whether n holds a window call or grouping(), which the binder must bind
// in the grouped query's context even when no aggregate appears in n.
func needsAggContext(n *pg.Node) bool {
	return containsWindow(n) || containsGroupingFunc(n)
}

// containsGroupingFunc reports whether the tree under n calls grouping().
func containsGroupingFunc(n *pg.Node) bool {
	return containsNode(n, func(m proto.Message) bool {
		_, ok := m.(*pg.GroupingFunc)
		return ok
	})
}
