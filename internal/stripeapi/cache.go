package stripeapi

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// DefaultCacheEntries and DefaultCacheBytes bound the process-wide page cache that Clients built
// without Config.Cache share: 4,096 answers or 64 MiB of JSON, whichever fills first (a page of
// 100 charges is about 300 kB, so 64 MiB holds some 200 full pages, or thousands of dashboard
// answers).
const (
	DefaultCacheEntries = 4096
	DefaultCacheBytes   = 64 << 20
)

// entryOverhead approximates what one cached answer costs besides its key and body (list
// element, map slot, entry struct).
const entryOverhead = 160

// Cache holds the node's GET answers: the ones in flight, which identical GETs share instead of
// sending again (coalescing, always on), and recent ones, which a GET whose context accepts
// staleness (WithMaxStaleness) may be answered from. It stores raw JSON bodies, never decoded
// objects: every caller decodes its own copy, so no caller can change what another one reads.
// Every Client of a process should share one (Config.Cache); it is safe for concurrent use.
//
// Keys are the base URL, the Stripe-Account, a digest of the API key, the path and the
// parameters in canonical (sorted) form: two answers are shared only when Stripe would have been
// asked the very same question by the same key.
//
// Writes: any POST or DELETE through a Client that uses this Cache drops every cached answer and
// detaches every GET in flight from newcomers, at once, whatever the outcome of the write (a
// declined payment still creates a charge). Stripe actions change objects other than the one
// written — confirming a payment intent creates a charge and a balance transaction and updates
// the customer; a refund changes its charge; paying an invoice changes its subscription — and a
// map of those dependencies would be incomplete and serve stale rows when wrong. Writes are rare
// next to the dashboard reads the cache is for, so dropping everything costs a few refetches and
// is always right for this node's own writes. Writes made elsewhere (the dashboard, another
// node) are not seen: that is the staleness a session accepts with stripesql.max_staleness.
type Cache struct {
	maxEntries int
	maxBytes   int64

	mu       sync.Mutex
	lru      *list.List // of *cacheEntry, most recently used first
	entries  map[string]*list.Element
	bytes    int64
	inflight map[string]*flight
	gen      uint64 // bumped by every write; an answer fetched across a write is not stored
}

type cacheEntry struct {
	key  string
	body []byte
	at   time.Time // when the request that fetched it started
	size int64
}

// flight is one GET in flight and the callers waiting for it.
type flight struct {
	done    chan struct{}
	body    []byte
	err     error
	waiters int                // callers still waiting; the request is cancelled when none is
	cancel  context.CancelFunc // cancels the request's detached context
	gen     uint64
	started time.Time
	store   bool // some caller accepts staleness, so the answer is worth keeping
}

// NewCache returns a cache bounded by entries answers and bytes of keys and bodies (approximate);
// zero or negative bounds take the defaults.
func NewCache(entries int, bytes int64) *Cache {
	if entries <= 0 {
		entries = DefaultCacheEntries
	}
	if bytes <= 0 {
		bytes = DefaultCacheBytes
	}
	return &Cache{maxEntries: entries, maxBytes: bytes, lru: list.New(), entries: map[string]*list.Element{}, inflight: map[string]*flight{}}
}

var nodeCache = NewCache(0, 0)

// Len returns the number of cached answers and their approximate size in bytes.
func (c *Cache) Len() (entries int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len(), c.bytes
}

// lookup returns the cached answer for key if it was fetched at most maxAge ago.
func (c *Cache) lookup(key string, maxAge time.Duration) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if time.Since(e.at) > maxAge {
		return nil, false
	}
	c.lru.MoveToFront(el)
	return e.body, true
}

// do answers a GET: it joins the identical GET in flight if there is one and share allows
// (joined reports that), and otherwise sends one with fetch. The request runs on a context detached from the caller's
// (values kept, cancellation not), so that the callers who joined still get their answer when
// the first one goes away; it is cancelled when every caller has gone. store asks for the answer
// to be kept for later lookups. The body returned is shared and must not be modified.
func (c *Cache) do(ctx context.Context, key string, share, store bool, fetch func(context.Context) ([]byte, error)) (body []byte, joined bool, err error) {
	c.mu.Lock()
	f, joined := c.inflight[key]
	joined = joined && share
	if joined {
		f.waiters++
		f.store = f.store || store
	} else {
		rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), waiters: 1, cancel: cancel, gen: c.gen, started: time.Now(), store: store}
		if share {
			c.inflight[key] = f
		}
		go c.run(rctx, key, f, fetch)
	}
	c.mu.Unlock()

	select {
	case <-f.done:
		return f.body, joined, f.err
	case <-ctx.Done():
	}
	c.mu.Lock()
	f.waiters--
	if f.waiters == 0 {
		f.cancel()
		if c.inflight[key] == f {
			delete(c.inflight, key)
		}
	}
	c.mu.Unlock()
	return nil, joined, ctx.Err()
}

func (c *Cache) run(ctx context.Context, key string, f *flight, fetch func(context.Context) ([]byte, error)) {
	body, err := fetch(ctx)
	c.mu.Lock()
	f.body, f.err = body, err
	if c.inflight[key] == f {
		delete(c.inflight, key)
	}
	if err == nil && f.store && f.gen == c.gen {
		c.putLocked(key, body, f.started)
	}
	c.mu.Unlock()
	f.cancel()
	close(f.done)
}

// putLocked stores an answer, evicting the least recently used ones past the bounds. An answer
// larger than an eighth of the byte bound is not kept: it would push out many small ones.
func (c *Cache) putLocked(key string, body []byte, at time.Time) {
	size := int64(len(key)+len(body)) + entryOverhead
	if size > c.maxBytes/8 {
		return
	}
	if el, ok := c.entries[key]; ok {
		c.removeLocked(el)
	}
	c.entries[key] = c.lru.PushFront(&cacheEntry{key: key, body: body, at: at, size: size})
	c.bytes += size
	for c.lru.Len() > c.maxEntries || c.bytes > c.maxBytes {
		c.removeLocked(c.lru.Back())
	}
}

func (c *Cache) removeLocked(el *list.Element) {
	e := c.lru.Remove(el).(*cacheEntry)
	delete(c.entries, e.key)
	c.bytes -= e.size
}

// invalidate drops every cached answer and detaches every GET in flight from later callers (they
// send a new one), because a write may have changed what they read. See Cache.
func (c *Cache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.lru.Init()
	clear(c.entries)
	c.bytes = 0
	clear(c.inflight)
}
