package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// fillAccount sets a row's stripe_account, when the scan reads it and the call did not name an
// account (its Fill has the account otherwise), to the API key's own account id: the object's
// own id when the call read the account itself (GET /v1/account).
func (it *scanIter) fillAccount(ctx context.Context, row []any, obj stripeapi.Object) {
	i := accountColumn(it.s.Table)
	if i < 0 || row[i] != nil || it.s.Needed != nil && !it.s.Needed[i] {
		return
	}
	if a := it.account(); a != "" {
		row[i] = a
		return
	}
	if it.call < len(it.s.Calls) && it.s.Calls[it.call].Path == "/v1/account" {
		if id, _ := obj["id"].(string); id != "" {
			row[i] = id
			return
		}
	}
	if id := it.r.ownAccountID(ctx); id != "" {
		row[i] = id
	}
}

// accountColumn is the index of t's stripe_account column, or -1.
func accountColumn(t *catalog.Table) int {
	if _, i, ok := t.Column(catalog.AccountColumn); ok && t.Columns[i].Account {
		return i
	}
	return -1
}

// accountScan reads a scan over several Stripe accounts (a Connect fan-out): each account's calls
// run as a scan of their own (a part), so partitioned reads, learned sizes and the pushed LIMIT
// (what is left of it) apply per account, while requests and pages count for the plan's node.
//
// A scan with no LIMIT, no reliance on Stripe's order and no consumer reading in chunks reads its
// accounts concurrently (fanOut) — from the start when its consumer reads everything (Drained),
// else once the consumer has taken a page's worth of rows, the account being read going on as
// one of the workers: a few accounts at a time, each with its own requests one after the other,
// so the node's slots stay busy during round trips and every running account gets an equal share
// of the statement's requests — a large account does not hold the small ones back. Its rows
// interleave across accounts. Until then, and for a LIMIT, the accounts are read one after the
// other, so a client that stops early costs no request of an account it never reached.
//
// An account of the accounts listing (Scan.Listed) that Stripe refuses (403, 404: disconnected
// since it was listed) is skipped with a NOTICE naming it and Stripe's message; one the query
// named fails the statement by its id.
type accountScan struct {
	r       *runner
	s       *planner.Scan
	st      *nodeStats
	parts   []planner.Scan
	bases   []int
	i       int
	cur     *scanIter
	emitted int64
	// curRows counts the rows of the account being read one after the other (checkFanOut).
	curRows int64
	done    bool
	fan     *fanOut
}

func newAccountScan(r *runner, s *planner.Scan, st *nodeStats) *accountScan {
	a := &accountScan{r: r, s: s, st: st}
	for i := 0; i < len(s.Calls); {
		j := i + 1
		for j < len(s.Calls) && s.Calls[j].Account == s.Calls[i].Account {
			j++
		}
		part := *s
		part.Calls = s.Calls[i:j]
		part.Accounts = []string{s.Calls[i].Account}
		a.parts = append(a.parts, part)
		a.bases = append(a.bases, i)
		i = j
	}
	r.startFanOut(st, len(a.parts))
	return a
}

// concurrent reports whether the fan-out may read its accounts at once (see accountScan): from
// the start when its consumer drains it, else once the consumer has taken a page's worth of rows.
func (a *accountScan) concurrent(ctx context.Context) bool {
	return fanOutConcurrency && a.i < len(a.parts)-1 && (a.s.Drained || a.emitted >= planner.DefaultPageSize) &&
		a.s.Limit <= 0 && !a.s.KeepOrder && !boundedDemand(ctx) && !hasSubquery(a.s.Filter)
}

// fanOutConcurrency switches concurrent fan-outs on; a test compares them with sequential ones.
var fanOutConcurrency = true

// hasSubquery reports whether e evaluates a subquery, whose runner serves one goroutine.
func hasSubquery(e expr.Expr) bool {
	found := false
	if e != nil {
		expr.Walk(e, func(x expr.Expr) bool {
			if _, ok := x.(*planner.Subquery); ok {
				found = true
			}
			return !found
		})
	}
	return found
}

