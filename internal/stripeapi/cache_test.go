package stripeapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// cacheObserver counts cache hits and coalesced GETs by endpoint.
type cacheObserver struct {
	countingObserver
	mu        sync.Mutex
	hits      map[string]int
	coalesced map[string]int
}

func newCacheObserver() *cacheObserver {
	return &cacheObserver{hits: map[string]int{}, coalesced: map[string]int{}}
}

func (o *cacheObserver) CacheHit(e string) {
	o.mu.Lock()
	o.hits[e]++
	o.mu.Unlock()
}

func (o *cacheObserver) Coalesced(e string) {
	o.mu.Lock()
	o.coalesced[e]++
	o.mu.Unlock()
}

// gate is a fake Stripe whose answers wait until open is called.
type gate struct {
	*fakeStripe
	release chan struct{}
	once    sync.Once
}

func (g *gate) open() { g.once.Do(func() { close(g.release) }) }

func newGate(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) *gate {
	g := &gate{release: make(chan struct{})}
	g.fakeStripe = newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-g.release:
		case <-r.Context().Done():
			return
		}
		answer(n, w, r)
	})
	t.Cleanup(g.open) // runs before the server's Close, which waits for its handlers
	return g
}

// waitWaiters waits until the GET in flight for path has n callers.
func waitWaiters(t *testing.T, c *Client, path string, params url.Values, n int) {
	t.Helper()
	key := c.cacheKey(context.Background(), path, params)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.cache.mu.Lock()
		f := c.cache.inflight[key]
		got := 0
		if f != nil {
			got = f.waiters
		}
		c.cache.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d callers wait for %s, want %d", got, path, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestCoalescing: identical GETs in flight at once are sent once and every caller gets the
// answer, as an object of its own; GETs that differ in parameters, account or key are not shared.
func TestCoalescing(t *testing.T) {
	g := newGate(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"object":"list","has_more":false,"data":[{"id":"cus_1","metadata":{"plan":"gold"}}]}`)
	})
	obs := newCacheObserver()
	cache := NewCache(0, 0)
	c := testClient(t, g.URL, func(cfg *Config) { cfg.Observer = obs; cfg.Cache = cache })
	const callers = 20
	params := url.Values{"limit": {"100"}, "created[gte]": {"1700000000"}}
	var counters Counters
	ctx := WithCounters(context.Background(), &counters)
	pages := make([]*Page, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// the same parameters, built in another order
			p := url.Values{}
			if i%2 == 0 {
				p.Set("created[gte]", "1700000000")
				p.Set("limit", "100")
			} else {
				p.Set("limit", "100")
				p.Set("created[gte]", "1700000000")
			}
			pages[i], errs[i] = c.List(ctx, "/v1/customers", p)
		}(i)
	}
	waitWaiters(t, c, "/v1/customers", params, callers)
	g.open()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	if n := len(g.requests()); n != 1 {
		t.Errorf("server saw %d requests for %d identical GETs, want 1", n, callers)
	}
	if counters.Requests() != 1 || counters.Coalesced() != callers-1 {
		t.Errorf("counters: %d requests, %d coalesced; want 1 and %d", counters.Requests(), counters.Coalesced(), callers-1)
	}
	if diff := cmp.Diff(map[string]int{"/v1/customers": callers - 1}, obs.coalesced); diff != "" {
		t.Errorf("Observer.Coalesced (-want +got):\n%s", diff)
	}
	// Every caller decoded its own copy: changing one changes no other.
	pages[0].Data[0]["id"] = "changed"
	pages[0].Data[0]["metadata"].(map[string]any)["plan"] = "changed"
	for i := 1; i < callers; i++ {
		if diff := cmp.Diff(Object{"id": "cus_1", "metadata": map[string]any{"plan": "gold"}}, pages[i].Data[0]); diff != "" {
			t.Errorf("caller %d sees another caller's change (-want +got):\n%s", i, diff)
		}
	}

	t.Run("different requests are not shared", func(t *testing.T) {
		f := newGate(t, func(n int, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, okCustomer) })
		cache := NewCache(0, 0)
		base := func(cfg *Config) { cfg.Cache = cache }
		clients := []*Client{
			testClient(t, f.URL, base),
			testClient(t, f.URL, func(cfg *Config) { base(cfg); cfg.Account = "acct_1" }),
			testClient(t, f.URL, func(cfg *Config) { base(cfg); cfg.APIKey = "sk_test_other" }),
		}
		calls := []func() error{
			func() error {
				_, err := clients[0].Retrieve(context.Background(), "/v1/customers/cus_1", nil)
				return err
			},
			func() error {
				_, err := clients[0].Retrieve(context.Background(), "/v1/customers/cus_1", url.Values{"expand[]": {"default_source"}})
				return err
			},
			func() error {
				_, err := clients[1].Retrieve(context.Background(), "/v1/customers/cus_1", nil)
				return err
			},
			func() error {
				_, err := clients[2].Retrieve(context.Background(), "/v1/customers/cus_1", nil)
				return err
			},
			func() error { // a per-call account (Connect fan-out) overrides Config.Account
				_, err := clients[1].Retrieve(WithAccount(context.Background(), "acct_2"), "/v1/customers/cus_1", nil)
				return err
			},
			func() error {
				_, err := clients[0].Retrieve(WithAccount(context.Background(), "acct_3"), "/v1/customers/cus_1", nil)
				return err
			},
		}
		errc := make(chan error, len(calls))
		for _, call := range calls {
			go func() { errc <- call() }()
		}
		deadline := time.Now().Add(10 * time.Second)
		for len(f.requests()) < len(calls) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		f.open()
		for range calls {
			if err := <-errc; err != nil {
				t.Error(err)
			}
		}
		if n := len(f.requests()); n != len(calls) {
			t.Errorf("server saw %d requests for %d different GETs, want one each", n, len(calls))
		}
	})
}

// TestCoalescingSurvivesTheFirstCaller: the caller whose GET the others joined goes away; they
// still get the answer, from the one request. When every caller has gone, the request is
// cancelled.
func TestCoalescingSurvivesTheFirstCaller(t *testing.T) {
	g := newGate(t, func(n int, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, okCustomer) })
	c := testClient(t, g.URL, nil)
	path := "/v1/customers/cus_1"
	firstCtx, cancelFirst := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() {
		_, err := c.Retrieve(firstCtx, path, nil)
		firstErr <- err
	}()
	waitWaiters(t, c, path, nil, 1)
	const others = 4
	results := make(chan error, others)
	for i := 0; i < others; i++ {
		go func() {
			obj, err := c.Retrieve(context.Background(), path, nil)
			if err == nil && obj["id"] != "cus_1" {
				err = errors.New("wrong object")
			}
			results <- err
		}()
	}
	waitWaiters(t, c, path, nil, 1+others)
	cancelFirst()
	if err := <-firstErr; codeOf(err) != sqlstate.QueryCanceled {
		t.Errorf("cancelled first caller got %v, want 57014", err)
	}
	g.open()
	for i := 0; i < others; i++ {
		if err := <-results; err != nil {
			t.Errorf("caller that joined: %v", err)
		}
	}
	if n := len(g.requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}

	t.Run("every caller gone cancels the request", func(t *testing.T) {
		cancelled := make(chan struct{})
		f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
			close(cancelled)
		})
		c := testClient(t, f.URL, nil)
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 2)
		for i := 0; i < 2; i++ {
			go func() { _, err := c.Retrieve(ctx, path, nil); errc <- err }()
		}
		waitWaiters(t, c, path, nil, 2)
		cancel()
		for i := 0; i < 2; i++ {
			if err := <-errc; codeOf(err) != sqlstate.QueryCanceled {
				t.Errorf("got %v, want 57014", err)
			}
		}
		select {
		case <-cancelled:
		case <-time.After(10 * time.Second):
			t.Error("the request kept running after every caller had gone")
		}
	})
}

// TestCoalescedErrorsAreShared: an error answer reaches every caller of the one request, each as
// a value of its own.
func TestCoalescedErrorsAreShared(t *testing.T) {
	g := newGate(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such customer: 'cus_x'"}}`)
	})
	c := testClient(t, g.URL, nil)
	path := "/v1/customers/cus_x"
	errs := make(chan error, 3)
	for i := 0; i < 3; i++ {
		go func() { _, err := c.Retrieve(context.Background(), path, nil); errs <- err }()
	}
	waitWaiters(t, c, path, nil, 3)
	g.open()
	var seen []*Error
	for i := 0; i < 3; i++ {
		err := <-errs
		var se *Error
		if !errors.As(err, &se) || !IsNotFound(err) {
			t.Fatalf("got %v, want the 404", err)
		}
		for _, o := range seen {
			if o == se {
				t.Error("two callers got the same error value")
			}
		}
		seen = append(seen, se)
	}
	if n := len(g.requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

// TestPageCache: with stripesql.max_staleness a GET is answered from the cache while the cached
// answer is young enough; without it, or once it is older, or after a write, from Stripe.
func TestPageCache(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			writeJSON(w, 200, okCustomer)
			return
		}
		writeJSON(w, 200, `{"object":"list","has_more":false,"data":[{"id":"cus_`+itoa(n)+`"}]}`)
	})
	obs := newCacheObserver()
	c := testClient(t, f.URL, func(cfg *Config) { cfg.Observer = obs })
	var counters Counters
	stale := func(d time.Duration) context.Context {
		return WithMaxStaleness(WithCounters(context.Background(), &counters), d)
	}
	steps := []struct {
		name    string
		ctx     context.Context
		sleep   time.Duration
		write   bool
		wantID  string // the id the answer carries: the request that fetched it
		wantReq int    // requests the server has seen after the step
	}{
		{name: "first read is fetched", ctx: stale(time.Minute), wantID: "cus_0", wantReq: 1},
		{name: "within staleness is a hit", ctx: stale(time.Minute), wantID: "cus_0", wantReq: 1},
		{name: "staleness 0 is live", ctx: stale(0), wantID: "cus_1", wantReq: 2},
		{name: "no setting is live", ctx: context.Background(), wantID: "cus_2", wantReq: 3},
		{name: "live reads leave the cache alone", ctx: stale(time.Minute), wantID: "cus_0", wantReq: 3},
		{name: "older than staleness is fetched", ctx: stale(20 * time.Millisecond), sleep: 40 * time.Millisecond, wantID: "cus_3", wantReq: 4},
		{name: "a write drops the cache", ctx: stale(time.Minute), write: true, wantID: "cus_5", wantReq: 6},
		{name: "and the next read is cached again", ctx: stale(time.Minute), wantID: "cus_5", wantReq: 6},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			time.Sleep(st.sleep)
			if st.write {
				if _, err := c.Post(context.Background(), "/v1/customers/cus_0", url.Values{"name": {"x"}}, "idem-1"); err != nil {
					t.Fatal(err)
				}
			}
			p, err := c.List(st.ctx, "/v1/customers", url.Values{"limit": {"10"}})
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Data[0]["id"]; got != st.wantID {
				t.Errorf("answer from %v, want %s", got, st.wantID)
			}
			if n := len(f.requests()); n != st.wantReq {
				t.Errorf("server has seen %d requests, want %d", n, st.wantReq)
			}
		})
	}
	if got := counters.CacheHits(); got != 3 {
		t.Errorf("Counters.CacheHits = %d, want 3", got)
	}
	if diff := cmp.Diff(map[string]int{"/v1/customers": 3}, obs.hits); diff != "" {
		t.Errorf("Observer.CacheHit (-want +got):\n%s", diff)
	}
}

