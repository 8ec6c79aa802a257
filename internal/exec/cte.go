package exec

import (
	"context"
	"io"
	"sync"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/planner"
)

// cteStore holds the materialised rows of a statement's CTEs, shared by the statement's runner
// and every subquery runner under it, so each CTE is fetched once.
type cteStore struct {
	mu   sync.Mutex
	rows map[*planner.CTE][][]any
	// work is the current round of each recursive CTE being computed (its working table).
	work map[*planner.CTE][][]any
}

func newCTEStore() *cteStore {
	return &cteStore{rows: map[*planner.CTE][][]any{}, work: map[*planner.CTE][][]any{}}
}

// storeOf returns the CTE store of r's statement.
func (r *runner) storeOf() *cteStore {
	if ss, ok := r.env.Session.(*subSession); ok && ss.ctes != nil {
		return ss.ctes
	}
	return newCTEStore()
}

// cteIter emits a CTE's rows, materialising the CTE on first use.
type cteIter struct {
	r    *runner
	n    *planner.CTEScan
	rows [][]any
	i    int
	done bool
}

func (c *cteIter) next(ctx context.Context) ([]any, error) {
	if !c.done {
		rows, err := c.r.cteRows(ctx, c.n)
		if err != nil {
			return nil, err
		}
		c.rows, c.done = rows, true
	}
	if c.i >= len(c.rows) {
		return nil, io.EOF
	}
	c.i++
	return c.rows[c.i-1], nil
}

func (c *cteIter) close() {}

// cteRows returns the rows a CTE scan reads: the working table of a recursive CTE, or the CTE's
// materialised rows (computed now if no scan did before).
func (r *runner) cteRows(ctx context.Context, n *planner.CTEScan) ([][]any, error) {
	st := r.storeOf()
	st.mu.Lock()
	if n.Work {
		rows := st.work[n.CTE]
		st.mu.Unlock()
		return rows, nil
	}
	rows, ok := st.rows[n.CTE]
	st.mu.Unlock()
	if ok {
		return rows, nil
	}
	rows, err := r.materialise(ctx, n.CTE)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	st.rows[n.CTE] = rows
	st.mu.Unlock()
	return rows, nil
}

// materialise runs a CTE's query; for WITH RECURSIVE it runs the recursive term on each round's
// new rows until a round adds none (UNION drops rows seen before), at most MaxRecursion rounds.
func (r *runner) materialise(ctx context.Context, c *planner.CTE) ([][]any, error) {
	rows, err := r.runSub(ctx, c.Plan, 0)
	if err != nil || c.Step == nil {
		return rows, err
	}
	limit := r.sess.WorkMemRows()
	seen := map[string]bool{}
	keep := func(in [][]any) [][]any {
		if !c.Distinct {
			return in
		}
		var out [][]any
		for _, row := range in {
			k := rowKey(row) // setop.go
			if !seen[k] {
				seen[k] = true
				out = append(out, row)
			}
		}
		return out
	}
	all := keep(rows)
	work := all
	st := r.storeOf()
	for round := 0; len(work) > 0; round++ {
		if round >= planner.MaxRecursion {
			return nil, sqlstate.New(sqlstate.ProgramLimitExceeded, "recursive query %q did not finish after %d rounds", c.Name, planner.MaxRecursion).
				WithHint("add a condition to the recursive term that stops it")
		}
		st.mu.Lock()
		st.work[c] = work
		st.mu.Unlock()
		next, err := r.runSub(ctx, c.Step, 0)
		if err != nil {
			return nil, err
		}
		work = keep(next)
		all = append(all, work...)
		if int64(len(all)) > limit {
			return nil, planner.ErrWorkMem("recursive query "+c.Name, limit)
		}
	}
	st.mu.Lock()
	delete(st.work, c)
	st.mu.Unlock()
	return all, nil
}
