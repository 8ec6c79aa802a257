package stripeapi

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"
)

// TestBudget is the node budget's proof: 60 requests from 8 goroutines, spread over two Clients
// that share one limiter of 6 requests per second, take at least 9.8 s, and no one-second window
// holds more than 6 request starts as recorded by the server.
func TestBudget(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, okCustomer) })
	lim := NewLimiter(6)
	clients := []*Client{
		testClient(t, f.URL, func(cfg *Config) { cfg.Limiter = lim }),
		testClient(t, f.URL, func(cfg *Config) { cfg.Limiter = lim }),
	}
	const total, workers = 60, 8
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
			for range jobs {
				if _, err := c.Retrieve(context.Background(), "/v1/customers/cus_1", nil); err != nil {
					errs <- err
				}
			}
		}(clients[w%2])
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
	if sent := clients[0].Requests() + clients[1].Requests(); sent != total {
		t.Errorf("Requests() sum to %d, want %d", sent, total)
	}
	var starts []time.Time
	for _, r := range reqs {
		starts = append(starts, r.At)
	}
	if took < 9800*time.Millisecond {
		t.Errorf("60 requests took %v, want at least 9.8s at 6/s", took)
	}
	if n := maxInWindow(starts, time.Second); n > 6 {
		t.Errorf("a one-second window holds %d request starts, want at most 6", n)
	}
	t.Logf("60 requests in %v; busiest one-second window: %d starts; tightest span of 7 starts: %v",
		took, maxInWindow(starts, time.Second), tightestSpan(starts, 7))
}

// TestLimiterWindows checks NewLimiter's promise at other rates, a fractional one included: at
// most ceil(r) starts in any one-second window, with 8 goroutines competing. It records the time
// the limiter grants each reservation (ReserveN with an explicit now), not when a goroutine got
// to run afterwards: on a loaded machine wake-up delays bunch the latter, which says nothing
// about the limiter (TestBudget above measures what a server sees, guard included).
func TestLimiterWindows(t *testing.T) {
	tests := []struct {
		rate     float64
		requests int
		max      int
	}{
		{rate: 12.5, requests: 30, max: 13},
		{rate: 40, requests: 90, max: 40},
	}
	for _, tt := range tests {
		t.Run(itoa(int(tt.rate*10)), func(t *testing.T) {
			lim := NewLimiter(tt.rate)
			var mu sync.Mutex
			var grants []time.Time
			var wg sync.WaitGroup
			jobs := make(chan int, tt.requests)
			for i := 0; i < tt.requests; i++ {
				jobs <- i
			}
			close(jobs)
			for w := 0; w < 8; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range jobs {
						now := time.Now()
						r := lim.ReserveN(now, 1)
						if !r.OK() {
							t.Error("reservation refused")
							return
						}
						delay := r.DelayFrom(now)
						mu.Lock()
						grants = append(grants, now.Add(delay))
						mu.Unlock()
						time.Sleep(delay)
					}
				}()
			}
			wg.Wait()
			if n := maxInWindow(grants, time.Second); n > tt.max {
				t.Errorf("busiest one-second window holds %d starts, want at most %d", n, tt.max)
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

// tightestSpan is the shortest time covering k consecutive starts: the margin the limiter keeps
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

// TestNewLimiterSpacing pins the limiter's arithmetic: burst 1 and one start per
// max(1/r, 1.1 s/ceil(r)), so that the guard costs little and the window promise holds.
func TestNewLimiterSpacing(t *testing.T) {
	tests := []struct {
		rate     float64
		interval time.Duration
	}{
		{6, 183333333 * time.Nanosecond},
		{0, 183333333 * time.Nanosecond}, // default 6
		{1, 1100 * time.Millisecond},
		{0.1, 10 * time.Second},
		{2.5, 400 * time.Millisecond}, // 4 starts span 1.2 s: the slack is already there
		{12.5, 84615384 * time.Nanosecond},
		{40, 27500 * time.Microsecond},
		{100, 11 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(itoa(int(tt.rate*10)), func(t *testing.T) {
			lim := NewLimiter(tt.rate)
			got := time.Duration(float64(time.Second) / float64(lim.Limit()))
			if d := got - tt.interval; d < -time.Microsecond || d > time.Microsecond {
				t.Errorf("interval %v, want %v", got, tt.interval)
			}
			if lim.Burst() != 1 {
				t.Errorf("burst %d, want 1", lim.Burst())
			}
		})
	}
}
