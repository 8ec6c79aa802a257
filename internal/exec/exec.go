package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// Stats are the running totals of a statement: Stripe requests, pages fetched, rows returned and
// time since it started.
type Stats struct {
	Requests int64
	Pages    int64
	Rows     int64
	Elapsed  time.Duration
}

// Rows is a running statement's result stream.
type Rows interface {
	// Columns returns the result columns, nil for statements that return no rows.
	Columns() []planner.Column
	// Next returns the next row, or io.EOF after the last. Values are in the representations of
	// package sqltypes.
	Next(ctx context.Context) ([]any, error)
	// Close stops the statement; no further Stripe request is sent.
	Close() error
	// Tag is the command tag, final after io.EOF: "SELECT 5", "SET", "BEGIN".
	Tag() string
	// Stats returns requests, pages, rows and elapsed time so far.
	Stats() Stats
}

// ProgressInterval is how often a long statement reports progress to the session's callback,
// and how long it runs before the first report. Front ends thin the reports further: the server
// sends a NOTICE every server.Config.ProgressInterval (5 s); the CLI redraws its line from the
// latest report, so its line appears after this long.
var ProgressInterval = time.Second

// Run starts a plan. Utility plans (SET, RESET, BEGIN…) take effect here and return an empty
// stream with their tag; queries return a stream whose Next fetches Stripe pages as it needs them.
func Run(ctx context.Context, b stripeapi.Backend, sess *planner.Session, p *planner.Planned) (Rows, error) {
	if p == nil {
		return nil, sqlstate.New(sqlstate.InternalError, "no plan to run")
	}
	if err := ctx.Err(); err != nil {
		return nil, canceled(err)
	}
	if p.Set != nil {
		if err := applySet(sess, p.Set); err != nil {
			return nil, err
		}
	}
	if p.Cursor != nil {
		return runCursor(ctx, b, sess, p) // cursor.go
	}
	r := newRunner(b, sess, p)
	if err := r.prepareSubqueries(ctx, &p); err != nil { // subquery.go
		return nil, err
	}
	if p.Write != nil {
		return r.runWrite(ctx, p) // write.go
	}
	if p.Kind == "EXPLAIN" && p.Analyze {
		return r.explainAnalyze(ctx, p)
	}
	if p.Root == nil {
		return &rowsImpl{r: r, tag: p.Tag, done: true}, nil
	}
	it, err := r.build(p.Root)
	if err != nil {
		return nil, err
	}
	return &rowsImpl{r: r, it: it, cols: p.Columns, tag: p.Tag}, nil
}

func applySet(sess *planner.Session, s *planner.SetAction) error {
	switch {
	case s.Reset && s.All:
		sess.ResetAll()
		return nil
	case s.Reset:
		return sess.ResetSetting(s.Name)
	}
	return sess.SetSetting(s.Name, s.Value)
}

// runner holds one statement's shared state: backend, session, budget, counters.
type runner struct {
	b        stripeapi.Backend
	sess     *planner.Session
	plan     *planner.Planned
	env      *expr.Env
	budget   int64
	start    time.Time
	mu       sync.Mutex
	requests int64
	pages    int64
	rows     int64
	scanned  int64        // Stripe objects read by scans, for progress (progress.go)
	scans    []*nodeStats // the plan's scans, for progress; guarded by mu (lookup workers report too)
	fanOuts  []*nodeStats // the nodes that read several accounts (connect.go); guarded by mu
	// parent is the runner of the statement when this one runs a subquery (subquery.go): progress
	// reports through it (progress.go).
	parent   *runner
	lastProg time.Time
	// progMu serialises the session's progress callback: partitioned scans report from their
	// fetching goroutines, and a callback (a NOTICE writer, a test's slice) need not be safe
	// for concurrent use. Reports reach it in the order they were made.
	progMu sync.Mutex
	nodes  map[planner.Node]*nodeStats
	// timeout is statement_timeout: the statement is cancelled (57014) when it runs longer.
	timeout time.Duration
	// timed makes every node keep its time as well as its rows: EXPLAIN ANALYZE sets it.
	timed bool
	// flow is the statement's share of the node's request budget (stripeapi.Scheduler).
	flow stripeapi.Flow
	// stale is the age of cached Stripe answers the session accepts (stripesql.max_staleness).
	stale time.Duration
}

