package server

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/emulator"
)

// psqlWriteScript is the operations lifecycle of the writes issue as an analyst types it in psql:
// ids flow from one statement to the next through \gset variables, and every line after a write
// reads back what Stripe (the emulator) now holds.
const psqlWriteScript = `
\pset format unaligned
\pset tuples_only on
INSERT INTO customers (email, name) VALUES ('psql@example.com', 'Psql User') RETURNING id AS cus \gset
INSERT INTO payment_methods (type, card) VALUES ('card', '{"token":"pm_card_visa"}') RETURNING id AS pm \gset
CALL AttachPaymentMethodToCustomer(:'pm', CustomerId => :'cus');
SELECT 'attached', customer = :'cus' FROM payment_methods WHERE id = :'pm';
INSERT INTO payment_intents (amount, currency, customer, payment_method) VALUES (4200, 'usd', :'cus', :'pm') RETURNING id AS pi \gset
CALL ConfirmPaymentIntent(:'pi');
SELECT 'intent', status, amount_received FROM payment_intents WHERE id = :'pi';
SELECT 'charge', c.status, (SELECT b.amount FROM balance_transactions b WHERE b.id = c.balance_transaction) FROM charges c WHERE c.payment_intent = :'pi';
INSERT INTO payment_intents (amount, currency, customer, payment_method, capture_method) VALUES (1500, 'usd', :'cus', :'pm', 'manual') RETURNING id AS pi2 \gset
CALL ConfirmPaymentIntent(PaymentIntentId => :'pi2');
SELECT 'before capture', status FROM payment_intents WHERE id = :'pi2';
CALL CapturePaymentIntent(:'pi2');
SELECT 'captured', status FROM payment_intents WHERE id = :'pi2';
INSERT INTO payment_intents (amount, currency) VALUES (900, 'eur') RETURNING id AS pi3 \gset
CALL CancelPaymentIntent(:'pi3');
SELECT 'canceled', status FROM payment_intents WHERE id = :'pi3';
UPDATE customers SET metadata = '{"tier":"gold"}' WHERE id = :'cus';
SELECT 'metadata', metadata->>'tier' FROM customers WHERE id = :'cus';
SELECT id AS price FROM prices WHERE recurring IS NULL ORDER BY created LIMIT 1 \gset
INSERT INTO quotes (customer, line_items) VALUES (:'cus', jsonb_build_array(jsonb_build_object('price', :'price', 'quantity', 2))) RETURNING id AS qt \gset
CALL FinalizeQuote(:'qt');
CALL AcceptQuote(:'qt');
SELECT invoice AS inv FROM quotes WHERE id = :'qt' \gset
SELECT 'accepted', status, invoice FROM quotes WHERE id = :'qt';
CALL FinalizeInvoice(:'inv');
SELECT 'invoice', status FROM invoices WHERE id = :'inv';
SELECT id AS rprice FROM prices WHERE recurring IS NOT NULL ORDER BY created LIMIT 1 \gset
INSERT INTO subscriptions (customer, items) VALUES (:'cus', jsonb_build_array(jsonb_build_object('price', :'rprice'))) RETURNING id AS sub \gset
DELETE FROM subscriptions WHERE id = :'sub' RETURNING 'subscription', status;
INSERT INTO customers (email) VALUES ('gone@example.com') RETURNING id AS gone \gset
DELETE FROM customers WHERE id = :'gone';
SELECT 'gone', count(*) FROM customers WHERE id = :'gone';
`

// TestPsqlWriteLifecycle drives INSERT … RETURNING, CALL (positional and named), UPDATE and DELETE
// through the wire server with psql, and checks each state change by reading it back.
func TestPsqlWriteLifecycle(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("psql is not installed (apt-get install postgresql-client-15)")
	}
	addr := startRealWith(t, emulator.Config{Seed: 11, Scale: emulator.ScaleN(20)})
	cmd := psqlCommand(addr)
	cmd.Stdin = strings.NewReader(psqlWriteScript)
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, got)
	}
	var lines []string
	acceptedInvoice := "" // AcceptQuote's row leads with InvoiceId, then Success
	for _, l := range strings.Split(strings.TrimSpace(string(got)), "\n") {
		switch {
		case strings.HasPrefix(l, "in_"):
			acceptedInvoice, _, _ = strings.Cut(l, "|")
		case strings.HasPrefix(l, "t|"), l == "", strings.HasPrefix(l, "INSERT 0 1"), strings.HasPrefix(l, "Output format"), strings.HasPrefix(l, "Tuples only"):
			// CALL prints the procedure's row, INSERT … RETURNING … \gset its tag: keep the read-backs.
		case strings.HasPrefix(l, "accepted|"):
			// The quote points at the invoice AcceptQuote returned.
			if want := "accepted|accepted|" + acceptedInvoice; acceptedInvoice == "" || l != want {
				t.Errorf("after AcceptQuote: %q, want %q", l, want)
			}
			lines = append(lines, "accepted|accepted|<InvoiceId>")
		default:
			lines = append(lines, l)
		}
	}
	want := []string{
		"attached|t",
		"intent|succeeded|4200",
		"charge|succeeded|4200",
		"before capture|requires_capture",
		"captured|succeeded",
		"canceled|canceled",
		"UPDATE 1",
		"metadata|gold",
		"accepted|accepted|<InvoiceId>",
		"invoice|open",
		"subscription|canceled",
		"DELETE 1", // the tag after DELETE … RETURNING
		"DELETE 1",
		"gone|0",
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("psql write lifecycle (-want +got):\n%s\nfull output:\n%s", diff, got)
	}
}
