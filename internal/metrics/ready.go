package metrics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// Retriever is what Readiness needs of the node's Stripe client: one retrieve. stripeapi.Client
// implements it, so the check goes through the node's budget, retries and Observer like any
// other request.
type Retriever interface {
	Retrieve(ctx context.Context, path string, params url.Values) (stripeapi.Object, error)
}

// ReadinessConfig configures a Readiness. Only Backend is required.
type ReadinessConfig struct {
	// Backend is the node's own Stripe client.
	Backend Retriever
	// Interval is the least time between two checks (default one minute): polling /readyz more
	// often answers from the last check.
	Interval time.Duration
	// Timeout bounds one check, waiting for the budget and retries included (default 20 s).
	Timeout time.Duration
	// Now is the clock (default time.Now); tests inject one.
	Now func() time.Time
}

// Readiness says whether the node can reach Stripe with its key. It checks with GET /v1/account
// when asked and the last check is older than the interval, so Stripe sees at most one check per
// interval however often /readyz is polled, and none while nobody polls. While a fresh check runs,
// callers get the last verdict; only the very first caller waits for one.
type Readiness struct {
	cfg ReadinessConfig

	mu      sync.Mutex
	started time.Time     // when the last check began (by cfg.Now); zero before the first
	running chan struct{} // closed when the check in flight ends; nil when none runs
	have    bool          // a check has finished
	reason  string        // why the node is not ready, "" when the last check succeeded
}

// Defaults of ReadinessConfig.
const (
	DefaultReadinessInterval = time.Minute
	DefaultReadinessTimeout  = 20 * time.Second
)

// NewReadiness builds a Readiness; it sends nothing until asked.
func NewReadiness(cfg ReadinessConfig) *Readiness {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultReadinessInterval
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultReadinessTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Readiness{cfg: cfg}
}

// Ready reports whether the last check succeeded, with the reason when it did not. It starts a
// check when none ran in the last interval; when no check has finished yet, it waits for the
// running one until ctx is done.
func (r *Readiness) Ready(ctx context.Context) (bool, string) {
	r.mu.Lock()
	now := r.cfg.Now()
	if r.running == nil && (r.started.IsZero() || now.Sub(r.started) >= r.cfg.Interval) {
		r.started = now
		r.running = make(chan struct{})
		go r.check(r.running)
	}
	if !r.have {
		wait := r.running
		r.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return false, "the first check of stripe has not finished"
		}
		r.mu.Lock()
	}
	defer r.mu.Unlock()
	return r.reason == "", r.reason
}

// check runs one check and records its verdict. Its context is its own, not a caller's, because
// every caller shares its answer.
func (r *Readiness) check(done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.Timeout)
	defer cancel()
	_, err := r.cfg.Backend.Retrieve(ctx, readinessPath, nil)
	reason := notReady(err, r.cfg.Timeout)
	r.mu.Lock()
	r.have, r.reason, r.running = true, reason, nil
	r.mu.Unlock()
	close(done)
}

// notReady turns a check's error into the reason the node is not ready, "" when it is. Any answer
// that shows Stripe accepted the key counts as ready: success, and also 403 (a restricted key
// without access to the account object) and other 4xx answers such as 404, which Stripe only
// sends to authenticated requests. Not ready: 401 (the key is refused), 429 after every retry,
// 5xx, no answer, and no answer in time. The reason never repeats a key: the Client redacts
// every message, and a refused key is reported without Stripe's message.
func notReady(err error, timeout time.Duration) string {
	if err == nil {
		return ""
	}
	var se *stripeapi.Error
	if errors.As(err, &se) {
		switch {
		case se.Status == http.StatusUnauthorized:
			return "stripe refused the api key (401)"
		case se.Status == http.StatusTooManyRequests || se.Status >= 500:
			return fmt.Sprintf("stripe answered %d: %s", se.Status, stripeapi.RedactKey(se.Message))
		}
		return ""
	}
	e := sqlstate.Wrap(err)
	if e.Code == sqlstate.QueryCanceled {
		return fmt.Sprintf("no answer from stripe within %s", timeout)
	}
	return stripeapi.RedactKey(e.Message)
}

var _ Retriever = (*stripeapi.Client)(nil)