// part returns the scan of account part i, its LIMIT what is left of the fan-out's.
func (a *accountScan) part(i int) *scanIter {
	part := &a.parts[i]
	if a.s.Limit > 0 {
		part.Limit = a.s.Limit - a.emitted
	}
	it := newScan(a.r, part, a.st)
	it.callBase = a.bases[i]
	it.mayPartition = partitionable(part)
	return it
}

func (a *accountScan) next(ctx context.Context) ([]any, error) {
	if a.fan == nil && !a.done && a.concurrent(ctx) {
		// The account being read, if any, goes on as the first of the fan-out's workers.
		a.fan = newFanOut(ctx, a, a.i, a.cur)
		a.cur = nil
	}
	if a.fan != nil {
		return a.fan.next(ctx)
	}
	for !a.done {
		if a.cur == nil {
			if a.i >= len(a.parts) || a.s.Limit > 0 && a.s.Limit-a.emitted <= 0 {
				break
			}
			a.cur = a.part(a.i)
			a.curRows = 0
		}
		row, err := a.cur.next(ctx)
		if err != nil {
			sent := a.cur.sent.Load()
			a.cur.close()
			a.cur = nil
			if err != io.EOF {
				if err = a.r.skipAccount(a.st, a.s.Listed, a.parts[a.i].Accounts[0], err); err != nil {
					return nil, err
				}
			}
			a.r.accountDone(a.st)
			a.i++
			if err := a.r.checkFanOut(a.st, sent, a.curRows); err != nil {
				return nil, err
			}
			continue
		}
		a.emitted++
		a.curRows++
		return row, nil
	}
	a.done = true
	return nil, io.EOF
}

func (a *accountScan) close() {
	a.done = true
	if a.cur != nil {
		a.cur.close()
		a.cur = nil
	}
	if a.fan != nil {
		a.fan.close()
	}
}

// fanOut is the concurrent read of an accountScan's parts: workers, one per running account, each
// read their account's scan to its end and hand its rows on a page at a time. As many accounts run
// at once as the statement needs requests in flight to cover Stripe's latency at the node's rate
// (ceil(rate × latency × 1.25), as partitioned scans do, at least 2 and at most maxScanInflight),
// each with one request in flight, so the Scheduler's first-come order within the statement's
// flow serves the running accounts in turn. An account partitions its own scan only when no
// other account waits for a slot.
type fanOut struct {
	a      *accountScan
	ctx    context.Context
	cancel context.CancelFunc
	out    chan [][]any
	wg     sync.WaitGroup

	mu      sync.Mutex
	nextIdx int       // the next part to start
	started *scanIter // part nextIdx's scan when the sequential reader had started it
	running int
	ended   int
	latency time.Duration
	err     error
	closed  bool

	batch [][]any
	pos   int
}

// newFanOut starts reading a's parts from first on, cur (when not nil) being part first's scan
// already started by the sequential reader, which a worker takes over.
func newFanOut(ctx context.Context, a *accountScan, first int, cur *scanIter) *fanOut {
	// A few pages read ahead at most: a streaming consumer may still stop.
	f := &fanOut{a: a, out: make(chan [][]any, fanOutReadAhead), nextIdx: first, ended: first, started: cur}
	// The workers outlive the call that starts them, as a partitioned scan's do.
	f.ctx, f.cancel = context.WithCancel(context.WithoutCancel(ctx))
	f.mu.Lock()
	f.pump()
	f.mu.Unlock()
	return f
}

// fanOutReadAhead is how many pages the workers of a fan-out hand on before its consumer takes
// them; beyond that a worker waits, with its next request unsent.
const fanOutReadAhead = 4

