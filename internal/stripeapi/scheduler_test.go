package stripeapi

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// busyFlow keeps workers requests of one flow waiting for s until stop is closed, each reporting
// its start at once, and counts its grants.
type busyFlow struct {
	mu     sync.Mutex
	grants int
	wg     sync.WaitGroup
}

func startBusy(t *testing.T, s *Scheduler, f Flow, workers int, stop <-chan struct{}) *busyFlow {
	t.Helper()
	b := &busyFlow{}
	ctx, cancel := context.WithCancel(WithFlow(context.Background(), f))
	go func() { <-stop; cancel() }()
	for i := 0; i < workers; i++ {
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			for {
				sl, err := s.acquire(ctx)
				if err != nil {
					return
				}
				sl.started(time.Now())
				b.mu.Lock()
				b.grants++
				b.mu.Unlock()
			}
		}()
	}
	return b
}

func (b *busyFlow) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.grants
}

// waitGrants waits until b has had at least n grants.
func waitGrants(t *testing.T, b *busyFlow, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for b.count() < n {
		if time.Now().After(deadline) {
			t.Fatalf("flow got %d grants in 30 s, want %d", b.count(), n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestSchedulerCheapQueryWaitsOneSlot: while a scan keeps 8 requests waiting, a cheap query
// (a new flow, or a flow served before coming back) is granted after at most one grant to the
// scan. Measured in slots (grants to others while it waited), so load cannot change it.
func TestSchedulerCheapQueryWaitsOneSlot(t *testing.T) {
	s := NewScheduler(200)
	stop := make(chan struct{})
	scan := startBusy(t, s, Flow{Key: "scan"}, 8, stop)
	defer func() { close(stop); scan.wg.Wait() }()
	waitGrants(t, scan, 10)
	for i := 0; i < 20; i++ {
		key := "query"
		if i%2 == 0 {
			key = "query " + itoa(i) // a statement new to the scheduler
		}
		ctx, cancel := context.WithTimeout(WithFlow(context.Background(), Flow{Key: key}), 10*time.Second)
		sl, err := s.acquire(ctx)
		cancel()
		if err != nil {
			t.Fatalf("query %d (%s) not granted in 10 s while the scan was: %v", i, key, err)
		}
		sl.started(time.Now())
		if sl.behind > 1 {
			t.Errorf("query %d (%s) waited behind %d grants of the scan, want at most 1", i, key, sl.behind)
		}
	}
}

// TestSchedulerFlowsShareEqually: two scans with 8 and 2 waiting requests get equal shares of the
// slots, and a request without a flow competes as one more flow.
func TestSchedulerFlowsShareEqually(t *testing.T) {
	s := NewScheduler(400)
	stop := make(chan struct{})
	a := startBusy(t, s, Flow{Key: "a"}, 8, stop)
	b := startBusy(t, s, Flow{Key: "b"}, 2, stop)
	waitGrants(t, a, 20)
	waitGrants(t, b, 20)
	a0, b0 := a.count(), b.count()
	waitGrants(t, a, a0+100)
	close(stop)
	a.wg.Wait()
	b.wg.Wait()
	da, db := a.count()-a0, b.count()-b0
	if diff := da - db; diff < -3 || diff > 3 {
		t.Errorf("scan a (8 waiting) got %d grants, scan b (2 waiting) %d: want equal shares", da, db)
	}
}

// TestSchedulerBackground: background flows get one slot in BackgroundShare while interactive
// flows wait, every slot when none does, and are never starved.
func TestSchedulerBackground(t *testing.T) {
	s := NewScheduler(400)
	stopI, stopB := make(chan struct{}), make(chan struct{})
	inter := startBusy(t, s, Flow{Key: "dashboard"}, 4, stopI)
	bg := startBusy(t, s, Flow{Key: "sync", Class: Background}, 4, stopB)
	waitGrants(t, bg, 3)
	i0, b0 := inter.count(), bg.count()
	waitGrants(t, inter, i0+180)
	di, db := inter.count()-i0, bg.count()-b0
	share := float64(db) / float64(di+db)
	if share < 0.8/BackgroundShare || share > 1.2/BackgroundShare {
		t.Errorf("background got %d of %d grants (%.3f), want about 1 in %d", db, di+db, share, BackgroundShare)
	}
	close(stopI)
	inter.wg.Wait()
	b1 := bg.count()
	waitGrants(t, bg, b1+20) // alone, it takes every slot
	close(stopB)
	bg.wg.Wait()

	// A background request with no interactive competition is granted at once.
	sl, err := s.acquire(WithFlow(context.Background(), Flow{Key: "sync", Class: Background}))
	if err != nil {
		t.Fatal(err)
	}
	sl.started(time.Now())
	if sl.behind != 0 {
		t.Errorf("lone background request waited behind %d grants", sl.behind)
	}
}

// TestSchedulerWindowCountsStarts: the window counts requests from the moment they were written,
// and a granted request not yet written counts as starting now, whatever the grants' timing.
// Workers report their start after a random delay (a dial) or give the slot back; in every
// window of 1 s + StartGuard the reported starts are at most ceil(r).
func TestSchedulerWindowCountsStarts(t *testing.T) {
	s := NewScheduler(25)
	var mu sync.Mutex
	var starts []time.Time
	var wg sync.WaitGroup
	jobs := make(chan int, 100)
	for i := 0; i < cap(jobs); i++ {
		jobs <- i
	}
	close(jobs)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				sl, err := s.acquire(WithFlow(context.Background(), Flow{Key: itoa(i % 3)}))
				if err != nil {
					t.Error(err)
					return
				}
				time.Sleep(time.Duration(rand.N(int64(150 * time.Millisecond))))
				if i%10 == 9 {
					sl.giveBack()
					continue
				}
				now := time.Now()
				sl.started(now)
				mu.Lock()
				starts = append(starts, now)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if got := maxInWindow(starts, time.Second+StartGuard); got > 25 {
		t.Errorf("a window of 1 s + StartGuard holds %d starts, want at most 25", got)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending != 0 || s.waiting != [2]int{} {
		t.Errorf("after the run: %d pending, %v waiting, want none", s.pending, s.waiting)
	}
}

// TestSchedulerPendingHoldsItsSlot: granted requests that have not reached the wire fill the
// window; the next request waits until one of them is written or given back.
func TestSchedulerPendingHoldsItsSlot(t *testing.T) {
	s := NewScheduler(50) // 50 per window, a grant every 20 ms
	var held []*slot
	for i := 0; i < 50; i++ {
		sl, err := s.acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, sl)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := s.acquire(ctx); err == nil {
		t.Fatal("51st request granted while 50 granted requests are not on the wire yet")
	}
	held[0].giveBack()
	start := time.Now()
	sl, err := s.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("granted %v after a slot was given back, want promptly", took)
	}
	// Once written, a request counts for 1 s + StartGuard from its write, not from its grant.
	wrote := time.Now()
	for _, h := range append(held[1:], sl) {
		h.started(wrote)
	}
	next, err := s.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := next.granted.Sub(wrote); d < time.Second+StartGuard {
		t.Errorf("granted %v after 50 writes, want at least 1 s + StartGuard", d)
	}
	next.giveBack()
}

// TestSchedulerCancelWhileWaiting: a cancelled waiter leaves its queue, the others are served and
// the scheduler's books end empty.
func TestSchedulerCancelWhileWaiting(t *testing.T) {
	s := NewScheduler(20)
	first, err := s.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	first.started(time.Now())
	ctx, cancel := context.WithCancel(WithFlow(context.Background(), Flow{Key: "gone"}))
	errc := make(chan error, 1)
	go func() {
		_, err := s.acquire(ctx)
		errc <- err
	}()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-errc; err == nil {
		t.Error("cancelled waiter was granted")
	}
	sl, err := s.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sl.started(time.Now())
	s.mu.Lock()
	defer s.mu.Unlock()
	if diff := cmp.Diff([2]int{}, s.waiting); diff != "" || s.pending != 0 {
		t.Errorf("books after the run: waiting %v, pending %d, want empty", s.waiting, s.pending)
	}
}

// TestSchedulerLateTimerDoesNotBunch: grants are spaced from the moment each was actually made;
// holding the scheduler's lock (a stalled timer) past several intervals yields one grant at the
// end of the stall, then the usual spacing, never a burst that catches up.
func TestSchedulerLateTimerDoesNotBunch(t *testing.T) {
	s := NewScheduler(100) // a grant every 10 ms
	var mu sync.Mutex
	var grants []time.Time
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				sl, err := s.acquire(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				sl.started(time.Now())
				mu.Lock()
				grants = append(grants, sl.granted)
				mu.Unlock()
				if i == 3 {
					s.mu.Lock() // a stall of 100 ms: ten intervals without a timer firing
					time.Sleep(100 * time.Millisecond)
					s.mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	for _, span := range []int{2, 3} {
		if got := tightestSpan(grants, span); got < time.Duration(span-1)*s.spacing {
			t.Errorf("tightest span of %d grants %v, want at least %v", span, got, time.Duration(span-1)*s.spacing)
		}
	}
}
