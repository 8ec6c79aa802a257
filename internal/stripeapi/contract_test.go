package stripeapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripemocktest"
)

// contractCall is one request shape the engine sends through Client.
type contractCall struct {
	name   string
	method string // "list", "search", "retrieve", "post", "delete"
	path   string
	params url.Values
}

// contractCalls lists every request shape stripesql produces: list filters of each kind, cursors,
// a path-parent list, search with paging, retrieve, create with nested params, update, delete,
// and the actions of the procedures.
var contractCalls = []contractCall{
	{"list plain filter", "list", "/v1/customers", url.Values{"email": {"a@example.com"}}},
	{"list created gt", "list", "/v1/charges", url.Values{"created[gt]": {"1700000000"}}},
	{"list created gte lt", "list", "/v1/charges", url.Values{"created[gte]": {"1700000000"}, "created[lt]": {"1710000000"}}},
	{"list created lte", "list", "/v1/payment_intents", url.Values{"created[lte]": {"1710000000"}, "customer": {"cus_123"}}},
	{"list limit", "list", "/v1/invoices", url.Values{"limit": {"100"}, "status": {"paid"}}},
	{"list starting_after", "list", "/v1/customers", url.Values{"limit": {"100"}, "starting_after": {"cus_123"}}},
	{"list ending_before", "list", "/v1/customers", url.Values{"limit": {"10"}, "ending_before": {"cus_123"}}},
	{"list expand", "list", "/v1/charges", url.Values{"expand[]": {"data.customer"}, "limit": {"100"}}},
	{"list range param other than created", "list", "/v1/invoices", url.Values{"due_date[gte]": {"1700000000"}}},
	{"list subscriptions status all", "list", "/v1/subscriptions", url.Values{"status": {"all"}, "price": {"price_123"}}},
	{"list required filter", "list", "/v1/subscription_items", url.Values{"subscription": {"sub_123"}}},
	{"list path parent tax ids", "list", "/v1/customers/cus_123/tax_ids", url.Values{"limit": {"100"}}},
	{"list path parent invoice lines", "list", "/v1/invoices/in_123/lines", url.Values{"limit": {"100"}}},
	{"list path parent transfer reversals", "list", "/v1/transfers/tr_123/reversals", nil},
	{"search with query", "search", "/v1/customers/search", url.Values{"query": {`email:'a@example.com' AND metadata['plan']:'gold'`}}},
	{"search with limit and page", "search", "/v1/charges/search", url.Values{"query": {"amount>1000"}, "limit": {"100"}, "page": {"pg_abc"}}},
	{"retrieve", "retrieve", "/v1/customers/cus_123", nil},
	{"retrieve with expand", "retrieve", "/v1/payment_intents/pi_123", url.Values{"expand[]": {"customer", "latest_charge"}}},
	{"create with nested params", "post", "/v1/customers", url.Values{
		"email": {"a@example.com"}, "name": {"Ada"}, "metadata[plan]": {"gold"},
		"address[line1]": {"1 Main St"}, "address[city]": {"Springfield"}, "address[country]": {"US"}}},
	{"create with indexed items", "post", "/v1/subscriptions", url.Values{
		"customer": {"cus_123"}, "items[0][price]": {"price_123"}, "items[0][quantity]": {"2"}, "metadata[source]": {"sql"}}},
	{"create payment intent", "post", "/v1/payment_intents", url.Values{"amount": {"1099"}, "currency": {"usd"}, "customer": {"cus_123"}}},
	{"update", "post", "/v1/customers/cus_123", url.Values{"description": {"vip"}, "metadata[plan]": {""}}},
	{"delete", "delete", "/v1/customers/cus_123", nil},
	{"action confirm payment intent", "post", "/v1/payment_intents/pi_123/confirm", url.Values{"return_url": {"https://example.com/return"}}},
	{"action capture payment intent", "post", "/v1/payment_intents/pi_123/capture", url.Values{"amount_to_capture": {"500"}}},
	{"action cancel payment intent", "post", "/v1/payment_intents/pi_123/cancel", url.Values{"cancellation_reason": {"requested_by_customer"}}},
	{"action attach payment method", "post", "/v1/payment_methods/pm_123/attach", url.Values{"customer": {"cus_123"}}},
	{"action detach payment method", "post", "/v1/payment_methods/pm_123/detach", nil},
	{"action finalize invoice", "post", "/v1/invoices/in_123/finalize", nil},
	{"action pay invoice", "post", "/v1/invoices/in_123/pay", nil},
	{"action void invoice", "post", "/v1/invoices/in_123/void", nil},
	{"action finalize quote", "post", "/v1/quotes/qt_123/finalize", nil},
	{"action accept quote", "post", "/v1/quotes/qt_123/accept", nil},
	{"action cancel quote", "post", "/v1/quotes/qt_123/cancel", nil},
}

func (cc contractCall) send(ctx context.Context, c *Client) (any, error) {
	switch cc.method {
	case "list":
		return c.List(ctx, cc.path, cc.params)
	case "search":
		return c.Search(ctx, cc.path, cc.params)
	case "retrieve":
		return c.Retrieve(ctx, cc.path, cc.params)
	case "post":
		return c.Post(ctx, cc.path, cc.params, "contract-"+cc.name)
	case "delete":
		return c.Delete(ctx, cc.path, cc.params, "contract-"+cc.name)
	}
	return nil, errors.New("unknown method " + cc.method)
}

// TestStripeMockContract sends every request shape through Client to stripe-mock, Stripe's own
// OpenAPI-validating mock, and requires each to be accepted; one request with an unknown
// parameter must be refused, which shows the check can fail.
func TestStripeMockContract(t *testing.T) {
	base := stripemocktest.Start(t)
	c := testClient(t, base, func(cfg *Config) { cfg.Account = "acct_123" })
	ctx := context.Background()
	for _, cc := range contractCalls {
		t.Run(cc.name, func(t *testing.T) {
			got, err := cc.send(ctx, c)
			if err != nil {
				t.Fatalf("stripe-mock refused %s %s %v: %v", cc.method, cc.path, cc.params, err)
			}
			switch v := got.(type) {
			case *Page:
				if v == nil || v.Data == nil {
					t.Errorf("no page data: %#v", v)
				}
			case Object:
				if len(v) == 0 {
					t.Errorf("empty object")
				}
			}
		})
	}
	t.Run("unknown parameter is refused", func(t *testing.T) {
		_, err := c.List(ctx, "/v1/customers", url.Values{"not_a_filter": {"x"}})
		var se *Error
		if !errors.As(err, &se) || se.Status != http.StatusBadRequest || se.Type != "invalid_request_error" {
			t.Fatalf("got %v, want stripe-mock's 400 invalid_request_error", err)
		}
		if code := sqlstate.Wrap(err).Code; code != sqlstate.InvalidParameterValue {
			t.Errorf("code %q, want 22023", code)
		}
	})
	t.Run("ill-typed parameter is refused", func(t *testing.T) {
		_, err := c.Post(ctx, "/v1/payment_intents/pi_123/capture", url.Values{"amount_to_capture": {"lots"}}, "contract-bad-type")
		var se *Error
		if !errors.As(err, &se) || se.Status != http.StatusBadRequest {
			t.Fatalf("got %v, want stripe-mock's 400", err)
		}
	})
}
