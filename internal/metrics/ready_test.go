package metrics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// TestReadyz polls /readyz of a node whose key the emulator accepts and of one whose key it
// refuses (the emulator refuses live keys): 200 "ok", or 503 with the reason and never the key.
func TestReadyz(t *testing.T) {
	tests := []struct {
		name     string
		key      string
		wantCode int
		wantBody string
	}{
		{"key accepted", "sk_test_readyzgood123", http.StatusOK, "ok\n"},
		{"key refused", "sk_live_readyzwrong123", http.StatusServiceUnavailable, "not ready: stripe refused the api key (401)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := startNode(t, emulator.Config{Seed: 1, Scale: emulator.ScaleNone}, tt.key)
			for i := 0; i < 3; i++ {
				code, body := n.get(t, "/readyz")
				if code != tt.wantCode || body != tt.wantBody {
					t.Errorf("GET /readyz = %d %q, want %d %q", code, body, tt.wantCode, tt.wantBody)
				}
				if strings.Contains(body, tt.key) || strings.Contains(body, "readyz") {
					t.Errorf("GET /readyz repeats the key: %q", body)
				}
			}
			if got := len(n.emu.Requests()); got != 1 {
				t.Errorf("3 polls sent %d requests to stripe, want 1", got)
			}
			if code, body := n.get(t, "/healthz"); code != http.StatusOK || body != "ok\n" {
				t.Errorf("GET /healthz = %d %q, want 200 \"ok\\n\"", code, body)
			}
		})
	}
}

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// idle reports whether no check is running.
func (r *Readiness) idle() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.running == nil
}

// TestReadinessChecksAtMostOncePerInterval polls a Readiness hundreds of times on an injected clock:
// Stripe sees one check per minute of that clock, and a stale verdict is answered while the next
// check runs.
func TestReadinessChecksAtMostOncePerInterval(t *testing.T) {
	emu, base := startEmulator(t, emulator.Config{Seed: 1, Scale: emulator.ScaleNone}) // node_test.go
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_clock123", BaseURL: base, Scheduler: stripeapi.NewScheduler(100)})
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	r := NewReadiness(ReadinessConfig{Backend: client, Now: clock.Now})
	ctx := context.Background()
	poll := func(times int) {
		t.Helper()
		for i := 0; i < times; i++ {
			if ok, reason := r.Ready(ctx); !ok {
				t.Fatalf("Ready = false, %q", reason)
			}
		}
	}
	steps := []struct {
		advance time.Duration
		want    int // checks stripe has seen after the polls
	}{
		{0, 1},
		{30 * time.Second, 1},
		{29 * time.Second, 1},
		{time.Second, 2}, // a minute after the first check
		{59 * time.Second, 2},
		{10 * time.Minute, 3}, // one check however long nobody polled
	}
	for _, s := range steps {
		clock.advance(s.advance)
		poll(100)
		waitFor(t, "the check to end", r.idle)
		poll(100)
		if got := len(emu.Requests()); got != s.want {
			t.Fatalf("after +%v: stripe saw %d checks, want %d", s.advance, got, s.want)
		}
	}
	for _, req := range emu.Requests() {
		if req.Method != http.MethodGet || req.Path != readinessPath {
			t.Errorf("check sent %s %s, want GET %s", req.Method, req.Path, readinessPath)
		}
	}
}

// TestReadinessStripeUnreachable points the node at a closed port: not ready, saying why.
func TestReadinessStripeUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_down123", BaseURL: "http://" + addr,
		Scheduler: stripeapi.NewScheduler(100), MaxRetryTime: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ok, reason := NewReadiness(ReadinessConfig{Backend: client}).Ready(context.Background())
	if ok || !strings.Contains(reason, "could not reach stripe") {
		t.Errorf("Ready = %v, %q; want false and could not reach stripe", ok, reason)
	}
}

// TestNotReady maps each kind of answer to a verdict: only answers that show Stripe accepted the
// key are ready.
func TestNotReady(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"success", nil, ""},
		{"key refused", &stripeapi.Error{Status: 401, Message: "Invalid API Key provided: sk_live_****1234"}, "stripe refused the api key (401)"},
		{"restricted key without access", &stripeapi.Error{Status: 403, Message: "The provided key does not have access"}, ""},
		{"no such endpoint", &stripeapi.Error{Status: 404, Message: "Unrecognized request URL"}, ""},
		{"stripe failing", &stripeapi.Error{Status: 503, Message: "Service unavailable"}, "stripe answered 503: Service unavailable"},
		{"rate limited after retries", sqlstate.New(sqlstate.InsufficientResources, "stripe rate limit exceeded after 3 retries"), "stripe rate limit exceeded after 3 retries"},
		{"timeout", sqlstate.New(sqlstate.QueryCanceled, "canceling statement due to statement timeout"), "no answer from stripe within 20s"},
		{"network", sqlstate.New(sqlstate.SystemError, "could not reach stripe after 2 retries: dial tcp: refused"), "could not reach stripe after 2 retries: dial tcp: refused"},
		{"other", errors.New("boom"), "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := notReady(tt.err, DefaultReadinessTimeout); got != tt.want {
				t.Errorf("notReady = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestReadyWaitsForTheFirstCheckOnlyUntilItsContextEnds shows that the first poll does not hang
// on a Stripe that never answers: it gives up with its request's context.
func TestReadyWaitsForTheFirstCheckOnlyUntilItsContextEnds(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	r := NewReadiness(ReadinessConfig{Backend: blockingRetriever(block)})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	ok, reason := r.Ready(ctx)
	if ok || reason != "the first check of stripe has not finished" {
		t.Errorf("Ready = %v, %q", ok, reason)
	}
}

// blockingRetriever answers when its channel closes.
type blockingRetriever chan struct{}

func (b blockingRetriever) Retrieve(ctx context.Context, _ string, _ url.Values) (stripeapi.Object, error) {
	select {
	case <-b:
	case <-ctx.Done():
	}
	return nil, errors.New("stopped")
}
