package stripeapi

import (
	"strings"
	"time"
)

// Observer receives what the Client does, for metrics (package metrics implements it for
// Prometheus). Every method is called on the request's goroutine, so implementations must be cheap
// and safe for concurrent use. The arguments never carry an API key, a parameter value or an
// object id: endpoints are path templates (see Endpoint).
type Observer interface {
	// Request is called once per HTTP attempt sent to Stripe, first tries and retries alike, when
	// its answer (or its network failure) is known: the method, the endpoint template, the HTTP
	// status (0 for a network failure) and how long the attempt took. The count of these calls is
	// the count of requests Stripe received.
	Request(method, endpoint string, status int, d time.Duration)
	// BudgetWait is called once per attempt with the time it waited for the node's request budget
	// before it could be sent (zero when a slot was free).
	BudgetWait(d time.Duration)
	// CacheHit is called when a GET is answered from the node's page cache without a request.
	CacheHit(endpoint string)
	// Coalesced is called when a GET shares the answer of an identical one already in flight, so
	// it sends no request of its own.
	Coalesced(endpoint string)
}

// Endpoint turns an API path into its template, with every segment that names an object replaced
// by {id}: "/v1/customers/cus_123/tax_ids" becomes "/v1/customers/{id}/tax_ids". Metrics label
// requests by endpoint, and an id is customer data that must not become a label value (nor grow a
// label's cardinality without bound).
func Endpoint(path string) string {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if i <= 1 || s == "" { // "" before the leading slash, then the version ("v1")
			continue
		}
		if namesObject(s) {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

// namesObject reports whether a path segment is an object id rather than a resource word. Stripe
// ids carry an underscore after a short lowercase prefix (cus_…, pi_…, acct_…, txr_…); resource
// words are lowercase letters and underscores with no digits (payment_intents, tax_ids) or the
// action words after an id. Anything with a digit or an uppercase letter, or an unknown shape,
// is treated as an id, so that no customer value can pass as a word.
func namesObject(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '_') {
			return true
		}
	}
	return false
}
