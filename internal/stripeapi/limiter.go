package stripeapi

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultRate is the node's request budget in requests per second when none is configured.
const DefaultRate = 6

// startGuard is the slack NewLimiter adds to every one-second window, so that a request whose
// start is delayed (scheduler, connection setup) cannot make ceil(r)+1 starts fall inside one
// second as seen by the server.
const startGuard = 100 * time.Millisecond

// NewLimiter returns the token bucket that enforces a node's request budget of perSecond requests
// per second: at most ceil(perSecond) requests start in any one-second window, whatever the number
// of goroutines. Every Client of a process must share the one limiter, which is why Config takes
// one.
//
// Why burst 1 and this interval: a token bucket of rate r and burst b grants at most b + r·w
// tokens in any window of length w, so with b = 1 the grants are at least 1/r apart, and n+1
// grants span at least n/r seconds. For n = ceil(r) that is ≥ 1 s, so a half-open one-second
// window holds at most n grants, with no slack when r is a whole number. The interval is therefore
// max(1/r, (1 s + 100 ms)/ceil(r)): n+1 starts span at least 1.1 s, which absorbs up to 100 ms of
// difference in the delay between a grant and the request reaching Stripe (timer wake-up,
// scheduling on a busy machine). At 6/s that is one start per 183 ms (5.45/s sustained, 60
// requests in about 10.8 s). Measured on a 2-core machine at load 8, the tightest span of 7
// starts seen by the server fell up to 65 ms short of the limiter's spacing, so smaller guards
// (20 ms, 50 ms) let 7 starts into one second; the budget is a promise, so it gets the room.
func NewLimiter(perSecond float64) *rate.Limiter {
	if perSecond <= 0 || math.IsNaN(perSecond) || math.IsInf(perSecond, 0) {
		perSecond = DefaultRate
	}
	n := math.Ceil(perSecond)
	interval := time.Duration(float64(time.Second) / perSecond)
	if guarded := time.Duration(float64(time.Second+startGuard) / n); guarded > interval {
		interval = guarded
	}
	return rate.NewLimiter(rate.Every(interval), 1)
}

var (
	nodeLimitersMu sync.Mutex
	nodeLimiters   = map[float64]*rate.Limiter{}
)

// nodeLimiter returns the process-wide limiter for a rate, so that Clients built without an
// explicit Config.Limiter still share one budget per process.
func nodeLimiter(perSecond float64) *rate.Limiter {
	nodeLimitersMu.Lock()
	defer nodeLimitersMu.Unlock()
	l, ok := nodeLimiters[perSecond]
	if !ok {
		l = NewLimiter(perSecond)
		nodeLimiters[perSecond] = l
	}
	return l
}