// width is how many accounts run at once. f.mu is held.
func (f *fanOut) width() int {
	if scanInflightOverride > 0 {
		return scanInflightOverride
	}
	n := int(math.Ceil(f.a.r.sess.Rate() * f.latency.Seconds() * 1.25))
	return max(2, min(n, maxScanInflight))
}

// pump starts accounts while fewer than width run. f.mu is held.
func (f *fanOut) pump() {
	for !f.closed && f.err == nil && f.running < f.width() && f.nextIdx < len(f.a.parts) {
		i := f.nextIdx
		f.nextIdx++
		f.running++
		it := f.started
		f.started = nil
		if it == nil {
			it = f.a.part(i)
		}
		// Partitioning an account's scan multiplies its requests in flight: only once every
		// account has started, so that it takes the slots the others leave, not theirs.
		it.mayPartition = it.mayPartition && f.nextIdx == len(f.a.parts)
		it.observe = f.observe
		f.wg.Add(1)
		go f.work(i, it)
	}
}

// observe folds one request's duration into the latency that sizes the width.
func (f *fanOut) observe(d time.Duration) {
	f.mu.Lock()
	if f.latency == 0 {
		f.latency = d
	} else {
		f.latency = (3*f.latency + d) / 4
	}
	f.pump()
	f.mu.Unlock()
}

// work reads account part i to its end, handing its rows on a page at a time.
func (f *fanOut) work(i int, it *scanIter) {
	defer f.wg.Done()
	defer it.close()
	var batch [][]any
	send := func() bool {
		if len(batch) == 0 {
			return true
		}
		select {
		case f.out <- batch:
			batch = nil
			return true
		case <-f.ctx.Done():
			return false
		}
	}
	var err error
	var read int64 // rows of this account (checkFanOut)
	for {
		var row []any
		row, err = it.next(f.ctx)
		if err != nil {
			break
		}
		batch = append(batch, row)
		read++
		if it.pos >= len(it.page) { // the end of a page: hand it on before the next request
			if !send() {
				err = canceled(f.ctx.Err())
				break
			}
		}
	}
	if err == io.EOF {
		err = nil
		if !send() {
			err = canceled(f.ctx.Err())
		}
	} else if f.ctx.Err() == nil {
		err = f.a.r.skipAccount(f.a.st, f.a.s.Listed, f.a.parts[i].Accounts[0], err)
		if err == nil && !send() {
			err = canceled(f.ctx.Err())
		}
	}
	f.a.r.accountDone(f.a.st)
	if err == nil {
		err = f.a.r.checkFanOut(f.a.st, it.sent.Load(), read)
	}
	f.mu.Lock()
	f.running--
	f.ended++
	if err != nil && f.err == nil && !f.closed {
		f.err = err
		f.cancel() // the statement fails: stop the other accounts
	}
	last := f.ended == len(f.a.parts)
	f.pump()
	f.mu.Unlock()
	if last || err != nil {
		select {
		case f.out <- nil: // wake the consumer to see the end or the error
		default:
		}
	}
}

func (f *fanOut) next(ctx context.Context) ([]any, error) {
	for {
		if f.pos < len(f.batch) {
			row := f.batch[f.pos]
			f.batch[f.pos] = nil
			f.pos++
			return row, nil
		}
		select {
		case b := <-f.out:
			f.batch, f.pos = b, 0
			continue
		default:
		}
		f.mu.Lock()
		err, finished := f.err, f.ended == len(f.a.parts)
		f.mu.Unlock()
		if err != nil {
			return nil, err
		}
		if finished && len(f.out) == 0 {
			return nil, io.EOF
		}
		select {
		case b := <-f.out:
			f.batch, f.pos = b, 0
		case <-ctx.Done():
			f.close()
			return nil, canceled(ctx.Err())
		}
	}
}

// close stops the workers and waits for them, so none reports on the runner afterwards.
func (f *fanOut) close() {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	f.closed = true
	f.mu.Unlock()
	f.cancel()
	f.wg.Wait()
}

