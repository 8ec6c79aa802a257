package stripeapi

import (
	"context"
	"net/url"
)

// Object is one Stripe object as decoded from JSON (numbers as json.Number).
type Object = map[string]any

// Page is one page of a list or search answer.
type Page struct {
	Data    []Object
	HasMore bool
	// NextPage is the search cursor to send as `page` for the next search page (search only).
	NextPage string
}

// Backend is the one seam between the engine and Stripe. Every method sends exactly one HTTP
// request (plus retries of that same request), counted against the node's request budget.
// Paths are API paths with ids already filled in ("/v1/customers", "/v1/customers/cus_1/tax_ids").
// Params are Stripe form parameters with bracketed keys ("created[gte]", "metadata[plan]",
// "expand[]").
//
// Errors: Stripe's error answers come back as *Error (see IsNotFound); budget, network, rate-limit
// and cancellation failures come back as *sqlstate.Error.
type Backend interface {
	// List fetches one page of a list endpoint. params carries filters, limit and cursors.
	List(ctx context.Context, path string, params url.Values) (*Page, error)
	// Search fetches one page of a search endpoint; params carries query, limit and page.
	Search(ctx context.Context, path string, params url.Values) (*Page, error)
	// Retrieve fetches one object.
	Retrieve(ctx context.Context, path string, params url.Values) (Object, error)
	// Post creates, updates or runs an action. The idempotency key is sent as Idempotency-Key and
	// stays the same across every retry of this call; it must not be empty.
	Post(ctx context.Context, path string, params url.Values, idempotencyKey string) (Object, error)
	// Delete deletes (or, for some resources, cancels) an object, with an idempotency key like Post.
	Delete(ctx context.Context, path string, params url.Values, idempotencyKey string) (Object, error)
}