// nodeStats are one node's actual figures, for EXPLAIN ANALYZE.
type nodeStats struct {
	rows     int64
	requests int64
	pages    int64
	dur      time.Duration
	loops    int64
	// calls counts which of the node's Stripe calls the Client answered without a request (page
	// cache, coalescing), for EXPLAIN ANALYZE; see runner.callCtx.
	calls stripeapi.Counters
	// accounts, accountsDone and skipped count a Connect fan-out's accounts (connect.go):
	// all, read to their end, and skipped because Stripe refused them. Guarded by runner.mu.
	accounts, accountsDone, skipped int
	// accountsSent and accountsRows are the requests and rows of the accounts read to their end
	// (checkFanOut), under runner.mu.
	accountsSent, accountsRows int64
	// scan follows a plan's scan call by call, so progress can re-estimate what is left
	// (progress.go); nil for other nodes and for a lookup join's per-key scans.
	scan *scanProgress
}

func newRunner(b stripeapi.Backend, sess *planner.Session, p *planner.Planned) *runner {
	now := p.Now
	if now.IsZero() {
		now = time.Now()
	}
	return &runner{
		b: b, sess: sess, plan: p,
		env:     &expr.Env{Params: p.Params, Now: now, Session: sess},
		budget:  int64(sess.MaxRequests()),
		start:   time.Now(),
		nodes:   map[planner.Node]*nodeStats{},
		timeout: statementTimeout(sess),
		flow:    stripeapi.Flow{Key: fmt.Sprintf("%d/%d", sess.BackendPID(), statements.Add(1))},
		stale:   sess.MaxStaleness(),
	}
}

// statements numbers the statements of the process, so that each one is a flow of its own.
var statements atomic.Uint64

// callCtx is the context of one Stripe call a node makes: the statement's flow (the Scheduler
// shares the node's rate fairly between statements, not between requests), the staleness the
// session accepts (stripesql.max_staleness) and the node's Counters, so EXPLAIN ANALYZE can show
// what the page cache and coalescing answered.
//
// A statement run by background work (a flow's sync marks its context Background) stays
// background: interactive queries go first.
func (r *runner) callCtx(ctx context.Context, st *nodeStats) context.Context {
	f := r.flow
	if outer, ok := stripeapi.FlowFrom(ctx); ok && outer.Class == stripeapi.Background {
		f.Class = stripeapi.Background
	}
	ctx = stripeapi.WithFlow(ctx, f)
	if r.stale > 0 {
		ctx = stripeapi.WithMaxStaleness(ctx, r.stale)
	}
	return stripeapi.WithCounters(ctx, &st.calls)
}

// statementTimeout reads the statement_timeout setting (milliseconds, or a number with a unit:
// ms, s, min, h); zero means none.
func statementTimeout(sess *planner.Session) time.Duration {
	v, _ := sess.Setting("statement_timeout")
	v = strings.TrimSpace(strings.ToLower(v))
	units := []struct {
		suffix string
		d      time.Duration
	}{{"ms", time.Millisecond}, {"min", time.Minute}, {"s", time.Second}, {"h", time.Hour}}
	unit := time.Millisecond
	for _, u := range units {
		if strings.HasSuffix(v, u.suffix) {
			v, unit = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.d
			break
		}
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n * float64(unit))
}

func (r *runner) stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Stats{Requests: r.requests, Pages: r.pages, Rows: r.rows, Elapsed: time.Since(r.start)}
}

// beginRequest counts a request against the budget before it is sent.
func (r *runner) beginRequest(st *nodeStats) error {
	r.mu.Lock()
	if r.requests >= r.budget {
		sent := r.requests
		r.mu.Unlock()
		return r.overBudget(sent)
	}
	r.requests++
	st.requests++
	r.mu.Unlock()
	return nil
}

