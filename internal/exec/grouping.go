package exec

import (
	"context"
	"io"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/planner"
)

// groupingSetsIter runs an Aggregate with grouping sets (GROUPING SETS, ROLLUP, CUBE): one pass
// over the input feeds one hash table per set. Each output row holds the set's groups (NULL for
// groups outside the set), the aggregates, and the set's number. The groups held count against
// stripesql.work_mem_rows.
type groupingSetsIter struct {
	r  *runner
	in iterator
	n  *planner.Aggregate
	materialized
}

func (g *groupingSetsIter) next(ctx context.Context) ([]any, error) { return g.emit(ctx, g.run) }

func (g *groupingSetsIter) close() { g.in.close() }

func (g *groupingSetsIter) run(ctx context.Context) error {
	limit := g.r.sess.WorkMemRows()
	n := g.n
	tables := make([]map[string]*group, len(n.Sets))
	orders := make([][]*group, len(n.Sets))
	for i := range tables {
		tables[i] = map[string]*group{}
	}
	newGroup := func(keys []any) *group {
		gr := &group{keys: keys, states: make([]expr.AggState, len(n.Aggs))}
		for i, ag := range n.Aggs {
			gr.states[i] = ag.NewState()
		}
		return gr
	}
	var held int64
	env := *g.r.env
	vals := make([]any, len(n.Groups))
	var keyBuf []byte
	for {
		row, err := g.in.next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		env.Row = row
		for i, e := range n.Groups {
			if vals[i], err = e.Eval(&env); err != nil {
				return err
			}
		}
		for si, set := range n.Sets {
			keyBuf = keyBuf[:0]
			for _, gi := range set {
				keyBuf = appendGroupKey(keyBuf, vals[gi], n.Groups[gi].Type()) // hashkey.go
			}
			gr, ok := tables[si][string(keyBuf)]
			if !ok {
				if held++; held > limit {
					return planner.ErrWorkMem("grouping sets aggregate", limit)
				}
				keys := make([]any, len(n.Groups))
				for _, gi := range set {
					keys[gi] = vals[gi]
				}
				gr = newGroup(keys)
				tables[si][string(keyBuf)] = gr
				orders[si] = append(orders[si], gr)
			}
			for _, s := range gr.states {
				if err := s.Add(&env); err != nil {
					return err
				}
			}
		}
	}
	for si, set := range n.Sets {
		// The empty set yields one row even over no input, as a plain aggregate does.
		if len(set) == 0 && len(orders[si]) == 0 {
			orders[si] = append(orders[si], newGroup(make([]any, len(n.Groups))))
		}
		for _, gr := range orders[si] {
			row := make([]any, 0, len(n.Groups)+len(n.Aggs)+1)
			row = append(row, gr.keys...)
			for _, s := range gr.states {
				v, err := s.Result()
				if err != nil {
					return err
				}
				row = append(row, v)
			}
			row = append(row, int64(si))
			g.rows = append(g.rows, row)
		}
	}
	return nil
}
