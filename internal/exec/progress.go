package exec

import (
	"context"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/stripesql/stripesql/planner"
)

// scanProgress is what one scan of the plan has learned about its own size while it runs: the
// planner's estimate, which call its last page belonged to, that call's pages, and whether Stripe
// said more follow (has_more, or a next_page on a search).
type scanProgress struct {
	node    *planner.Scan
	part    *partScan // set once the scan reads created windows (partition.go)
	est     float64   // the planner's requests for the whole scan
	calls   int       // the scan's calls (one per id, per IN value, per parent)
	limited bool      // a LIMIT is pushed into the scan: it may stop while Stripe has more pages
	started bool
	ended   bool  // the scan has returned its last row or was closed
	call    int   // the call of the last page
	pages   int64 // pages of the scan so far
	inCall  int64 // pages of the current call
	more    bool  // the current call has more pages
}

// trackScan follows scan s of the plan, whose figures st holds, for progress, and returns its
// iterator it wrapped so that its end is seen.
func (r *runner) trackScan(s *planner.Scan, st *nodeStats, it iterator) iterator {
	st.scan = &scanProgress{node: s, est: s.Requests, calls: max(len(s.Calls), 1), limited: s.Limit > 0}
	r.mu.Lock()
	r.scans = append(r.scans, st)
	r.mu.Unlock()
	return &trackedScan{iterator: it, r: r, sp: st.scan}
}

// trackedScan marks its scan ended when the scan reports its last row or is closed, so a scan
// that stops before Stripe's last page (a LIMIT above it was met) has no requests left.
type trackedScan struct {
	iterator
	r  *runner
	sp *scanProgress
}

func (t *trackedScan) next(ctx context.Context) ([]any, error) {
	row, err := t.iterator.next(ctx)
	if err == io.EOF {
		t.end()
	}
	return row, err
}

func (t *trackedScan) close() {
	t.end()
	t.iterator.close()
}

func (t *trackedScan) end() {
	t.r.mu.Lock()
	t.sp.ended = true
	t.r.mu.Unlock()
}

// page records one page of call; a nil scanProgress (lookup joins' scans) records nothing.
func (sp *scanProgress) page(call int, more bool) {
	if sp == nil {
		return
	}
	if !sp.started || call != sp.call {
		sp.call, sp.inCall = call, 0
	}
	sp.started = true
	sp.pages++
	sp.inCall++
	sp.more = more
}

// left estimates the scan's requests still to send. Before its first page it is the planner's
// estimate. Then: the current call needs none when Stripe said it has no more pages, else its
// expected pages minus those read, where expected is the average of the calls already finished
// or, before one has, the planner's share per call; the calls not started are expected to cost as
// much. When the current call has already read its expected pages and Stripe says more follow,
// the estimate is exceeded: one more request is all that is known (unless a pushed LIMIT may end
// the scan first). A scan that has ended needs none.
func (sp *scanProgress) left() (left float64, exceeded bool) {
	if sp.ended {
		return 0, false
	}
	if sp.part != nil && sp.part.measured() {
		return sp.part.remainingRequests(), false
	}
	if !sp.started {
		return sp.est, false
	}
	perCall := sp.est / float64(sp.calls)
	if sp.call > 0 {
		perCall = float64(sp.pages-sp.inCall) / float64(sp.call)
	}
	later := float64(max(sp.calls-sp.call-1, 0)) * math.Max(perCall, 1)
	if !sp.more {
		return later, false
	}
	cur := math.Ceil(perCall - float64(sp.inCall))
	if cur < 1 && sp.limited {
		return later, false // has_more says nothing when the LIMIT is what ends the scan
	}
	if cur < 1 {
		return later + 1, true
	}
	return later + cur, false
}

// requestsLeft re-estimates the statement's requests still to send: what each scan of the plan
// has learned (scanProgress.left) plus the planner's estimate for the rest (lookup joins,
// subqueries, writes), less what the rest has already sent, inflight being the requests of
// subqueries still running, not yet added to r.requests. r.mu must be held.
func (r *runner) requestsLeft(inflight int64) (left float64, exceeded bool) {
	other := r.plan.Estimate.Requests
	sentOther := float64(r.requests + inflight)
	for _, st := range r.scans {
		l, ex := st.scan.left()
		if st.accounts > 1 && !st.scan.ended {
			l, ex = fanOutLeft(st), false
		}
		left += l
		exceeded = exceeded || ex
		other -= st.scan.est
		sentOther -= float64(st.requests)
	}
	return left + math.Max(other-sentOther, 0), exceeded
}

// budgetLeft is what the budget counts for a scan's requests still to send: what it has measured
// when it reads created windows, else the planner's figure — except for a scan not measured yet
// whose table size is unknown, or that streams to its consumer: such a scan is held to the budget
// when it has measured itself or its consumer asks for more than its first page, so until then it
// counts its first page, as it did when the plan was checked. sp's runner's mu is held.
func (sp *scanProgress) budgetLeft() float64 {
	if sp.ended {
		return 0
	}
	if sp.part != nil && sp.part.measured() {
		return sp.part.remainingRequests()
	}
	if sp.part != nil && sp.part.isOpened() && sp.node.Source != planner.SourceUnknown {
		l, _ := sp.left()
		return l
	}
	if sp.node.Source == planner.SourceUnknown || (!sp.node.Drained && sp.node.Limit == 0) {
		if sp.started {
			return 0
		}
		return math.Min(sp.est, float64(sp.calls))
	}
	l, _ := sp.left()
	return l
}

