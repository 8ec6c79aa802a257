package procedures

import (
	"context"
	"net/url"
	"sync"

	"github.com/stripesql/stripesql/internal/stripeapi"
)

// call is one request a recordingBackend received.
type call struct {
	Method, Path, Key string
	Params            url.Values
}

// recordingBackend answers every request with obj (or err) and records it, so tests can assert
// exactly which request a procedure sent.
type recordingBackend struct {
	mu    sync.Mutex
	calls []call
	obj   stripeapi.Object
	err   error
}

var _ stripeapi.Backend = (*recordingBackend)(nil)

func (b *recordingBackend) record(method, path string, params url.Values, key string) (stripeapi.Object, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls = append(b.calls, call{Method: method, Path: path, Key: key, Params: params})
	return b.obj, b.err
}

func (b *recordingBackend) List(ctx context.Context, path string, params url.Values) (*stripeapi.Page, error) {
	_, err := b.record("LIST", path, params, "")
	return &stripeapi.Page{}, err
}

func (b *recordingBackend) Search(ctx context.Context, path string, params url.Values) (*stripeapi.Page, error) {
	_, err := b.record("SEARCH", path, params, "")
	return &stripeapi.Page{}, err
}

func (b *recordingBackend) Retrieve(ctx context.Context, path string, params url.Values) (stripeapi.Object, error) {
	return b.record("GET", path, params, "")
}

func (b *recordingBackend) Post(ctx context.Context, path string, params url.Values, key string) (stripeapi.Object, error) {
	return b.record("POST", path, params, key)
}

func (b *recordingBackend) Delete(ctx context.Context, path string, params url.Values, key string) (stripeapi.Object, error) {
	return b.record("DELETE", path, params, key)
}
