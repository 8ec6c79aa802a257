package stripeapi

import (
	"context"
	"sync/atomic"
	"time"
)

// Counters are one statement's figures that only the Client knows: requests it sent (retries and
// net/http's replays included), GETs answered from the node's page cache and GETs that shared an
// identical request already in flight. exec carries one per EXPLAIN ANALYZE (WithCounters) and
// prints them. Safe for concurrent use; the zero value is ready.
type Counters struct {
	requests, cacheHits, coalesced atomic.Int64
}

// Requests is how many HTTP requests were sent to Stripe.
func (c *Counters) Requests() int64 { return c.requests.Load() }

// CacheHits is how many GETs were answered from the page cache, without a request.
func (c *Counters) CacheHits() int64 { return c.cacheHits.Load() }

// Coalesced is how many GETs shared the answer of an identical GET in flight, without a request.
func (c *Counters) Coalesced() int64 { return c.coalesced.Load() }

type countersKey struct{}

// WithCounters makes the Client count the requests sent with ctx, and the cache hits and
// coalesced GETs it served with ctx, in c.
func WithCounters(ctx context.Context, c *Counters) context.Context {
	return context.WithValue(ctx, countersKey{}, c)
}

// CountersFrom returns the Counters of ctx, nil when there are none.
func CountersFrom(ctx context.Context) *Counters {
	c, _ := ctx.Value(countersKey{}).(*Counters)
	return c
}

type stalenessKey struct{}

// WithMaxStaleness lets the GETs sent with ctx be answered from the node's page cache when the
// cached answer was fetched at most d ago (stripesql.max_staleness). Zero, the default, means
// always live: such GETs still share an identical GET in flight, but never read the cache.
func WithMaxStaleness(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, stalenessKey{}, d)
}

// MaxStaleness returns the staleness ctx accepts, zero when it accepts none.
func MaxStaleness(ctx context.Context) time.Duration {
	d, _ := ctx.Value(stalenessKey{}).(time.Duration)
	return d
}