// overBudget is the 54000 of a statement that has sent its whole budget: with the estimate of
// the whole statement as its scans have measured it, when that is known better than the plan's.
func (r *runner) overBudget(sent int64) error {
	est := r.plan.Estimate.Requests
	detail := fmt.Sprintf("the planner estimated %.0f requests; the tables are larger than estimated", est)
	if total, parts := r.measuredEstimate(); total > float64(sent) {
		est = total
		detail = fmt.Sprintf("estimated %.0f requests in all as measured so far: %s", total, strings.Join(parts, "; "))
	} else if total, part, ok := r.fanOutEstimate(); ok && total > float64(sent) {
		est = total
		detail = fmt.Sprintf("estimated %.0f requests in all as measured so far: %s", total, part)
	}
	return sqlstate.New(sqlstate.ProgramLimitExceeded, "query stopped after %d stripe requests: over the budget of %d", sent, r.budget).
		WithDetail("%s", detail).
		WithHint("add a filter, or SET stripesql.max_requests = %d", planner.SuggestBudget(max(r.budget*2, int64(math.Ceil(est))), r.budget))
}

// pageFetched counts a page of n objects that call number call of st's scan answered; more is
// whether Stripe said the call has further pages.
func (r *runner) pageFetched(st *nodeStats, n, call int, more bool) {
	r.mu.Lock()
	r.pages++
	st.pages++
	st.scan.page(call, more)
	r.mu.Unlock()
	r.addScanned(int64(n))
	r.progress()
}

// iterator is one running plan node.
type iterator interface {
	next(ctx context.Context) ([]any, error)
	close()
}

// counted wraps an iterator with its node's row count, which EXPLAIN ANALYZE and progress read.
type counted struct {
	in iterator
	st *nodeStats
}

func (c *counted) next(ctx context.Context) ([]any, error) {
	row, err := c.in.next(ctx)
	if err == nil {
		c.st.rows++
	}
	return row, err
}

func (c *counted) close() { c.in.close() }

// timed is counted plus the node's time. Only EXPLAIN ANALYZE prints times, so only its runner
// (runner.timed) pays for reading the clock twice per row per node, about 4% of a query's CPU.
type timed struct{ counted }

func (c *timed) next(ctx context.Context) ([]any, error) {
	t := time.Now()
	row, err := c.counted.next(ctx)
	c.st.dur += time.Since(t)
	return row, err
}

func (r *runner) build(n planner.Node) (iterator, error) {
	st := &nodeStats{loops: 1}
	r.nodes[n] = st
	var it iterator
	switch x := n.(type) {
	case *planner.Scan:
		if len(x.Accounts) > 1 {
			it = r.trackScan(x, st, newAccountScan(r, x, st)) // connect.go
			break
		}
		sc := newScan(r, x, st)
		sc.mayPartition = partitionable(x) // partition.go
		it = r.trackScan(x, st, sc)        // progress.go
	case *planner.Values:
		it = &valuesIter{r: r, n: x}
	case *planner.Filter:
		in, err := r.build(x.Input)
		if err != nil {
			return nil, err
		}
		it = &filterIter{r: r, in: in, cond: x.Cond}
	case *planner.Project:
		in, err := r.build(x.Input)
		if err != nil {
			return nil, err
		}
		it = &projectIter{r: r, in: in, exprs: x.Exprs}
	case *planner.Aggregate:
		in, err := r.build(x.Input)
		if err != nil {
			return nil, err
		}
		if len(x.Sets) > 0 {
			it = &groupingSetsIter{r: r, in: in, n: x} // grouping.go
			break
		}
		it = &aggIter{r: r, in: in, n: x}
	case *planner.Sort:
		in, err := r.build(x.Input)
		if err != nil {
			return nil, err
		}
		it = &sortIter{r: r, in: in, keys: x.Keys}
	case *planner.Distinct:
		in, err := r.build(x.Input)
		if err != nil {
			return nil, err
		}
		it = &distinctIter{in: in, keys: x.Keys, seen: map[string]bool{}}
	case *planner.Join:
		left, err := r.build(x.Left)
		if err != nil {
			return nil, err
		}
		if x.Lookup {
			// The right side runs once per key; its figures are kept on its node.
			rst := &nodeStats{loops: 1}
			r.nodes[x.Right] = rst
			it = &joinIter{r: r, n: x, left: left, st: rst}
			if x.LookupParam == planner.LookupAccount {
				r.startFanOut(rst, 0) // each key is an account (connect.go)
			}
			break
		}
		right, err := r.build(x.Right)
		if err != nil {
			return nil, err
		}
		it = &joinIter{r: r, n: x, left: left, right: right}
	case *planner.Window:
		in, err := r.build(x.Input)
		if err != nil {
			return nil, err
		}
		it = &windowIter{r: r, in: in, n: x} // window.go
	case *planner.SetOp:
		left, err := r.build(x.Left)
		if err != nil {
			return nil, err
		}
		right, err := r.build(x.Right)
		if err != nil {
			return nil, err
		}
		it = newSetOpIter(r, x, left, right) // setop.go
	case *planner.CTEScan:
		it = &cteIter{r: r, n: x} // cte.go
	case *planner.LateralJoin:
		left, err := r.build(x.Left)
		if err != nil {
			return nil, err
		}
		it = &lateralIter{r: r, n: x, left: left} // lateral.go
	case *planner.Lateral:
		it = &lateralScanIter{r: r, n: x} // lateral.go
	case *planner.SeriesScan:
		it = &seriesIter{r: r, n: x} // setop.go (generate_series)
	case *planner.UnnestScan:
		it = &unnestIter{r: r, n: x} // setop.go (unnest)
	case *planner.FuncScan:
		it = &funcScanIter{r: r, n: x} // funcscan.go
	case *planner.RowsFrom:
		z, err := r.newRowsFrom(x) // funcscan.go
		if err != nil {
			return nil, err
		}
		it = z
	case *planner.Limit:
		in, err := r.build(x.Input)
		if err != nil {
			return nil, err
		}
		it = &limitIter{in: in, count: x.Count, offset: x.Offset}
	default:
		return nil, sqlstate.New(sqlstate.InternalError, "exec: unknown plan node %T", n)
	}
	if r.timed {
		return &timed{counted{in: it, st: st}}, nil
	}
	return &counted{in: it, st: st}, nil
}