// TestWriteDetachesGETsInFlight: a GET that was in flight when a write finished may hold the old
// state, so a later GET sends a request of its own, and the old answer is not cached.
func TestWriteDetachesGETsInFlight(t *testing.T) {
	var mu sync.Mutex
	hold := true
	release := make(chan struct{})
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := hold
		hold = false
		mu.Unlock()
		if r.Method == http.MethodGet && h {
			<-release
		}
		writeJSON(w, 200, `{"id":"cus_1","object":"customer","n":`+itoa(n)+`}`)
	})
	c := testClient(t, f.URL, nil)
	path := "/v1/customers/cus_1"
	ctx := WithMaxStaleness(context.Background(), time.Hour)
	first := make(chan Object, 1)
	go func() { obj, _ := c.Retrieve(ctx, path, nil); first <- obj }()
	waitWaiters(t, c, path, nil, 1)
	if _, err := c.Post(context.Background(), path, url.Values{"name": {"new"}}, "idem-2"); err != nil {
		t.Fatal(err)
	}
	second, err := c.Retrieve(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	close(release)
	old := <-first
	if old["n"] == second["n"] {
		t.Errorf("the GET after the write shared the one in flight before it (n=%v)", old["n"])
	}
	third, err := c.Retrieve(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if third["n"] != second["n"] {
		t.Errorf("cached answer n=%v, want the one fetched after the write (n=%v)", third["n"], second["n"])
	}
}

// TestCacheBounds: the cache keeps at most its entries and bytes, dropping the least recently
// used answers, and does not keep an answer too large for it.
func TestCacheBounds(t *testing.T) {
	body := func(n int) []byte { return []byte(strings.Repeat("x", n)) }
	t.Run("entries", func(t *testing.T) {
		c := NewCache(3, 1<<20)
		for i := 0; i < 5; i++ {
			c.putLocked("k"+itoa(i), body(10), time.Now())
		}
		c.lookup("k2", time.Hour) // k2 is now the most recently used
		c.putLocked("k5", body(10), time.Now())
		var kept []string
		for i := 0; i < 6; i++ {
			if _, ok := c.lookup("k"+itoa(i), time.Hour); ok {
				kept = append(kept, "k"+itoa(i))
			}
		}
		if diff := cmp.Diff([]string{"k2", "k4", "k5"}, kept); diff != "" {
			t.Errorf("kept (-want +got):\n%s", diff)
		}
	})
	t.Run("bytes", func(t *testing.T) {
		c := NewCache(1000, 8000)
		for i := 0; i < 20; i++ {
			c.putLocked("k"+itoa(i), body(700), time.Now())
		}
		n, b := c.Len()
		if b > 8000 || n == 0 {
			t.Errorf("%d entries of %d bytes, want some and at most 8000 bytes", n, b)
		}
		c.putLocked("big", body(1200), time.Now()) // over an eighth of the bound
		if _, ok := c.lookup("big", time.Hour); ok {
			t.Error("an answer larger than an eighth of the cache was kept")
		}
	})
}

// TestCountersCountRetries: a statement's Counters count every request sent, retries included.
func TestCountersCountRetries(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 0 {
			writeJSON(w, 500, serverErr)
			return
		}
		writeJSON(w, 200, okCustomer)
	})
	c := testClient(t, f.URL, nil)
	var counters Counters
	if _, err := c.Retrieve(WithCounters(context.Background(), &counters), "/v1/customers/cus_1", nil); err != nil {
		t.Fatal(err)
	}
	if got := counters.Requests(); got != 2 {
		t.Errorf("Counters.Requests = %d, want 2 (a 500 and its retry)", got)
	}
}
