package stripeapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// callState is what the transport tells the Client about one call: how many attempts and retries
// it made and why it stopped, so that the final error can say "after N retries". It travels in the
// request's context because stripe-go sits between the Client and the transport.
type callState struct {
	attempts    int
	retries     int
	status      int    // status of the last answer, 0 when there was none
	shouldRetry string // Stripe-Should-Retry of the last answer
	requestID   string
	exhausted   bool // the retry time ran out while the answer was still retryable
}

type callStateKey struct{}

func withCallState(ctx context.Context) (context.Context, *callState) {
	st := &callState{}
	return context.WithValue(ctx, callStateKey{}, st), st
}

// transport is the http.RoundTripper under stripe-go: every attempt, first or retry, first waits
// for a slot of the node's Scheduler, so the budget counts every request that reaches Stripe; 429,
// 409, 5xx and network failures are retried here with jittered exponential back-off bounded by
// maxRetryTime. A retry resends the very same request, headers included, so a POST or DELETE keeps
// its Idempotency-Key and Stripe replays the stored result instead of acting twice.
type transport struct {
	base         http.RoundTripper
	traced       bool // base is net/http's Transport, whose trace hooks report each write
	sched        *Scheduler
	log          logger
	maxRetryTime time.Duration
	backoffBase  time.Duration
	backoffMax   time.Duration
	requests     *atomic.Int64
	observer     Observer // nil: nobody is told
}

// budgetWaitLogged is the shortest wait for a request slot worth a log line at verbosity 2.
const budgetWaitLogged = 100 * time.Millisecond

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	st, _ := ctx.Value(callStateKey{}).(*callState)
	if st == nil {
		st = &callState{}
	}
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, sqlstate.New(sqlstate.InternalError, "stripe: could not read request body: %s", RedactKey(err.Error()))
		}
		body = b
	}
	first := time.Now()
	for attempt := 0; ; attempt++ {
		waitStart := time.Now()
		sl, err := t.sched.acquire(ctx)
		if err != nil {
			return nil, canceled(ctx, err)
		}
		w := time.Since(waitStart)
		if t.observer != nil {
			t.observer.BudgetWait(w)
		}
		if w >= budgetWaitLogged {
			t.log.log(ctx, 2, slog.LevelInfo, "stripe request waited for the request budget",
				"method", req.Method, "path", req.URL.Path, "wait_ms", w.Milliseconds())
		}
		t.count(ctx)
		st.attempts++

		rp := newWire(t, ctx, req.Method, req.URL.Path, st, sl) // wire.go
		r := req.Clone(httptrace.WithClientTrace(ctx, rp.trace()))
		if len(body) == 0 && req.Body != nil {
			r.Body = http.NoBody
			r.ContentLength = 0
		} else if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			r.ContentLength = int64(len(body))
		}
		t.logRequest(ctx, r, body)
		start := time.Now()
		resp, err := t.base.RoundTrip(r)
		rp.done(err)
		elapsed := time.Since(start)
		if t.observer != nil {
			status := 0
			if err == nil {
				status = resp.StatusCode
			}
			t.observer.Request(req.Method, rp.endpoint, status, rp.elapsed())
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, canceled(ctx, ctx.Err())
			}
			st.status = 0
			msg := RedactKey(err.Error())
			t.log.log(ctx, 3, slog.LevelInfo, "stripe request", "method", req.Method, "path", req.URL.Path,
				"error", msg, "ms", elapsed.Milliseconds(), "attempt", attempt+1)
			delay := t.backoff(attempt)
			if permanent(err) || time.Since(first)+delay > t.maxRetryTime {
				t.log.log(ctx, 1, slog.LevelError, "stripe request failed", "method", req.Method,
					"path", req.URL.Path, "error", msg, "retries", st.retries)
				return nil, sqlstate.New(sqlstate.SystemError, "could not reach stripe after %d retries: %s", st.retries, msg).
					WithHint("check the network, the proxy settings and the api base url")
			}
			t.log.log(ctx, 2, slog.LevelWarn, "stripe request failed, retrying", "method", req.Method,
				"path", req.URL.Path, "error", msg, "after_ms", delay.Milliseconds(), "retry", st.retries+1)
			if err := sleep(ctx, delay); err != nil {
				return nil, canceled(ctx, err)
			}
			st.retries++
			continue
		}

		st.status = resp.StatusCode
		st.shouldRetry = resp.Header.Get("Stripe-Should-Retry")
		st.requestID = resp.Header.Get("Request-Id")
		t.log.log(ctx, 3, slog.LevelInfo, "stripe request", "method", req.Method, "path", req.URL.Path,
			"status", resp.StatusCode, "ms", elapsed.Milliseconds(), "attempt", attempt+1, "request_id", st.requestID)
		if t.log.enabled(5) {
			resp = t.logResponse(ctx, resp)
		}
		if !retryable(resp) {
			return resp, nil
		}
		delay := t.backoff(attempt)
		if ra, ok := retryAfter(resp.Header.Get("Retry-After")); ok && ra > delay {
			delay = ra
		}
		if time.Since(first)+delay > t.maxRetryTime {
			st.exhausted = true
			t.log.log(ctx, 1, slog.LevelError, "stripe request still failing, giving up", "method", req.Method,
				"path", req.URL.Path, "status", resp.StatusCode, "retries", st.retries)
			return resp, nil
		}
		t.log.log(ctx, 2, slog.LevelWarn, "stripe request retrying", "method", req.Method, "path", req.URL.Path,
			"status", resp.StatusCode, "after_ms", delay.Milliseconds(), "retry", st.retries+1)
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err := sleep(ctx, delay); err != nil {
			return nil, canceled(ctx, err)
		}
		st.retries++
	}
}

