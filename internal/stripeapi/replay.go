package stripeapi

import (
	"context"
	"net/http/httptrace"
	"time"
)

// replays makes the requests net/http sends again by itself visible to the budget and the
// Observer. When a reused keep-alive connection fails after a request was written to it (the
// server dropped the answer or closed the connection), net/http's Transport sends the request once
// more on a new connection, inside the one RoundTrip call, if the request is replayable: every
// GET, and POST and DELETE too because they carry an Idempotency-Key. Stripe may have received
// (and, for a write, applied) the first copy, so each replay waits for the node's budget, counts
// in Requests and is reported like a retry of ours: the lost attempt with status 0, then the
// replay's own answer as usual.
//
// A replay shows as a second GetConn within one RoundTrip (the trace hook runs on the caller's
// goroutine, before the connection is taken), so that is where it waits for a token.
type replays struct {
	t        *transport
	ctx      context.Context
	method   string
	endpoint string
	conns    int       // GetConn calls so far in this RoundTrip
	last     time.Time // when the latest attempt went for its connection
	st       *callState
}

// trace returns the hooks for one RoundTrip.
func (p *replays) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{GetConn: p.getConn}
}

func (p *replays) getConn(string) {
	p.conns++
	if p.conns > 1 {
		if p.t.observer != nil {
			p.t.observer.Request(p.method, p.endpoint, 0, time.Since(p.last))
		}
		waitStart := time.Now()
		err := p.t.limiter.Wait(p.ctx) // on error the context is done and the dial fails at once
		if p.t.observer != nil {
			p.t.observer.BudgetWait(time.Since(waitStart))
		}
		if err == nil {
			p.t.requests.Add(1)
			p.st.attempts++
		}
	}
	p.last = time.Now()
}

// elapsed is how long the latest attempt has taken.
func (p *replays) elapsed() time.Duration { return time.Since(p.last) }
