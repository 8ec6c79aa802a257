package stripeapi

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"
)

// wire follows one attempt from its slot to the wire with net/http's trace hooks, and tells the
// Scheduler when the request was written (slot.started), which is what the budget's window
// counts (see Scheduler). On an HTTP/1 connection the start is taken when the socket write of the
// request returns (startConn), so the bytes are in the kernel by then; net/http's WroteRequest
// hook fires just before that write and would be early by however long the writing goroutine is
// held up. On HTTP/2 connections, shared by many requests, WroteRequest is used: it fires after
// the request's frames were flushed.
//
// It also makes the requests net/http sends again by itself visible to the budget and the
// Observer. When a reused keep-alive connection fails after a request was written to it (the
// server dropped the answer or closed the connection), net/http's Transport sends the request once
// more on a new connection, inside the one RoundTrip call, if the request is replayable: every
// GET, and POST and DELETE too because they carry an Idempotency-Key. Stripe may have received
// (and, for a write, applied) the first copy, so each replay waits for a slot of its own, counts
// in Requests and is reported like a retry of ours: the lost attempt with status 0, then the
// replay's own answer as usual. A replay shows as a second GetConn within one RoundTrip (the hook
// runs on the caller's goroutine, before the connection is taken), so that is where it waits.
type wire struct {
	t        *transport
	ctx      context.Context
	method   string
	endpoint string
	st       *callState

	mu      sync.Mutex // WroteRequest runs on net/http's write goroutine
	slot    *slot      // the slot of the copy being sent; nil when a replay could not get one
	gotConn bool       // the copy being sent has a connection, so bytes may have left
	byConn  bool       // its connection reports the start (startConn), not WroteRequest
	conns   int        // GetConn calls so far in this RoundTrip
	last    time.Time  // when the latest copy went for its connection
}

func newWire(t *transport, ctx context.Context, method, path string, st *callState, sl *slot) *wire {
	return &wire{t: t, ctx: ctx, method: method, endpoint: Endpoint(path), st: st, slot: sl, last: time.Now()}
}

// trace returns the hooks for one RoundTrip.
func (p *wire) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{GetConn: p.getConn, GotConn: p.gotConnHook, WroteRequest: p.wroteRequest}
}

func (p *wire) getConn(string) {
	p.mu.Lock()
	p.conns++
	replay := p.conns > 1
	if replay {
		p.settleLocked()
	}
	p.mu.Unlock()
	if replay {
		if p.t.observer != nil {
			p.t.observer.Request(p.method, p.endpoint, 0, time.Since(p.last))
		}
		waitStart := time.Now()
		sl, err := p.t.sched.acquire(p.ctx) // on error the context is done and the dial fails at once
		if p.t.observer != nil {
			p.t.observer.BudgetWait(time.Since(waitStart))
		}
		if err == nil {
			p.t.count(p.ctx)
			p.st.attempts++
		}
		p.mu.Lock()
		p.slot, p.gotConn, p.byConn = sl, false, false
		p.mu.Unlock()
	}
	p.mu.Lock()
	p.last = time.Now()
	p.mu.Unlock()
}

func (p *wire) gotConnHook(info httptrace.GotConnInfo) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gotConn = true
	c := info.Conn
	if tc, ok := c.(*tls.Conn); ok {
		if tc.ConnectionState().NegotiatedProtocol == "h2" {
			return
		}
		c = tc.NetConn()
	}
	if sc, ok := c.(*startConn); ok && p.slot != nil {
		sc.arm(p.slot)
		p.byConn = true
	}
}

func (p *wire) wroteRequest(httptrace.WroteRequestInfo) {
	p.mu.Lock()
	sl := p.slot
	if p.byConn {
		sl = nil
	}
	p.mu.Unlock()
	if sl != nil {
		sl.started(time.Now())
	}
}

// done settles the slot when RoundTrip returns: a copy that never had a connection never left
// and gives its slot back; one that did (or one sent through a RoundTripper that is not net/http's,
// whose hooks never fire) counts as started now if the write was not reported, which is no
// earlier than it really started and so never lets the window hold too many.
func (p *wire) done(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil && !p.gotConn && p.t.traced {
		if p.slot != nil {
			p.slot.giveBack()
		}
		return
	}
	p.settleLocked()
}

func (p *wire) settleLocked() {
	if p.slot != nil {
		p.slot.started(time.Now())
	}
}

// elapsed is how long the latest copy has taken.
func (p *wire) elapsed() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return time.Since(p.last)
}

// startConn is a connection that reports when a request's bytes were handed to the kernel: the
// wire arms it with the request's slot when net/http gives the request the connection, and the
// first write that follows starts the slot as it returns. An HTTP/1 connection carries one request
// at a time, so that write is the request's.
type startConn struct {
	net.Conn
	mu    sync.Mutex
	armed *slot
}

func (c *startConn) arm(sl *slot) {
	c.mu.Lock()
	c.armed = sl
	c.mu.Unlock()
}

func (c *startConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if n > 0 {
		c.mu.Lock()
		sl := c.armed
		c.armed = nil
		c.mu.Unlock()
		if sl != nil {
			sl.started(time.Now())
		}
	}
	return n, err
}

// dialer is the connection maker of net/http's default transport, used when the base transport
// has none of its own.
var dialer = &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}

// startConns makes every connection t dials a startConn. Connections from a DialTLSContext of
// the caller's are left alone: net/http must see their *tls.Conn to offer HTTP/2, and for those
// WroteRequest reports the start.
func startConns(t *http.Transport) {
	dial := t.DialContext
	if dial == nil {
		dial = dialer.DialContext
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &startConn{Conn: c}, nil
	}
}