// refusedAccount reports whether err is Stripe refusing a call as a connected account: 403
// (disconnected, never connected) or 404.
func refusedAccount(err error) bool {
	var e *sqlstate.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code == sqlstate.InsufficientPrivilege || e.Code == sqlstate.UndefinedObject
}

// startFanOut counts the accounts of a fan-out node, for progress and EXPLAIN ANALYZE.
func (r *runner) startFanOut(st *nodeStats, accounts int) {
	r.mu.Lock()
	st.accounts += accounts
	r.fanOuts = append(r.fanOuts, st)
	r.mu.Unlock()
}

// addAccounts counts n more accounts of st's fan-out (a lookup join learns them key by key).
func (r *runner) addAccounts(st *nodeStats, n int) {
	r.mu.Lock()
	st.accounts += n
	r.mu.Unlock()
}

// accountDone counts one account of st's fan-out read to its end (or skipped).
func (r *runner) accountDone(st *nodeStats) {
	r.mu.Lock()
	st.accountsDone++
	r.mu.Unlock()
}

// fanOutSample is how many of a fan-out's accounts (at least; and at least 1 in 50 of them)
// are read before their mean stands for the rest in checkFanOut.
const fanOutSample = 50

// checkFanOut counts the sent requests of an account of st's fan-out just read, and re-makes the
// fan-out's estimate once enough accounts have been: the requests of the accounts read, per
// account, times the accounts still to read, plus what the statement has sent. When that passes
// the budget by more than a tenth (a sample's margin), the statement is refused now with 54000
// rather than after it has spent its whole budget: 5,000 accounts of 1.4 pages on average under
// a budget of 6,000 took 17 minutes to fail at the budget, when the planner could charge each
// account only its first page.
func (r *runner) checkFanOut(st *nodeStats, accountSent, accountRows int64) error {
	r.mu.Lock()
	st.accountsSent += accountSent
	st.accountsRows += accountRows
	part, ok := st.fanOutMeasured(fanOutSample)
	total, budget := float64(r.requests)-float64(st.requests)+part.Requests, r.budget
	r.mu.Unlock()
	if !ok {
		return nil
	}
	if total <= 1.1*float64(budget) {
		return nil
	}
	return planner.BudgetError(r.sess, total, []planner.BudgetPart{part})
}

// fanOutMeasured is st's fan-out as the accounts read so far measure it, when at least sample
// accounts (and 1 in 50) have been read and some are left: every account costs their mean (the
// requests accounts still being read have sent are part of theirs). The caller holds r.mu.
func (st *nodeStats) fanOutMeasured(sample int) (planner.BudgetPart, bool) {
	done, accounts := st.accountsDone, st.accounts
	if done < max(sample, 1) || done*50 < accounts || done >= accounts || st.scan == nil {
		return planner.BudgetPart{}, false
	}
	perAccount := float64(st.accountsSent) / float64(done)
	return planner.BudgetPart{Scan: st.scan.node,
		Requests: math.Max(perAccount*float64(accounts), float64(st.requests)),
		Rows:     float64(st.accountsRows) / float64(done) * float64(accounts),
		Note:     fmt.Sprintf("%d accounts × about %.1f requests each, as the first %d read measured", accounts, perAccount, done),
	}, true
}

// fanOutEstimate is the statement's requests with its first fan-out that has read any account
// as those accounts measure it (what overBudget says when the budget runs out mid-fan-out).
func (r *runner) fanOutEstimate() (float64, string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, st := range r.fanOuts {
		if part, ok := st.fanOutMeasured(1); ok {
			return float64(r.requests) - float64(st.requests) + part.Requests, part.Note, true
		}
	}
	return 0, "", false
}

