package stripeapi

import (
	"context"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultRate is the node's request budget in requests per second when none is configured.
const DefaultRate = 6

// StartGuard is the margin the Scheduler adds to the one-second window: a request counts against
// the window for 1 s + StartGuard after its bytes were handed to the kernel. Everything before
// that moment needs no margin, because a granted request counts as starting "now" in every
// window until then (see Scheduler); what is left is the way from this host's kernel to the
// server's, which on a network is the network's jitter.
//
// Measured with BenchmarkWireDelay on the shared 2-core machine (3 runs of 3,000 requests each,
// docs/benchmarks.md), a request reached the server's kernel (SO_TIMESTAMPNS) at most 6.3 ms after
// the Scheduler counted it started (a process with every CPU busy; idle, with -race or with two
// CPU hogs running beside it, always before), while the delays the old token bucket had to cover
// with its 100 ms guard — grant to write, up to 222 ms with -race and every CPU busy, and
// net/http's WroteRequest hook to the socket write, up to 55 ms — no longer count. 20 ms is three
// times the worst seen and leaves room for a network; it spends 1/1.02 = 0.98 of the budget at a
// whole rate (the old guard: 0.909).
const StartGuard = 20 * time.Millisecond

// BackgroundShare is the background flows' minimum share of the slots: while background and
// interactive flows both wait, at least one grant in BackgroundShare goes to a background flow,
// so a scheduled sync progresses (at 6/s, one request every 1.7 s) however busy the analysts are,
// and takes every slot they leave free.
const BackgroundShare = 10

// Class says how a flow competes for the node's request slots.
type Class uint8

const (
	// Interactive flows are statements someone waits for: they share the slots round-robin.
	Interactive Class = iota
	// Background flows (scheduled syncs) get the slots no interactive flow waits for, and at
	// least one in BackgroundShare when both wait.
	Background
)

// Flow is one unit of fair sharing: one statement or one sync run, however many requests it
// keeps in flight. Requests of one flow queue first-come first-served; flows take turns.
type Flow struct {
	// Key identifies the flow; requests with equal keys are one flow. exec uses the session's
	// backend pid and a statement number.
	Key string
	// Class is Interactive (the zero value) or Background.
	Class Class
}

type flowKey struct{}

// WithFlow marks ctx so that the requests sent with it (and with contexts derived from it) share
// the node's budget as one flow. Requests whose context carries no flow form one interactive flow
// of their own.
func WithFlow(ctx context.Context, f Flow) context.Context {
	return context.WithValue(ctx, flowKey{}, f)
}

// FlowFrom returns the flow ctx was marked with.
func FlowFrom(ctx context.Context) (Flow, bool) {
	f, ok := ctx.Value(flowKey{}).(Flow)
	return f, ok
}

// Scheduler is the node's request budget: at most ceil(r) requests start in any one-second
// window, as a server sees them, and the request slots go fairly to the flows that wait for them.
// Every Client of a process must share one Scheduler, which is why Config takes one (and why a
// Client built without one uses a process-wide Scheduler for its rate).
//
// How the promise is kept. A slot is granted no sooner than 1/r after the previous grant, timed
// from the moment that grant actually happened, so a timer that fires late delays later grants
// and never bunches them. The window is checked against starts, not grants: a granted request
// counts as "starting now" in every window until net/http reports that it wrote the request
// (WroteRequest), then it counts at that moment for 1 s + StartGuard. A grant is made only when
// fewer than ceil(r) requests count in the window that ends at it. A request that needs a new
// connection (a TCP and TLS handshake, a proxy's CONNECT) therefore holds its slot in every window
// until it is on the wire, instead of arriving late next to later requests; one that never reaches
// the wire (cancelled, failed dial) gives its slot back. Grant → write delays of any length thus
// need no margin, and the guard only covers write → server (see StartGuard).
//
// Fairness. Waiting requests queue per flow. Each grant goes to the waiting interactive flow
// served least recently, a new flow counting as served when it arrived, so flows take turns
// whatever the number of requests each keeps waiting: a scan with 8 workers is one flow, and a
// cheap query that arrives while it runs waits for at most one grant of the scan (plus the slot
// already counting down), not for the scan. A flow that uses less than its share (a statement
// with one request in flight at a time) is served as soon as it asks; the others share the rest.
// Background flows are served when no interactive flow waits, and at least one grant in
// BackgroundShare while one does.
type Scheduler struct {
	mu      sync.Mutex
	rate    float64
	n       int           // ceil(rate): the starts one window may hold
	spacing time.Duration // 1/rate, the least time between two grants
	window  time.Duration // 1 s + StartGuard: how long a start counts

	lastGrant time.Time
	starts    []time.Time // starts that may still count, oldest first
	pending   int         // granted slots not yet started nor given back

	flows        map[Flow]*flowQueue // every flow with waiters, and recently served ones
	waiting      [2]int              // waiters per class
	interactives int                 // interactive grants in a row while a background flow waited
	seq          uint64              // grants so far, numbering slots (tests measure in slots)

	timer   *time.Timer
	timerAt time.Time // when the armed timer fires; zero when none is armed

	// onStart, when set (benchmarks), is told each slot's grant and start, under mu.
	onStart func(granted, started time.Time)
}

// flowQueue is one flow's waiting requests, oldest first.
type flowQueue struct {
	flow    Flow
	waiters []*waiter
	// lastServed is when the flow was last granted a slot, or when it arrived if it never was;
	// the waiting flow with the earliest goes next.
	lastServed time.Time
	arrived    uint64 // order of arrival, for ties
}

type waiter struct {
	q     *flowQueue
	ready chan struct{} // closed when slot is set
	slot  *slot
	enq   uint64 // grants made before it arrived
}

// slot is one granted request start.
type slot struct {
	s       *Scheduler
	seq     uint64 // grants before it and itself
	behind  uint64 // grants to other requests while it waited: its wait measured in slots
	granted time.Time
	state   int // slotPending, slotStarted or slotReturned; guarded by s.mu
}

const (
	slotPending = iota
	slotStarted
	slotReturned
)

var arrivals atomic.Uint64

// NewScheduler returns the budget of perSecond requests per second (DefaultRate when perSecond is
// not a positive number).
func NewScheduler(perSecond float64) *Scheduler {
	s := &Scheduler{flows: map[Flow]*flowQueue{}}
	s.setRate(perSecond)
	return s
}

func (s *Scheduler) setRate(perSecond float64) {
	if perSecond <= 0 || math.IsNaN(perSecond) || math.IsInf(perSecond, 0) {
		perSecond = DefaultRate
	}
	s.rate = perSecond
	s.n = int(math.Ceil(perSecond))
	s.spacing = time.Duration(float64(time.Second) / perSecond)
	s.window = time.Second + StartGuard
}

// Rate returns the budget in requests per second.
func (s *Scheduler) Rate() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rate
}

