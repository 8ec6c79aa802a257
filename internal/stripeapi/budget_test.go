package stripeapi

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"
)

// budgetRun sends total GETs (each to its own path, so that none is coalesced) from workers
// goroutines spread over clients, and returns when the server received each one and how long the
// whole run took.
func budgetRun(t *testing.T, f *fakeStripe, clients []*Client, total, workers int) ([]time.Time, time.Duration) {
	t.Helper()
	jobs := make(chan int, total)
	for i := 0; i < total; i++ {
		jobs <- i
	}
	close(jobs)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, total)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(c *Client) {
			defer wg.Done()
			for i := range jobs {
				if _, err := c.Retrieve(context.Background(), fmt.Sprintf("/v1/customers/cus_%d", i), nil); err != nil {
					errs <- err
				}
			}
		}(clients[w%len(clients)])
	}
	wg.Wait()
	took := time.Since(start)
	close(errs)
	for err := range errs {
		t.Errorf("request failed: %v", err)
	}
	reqs := f.requests()
	if len(reqs) != total {
		t.Fatalf("server saw %d requests, want %d", len(reqs), total)
	}
	var starts []time.Time
	for _, r := range reqs {
		starts = append(starts, r.At)
	}
	return starts, took
}

// TestBudget is the node budget's proof at a server: 60 requests from 8 goroutines, spread over
// two Clients that share one Scheduler of 6 requests per second, take at least 9.8 s, and no
// one-second window holds more than 6 request starts as recorded by the server.
func TestBudget(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, okCustomer) })
	sched := NewScheduler(6)
	clients := []*Client{
		testClient(t, f.URL, func(cfg *Config) { cfg.Scheduler = sched }),
		testClient(t, f.URL, func(cfg *Config) { cfg.Scheduler = sched }),
	}
	starts, took := budgetRun(t, f, clients, 60, 8)
	if sent := clients[0].Requests() + clients[1].Requests(); sent != 60 {
		t.Errorf("Requests() sum to %d, want 60", sent)
	}
	if took < 9800*time.Millisecond {
		t.Errorf("60 requests took %v, want at least 9.8s at 6/s", took)
	}
	if n := maxInWindow(starts, time.Second); n > 6 {
		t.Errorf("a one-second window holds %d request starts, want at most 6", n)
	}
	// The first 6 go at once-ish (spaced 1/6 s), so 60 requests need 9 full windows and then
	// some: utilisation is (60-6)/6 s over the time from the 7th start to the last.
	sorted := append([]time.Time(nil), starts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Before(sorted[j]) })
	t.Logf("60 requests in %v; busiest one-second window: %d starts; tightest span of 7 starts: %v; budget used %.3f",
		took, maxInWindow(starts, time.Second), tightestSpan(starts, 7), 9/sorted[59].Sub(sorted[5]).Seconds())
}

// TestSchedulerWindows checks the promise at a server at other rates, a fractional one included:
// at most ceil(r) starts in any one-second window, with 8 goroutines competing.
func TestSchedulerWindows(t *testing.T) {
	tests := []struct {
		rate     float64
		requests int
		max      int
	}{
		{rate: 2.5, requests: 8, max: 3},
		{rate: 12.5, requests: 40, max: 13},
		{rate: 40, requests: 120, max: 40},
	}
	for _, tt := range tests {
		t.Run(itoa(int(tt.rate*10)), func(t *testing.T) {
			f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, okCustomer) })
			sched := NewScheduler(tt.rate)
			c := testClient(t, f.URL, func(cfg *Config) { cfg.Scheduler = sched })
			starts, took := budgetRun(t, f, []*Client{c}, tt.requests, 8)
			if n := maxInWindow(starts, time.Second); n > tt.max {
				t.Errorf("busiest one-second window holds %d starts, want at most %d", n, tt.max)
			}
			// never faster than the rate: n requests span at least (n-1)/r
			if min := time.Duration(float64(tt.requests-1) / tt.rate * float64(time.Second)); took < min*99/100 {
				t.Errorf("%d requests took %v, want at least %v at %g/s", tt.requests, took, min, tt.rate)
			}
		})
	}
}

func TestMaxInWindow(t *testing.T) {
	base := time.Unix(0, 0)
	at := func(ms ...int) []time.Time {
		var ts []time.Time
		for _, m := range ms {
			ts = append(ts, base.Add(time.Duration(m)*time.Millisecond))
		}
		return ts
	}
	tests := []struct {
		name  string
		times []time.Time
		want  int
	}{
		{"empty", nil, 0},
		{"spaced exactly a second", at(0, 1000, 2000), 1},
		{"one inside", at(0, 999, 1998), 2},
		{"burst", at(5, 0, 3, 2, 1), 5},
		{"sliding", at(0, 400, 900, 1300, 1350, 1800), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := maxInWindow(tt.times, time.Second); got != tt.want {
				t.Errorf("maxInWindow = %d, want %d", got, tt.want)
			}
		})
	}
}

// tightestSpan is the shortest time covering k consecutive starts: the margin the budget keeps
// (a one-second window can hold k starts only if this is under a second).
func tightestSpan(times []time.Time, k int) time.Duration {
	ts := append([]time.Time(nil), times...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	best := time.Duration(-1)
	for i := 0; i+k-1 < len(ts); i++ {
		if d := ts[i+k-1].Sub(ts[i]); best < 0 || d < best {
			best = d
		}
	}
	return best
}

// TestSchedulerArithmetic pins the numbers the promise rests on: ceil(r) starts per window of
// 1 s + StartGuard, grants at least 1/r apart.
func TestSchedulerArithmetic(t *testing.T) {
	tests := []struct {
		rate    float64
		n       int
		spacing time.Duration
	}{
		{6, 6, 166666666 * time.Nanosecond},
		{0, 6, 166666666 * time.Nanosecond}, // default 6
		{1, 1, time.Second},
		{0.1, 1, 10 * time.Second},
		{2.5, 3, 400 * time.Millisecond},
		{12.5, 13, 80 * time.Millisecond},
		{100, 100, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(itoa(int(tt.rate*10)), func(t *testing.T) {
			s := NewScheduler(tt.rate)
			if s.n != tt.n || s.spacing != tt.spacing || s.window != time.Second+StartGuard {
				t.Errorf("n %d spacing %v window %v, want %d %v %v", s.n, s.spacing, s.window, tt.n, tt.spacing, time.Second+StartGuard)
			}
		})
	}
}
