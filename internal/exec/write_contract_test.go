package exec_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/internal/stripemocktest"
	"github.com/stripesql/stripesql/planner"
)

// TestWriteContractStripeMock sends the requests of typical writes to stripe-mock, Stripe's own
// OpenAPI-validating mock, in process: each create, update, delete and call must be a request
// Stripe accepts (parameter names, nesting of jsonb values, unsetting with NULL and JSON null).
func TestWriteContractStripeMock(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("loads stripe-mock's OpenAPI spec (12 s under -race); runs in plain go test")
	}
	baseURL := stripemocktest.Start(t)
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_123", BaseURL: baseURL, Scheduler: stripeapi.NewScheduler(10000)})
	if err != nil {
		t.Fatal(err)
	}
	cat := catalog.New(catalog.StripeTables()...)
	tests := []string{
		`INSERT INTO customers (email, name, metadata, address, preferred_locales) VALUES ('a@example.com', 'Ann', '{"tier":"gold"}', '{"line1":"1 Main St","city":"Berlin","country":"DE"}', '["de","en"]')`,
		`INSERT INTO payment_intents (amount, currency, customer, automatic_payment_methods, metadata) VALUES (2000, 'usd', 'cus_1', '{"enabled":true}', '{"order":"42"}')`,
		`INSERT INTO subscriptions (customer, items, metadata) VALUES ('cus_1', '[{"price":"price_1","quantity":2}]', '{"a":"b"}')`,
		`INSERT INTO tax_ids (customer, type, value) VALUES ('cus_1', 'eu_vat', 'DE123456789')`,
		`INSERT INTO products (name, active) VALUES ('Widget', true)`,
		`INSERT INTO quotes (customer, line_items) VALUES ('cus_1', '[{"price":"price_1","quantity":1}]')`,
		`UPDATE customers SET metadata = '{"tier":"platinum","old":null}', description = NULL, name = 'Ann B' WHERE id = 'cus_1'`,
		`UPDATE payment_intents SET amount = 3000, metadata = '{}' WHERE id = 'pi_1'`,
		`UPDATE subscriptions SET cancel_at_period_end = true WHERE id = 'sub_1'`,
		`DELETE FROM customers WHERE id = 'cus_1'`,
		`DELETE FROM subscriptions WHERE id = 'sub_1'`,
		`DELETE FROM products WHERE id = 'prod_1'`,
		`CALL ConfirmPaymentIntent('pi_1', ReturnUrl => 'https://example.com/back')`,
		`CALL AttachPaymentMethodToCustomer('pm_1', 'cus_1')`,
		`SELECT * FROM AcceptQuote('qt_1')`,
	}
	// The mock must refuse what Stripe refuses, or the cases below prove nothing.
	if _, err := client.Post(context.Background(), "/v1/customers", url.Values{"no_such_param": {"x"}}, "contract-negative"); err == nil {
		t.Fatal("stripe-mock accepted an unknown parameter; it is not validating")
	}
	for _, q := range tests {
		t.Run(q, func(t *testing.T) {
			sess := planner.NewSession(planner.SessionConfig{Catalog: cat, Rate: 10000})
			if _, _, err := run(context.Background(), client, sess, q); err != nil {
				t.Errorf("stripe-mock refused the request: %v", err)
			}
		})
	}
}
