package exec

import (
	"context"
	"fmt"
	"io"

	"github.com/stripesql/stripesql/planner"
)

// explainAnalyze runs the inner plan to the end, discarding its rows, and returns the plan text
// with each node's actual requests, pages, rows and time.
func (r *runner) explainAnalyze(ctx context.Context, p *planner.Planned) (Rows, error) {
	inner := newRunner(r.b, r.sess, p.Inner)
	// Its nodes keep their times, not only their rows (exec.go).
	inner.timed = true
	inner.env.Session = newSubSession(ctx, inner) // subquery.go
	it, err := inner.build(p.Inner.Root)
	if err != nil {
		return nil, err
	}
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			it.close()
			return nil, canceled(err)
		}
		_, err := it.next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			it.close()
			return nil, err
		}
		n++
	}
	it.close()
	inner.fanOutEnded()
	total := inner.stats()
	lines := planner.ExplainLines(r.sess, p.Inner, func(node planner.Node) string {
		st := inner.nodes[node]
		if st == nil {
			return "(never executed)"
		}
		if a, ok := lookupActual(node, inner.nodes); ok { // lookup.go
			return a
		}
		if _, ok := node.(*planner.Scan); ok {
			part := ""
			if st.scan != nil && st.scan.part != nil {
				part = st.scan.part.summary() // partition.go
			}
			return fmt.Sprintf("(actual requests=%d pages=%d rows=%d%s%s%s time=%.3f ms)", st.requests-st.calls.CacheHits()-st.calls.Coalesced(), st.pages, st.rows, part, fanOutActual(st), servedActual(st), float64(st.dur.Microseconds())/1000)
		}
		return fmt.Sprintf("(actual rows=%d time=%.3f ms)", st.rows, float64(st.dur.Microseconds())/1000)
	})
	var hits, coalesced int64
	for _, st := range inner.nodes {
		hits += st.calls.CacheHits()
		coalesced += st.calls.Coalesced()
	}
	footer := fmt.Sprintf("Actual Stripe requests: %d, pages: %d, rows: %d", total.Requests-hits-coalesced, total.Pages, n)
	if hits > 0 {
		footer += fmt.Sprintf(", cache hits: %d", hits)
	}
	if coalesced > 0 {
		footer += fmt.Sprintf(", coalesced: %d", coalesced)
	}
	lines = append(lines, footer)
	lines = append(lines, fmt.Sprintf("Execution Time: %.3f ms", float64(total.Elapsed.Microseconds())/1000))
	r.mu.Lock()
	r.requests, r.pages = total.Requests, total.Pages
	r.mu.Unlock()
	rows := make([][]any, len(lines))
	for i, l := range lines {
		rows[i] = []any{l}
	}
	return &rowsImpl{r: r, it: &staticIter{rows: rows}, cols: p.Columns, tag: "EXPLAIN"}, nil
}

// staticIter emits precomputed rows.
type staticIter struct {
	rows [][]any
	pos  int
}

func (s *staticIter) next(context.Context) ([]any, error) {
	if s.pos >= len(s.rows) {
		return nil, io.EOF
	}
	s.pos++
	return s.rows[s.pos-1], nil
}

func (s *staticIter) close() {}

// servedActual is the part of a scan's EXPLAIN ANALYZE figures for the calls the Client answered
// without a request to Stripe: " cache hits=N" (pages read from the node's page cache, allowed by
// stripesql.max_staleness) and " coalesced=N" (calls that shared an identical one in flight).
// Such calls are not in requests=, which counts what Stripe received.
func servedActual(st *nodeStats) string {
	s := ""
	if n := st.calls.CacheHits(); n > 0 {
		s += fmt.Sprintf(" cache hits=%d", n)
	}
	if n := st.calls.Coalesced(); n > 0 {
		s += fmt.Sprintf(" coalesced=%d", n)
	}
	return s
}