// count adds one request sent to the Client's total and to the statement's Counters.
func (t *transport) count(ctx context.Context) {
	t.requests.Add(1)
	if c := CountersFrom(ctx); c != nil {
		c.requests.Add(1)
	}
}

// retryable reports whether an answer may be retried with the same request: Stripe-Should-Retry
// decides when present; otherwise 429 (rate limit or lock timeout), 409 (a concurrent request with
// the same idempotency key) and 5xx. POST and DELETE are included because they always carry an
// idempotency key, so Stripe replays its stored result rather than acting twice.
func retryable(resp *http.Response) bool {
	switch resp.Header.Get("Stripe-Should-Retry") {
	case "false":
		return false
	case "true":
		return true
	}
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusConflict ||
		resp.StatusCode >= 500
}

// permanent reports network failures that a retry cannot fix: a certificate Stripe's (or the
// proxy's) TLS peer cannot prove, or a URL scheme the transport does not speak.
func permanent(err error) bool {
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || strings.Contains(err.Error(), "unsupported protocol scheme")
}

// backoff is the jittered exponential delay before retry attempt+1: base·2^attempt capped at max,
// then a uniformly random value in its upper half, so that goroutines rejected together do not
// come back together.
func (t *transport) backoff(attempt int) time.Duration {
	d := t.backoffBase
	for i := 0; i < attempt && d < t.backoffMax; i++ {
		d *= 2
	}
	if d > t.backoffMax {
		d = t.backoffMax
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 && secs < 86400 {
		return time.Duration(secs * float64(time.Second)), true
	}
	if at, err := http.ParseTime(v); err == nil {
		d := time.Until(at)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// canceled turns a context error into 57014; a deadline that passed is a statement timeout.
func canceled(ctx context.Context, err error) *sqlstate.Error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) ||
		(ctx.Err() == nil && strings.Contains(err.Error(), "deadline")) {
		return sqlstate.New(sqlstate.QueryCanceled, "canceling statement due to statement timeout").
			WithDetail("the deadline passed while waiting for stripe or for the request budget")
	}
	return sqlstate.New(sqlstate.QueryCanceled, "canceling statement due to user request")
}

// logRequest writes the request's parameters (verbosity 4) or the whole request (verbosity 5).
func (t *transport) logRequest(ctx context.Context, r *http.Request, body []byte) {
	switch {
	case t.log.enabled(5):
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL.String())
		r.Header.Write(&b)
		b.WriteString("\n")
		b.Write(body)
		t.log.log(ctx, 5, slog.LevelInfo, "stripe request dump", "request", b.String())
	case t.log.enabled(4):
		params := r.URL.RawQuery
		if len(body) > 0 {
			params = string(body)
		}
		t.log.log(ctx, 4, slog.LevelInfo, "stripe request params", "method", r.Method, "path", r.URL.Path,
			"params", params, "idempotency_key", r.Header.Get("Idempotency-Key"))
	}
}

// logResponse writes the whole response at verbosity 5 and returns an equivalent response whose
// body can still be read.
func (t *transport) logResponse(ctx context.Context, resp *http.Response) *http.Response {
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", resp.Proto, resp.Status)
	resp.Header.Write(&b)
	b.WriteString("\n")
	b.Write(body)
	msg := b.String()
	if err != nil {
		msg += fmt.Sprintf("\n(body read failed: %v)", err)
	}
	t.log.log(ctx, 5, slog.LevelInfo, "stripe response dump", "response", msg)
	return resp
}