// rowsImpl is the Rows of a statement.
type rowsImpl struct {
	r      *runner
	it     iterator
	cols   []planner.Column
	tag    string
	n      int64
	done   bool
	closed bool
	err    error
}

func (q *rowsImpl) Columns() []planner.Column { return q.cols }

func (q *rowsImpl) Next(ctx context.Context) ([]any, error) {
	if q.err != nil {
		return nil, q.err
	}
	if q.done || q.it == nil {
		return nil, io.EOF
	}
	if q.r.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, q.r.start.Add(q.r.timeout))
		defer cancel()
	}
	if err := ctx.Err(); err != nil {
		q.fail(canceled(err))
		return nil, q.err
	}
	row, err := q.it.next(ctx)
	if err == io.EOF {
		q.done = true
		q.it.close()
		q.r.fanOutEnded() // connect.go: the accounts skipped, if any
		return nil, io.EOF
	}
	if err != nil {
		if ctx.Err() != nil {
			err = canceled(ctx.Err())
		}
		q.fail(sqlstate.Wrap(err))
		return nil, q.err
	}
	q.n++
	q.r.mu.Lock()
	q.r.rows++
	q.r.mu.Unlock()
	return row, nil
}

func (q *rowsImpl) fail(err error) {
	q.err = err
	if q.it != nil {
		q.it.close()
	}
}

func (q *rowsImpl) Close() error {
	if !q.closed {
		q.closed = true
		if q.it != nil {
			q.it.close()
		}
	}
	return nil
}

func (q *rowsImpl) Tag() string {
	if q.cols != nil && (q.tag == "SELECT" || q.tag == "") {
		return fmt.Sprintf("SELECT %d", q.n)
	}
	return q.tag
}

func (q *rowsImpl) Stats() Stats { return q.r.stats() }

func canceled(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return sqlstate.New(sqlstate.QueryCanceled, "canceling statement due to statement timeout")
	}
	return sqlstate.New(sqlstate.QueryCanceled, "canceling statement due to user request")
}

// valuesIter emits constant rows.
type valuesIter struct {
	r *runner
	n *planner.Values
	i int
}

func (v *valuesIter) next(context.Context) ([]any, error) {
	if v.i >= len(v.n.Rows) {
		return nil, io.EOF
	}
	exprs := v.n.Rows[v.i]
	v.i++
	row := make([]any, len(exprs))
	env := *v.r.env
	env.Row = nil
	for i, e := range exprs {
		val, err := e.Eval(&env)
		if err != nil {
			return nil, err
		}
		row[i] = val
	}
	return row, nil
}

func (v *valuesIter) close() {}