// skipAccount decides what an error of one account's scan does: an account the listing gave
// (listed) that Stripe refuses is reported in a NOTICE naming it and Stripe's message, counted
// as skipped, and nil is returned; any other error, or any error of an account the query named,
// is returned naming the account.
func (r *runner) skipAccount(st *nodeStats, listed bool, acct string, err error) error {
	if !listed || acct == "" || !refusedAccount(err) {
		return err
	}
	var e *sqlstate.Error
	errors.As(err, &e)
	r.mu.Lock()
	st.skipped++
	r.mu.Unlock()
	r.sess.Notice(fmt.Sprintf("stripesql: skipped stripe account %s, listed by accounts but refused by stripe: %s", acct, strings.TrimPrefix(e.Message, "stripe: ")))
	return nil
}

// fanOutEnded sends the NOTICE that sums up the accounts a statement skipped, once it ends.
func (r *runner) fanOutEnded() {
	r.mu.Lock()
	var skipped, accounts int
	for _, st := range r.fanOuts {
		skipped += st.skipped
		accounts += st.accounts
	}
	r.mu.Unlock()
	if skipped > 0 {
		r.sess.Notice(fmt.Sprintf("stripesql: %d of %d stripe accounts skipped (refused by stripe since they were listed); the result leaves out their rows", skipped, accounts))
	}
}

// fanOutActual is the accounts part of a fan-out node's EXPLAIN ANALYZE line.
func fanOutActual(st *nodeStats) string {
	if st.accounts <= 1 && st.skipped == 0 {
		return ""
	}
	out := fmt.Sprintf(" accounts=%d", st.accounts)
	if st.skipped > 0 {
		out += fmt.Sprintf(" skipped=%d", st.skipped)
	}
	return out
}

// accountsOr is a scan's accounts, or the API key's own when the plan names none.
func accountsOr(accts []string) []string {
	if len(accts) == 0 {
		return []string{""}
	}
	return accts
}

// accountLookupScan is the right table's scan of a lookup join by account for one key: the
// template's calls sent as account key, with stripe_account (column col) filled with it.
func accountLookupScan(tmpl *planner.Scan, col int, key string) *planner.Scan {
	s := *tmpl
	s.Accounts = []string{key}
	s.Calls = make([]planner.Call, len(tmpl.Calls))
	for i, c := range tmpl.Calls {
		fill := make(map[int]any, len(c.Fill)+1)
		for k, v := range c.Fill {
			fill[k] = v
		}
		fill[col] = key
		c.Fill, c.Account = fill, key
		s.Calls[i] = c
	}
	return &s
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// rowAccount is the account an UPDATE or DELETE writes a row in: the stripe_account it was read
// with ("" when that is the API key's own account, so the write goes out as the read did).
func (wr *writer) rowAccount(ctx context.Context, row []any) string {
	i := accountColumn(wr.w.Table)
	if i < 0 || i >= len(row) {
		return wr.w.Account
	}
	a, _ := row[i].(string)
	if a == "" || a == wr.r.ownAccountID(ctx) {
		return ""
	}
	return a
}

// callAccount is the account a CALL acts as: its stripe_account => argument when given (checked
// against the session's allowed accounts before the request), else the plan's.
func (wr *writer) callAccount() (string, error) {
	w := wr.w
	if w.AccountArg == nil {
		return w.Account, nil
	}
	v, err := w.AccountArg.Eval(wr.r.env)
	if err != nil {
		return "", err
	}
	return wr.r.sess.WriteAccount(v, w.Account)
}

// accountErr makes sure an error of a call sent as a connected account names the account: one
// that Stripe refuses (403 for an account disconnected or never connected, 404) fails the whole
// statement by its id, never dropping that account's rows silently.
func accountErr(err error, acct string) error {
	e, ok := err.(*sqlstate.Error)
	if !ok || acct == "" || strings.Contains(e.Message+e.Detail, acct) || e.Code == sqlstate.QueryCanceled {
		return err
	}
	c := *e
	note := "stripe account " + acct
	if c.Detail != "" {
		c.Detail = note + ": " + c.Detail
	} else {
		c.Detail = note
	}
	return &c
}