// SetRate changes the budget; waiting requests are granted at the new rate from now on.
func (s *Scheduler) SetRate(perSecond float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setRate(perSecond)
	s.dispatchLocked(time.Now())
}

// acquire waits for a slot for ctx's flow. The caller must report what became of the slot:
// started when the request was written, or giveBack when it never was.
func (s *Scheduler) acquire(ctx context.Context) (*slot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, _ := FlowFrom(ctx)
	s.mu.Lock()
	now := time.Now()
	q := s.flows[f]
	if q == nil {
		// A new flow takes its turn after the flows served before it arrived: a cheap query
		// waits for at most one grant of each busy flow, and a stream of new statements cannot
		// starve a long one.
		q = &flowQueue{flow: f, lastServed: now, arrived: arrivals.Add(1)}
		s.flows[f] = q
	}
	w := &waiter{q: q, ready: make(chan struct{}), enq: s.seq}
	q.waiters = append(q.waiters, w)
	s.waiting[f.Class]++
	s.dispatchLocked(now)
	s.mu.Unlock()

	select {
	case <-w.ready:
		return w.slot, nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if w.slot != nil { // granted while the context ended: the slot goes back unused
		s.returnLocked(w.slot)
		return nil, ctx.Err()
	}
	for i, x := range q.waiters {
		if x == w {
			q.waiters = append(q.waiters[:i], q.waiters[i+1:]...)
			break
		}
	}
	s.waiting[f.Class]--
	return nil, ctx.Err()
}

// started records that the slot's request was written to its connection at. Only the first
// report counts; a slot given back stays given back.
func (sl *slot) started(at time.Time) {
	s := sl.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if sl.state != slotPending {
		return
	}
	sl.state = slotStarted
	s.pending--
	if s.onStart != nil {
		s.onStart(sl.granted, at)
	}
	i := sort.Search(len(s.starts), func(i int) bool { return s.starts[i].After(at) })
	s.starts = append(s.starts, time.Time{})
	copy(s.starts[i+1:], s.starts[i:])
	s.starts[i] = at
	s.dispatchLocked(time.Now())
}

// giveBack returns a slot whose request never reached the wire.
func (sl *slot) giveBack() {
	s := sl.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.returnLocked(sl)
}

func (s *Scheduler) returnLocked(sl *slot) {
	if sl.state != slotPending {
		return
	}
	sl.state = slotReturned
	s.pending--
	s.dispatchLocked(time.Now())
}

// dispatchLocked grants every slot that may be granted at now, and arms the timer for the next.
func (s *Scheduler) dispatchLocked(now time.Time) {
	for s.waiting[Interactive]+s.waiting[Background] > 0 {
		at, ok := s.nextGrantLocked(now)
		if !ok {
			return // the window is full of requests not yet on the wire; their reports dispatch
		}
		if at.After(now) {
			s.armLocked(now, at)
			return
		}
		s.grantLocked(now)
	}
}

// nextGrantLocked returns the earliest moment the next slot may be granted: 1/r after the last
// grant, and once fewer than n requests count in the window ending there. ok is false when the
// window stays full until a pending request reports its start or is given back.
func (s *Scheduler) nextGrantLocked(now time.Time) (time.Time, bool) {
	drop := 0
	for drop < len(s.starts) && !s.starts[drop].After(now.Add(-s.window)) {
		drop++
	}
	s.starts = s.starts[drop:]
	at := now
	if !s.lastGrant.IsZero() && s.lastGrant.Add(s.spacing).After(at) {
		at = s.lastGrant.Add(s.spacing)
	}
	over := len(s.starts) + s.pending - s.n + 1 // starts that must leave the window first
	if over <= 0 {
		return at, true
	}
	if over > len(s.starts) {
		return time.Time{}, false
	}
	if free := s.starts[over-1].Add(s.window); free.After(at) {
		at = free
	}
	return at, true
}

// grantLocked gives a slot to the next flow's oldest waiter.
func (s *Scheduler) grantLocked(now time.Time) {
	class := Interactive
	switch {
	case s.waiting[Interactive] == 0:
		class = Background
	case s.waiting[Background] > 0 && s.interactives >= BackgroundShare-1:
		class = Background
	}
	var q *flowQueue
	for _, c := range s.flows {
		if c.flow.Class != class || len(c.waiters) == 0 {
			continue
		}
		if q == nil || c.lastServed.Before(q.lastServed) || (c.lastServed.Equal(q.lastServed) && c.arrived < q.arrived) {
			q = c
		}
	}
	if class == Background || s.waiting[Background] == 0 {
		s.interactives = 0
	}
	if class == Interactive && s.waiting[Background] > 0 {
		s.interactives++
	}
	w := q.waiters[0]
	q.waiters[0] = nil
	q.waiters = q.waiters[1:]
	s.waiting[class]--
	q.lastServed = now
	s.seq++
	w.slot = &slot{s: s, seq: s.seq, behind: s.seq - w.enq - 1, granted: now}
	s.pending++
	s.lastGrant = now
	close(w.ready)
	s.pruneLocked(now)
}

// pruneLocked forgets flows that wait for nothing and were served more than a window ago: one
// that comes back is then treated as new, which puts it first, as its last turn would have.
func (s *Scheduler) pruneLocked(now time.Time) {
	if len(s.flows) < 64 {
		return
	}
	for f, q := range s.flows {
		if len(q.waiters) == 0 && now.Sub(q.lastServed) > s.window {
			delete(s.flows, f)
		}
	}
}

// armLocked makes the timer fire at at (or sooner, if it is armed for sooner already).
func (s *Scheduler) armLocked(now, at time.Time) {
	if !s.timerAt.IsZero() && !s.timerAt.After(at) {
		return
	}
	s.timerAt = at
	if s.timer == nil {
		s.timer = time.AfterFunc(at.Sub(now), s.fire)
		return
	}
	s.timer.Reset(at.Sub(now))
}

func (s *Scheduler) fire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timerAt = time.Time{}
	s.dispatchLocked(time.Now())
}

var (
	nodeSchedulersMu sync.Mutex
	nodeSchedulers   = map[float64]*Scheduler{}
)

// nodeScheduler returns the process-wide Scheduler for a rate, so that Clients built without an
// explicit Config.Scheduler still share one budget per process.
func nodeScheduler(perSecond float64) *Scheduler {
	nodeSchedulersMu.Lock()
	defer nodeSchedulersMu.Unlock()
	s, ok := nodeSchedulers[perSecond]
	if !ok {
		s = NewScheduler(perSecond)
		nodeSchedulers[perSecond] = s
	}
	return s
}
