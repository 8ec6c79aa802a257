package procedures

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// emulated is a procedure test bench over the stateful emulator, through the real Stripe client.
type emulated struct {
	t      *testing.T
	emu    *emulator.Emulator
	client *stripeapi.Client
	n      int
}

func startEmulated(t *testing.T) *emulated {
	t.Helper()
	emu, base, stop, err := emulator.Start(emulator.Config{Seed: 1, Scale: emulator.ScaleNone})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_procedures", BaseURL: base, Rate: 10000, MaxRetryTime: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &emulated{t: t, emu: emu, client: client}
}

func (e *emulated) key() string {
	e.n++
	return fmt.Sprintf("procedures-test-%d", e.n)
}

// create posts a create request and returns the new object's id.
func (e *emulated) create(path string, params url.Values) string {
	e.t.Helper()
	obj, err := e.client.Post(context.Background(), path, params, e.key())
	if err != nil {
		e.t.Fatalf("POST %s: %v", path, err)
	}
	id, _ := obj["id"].(string)
	if id == "" {
		e.t.Fatalf("POST %s answered no id: %v", path, obj)
	}
	return id
}

// call runs a procedure with positional arguments and returns its row by column name.
func (e *emulated) call(t *testing.T, name string, args ...any) map[string]any {
	t.Helper()
	return e.callArgs(t, name, Args{Positional: args})
}

func (e *emulated) callArgs(t *testing.T, name string, args Args) map[string]any {
	t.Helper()
	row, err := e.try(name, args)
	if err != nil {
		t.Fatalf("CALL %s: %v", name, err)
	}
	return row
}

func (e *emulated) try(name string, args Args) (map[string]any, error) {
	p, err := Default().Lookup(name)
	if err != nil {
		return nil, err
	}
	cols, row, err := Invoke(context.Background(), e.client, p, args, e.key())
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for i, c := range cols {
		out[c.Name] = row[i]
	}
	return out, nil
}

func (e *emulated) retrieve(path string) stripeapi.Object {
	e.t.Helper()
	obj, err := e.client.Retrieve(context.Background(), path, nil)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	return obj
}

func expect(t *testing.T, row map[string]any, want map[string]any) {
	t.Helper()
	for k, w := range want {
		if row[k] != w {
			t.Errorf("%s = %v; want %v", k, row[k], w)
		}
	}
}