// filterIter keeps rows whose condition is true.
type filterIter struct {
	r    *runner
	in   iterator
	cond expr.Expr
}

func (f *filterIter) next(ctx context.Context) ([]any, error) {
	env := *f.r.env
	for {
		row, err := f.in.next(ctx)
		if err != nil {
			return nil, err
		}
		env.Row = row
		v, err := f.cond.Eval(&env)
		if err != nil {
			return nil, err
		}
		if t, known := expr.Truth(v); t && known {
			return row, nil
		}
	}
}

func (f *filterIter) close() { f.in.close() }

// projectIter computes output expressions.
type projectIter struct {
	r     *runner
	in    iterator
	exprs []expr.Expr
}

func (p *projectIter) next(ctx context.Context) ([]any, error) {
	row, err := p.in.next(ctx)
	if err != nil {
		return nil, err
	}
	env := *p.r.env
	env.Row = row
	out := make([]any, len(p.exprs))
	for i, e := range p.exprs {
		if out[i], err = e.Eval(&env); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (p *projectIter) close() { p.in.close() }

// aggIter groups its whole input, then emits one row per group in first-seen order.
type aggIter struct {
	r  *runner
	in iterator
	n  *planner.Aggregate
	materialized
}

type group struct {
	keys   []any
	states []expr.AggState
}

func (a *aggIter) next(ctx context.Context) ([]any, error) { return a.emit(ctx, a.run) }

func (a *aggIter) newGroup(keys []any) *group {
	g := &group{keys: keys, states: make([]expr.AggState, len(a.n.Aggs))}
	for i, ag := range a.n.Aggs {
		g.states[i] = ag.NewState()
	}
	return g
}

func (a *aggIter) run(ctx context.Context) error {
	groups := map[string]*group{}
	var order []*group
	env := *a.r.env
	keyBuf := make([]byte, 0, 64)
	keyVals := make([]any, len(a.n.Groups))
	for {
		row, err := a.in.next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		env.Row = row
		keyBuf = keyBuf[:0]
		for i, g := range a.n.Groups {
			v, err := g.Eval(&env)
			if err != nil {
				return err
			}
			keyVals[i] = v
			keyBuf = appendGroupKey(keyBuf, v, g.Type())
		}
		// The lookup converts keyBuf without allocating; only a new group copies its key and
		// values.
		gr, ok := groups[string(keyBuf)]
		if !ok {
			if err := a.r.holdRows("hash aggregate", len(order)); err != nil { // workmem.go
				return err
			}
			gr = a.newGroup(append([]any(nil), keyVals...))
			groups[string(keyBuf)] = gr
			order = append(order, gr)
		}
		for _, s := range gr.states {
			if err := s.Add(&env); err != nil {
				return err
			}
		}
	}
	if len(a.n.Groups) == 0 && len(order) == 0 {
		order = append(order, a.newGroup(nil))
	}
	for _, g := range order {
		row := make([]any, 0, len(g.keys)+len(g.states))
		row = append(row, g.keys...)
		for _, s := range g.states {
			v, err := s.Result()
			if err != nil {
				return err
			}
			row = append(row, v)
		}
		a.rows = append(a.rows, row)
	}
	return nil
}

func (a *aggIter) close() { a.in.close() }

// sortIter materialises and sorts its input.
type sortIter struct {
	r    *runner
	in   iterator
	keys []planner.SortKey
	vals [][]any
	materialized
}

func (s *sortIter) next(ctx context.Context) ([]any, error) { return s.emit(ctx, s.run) }

func (s *sortIter) run(ctx context.Context) error {
	env := *s.r.env
	for {
		row, err := s.in.next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		env.Row = row
		kv := make([]any, len(s.keys))
		for i, k := range s.keys {
			if kv[i], err = k.Expr.Eval(&env); err != nil {
				return err
			}
		}
		if err := s.r.holdRows("sort", len(s.rows)); err != nil { // workmem.go
			return err
		}
		s.rows = append(s.rows, row)
		s.vals = append(s.vals, kv)
	}
	idx := make([]int, len(s.rows))
	for i := range idx {
		idx[i] = i
	}
	var cmpErr error
	sort.SliceStable(idx, func(a, b int) bool {
		c, err := compareKeys(s.keys, s.vals[idx[a]], s.vals[idx[b]])
		if err != nil && cmpErr == nil {
			cmpErr = err
		}
		return c < 0
	})
	if cmpErr != nil {
		return cmpErr
	}
	sorted := make([][]any, len(idx))
	for i, j := range idx {
		sorted[i] = s.rows[j]
	}
	s.rows, s.vals = sorted, nil
	return nil
}

// compareKeys orders two rows' key values by the sort keys, NULLs placed as each key says.
func compareKeys(keys []planner.SortKey, a, b []any) (int, error) {
	for i, k := range keys {
		x, y := a[i], b[i]
		var c int
		switch {
		case x == nil && y == nil:
			c = 0
		case x == nil:
			if k.NullsFirst {
				return -1, nil
			}
			return 1, nil
		case y == nil:
			if k.NullsFirst {
				return 1, nil
			}
			return -1, nil
		default:
			var err error
			if c, err = expr.Compare(x, y, k.Expr.Type()); err != nil {
				return 0, err
			}
			if k.Desc {
				c = -c
			}
		}
		if c != 0 {
			return c, nil
		}
	}
	return 0, nil
}

func (s *sortIter) close() { s.in.close() }

// distinctIter drops rows whose key columns equal an earlier row's.
type distinctIter struct {
	in   iterator
	keys []int
	seen map[string]bool
	// types are learned from the values themselves: HashKey needs a type for numbers only, and a
	// column's values share one representation.
	buf []byte // the current row's key, reused from row to row
}

func (d *distinctIter) next(ctx context.Context) ([]any, error) {
	for {
		row, err := d.in.next(ctx)
		if err != nil {
			return nil, err
		}
		d.buf = d.buf[:0]
		for _, k := range d.keys {
			d.buf = appendGroupKey(d.buf, row[k], typeOfValue(row[k])) // hashkey.go
		}
		if d.seen[string(d.buf)] {
			continue
		}
		d.seen[string(d.buf)] = true
		return row, nil
	}
}

func (d *distinctIter) close() { d.in.close() }

// typeOfValue names a value's SQL type from its Go representation, for hashing.
func typeOfValue(v any) sqltypes.Type {
	switch v.(type) {
	case bool:
		return sqltypes.Bool
	case int64:
		return sqltypes.Int8
	case float64:
		return sqltypes.Float8
	case sqltypes.Decimal:
		return sqltypes.Numeric
	case string:
		return sqltypes.Text
	case []byte:
		return sqltypes.Bytea
	case time.Time:
		return sqltypes.Timestamptz
	case sqltypes.IntervalValue:
		return sqltypes.Interval
	case sqltypes.JSONValue:
		return sqltypes.JSONB
	case sqltypes.Array:
		return sqltypes.ArrayOf(v.(sqltypes.Array).Elem)
	}
	return sqltypes.Text
}

// limitIter skips offset rows and stops after count.
type limitIter struct {
	in      iterator
	count   int64
	offset  int64
	emitted int64
	skipped int64
}

func (l *limitIter) next(ctx context.Context) ([]any, error) {
	if l.count >= 0 && l.emitted >= l.count {
		return nil, io.EOF
	}
	for l.skipped < l.offset {
		if _, err := l.in.next(ctx); err != nil {
			return nil, err
		}
		l.skipped++
	}
	row, err := l.in.next(ctx)
	if err != nil {
		return nil, err
	}
	l.emitted++
	return row, nil
}

func (l *limitIter) close() { l.in.close() }

// materialized is the output half of the iterators that must read their whole input before the
// first row (sort, aggregate, grouping sets, window): fill runs once, on the first next, and
// leaves every output row in rows; emit then hands them out in order, dropping each one as it
// goes so a large result is released row by row rather than held until Close.
type materialized struct {
	rows [][]any
	pos  int
	done bool
}

// emit returns the next output row, running fill first if it has not run yet.
func (m *materialized) emit(ctx context.Context, fill func(context.Context) error) ([]any, error) {
	if !m.done {
		if err := fill(ctx); err != nil {
			return nil, err
		}
		m.done = true
	}
	if m.pos >= len(m.rows) {
		return nil, io.EOF
	}
	row := m.rows[m.pos]
	m.rows[m.pos] = nil
	m.pos++
	return row, nil
}
