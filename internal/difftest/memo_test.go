package difftest

import (
	"context"
	"net/url"
	"sync"

	"github.com/stripesql/stripesql/internal/stripeapi"
)

// memoBackend remembers every read answer of the backend it wraps. The seeded data never changes
// during the test, and the corpus lists the same tables over and over (twice per query, with
// pushdown on and off); under -race, decoding the same pages again would cost most of the run.
// The first request of each kind still travels over HTTP through the real stripe-go client.
// Answers are deep-copied both ways, so nothing the engine does to a row can leak into another
// query. Writes pass through and forget everything remembered.
type memoBackend struct {
	next stripeapi.Backend

	mu      sync.Mutex
	pages   map[string]*stripeapi.Page
	objects map[string]stripeapi.Object
	hits    int
	misses  int
}

var _ stripeapi.Backend = (*memoBackend)(nil)

func newMemoBackend(next stripeapi.Backend) *memoBackend {
	return &memoBackend{next: next, pages: map[string]*stripeapi.Page{}, objects: map[string]stripeapi.Object{}}
}

func (m *memoBackend) page(ctx context.Context, kind, path string, params url.Values,
	fetch func(context.Context, string, url.Values) (*stripeapi.Page, error)) (*stripeapi.Page, error) {
	key := kind + " " + path + "?" + params.Encode()
	m.mu.Lock()
	p, ok := m.pages[key]
	if ok {
		m.hits++
	}
	m.mu.Unlock()
	if ok {
		return copyPage(p), nil
	}
	p, err := fetch(ctx, path, params)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.misses++
	m.pages[key] = copyPage(p)
	m.mu.Unlock()
	return p, nil
}

// List implements stripeapi.Backend.
func (m *memoBackend) List(ctx context.Context, path string, params url.Values) (*stripeapi.Page, error) {
	return m.page(ctx, "list", path, params, m.next.List)
}

// Search implements stripeapi.Backend.
func (m *memoBackend) Search(ctx context.Context, path string, params url.Values) (*stripeapi.Page, error) {
	return m.page(ctx, "search", path, params, m.next.Search)
}

// Retrieve implements stripeapi.Backend; a not-found answer is not remembered.
func (m *memoBackend) Retrieve(ctx context.Context, path string, params url.Values) (stripeapi.Object, error) {
	key := path + "?" + params.Encode()
	m.mu.Lock()
	o, ok := m.objects[key]
	if ok {
		m.hits++
	}
	m.mu.Unlock()
	if ok {
		return copyValue(o).(stripeapi.Object), nil
	}
	o, err := m.next.Retrieve(ctx, path, params)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.misses++
	m.objects[key] = copyValue(o).(stripeapi.Object)
	m.mu.Unlock()
	return o, nil
}

// Post implements stripeapi.Backend.
func (m *memoBackend) Post(ctx context.Context, path string, params url.Values, key string) (stripeapi.Object, error) {
	m.forget()
	return m.next.Post(ctx, path, params, key)
}

// Delete implements stripeapi.Backend.
func (m *memoBackend) Delete(ctx context.Context, path string, params url.Values, key string) (stripeapi.Object, error) {
	m.forget()
	return m.next.Delete(ctx, path, params, key)
}

func (m *memoBackend) forget() {
	m.mu.Lock()
	m.pages, m.objects = map[string]*stripeapi.Page{}, map[string]stripeapi.Object{}
	m.mu.Unlock()
}

func copyPage(p *stripeapi.Page) *stripeapi.Page {
	out := &stripeapi.Page{HasMore: p.HasMore, NextPage: p.NextPage, Data: make([]stripeapi.Object, len(p.Data))}
	for i, o := range p.Data {
		out.Data[i] = copyValue(o).(stripeapi.Object)
	}
	return out
}

// copyValue deep-copies decoded JSON.
func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = copyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}
