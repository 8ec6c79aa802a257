package exec

import (
	"context"
	"io"
	"strings"
	"sync"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/planner"
)

// maxReplanRounds bounds how often a statement is planned again after its init plans ran (each
// round resolves the init plans the previous plan still had).
const maxReplanRounds = 4

// subSession is the expr.Session a running statement evaluates with: the planner's session, plus
// planner.SubqueryRunner so that subquery expressions can run their plans. It remembers each
// subquery's rows per distinct set of outer values, so a correlated subquery runs once per
// distinct key rather than once per outer row.
type subSession struct {
	*planner.Session
	r    *runner
	ctx  context.Context
	ctes *cteStore // shared with the runners of subqueries (cte.go)

	mu   sync.Mutex
	memo map[*planner.Subquery]map[string][][]any
	held int64 // rows held in memo, against stripesql.work_mem_rows
}

var _ planner.SubqueryRunner = (*subSession)(nil)

func newSubSession(ctx context.Context, r *runner) *subSession {
	return &subSession{Session: r.sess, r: r, ctx: ctx, ctes: newCTEStore(), memo: map[*planner.Subquery]map[string][][]any{}}
}

// SubqueryRows implements planner.SubqueryRunner: it runs s (instantiated with outer when
// correlated) once per distinct outer, in this statement's budget.
func (ss *subSession) SubqueryRows(s *planner.Subquery, outer []any) ([][]any, error) {
	var kb strings.Builder
	for i, v := range outer {
		kb.WriteString(expr.HashKey(v, s.Outer[i].Type()))
		kb.WriteByte(0)
	}
	key := kb.String()
	ss.mu.Lock()
	if rows, ok := ss.memo[s][key]; ok {
		ss.mu.Unlock()
		return rows, nil
	}
	ss.mu.Unlock()

	p := s.Plan
	if s.Correlated() {
		var err error
		if p, err = s.Instantiate(outer); err != nil {
			return nil, err
		}
	}
	rows, err := ss.r.runSub(ss.ctx, p, rowsNeeded(s))
	if err != nil {
		return nil, err
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	limit := ss.r.sess.WorkMemRows()
	ss.held += int64(len(rows))
	if ss.held > limit {
		return nil, planner.ErrWorkMem("subquery cache", limit)
	}
	if ss.memo[s] == nil {
		ss.memo[s] = map[string][][]any{}
	}
	ss.memo[s][key] = rows
	return rows, nil
}

// rowsNeeded is how many rows decide a subquery's value: one for EXISTS, two for a scalar
// subquery (a second row is an error), all of them otherwise (0).
func rowsNeeded(s *planner.Subquery) int {
	switch s.Kind {
	case planner.SubExists:
		return 1
	case planner.SubScalar:
		return 2
	}
	return 0
}

// runSub runs a subquery's plan to completion (or maxRows rows, when positive) within r's
// request budget, and adds its requests and pages to r's figures.
func (r *runner) runSub(ctx context.Context, p *planner.Planned, maxRows int) ([][]any, error) {
	p, err := r.resolveInitPlans(ctx, p)
	if err != nil {
		return nil, err
	}
	if p.Root == nil {
		return nil, sqlstate.New(sqlstate.InternalError, "subquery has no plan")
	}
	child := newRunner(r.b, r.sess, p)
	child.parent = r // progress.go: one report for the statement
	r.mu.Lock()
	child.budget = r.budget - r.requests
	r.mu.Unlock()
	ss := newSubSession(ctx, child)
	ss.ctes = r.storeOf()
	child.env.Session = ss
	defer func() {
		cs := child.stats()
		r.mu.Lock()
		r.requests += cs.Requests
		r.pages += cs.Pages
		r.mu.Unlock()
	}()
	it, err := child.build(p.Root)
	if err != nil {
		return nil, err
	}
	defer it.close()
	limit := r.sess.WorkMemRows()
	var rows [][]any
	for maxRows <= 0 || len(rows) < maxRows {
		if err := ctx.Err(); err != nil {
			return nil, canceled(err)
		}
		row, err := it.next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if int64(len(rows)) >= limit {
			return nil, planner.ErrWorkMem("subquery", limit)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// resolveInitPlans runs p's init plans (uncorrelated subqueries) and returns p planned again
// with their results in place, so that their values reach Stripe as pushed-down filters.
func (r *runner) resolveInitPlans(ctx context.Context, p *planner.Planned) (*planner.Planned, error) {
	for round := 0; len(p.InitPlans) > 0; round++ {
		if round == maxReplanRounds {
			return nil, sqlstate.New(sqlstate.InternalError, "subqueries still unresolved after %d rounds of planning", maxReplanRounds)
		}
		results := map[int32][][]any{}
		for _, s := range p.InitPlans {
			rows, err := r.runSub(ctx, s.Plan, rowsNeeded(s))
			if err != nil {
				return nil, err
			}
			results[s.ID] = rows
		}
		q, err := p.Replan(r.sess, results)
		if err != nil {
			return nil, err
		}
		p = q
	}
	return p, nil
}

// prepareSubqueries lets the statement's expressions run subqueries, and resolves the init plans
// of a query (or of the query under EXPLAIN ANALYZE) before it starts.
func (r *runner) prepareSubqueries(ctx context.Context, p **planner.Planned) error {
	r.env.Session = newSubSession(ctx, r)
	q := *p
	switch {
	case len(q.InitPlans) > 0:
		resolved, err := r.resolveInitPlans(ctx, q)
		if err != nil {
			return err
		}
		*p, r.plan = resolved, resolved
	case q.Kind == "EXPLAIN" && q.Analyze && q.Inner != nil && len(q.Inner.InitPlans) > 0:
		inner, err := r.resolveInitPlans(ctx, q.Inner)
		if err != nil {
			return err
		}
		cp := *q
		cp.Inner = inner
		*p, r.plan = &cp, &cp
	}
	return nil
}