// measuredEstimate is the statement's requests as its partitioned scans have measured them (sent
// plus left), with one line per measured scan; zero when none has measured itself.
func (r *runner) measuredEstimate() (float64, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var total float64
	var lines []string
	measured := false
	for _, st := range r.scans {
		sp := st.scan
		l, _ := sp.left()
		total += float64(st.requests) + l
		if sp.part != nil && sp.part.measured() {
			measured = true
			rows, note := sp.part.describe()
			lines = append(lines, fmt.Sprintf("%s: about %.0f rows (%s)", sp.node.Table.Name, rows, note))
		}
	}
	if !measured {
		return 0, nil
	}
	return total, lines
}

// checkEstimate re-makes the statement's estimate from what its scans have measured and refuses
// it (54000) when that passes the budget: requests sent plus each scan's budgetLeft plus the
// planner's figure for the rest (lookup joins, subqueries, writes).
func (r *runner) checkEstimate() error {
	r.mu.Lock()
	other := r.plan.Estimate.Requests
	sentOther := float64(r.requests)
	total := float64(r.requests)
	var parts []planner.BudgetPart
	for _, st := range r.scans {
		sp := st.scan
		l := sp.budgetLeft()
		total += l
		other -= sp.est
		sentOther -= float64(st.requests)
		part := planner.BudgetPart{Scan: sp.node, Requests: float64(st.requests) + l}
		if sp.part != nil && sp.part.measured() {
			part.Rows, part.Note = sp.part.describe()
		}
		parts = append(parts, part)
	}
	total += math.Max(other-sentOther, 0)
	budget := r.budget
	r.mu.Unlock()
	if total <= float64(budget) {
		return nil
	}
	return planner.BudgetError(r.sess, total, parts)
}

// spareRequests is how many more requests the statement may send under its budget.
func (r *runner) spareRequests() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.budget - r.requests
}

// secondsPerRequest is the pace of the statement's requests: the node's rate, or the observed
// pace (elapsed time per request sent) when Stripe, or the client reading the rows, is slower
// than the rate allows.
func (r *runner) secondsPerRequest(elapsed time.Duration, requests int64) float64 {
	s := 1 / r.sess.Rate()
	if requests > 0 {
		s = math.Max(s, elapsed.Seconds()/float64(requests))
	}
	return s
}

// addScanned counts n Stripe objects read, on r and on the runners it reports through, so the
// statement's figure grows while a subquery reads.
func (r *runner) addScanned(n int64) {
	for x := r; x != nil; x = x.parent {
		x.mu.Lock()
		x.scanned += n
		x.mu.Unlock()
	}
}

// progress sends the session's progress callback a report, at most every ProgressInterval: rows
// read and returned, requests sent, and the requests and seconds left as re-estimated now. A
// subquery's runner reports through the statement's runner, adding the requests and pages of
// the subqueries still running, so a statement has one timeline however it is nested.
func (r *runner) progress() {
	cb := r.sess.Progress()
	if cb == nil {
		return
	}
	root := r
	var inflight, inflightPages int64
	for root.parent != nil {
		root.mu.Lock()
		inflight += root.requests
		inflightPages += root.pages
		root.mu.Unlock()
		root = root.parent
	}
	root.progMu.Lock()
	defer root.progMu.Unlock()
	root.mu.Lock()
	now := time.Now()
	if now.Sub(root.start) < ProgressInterval || now.Sub(root.lastProg) < ProgressInterval {
		root.mu.Unlock()
		return
	}
	root.lastProg = now
	elapsed := now.Sub(root.start)
	left, exceeded := root.requestsLeft(inflight)
	requests := root.requests + inflight
	ev := planner.ProgressEvent{
		Rows: root.rows, Scanned: root.scanned, Requests: requests, Pages: root.pages + inflightPages, Elapsed: elapsed,
		EstimatedRequests: root.plan.Estimate.Requests, RequestsLeft: left, Exceeded: exceeded,
		SecondsLeft: left * root.secondsPerRequest(elapsed, requests), MaxRequests: root.budget,
	}
	for _, st := range root.fanOuts {
		ev.Accounts += st.accounts
		ev.AccountsDone += st.accountsDone
		ev.AccountsSkipped += st.skipped
	}
	root.mu.Unlock()
	cb(ev)
}

// fanOutLeft estimates the requests left of a fan-out over accounts (connect.go), whose accounts
// run at once so that its calls' pages interleave: the accounts not read to their end, each
// expected to cost what the finished ones did on average (the pages so far over the finished
// accounts, an overestimate while others run), or the planner's share per account before one
// has finished. r.mu is held.
func fanOutLeft(st *nodeStats) float64 {
	per := st.scan.est / float64(st.accounts)
	if st.accountsDone > 0 {
		per = math.Max(1, float64(st.pages)/float64(st.accountsDone))
	}
	return float64(st.accounts-st.accountsDone) * per
}