// TestNamedActionsOnEmulator runs the nine named actions against the emulator and checks the
// state each one leaves behind, then that every mutating request carried our idempotency key.
func TestNamedActionsOnEmulator(t *testing.T) {
	e := startEmulated(t)
	cus := e.create("/v1/customers", url.Values{"email": {"ops@example.com"}})
	pm := e.create("/v1/payment_methods", url.Values{"type": {"card"}, "card[token]": {"tok_visa"}})

	t.Run("AttachPaymentMethodToCustomer", func(t *testing.T) {
		row := e.call(t, "AttachPaymentMethodToCustomer", pm, cus)
		expect(t, row, map[string]any{"Success": true, "id": pm, "customer": cus})
	})
	t.Run("ConfirmPaymentIntent succeeds with a charge", func(t *testing.T) {
		pi := e.create("/v1/payment_intents", url.Values{"amount": {"2000"}, "currency": {"usd"}, "customer": {cus}, "payment_method": {pm}})
		// The payment method goes with the confirm (Stripe also takes it on create).
		row := e.callArgs(t, "ConfirmPaymentIntent", Args{Positional: []any{pi, "https://example.com/return"}, Named: []NamedArg{{"payment_method", pm}}})
		expect(t, row, map[string]any{"Success": true, "id": pi, "status": "succeeded", "amount_received": "2000"})
		ch, _ := row["latest_charge"].(string)
		if !strings.HasPrefix(ch, "ch_") {
			t.Fatalf("latest_charge = %v; want a charge id", row["latest_charge"])
		}
		charge := e.retrieve("/v1/charges/" + ch)
		if charge["status"] != "succeeded" || charge["payment_intent"] != pi {
			t.Errorf("charge %s: status %v, payment_intent %v", ch, charge["status"], charge["payment_intent"])
		}
	})
	t.Run("CapturePaymentIntent", func(t *testing.T) {
		pi := e.create("/v1/payment_intents", url.Values{"amount": {"1500"}, "currency": {"usd"}, "customer": {cus}, "payment_method": {pm}, "capture_method": {"manual"}})
		expect(t, e.callArgs(t, "ConfirmPaymentIntent", Args{Positional: []any{pi}, Named: []NamedArg{{"payment_method", pm}}}), map[string]any{"status": "requires_capture"})
		expect(t, e.call(t, "CapturePaymentIntent", pi), map[string]any{"Success": true, "status": "succeeded", "amount_received": "1500"})
	})
	t.Run("CancelPaymentIntent", func(t *testing.T) {
		pi := e.create("/v1/payment_intents", url.Values{"amount": {"900"}, "currency": {"usd"}})
		row := e.call(t, "CancelPaymentIntent", pi)
		expect(t, row, map[string]any{"Success": true, "status": "canceled"})
		if row["canceled_at"] == nil {
			t.Error("canceled_at is NULL after cancel")
		}
	})
	t.Run("card decline is 38000 with the decline code", func(t *testing.T) {
		pi := e.create("/v1/payment_intents", url.Values{"amount": {"700"}, "currency": {"usd"}})
		_, err := e.try("ConfirmPaymentIntent", Args{Positional: []any{pi}, Named: []NamedArg{{"payment_method", "pm_card_chargeDeclinedInsufficientFunds"}}})
		se, ok := sqlstate.As(err)
		if !ok || se.Code != sqlstate.ExternalRoutineException {
			t.Fatalf("confirm of a declined card = %v; want 38000", err)
		}
		for _, d := range []string{"code=card_declined", "decline_code=insufficient_funds"} {
			if !strings.Contains(se.Detail, d) {
				t.Errorf("detail %q lacks %q", se.Detail, d)
			}
		}
	})
	t.Run("quote finalize, accept, invoice finalize", func(t *testing.T) {
		prod := e.create("/v1/products", url.Values{"name": {"Seat"}})
		price := e.create("/v1/prices", url.Values{"product": {prod}, "currency": {"usd"}, "unit_amount": {"5000"}})
		qt := e.create("/v1/quotes", url.Values{"customer": {cus}, "line_items[0][price]": {price}, "line_items[0][quantity]": {"2"}})
		expect(t, e.call(t, "FinalizeQuote", qt), map[string]any{"Success": true, "id": qt, "status": "open"})
		row := e.call(t, "AcceptQuote", qt)
		expect(t, row, map[string]any{"Success": true, "status": "accepted"})
		inv, _ := row["InvoiceId"].(string)
		if !strings.HasPrefix(inv, "in_") {
			t.Fatalf("AcceptQuote InvoiceId = %v; want an invoice id", row["InvoiceId"])
		}
		expect(t, e.call(t, "FinalizeInvoice", inv), map[string]any{"Success": true, "id": inv, "status": "open"})
	})
	t.Run("CancelQuote", func(t *testing.T) {
		qt := e.create("/v1/quotes", url.Values{"customer": {cus}})
		expect(t, e.call(t, "CancelQuote", qt), map[string]any{"Success": true, "status": "canceled"})
	})
	t.Run("missing object is 42704", func(t *testing.T) {
		_, err := e.try("CancelQuote", Args{Positional: []any{"qt_does_not_exist"}})
		if se, ok := sqlstate.As(err); !ok || se.Code != sqlstate.UndefinedObject {
			t.Fatalf("cancel of a missing quote = %v; want 42704", err)
		}
	})
	t.Run("DetachPaymentMethodFromCustomer", func(t *testing.T) {
		row := e.call(t, "DetachPaymentMethodFromCustomer", pm)
		expect(t, row, map[string]any{"Success": true, "id": pm, "customer": nil})
	})

	keys := map[string]bool{}
	for _, r := range e.emu.Requests() {
		if r.Method == "GET" {
			continue
		}
		if !strings.HasPrefix(r.IdempotencyKey, "procedures-test-") {
			t.Errorf("%s %s carried idempotency key %q", r.Method, r.Path, r.IdempotencyKey)
		}
		keys[r.IdempotencyKey] = true
	}
	if len(keys) == 0 {
		t.Error("the emulator logged no mutating request")
	}
}
