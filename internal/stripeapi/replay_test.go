package stripeapi

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// countingObserver records what the transport reports.
type countingObserver struct {
	mu       sync.Mutex
	statuses []int
	waits    int
}

func (o *countingObserver) Request(_, _ string, status int, _ time.Duration) {
	o.mu.Lock()
	o.statuses = append(o.statuses, status)
	o.mu.Unlock()
}

func (o *countingObserver) BudgetWait(time.Duration) {
	o.mu.Lock()
	o.waits++
	o.mu.Unlock()
}

func (o *countingObserver) CacheHit(string)  {}
func (o *countingObserver) Coalesced(string) {}

// TestReplaysByNetHTTPAreCounted drops the answer to a request sent on a reused keep-alive
// connection. net/http's Transport then sends the request again by itself, without the caller
// seeing it (every GET, and POST/DELETE because they carry an Idempotency-Key), so Stripe receives
// one request more than the caller made. Each of those must be reported to the Observer, counted
// in Requests and paid for in the budget like any retry.
func TestReplaysByNetHTTPAreCounted(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		t.Run(method, func(t *testing.T) {
			f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 { // the second request, on the connection the first one left idle
					dropConnection(w)
					return
				}
				writeJSON(w, 200, okCustomer)
			})
			obs := &countingObserver{}
			c := testClient(t, f.URL, func(cfg *Config) { cfg.Observer = obs })
			ctx := context.Background()
			if _, err := c.Retrieve(ctx, "/v1/customers/cus_1", nil); err != nil {
				t.Fatal(err)
			}
			var err error
			switch method {
			case http.MethodGet:
				_, err = c.Retrieve(ctx, "/v1/customers/cus_1", nil)
			case http.MethodPost:
				_, err = c.Post(ctx, "/v1/customers/cus_1", nil, "idem-replay")
			case http.MethodDelete:
				_, err = c.Delete(ctx, "/v1/customers/cus_1", nil, "idem-replay")
			}
			if err != nil {
				t.Fatal(err)
			}
			received := len(f.requests())
			obs.mu.Lock()
			defer obs.mu.Unlock()
			if diff := cmp.Diff([]int{200, 0, 200}, obs.statuses); diff != "" {
				t.Errorf("statuses reported (-want +got):\n%s", diff)
			}
			if len(obs.statuses) != received || obs.waits != received || int(c.Requests()) != received {
				t.Errorf("stripe received %d requests; observer saw %d, budget waits %d, Requests() %d",
					received, len(obs.statuses), obs.waits, c.Requests())
			}
		})
	}
}
