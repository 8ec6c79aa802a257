package exec

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// A partitioned scan reads one list call as several windows of `created`, concurrently, so that a
// large scan keeps the node's request slots busy when Stripe's latency is longer than a slot (at 6
// requests/s and 300 ms, two or three requests must be in flight), and so that the first pages of
// the windows measure a table the node has never seen before the budget is spent.
//
// How it goes:
//  1. The first page is the call as planned (newest first): the page a sequential scan reads too.
//     When Stripe says no more follow, that is all.
//  2. When the rest is wanted — at once for a drained scan, when its consumer asks past the first
//     page for a streaming one — the range below the first page's oldest object is split into
//     windows: three probe windows when the table's size is unknown, else as many as the
//     requests in flight need. The range ends below at the account's creation (GET /v1/account,
//     once per node), since no object is older. A probe's first page is its window's first
//     page: nothing is read twice.
//  3. Once the probes are in, the statement's estimate is re-made from what every scan measured
//     (density × width of each window not finished) and checked against the budget, so a query
//     over a large table is refused after about five requests.
//  4. Workers keep target requests in flight: ceil(rate × latency × 1.25), from the latency
//     observed. A worker that finds no window to read splits the window with the most rows left
//     at the middle of its remaining range: the old window stops there (objects older than its
//     stop belong to the new window and are dropped from its pages) and the new window starts
//     with its own first page, so every object is read exactly once.
//
// Windows are ranges of whole seconds, created[gte]=lo&created[lt]=hi, so objects created in the
// same second always fall in one window. Windows are kept newest first; when the plan relies on
// Stripe's order (Scan.KeepOrder) pages are handed on window by window in that order, otherwise
// as they arrive.

// probeWindows is the number of windows a scan of a table of unknown size opens to measure it:
// with the first page and the account, five requests before the estimate is checked.
const probeWindows = 3

// minWindowPages is the pages each half of a split window is expected to keep. Every window
// ends with a page that is not full, so a split costs about one request: at six pages a window
// the waste stays near a tenth, while the windows still outnumber the requests in flight until
// the last pages of a scan.
const minWindowPages = 6

// maxScanInflight caps the requests one partitioned scan keeps in flight.
const maxScanInflight = 16

// stripeEpoch (2011-01-01) bounds the created range when the account's creation cannot be read:
// no Stripe object is older.
const stripeEpoch = 1293840000

// accountRetry is how long a failure to read the account is remembered before it is asked again.
const accountRetry = 10 * time.Minute

// scanInflightOverride, when positive, fixes the requests in flight (tests compare 1 with n).
var scanInflightOverride int

// partitioning switches partitioned scans on; tests of the sequential reader switch it off.
var partitioning = true

// window is one created range of a partitioned scan.
type window struct {
	lo, hi int64 // sent as created[gte]=lo and, when hi > 0, created[lt]=hi
	// stop: objects created before it belong to a later window; they are dropped and end this one.
	stop    int64
	cursor  string
	started bool
	busy    bool // a request of this window is in flight
	done    bool
	probe   bool // opened to measure the table: the estimate waits for its first page
	pages   int
	read    int64 // objects kept
	top     int64 // the window's upper end as measured: hi, or the newest object's created + 1
	last    int64 // created of the oldest object kept so far
	buf     [][]stripeapi.Object
}

// topDensity is the objects per second near the window's upper end, as far as it has been read:
// its average when it is finished, the density over the span its pages cover while it is being
// read; ok is false before its first page.
func (w *window) topDensity() (float64, bool) {
	switch {
	case !w.started:
		return 0, false
	case w.done && w.pages == 1 && w.hi > w.lo:
		return float64(w.read) / float64(w.hi-w.lo), true
	case w.read == 0:
		return 0, true
	}
	return float64(w.read) / float64(max(w.top-w.last, 1)), true
}

