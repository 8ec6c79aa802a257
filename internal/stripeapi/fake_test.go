package stripeapi

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"
)

// seen is one request as the fake server received it.
type seen struct {
	Method string
	Path   string
	Query  string
	Body   string
	Header http.Header
	// At is when the server's kernel received the request (SO_TIMESTAMPNS, on Linux), else
	// when its handler ran.
	At time.Time
}

// fakeStripe is an httptest server on 127.0.0.1 that records every request and answers with
// answer(n, w, r), n counting requests from 0.
type fakeStripe struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []seen
	answer func(n int, w http.ResponseWriter, r *http.Request)
}

func newFake(t testing.TB, answer func(n int, w http.ResponseWriter, r *http.Request)) *fakeStripe {
	t.Helper()
	f := &fakeStripe{answer: answer}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		if c, ok := r.Context().Value(connKey{}).(*rxConn); ok {
			if rx := c.received(); !rx.IsZero() {
				at = rx
			}
		}
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		n := len(f.reqs)
		f.reqs = append(f.reqs, seen{r.Method, r.URL.Path, r.URL.RawQuery, string(body), r.Header.Clone(), at})
		f.mu.Unlock()
		f.answer(n, w, r)
	}))
	f.Listener = rxListener{f.Listener}
	f.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, c)
	}
	f.Start()
	t.Cleanup(f.Close)
	return f
}

type connKey struct{}

func (f *fakeStripe) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// writeJSON answers with a status, extra headers and a JSON body.
func writeJSON(w http.ResponseWriter, status int, body string, headers ...string) {
	for i := 0; i+1 < len(headers); i += 2 {
		w.Header().Set(headers[i], headers[i+1])
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

const (
	testKey      = "sk_test_51AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
	okCustomer   = `{"id":"cus_1","object":"customer","balance":0,"created":1700000000}`
	rateLimitErr = `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests hit the API too quickly."}}`
	serverErr    = `{"error":{"type":"api_error","message":"Something went wrong on Stripe's end."}}`
)

// testClient builds a Client on the fake with a fast budget, a cache of its own and short
// back-off, so tests exercise retries without waiting seconds; mod adjusts the Config first.
func testClient(t *testing.T, baseURL string, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{APIKey: testKey, BaseURL: baseURL, Scheduler: NewScheduler(1000), Cache: NewCache(0, 0), MaxRetryTime: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	c.tr.backoffBase = 10 * time.Millisecond
	c.tr.backoffMax = 40 * time.Millisecond
	return c
}

// maxInWindow returns the largest number of times that fall in one half-open window [t, t+w).
func maxInWindow(times []time.Time, w time.Duration) int {
	ts := append([]time.Time(nil), times...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	best, j := 0, 0
	for i := range ts {
		for j < len(ts) && ts[j].Sub(ts[i]) < w {
			j++
		}
		if j-i > best {
			best = j - i
		}
	}
	return best
}