// partScan is the running partitioned read of a scan's one list call.
type partScan struct {
	it      *scanIter
	call    planner.Call
	param   string // the created parameter
	gte, lt bool   // the endpoint takes created[gte] / created[lt] (else gt / lte)
	base    url.Values
	lo      int64 // the call's own lower bound (0: none)
	hi      int64 // the call's own upper bound, exclusive (0: none)
	unknown bool  // the table's size is unknown: probe it
	// expect is the table's known object count when the scan reads all of it (Learn) and a
	// complete scan has counted it; 0 when unknown. It beats the windows' densities.
	expect float64

	ctx    context.Context // the workers': the statement's values, cancelled by close
	cancel context.CancelFunc

	mu       sync.Mutex
	wake     chan struct{}
	w0       *window   // the call as planned: its first page comes first
	windows  []*window // newest first
	head     int       // in window order, the window being handed on
	ready    [][]stripeapi.Object
	buffered int // pages read and not yet handed on
	inflight int
	maxIn    int
	err      error
	opened   bool // the rest of the range is wanted
	split    bool // the range has been split into windows
	probing  int  // probe windows whose first page is not in
	handed   int  // pages handed to the consumer
	latency  time.Duration
	read     int64
	oldest   int64
	newest   int64
	probes   int   // probe pages read
	floor    int64 // the range's lower end used for splitting
	spare    int64 // the statement's requests left under the budget when the range opened
	noSplit  bool  // objects without created: read sequentially
	learned  bool
}

// createdKey returns the list key of t's created column, if the endpoint filters on it with
// lower and upper bounds.
func createdKey(t *catalog.Table) (catalog.KeyColumn, bool) {
	if t.List == nil {
		return catalog.KeyColumn{}, false
	}
	for _, k := range t.List.Keys {
		if k.Column != "created" {
			continue
		}
		lower := hasKeyOp(k, catalog.OpGte) || hasKeyOp(k, catalog.OpGt)
		upper := hasKeyOp(k, catalog.OpLt) || hasKeyOp(k, catalog.OpLte)
		return k, lower && upper
	}
	return catalog.KeyColumn{}, false
}

func hasKeyOp(k catalog.KeyColumn, op catalog.Op) bool {
	for _, o := range k.Ops {
		if o == op {
			return true
		}
	}
	return false
}

// partitionable reports whether a plan's scan may be read as created windows: one list call with
// no pushed LIMIT (a LIMIT reads a few pages in Stripe's order, and more in flight would be
// wasted) on an endpoint that filters created both ways.
func partitionable(s *planner.Scan) bool {
	if !partitioning || s.Access != planner.AccessList || len(s.Calls) != 1 || s.Limit > 0 || s.PerKey || s.Calls[0].Method != "list" {
		return false
	}
	_, ok := createdKey(s.Table)
	return ok
}

// newPartScan prepares the partitioned read of it's only call; nothing is sent yet.
func newPartScan(ctx context.Context, it *scanIter) *partScan {
	k, _ := createdKey(it.s.Table)
	c := it.s.Calls[0]
	p := &partScan{it: it, call: c, param: k.Param, gte: hasKeyOp(k, catalog.OpGte), lt: hasKeyOp(k, catalog.OpLt),
		base: url.Values{}, unknown: it.s.Source == planner.SourceUnknown,
		wake: make(chan struct{}, 1)}
	for key, vs := range c.Params {
		switch key {
		case k.Param + "[gte]":
			p.lo = max(p.lo, atoi64(vs[0]))
		case k.Param + "[gt]":
			p.lo = max(p.lo, atoi64(vs[0])+1)
		case k.Param + "[lt]":
			p.hi = minHi(p.hi, atoi64(vs[0]))
		case k.Param + "[lte]":
			p.hi = minHi(p.hi, atoi64(vs[0])+1)
		case k.Param:
			n := atoi64(vs[0])
			p.lo, p.hi = max(p.lo, n), minHi(p.hi, n+1)
		default:
			p.base[key] = append([]string(nil), vs...)
		}
	}
	// The workers outlive the call that starts them (a portal reads a few rows per Execute), so
	// their context keeps the statement's values but not its deadline; next and close cancel it.
	p.ctx, p.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if it.s.Learn && it.s.Source == planner.SourceLearned {
		p.expect = it.s.Rows
		if st, ok := it.r.sess.Stats().Table(it.account(), it.s.Table.Name); ok && st.Oldest > 0 && p.lo == 0 {
			// No object is older than the oldest a complete count saw, but for one created in
			// the same second by a clock that ran behind: a margin of a day.
			p.floor = st.Oldest - 86400
		}
	}
	p.w0 = &window{lo: p.lo, hi: p.hi, stop: p.lo}
	p.windows = []*window{p.w0}
	p.opened = it.s.Drained
	return p
}

func minHi(a, b int64) int64 {
	if a == 0 || b < a {
		return b
	}
	return a
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// createdOf reads an object's created time.
func createdOf(o stripeapi.Object) (int64, bool) {
	switch v := o["created"].(type) {
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	case float64:
		return int64(v), true
	case int64:
		return v, true
	}
	return 0, false
}

// next returns the objects of the next page, or nil at the end. A cancelled ctx stops every
// worker.
func (p *partScan) next(ctx context.Context) ([]stripeapi.Object, error) {
	for {
		p.mu.Lock()
		if page, ok := p.take(); ok {
			p.handed++
			p.pump()
			p.mu.Unlock()
			return page, nil
		}
		if p.err != nil {
			err := p.err
			p.mu.Unlock()
			return nil, err
		}
		if p.finished() {
			learn := !p.learned
			p.learned = true
			p.mu.Unlock()
			if learn {
				p.learn()
			}
			return nil, nil
		}
		needOpen := !p.opened && p.handed > 0
		// Once the first page says more follow, decide whether to split and find the floor.
		decide := p.opened && !p.split && p.w0.started && !p.w0.done && !p.w0.busy && !p.noSplit
		p.mu.Unlock()
		if decide {
			p.decideSplit(ctx)
		}
		if needOpen {
			// A streaming consumer wants more than the first page: open the rest of the range,
			// and unless it reads in chunks, hold the whole scan to the budget now.
			if err := p.open(ctx); err != nil {
				return nil, err
			}
			continue
		}
		p.mu.Lock()
		p.pump()
		p.mu.Unlock()
		select {
		case <-p.wake:
		case <-ctx.Done():
			p.cancel()
			return nil, canceled(ctx.Err())
		}
	}
}

// open marks the rest of the range wanted; for a streaming scan of known size whose consumer reads
// everything, it checks the statement's estimate first, as the planner left that to the run.
func (p *partScan) open(ctx context.Context) error {
	p.mu.Lock()
	p.opened = true
	check := !p.unknown
	p.mu.Unlock()
	if check {
		return p.it.r.checkEstimate()
	}
	return nil
}

// take hands on the next page, in window order when the plan relies on it. p.mu is held.
func (p *partScan) take() ([]stripeapi.Object, bool) {
	if !p.it.s.KeepOrder {
		if len(p.ready) == 0 {
			return nil, false
		}
		page := p.ready[0]
		p.ready[0] = nil
		p.ready = p.ready[1:]
		p.buffered--
		return page, true
	}
	for p.head < len(p.windows) {
		w := p.windows[p.head]
		if len(w.buf) > 0 {
			page := w.buf[0]
			w.buf[0] = nil
			w.buf = w.buf[1:]
			p.buffered--
			return page, true
		}
		if !w.done || w.busy {
			return nil, false
		}
		p.head++
	}
	return nil, false
}

// finished reports whether every window is read and handed on. p.mu is held.
func (p *partScan) finished() bool {
	return p.inflight == 0 && p.buffered == 0 && p.allDone()
}

// decideSplit runs once, when the first page says more follow and the rest is wanted: a scan
// splits when it needs more requests in flight than one, or when a table of unknown size might be
// large enough to pass the budget, which only probing can tell; only then is the account read for
// the range's floor. A scan that does neither reads on sequentially, at no extra cost.
func (p *partScan) decideSplit(ctx context.Context) {
	spare := p.it.r.spareRequests()
	p.mu.Lock()
	p.spare = spare
	wanted := p.target() > 1 || p.probeWanted(max(p.lo, stripeEpoch))
	p.mu.Unlock()
	if !wanted {
		p.mu.Lock()
		p.split = true // read on as one window
		p.mu.Unlock()
		p.signal()
		return
	}
	p.mu.Lock()
	known := p.floor
	p.mu.Unlock()
	if known > 0 {
		return
	}
	floor := p.it.r.createdFloor(stripeapi.WithAccount(ctx, p.call.Account), p.lo)
	p.mu.Lock()
	p.floor = floor
	p.mu.Unlock()
}

// probeWanted reports whether a table of unknown size must be measured before it is read on: the
// first page's density over the whole range down to floor could take more than half the requests
// the statement has left. (Counted pessimistically: objects usually thin out going back.)
// p.mu is held.
func (p *partScan) probeWanted(floor int64) bool {
	if !p.unknown {
		return false
	}
	d, _ := p.w0.topDensity()
	pages := d * float64(max(p.w0.last-floor, 0)) / float64(p.it.pageSize())
	return pages > float64(p.spare)/2
}

// target is the requests the scan keeps in flight: enough to cover the latency at the node's
// rate. p.mu is held.
func (p *partScan) target() int {
	if scanInflightOverride > 0 {
		return scanInflightOverride
	}
	rate := p.it.r.sess.Rate()
	n := int(math.Ceil(rate * p.latency.Seconds() * 1.25))
	return max(1, min(n, maxScanInflight))
}

// allowed is how many requests may be in flight now. p.mu is held.
func (p *partScan) allowed() int {
	switch {
	case !p.w0.started:
		return 1 // the first page
	case !p.opened || (!p.split && !p.noSplit):
		return 0 // the consumer decides how to read on (decideSplit)
	case p.probing > 0:
		return probeWindows // the probes, nothing else, until the estimate is checked
	}
	return p.target()
}

// pump starts requests while fewer than allowed are in flight, splitting windows when none is
// free. p.mu is held.
func (p *partScan) pump() {
	if p.err != nil || p.ctx.Err() != nil {
		return
	}
	if p.opened && !p.split && p.floor > 0 && p.w0.started && !p.w0.busy {
		p.splitRange()
	}
	allowed := p.allowed()
	for p.inflight < allowed {
		// Read ahead of the consumer by at most twice the requests in flight — but the window
		// being handed on in order may always be read, or pages of later windows could fill
		// the read-ahead while the consumer waits for it.
		full := p.buffered+p.inflight >= 2*allowed
		w := p.pick()
		if w != nil && full && !(p.it.s.KeepOrder && w == p.current()) {
			return
		}
		if w == nil && !full && p.split && p.probing == 0 {
			w = p.steal()
		}
		if w == nil {
			return
		}
		w.busy = true
		p.inflight++
		p.maxIn = max(p.maxIn, p.inflight)
		go p.fetch(w)
	}
}

// current is the window being handed on in order: the first not finished from head. p.mu is held.
func (p *partScan) current() *window {
	for _, w := range p.windows[p.head:] {
		if !w.done || len(w.buf) > 0 {
			return w
		}
	}
	return nil
}

// pick chooses the window to read next: during probing only probe windows not started, else the
// first free one in window order, so that in order mode the window being handed on comes first.
// p.mu is held.
func (p *partScan) pick() *window {
	for _, w := range p.windows[p.head:] {
		if w.done || w.busy || (p.probing > 0 && !(w.probe && !w.started)) {
			continue
		}
		return w
	}
	return nil
}

// density is the objects per second of created time over everything read so far, for windows
// not started. p.mu is held.
func (p *partScan) density() float64 {
	var read, span int64
	for _, w := range p.windows {
		if w.started && w.read > 0 {
			read += w.read
			span += max(w.top-w.last, 1)
		}
	}
	if span == 0 {
		return 0
	}
	return float64(read) / float64(span)
}

// rowsLeft estimates the objects window i has still to read. A window not started holds the
// overall density over its width. A window being read holds its remaining range [stop, last] at
// a density that goes linearly from its own near its top to the next window's near that one's top
// (the next window starts where this one stops), when that is measured: objects thin out or
// vanish below a point more often than they stay even (events are kept 30 days; a product starts
// selling late), and a constant density would extrapolate the newest objects over years. The
// oldest window keeps its own density. p.mu is held.
func (p *partScan) rowsLeft(i int, overall float64) float64 {
	w := p.windows[i]
	if w.done {
		return 0
	}
	if !w.started {
		return overall * float64(max(w.hi-w.lo, 0))
	}
	d, _ := w.topDensity()
	below := d
	if i+1 < len(p.windows) {
		if nd, ok := p.windows[i+1].topDensity(); ok {
			below = nd
		}
	}
	return (d + below) / 2 * float64(max(w.last-w.stop, 0))
}

// splitRange opens the range below the first page's oldest object as windows: probe windows for a
// table of unknown size, else enough to keep the target in flight. p.mu is held.
//
// The first window keeps about one more page below what it has read; the others grow
// geometrically towards the floor, each ratio times as wide as the one above, so that the last
// one ends at the floor. Objects crowd at the new end of most lists (an account grows; events are
// kept 30 days), so narrow windows near the top measure where most objects are, and the wide ones
// below find out whether anything is there with one page each.
func (p *partScan) splitRange() {
	p.split = true
	w0 := p.w0
	if w0.done || p.noSplit {
		return
	}
	// Up to three windows at first (more once the density is known: steal), so that a table
	// smaller than it looked costs few pages that are not full.
	n := min(p.target()-1, probeWindows)
	if p.probeWanted(p.floor) {
		n = probeWindows
	} else {
		p.unknown = false // no need to measure it: read it at the target
	}
	page := max(w0.top-w0.last, 1) // the seconds the first page covered
	if n <= 0 || w0.last-p.floor < 2*page {
		return
	}
	cut := w0.last - page
	w0.stop = cut
	ratio := geometricRatio(float64(cut-p.floor)/float64(page), n)
	width := float64(page)
	for i := 0; i < n && cut > p.floor; i++ {
		width *= ratio
		lo := cut - int64(math.Ceil(width))
		if i == n-1 || lo < p.floor {
			lo = p.floor
		}
		p.windows = append(p.windows, &window{lo: lo, hi: cut, stop: lo, probe: p.unknown})
		cut = lo
	}
	if p.unknown {
		p.probing = len(p.windows) - 1
	}
}

// geometricRatio returns r ≥ 1 with r + r² + … + rⁿ = total (widths in units of the first page's
// span), by bisection.
func geometricRatio(total float64, n int) float64 {
	sum := func(r float64) float64 {
		s, x := 0.0, 1.0
		for i := 0; i < n; i++ {
			x *= r
			s += x
		}
		return s
	}
	if sum(1) >= total {
		return 1
	}
	lo, hi := 1.0, 2.0
	for sum(hi) < total {
		hi *= 2
	}
	for i := 0; i < 60; i++ {
		mid := (lo + hi) / 2
		if sum(mid) < total {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// steal splits the window with the most rows left at the middle of its remaining range, so an
// idle request slot gets work; nil when no window has two pages or two seconds left. p.mu is held.
func (p *partScan) steal() *window {
	d := p.density()
	page := float64(p.it.pageSize())
	// A window costs at least one page that is not full, so windows are kept to about six pages
	// each: more in flight than that would waste more requests than it saves time.
	var left float64
	for i := range p.windows {
		left += p.rowsLeft(i, d)
	}
	if open := p.openWindows(); float64(open+1)*minWindowPages*page > left {
		return nil
	}
	var best *window
	bestIdx, bestRows := -1, 2*minWindowPages*page // each half keeps minWindowPages
	for i, w := range p.windows[p.head:] {
		i += p.head
		upper := w.hi
		if w.started {
			upper = w.last
		}
		if w.done || upper-w.stop < 2 || (!w.started && w.busy) {
			continue
		}
		if r := p.rowsLeft(i, d); r >= bestRows {
			best, bestIdx, bestRows = w, i, r
		}
	}
	if best == nil {
		return nil
	}
	upper := best.hi
	if best.started {
		upper = best.last
	}
	mid := best.stop + (upper-best.stop+1)/2
	nw := &window{lo: best.stop, hi: mid, stop: best.stop}
	best.stop = mid
	if !best.started {
		best.lo = mid
	}
	p.windows = append(p.windows[:bestIdx+1], append([]*window{nw}, p.windows[bestIdx+1:]...)...)
	return nw
}

// fetch reads one page of w, on its own goroutine.
func (p *partScan) fetch(w *window) {
	r := p.it.r
	err := r.beginRequest(p.it.st)
	if err == nil {
		p.it.sent.Add(1)
	}
	var pg *stripeapi.Page
	var took time.Duration
	if err == nil {
		params := cloneParams(p.base)
		p.mu.Lock()
		lo, hi, cursor := w.lo, w.hi, w.cursor
		p.mu.Unlock()
		if lo > 0 {
			if p.gte {
				params.Set(p.param+"[gte]", strconv.FormatInt(lo, 10))
			} else {
				params.Set(p.param+"[gt]", strconv.FormatInt(lo-1, 10))
			}
		}
		if hi > 0 {
			if p.lt {
				params.Set(p.param+"[lt]", strconv.FormatInt(hi, 10))
			} else {
				params.Set(p.param+"[lte]", strconv.FormatInt(hi-1, 10))
			}
		}
		params.Set("limit", strconv.Itoa(p.it.pageSize()))
		if cursor != "" {
			params.Set("starting_after", cursor)
		}
		start := time.Now()
		pg, err = r.b.List(r.callCtx(p.ctx, p.it.st), p.call.Path, params)
		took = time.Since(start)
		if err != nil {
			err = accountErr(stripeErr(p.ctx, err), p.call.Account)
		}
	}
	p.mu.Lock()
	p.inflight--
	w.busy = false
	if err != nil {
		if p.err == nil {
			p.err = err
		}
		p.mu.Unlock()
		p.cancel() // the statement fails: stop the other requests
		p.signal()
		return
	}
	p.observe(took)
	kept, n := p.absorb(w, pg)
	if len(kept) > 0 {
		p.buffered++
		if p.it.s.KeepOrder {
			w.buf = append(w.buf, kept)
		} else {
			p.ready = append(p.ready, kept)
		}
	}
	probeDone := false
	if w.probe && w.pages == 1 {
		p.probes++
		p.probing--
		probeDone = p.probing == 0
	}
	more := !p.allDone()
	p.mu.Unlock()
	r.pageFetched(p.it.st, n, p.it.callBase, more)
	if probeDone {
		p.afterProbes()
	}
	p.mu.Lock()
	p.pump()
	p.mu.Unlock()
	p.signal()
}

// openWindows counts the windows not finished. p.mu is held.
func (p *partScan) openWindows() int {
	n := 0
	for _, w := range p.windows {
		if !w.done {
			n++
		}
	}
	return n
}

// allDone reports whether no window has pages left to read. p.mu is held.
func (p *partScan) allDone() bool {
	for _, w := range p.windows {
		if !w.done {
			return false
		}
	}
	return true
}

// observe folds a request's duration into the latency estimate. p.mu is held.
func (p *partScan) observe(d time.Duration) {
	if p.latency == 0 {
		p.latency = d
		return
	}
	p.latency = (3*p.latency + d) / 4
}

// absorb takes a page of w: it drops the objects older than w's stop (they are a later window's)
// and ends w when Stripe has no more or the page reached its stop. It returns the objects kept and
// the number Stripe sent. p.mu is held.
func (p *partScan) absorb(w *window, pg *stripeapi.Page) ([]stripeapi.Object, int) {
	w.started = true
	w.pages++
	data := pg.Data
	kept := data
	for i, o := range data {
		c, ok := createdOf(o)
		if !ok {
			p.noSplit = true
			continue
		}
		if w.pages == 1 && i == 0 && w.top == 0 {
			w.top = c + 1
			if w.hi > 0 {
				w.top = w.hi
			}
		}
		if c < w.stop {
			kept = data[:i]
			w.done = true
			break
		}
		w.last = c
		p.oldest = minHi(p.oldest, c)
		p.newest = max(p.newest, c)
	}
	if n := len(data); n > 0 {
		id, _ := data[n-1]["id"].(string)
		w.cursor = id
		if id == "" {
			w.done = true
		}
	}
	if !pg.HasMore || len(data) == 0 {
		w.done = true
	}
	w.read += int64(len(kept))
	p.read += int64(len(kept))
	return kept, len(data)
}

// remainingRequests estimates the requests the scan has still to send: each unfinished window's
// rows left at its density, in pages, at least one. It is what progress and the budget read.
func (p *partScan) remainingRequests() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.density()
	page := float64(p.it.pageSize())
	// Requests in flight are sent already (the runner counts them): only what follows is left.
	var left float64
	for i, w := range p.windows {
		if w.done {
			continue
		}
		n := math.Max(1, math.Ceil(p.rowsLeft(i, d)/page))
		if w.busy {
			n--
		}
		left += n
	}
	if p.expect > 0 && !p.allDone() {
		// A count is better than densities; every open window still ends with a page.
		rows := math.Max(p.expect-float64(p.read), 0)
		left = math.Max(float64(p.openWindows()-p.inflight), math.Ceil(rows/page)-float64(p.inflight))
	}
	return math.Max(left, 0)
}

// estimatedRows is the objects read so far plus those the windows still hold.
func (p *partScan) estimatedRows() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.density()
	rows := float64(p.read)
	for i := range p.windows {
		rows += p.rowsLeft(i, d)
	}
	if p.expect > 0 && !p.allDone() {
		rows = math.Max(p.expect, float64(p.read))
	}
	return rows
}

// afterProbes checks the statement's estimate once the probe pages are in; for a scan of the
// whole table it keeps the estimate in Stats, so the next plan knows the size without probing.
func (p *partScan) afterProbes() {
	if p.it.s.Learn {
		rows := p.estimatedRows()
		p.mu.Lock()
		st := planner.TableStat{Rows: int64(math.Round(rows)), Oldest: p.floor, Newest: p.newest,
			How: strconv.Itoa(p.probes+1) + " probe pages", LearnedAt: time.Now()}
		p.mu.Unlock()
		p.it.r.sess.Stats().Put(p.it.account(), p.it.s.Table.Name, st)
	}
	if err := p.it.r.checkEstimate(); err != nil {
		p.mu.Lock()
		if p.err == nil {
			p.err = err
		}
		p.mu.Unlock()
		p.cancel()
	}
}

// learn records the table's size when a scan of the whole table has ended.
func (p *partScan) learn() {
	if !p.it.s.Learn {
		return
	}
	p.mu.Lock()
	st := planner.TableStat{Rows: p.read, Oldest: p.oldest, Newest: p.newest, Complete: true,
		How: "a complete scan", LearnedAt: time.Now()}
	p.mu.Unlock()
	p.it.r.sess.Stats().Put(p.it.account(), p.it.s.Table.Name, st)
}

// signal wakes the consumer.
func (p *partScan) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// close stops every worker; no request starts after it.
func (p *partScan) close() { p.cancel() }

// measured reports whether the scan's figures come from its windows: the range has been split,
// and no probe is still out.
func (p *partScan) measured() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.split && p.probing == 0 && len(p.windows) > 1
}

// isOpened reports whether the rest of the range beyond the first page is wanted.
func (p *partScan) isOpened() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.opened
}

// describe is the scan's estimated rows and where the figure comes from, for a 54000 DETAIL:
// "measured by 4 pages of this statement".
func (p *partScan) describe() (float64, string) {
	rows := p.estimatedRows()
	p.mu.Lock()
	defer p.mu.Unlock()
	pages := 0
	for _, w := range p.windows {
		pages += w.pages
	}
	span := ""
	if p.newest > 0 {
		span = " from " + time.Unix(p.floor, 0).UTC().Format("2006-01-02") + " to " + time.Unix(p.newest, 0).UTC().Format("2006-01-02")
	}
	return rows, "measured by " + strconv.Itoa(pages) + " pages of this statement" + span
}

// summary renders what the partitioned read did, for EXPLAIN ANALYZE: " windows=7 probes=3
// in_flight=3", or "" when it read the call as one window.
func (p *partScan) summary() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.windows) <= 1 {
		return ""
	}
	return fmt.Sprintf(" windows=%d probes=%d in_flight=%d", len(p.windows), p.probes, p.maxIn)
}
