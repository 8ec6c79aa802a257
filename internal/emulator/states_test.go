package emulator

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	stripe "github.com/stripe/stripe-go/v76"
)

// first returns the newest seeded object of a resource that satisfies keep.
func first(t *testing.T, e *Emulator, resource string, keep func(map[string]any) bool) string {
	t.Helper()
	for _, o := range e.Objects(resource) {
		if keep(o) {
			return o["id"].(string)
		}
	}
	t.Fatalf("no %s in the seed fits", resource)
	return ""
}

func statusIsFn(s string) func(map[string]any) bool {
	return func(o map[string]any) bool { return o["status"] == s }
}

// TestStateActions runs each remaining action on a seeded object in the right state, checks the
// new status, and checks that running it again (now in the wrong state) is refused with a 400.
func TestStateActions(t *testing.T) {
	e, _, base := startClient(t, Config{Seed: 21, Scale: ScaleN(2000)})
	tests := []struct {
		resource, from, action, wantStatus string
	}{
		{"payouts", "pending", "cancel", "canceled"},
		{"disputes", "needs_response", "close", "lost"},
		{"checkout_sessions", "open", "expire", "expired"},
		{"quotes", "draft", "cancel", "canceled"},
		{"credit_notes", "issued", "void", "void"},
	}
	for _, tt := range tests {
		t.Run(tt.resource+" "+tt.action, func(t *testing.T) {
			id := first(t, e, tt.resource, statusIsFn(tt.from))
			path := e.colls[tt.resource].res.path
			u := fmt.Sprintf("%s%s/%s/%s", base, path, id, tt.action)
			s1, _, b1 := raw(t, "POST", u, "sk_test_1", "", nil)
			s2, _, b2 := raw(t, "POST", u, "sk_test_1", "", nil)
			got := []any{s1, b1["status"], s2, errOf(b2)["type"]}
			if diff := cmp.Diff([]any{200, tt.wantStatus, 400, "invalid_request_error"}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	t.Run("payout reverse creates a reversal payout and balance transaction", func(t *testing.T) {
		id := first(t, e, "payouts", statusIsFn("paid"))
		s, _, b := raw(t, "POST", base+"/v1/payouts/"+id+"/reverse", "sk_test_1", "", nil)
		if s != 200 || b["original_payout"] != id || b["balance_transaction"] == nil {
			t.Fatalf("%d %v", s, b)
		}
		_, _, orig := raw(t, "GET", base+"/v1/payouts/"+id, "sk_test_1", "", nil)
		if orig["reversed_by"] != b["id"] {
			t.Errorf("reversed_by = %v", orig["reversed_by"])
		}
	})
	t.Run("invoice mark_uncollectible then void", func(t *testing.T) {
		_, _, inv := raw(t, "POST", base+"/v1/invoices", "sk_test_1", "customer="+first(t, e, "customers", func(map[string]any) bool { return true }), nil)
		id := inv["id"].(string)
		_, _, _ = raw(t, "POST", base+"/v1/invoiceitems", "sk_test_1", "customer="+inv["customer"].(string)+"&amount=1234&currency=usd&invoice="+id, nil)
		var statuses []any
		for _, a := range []string{"finalize", "send", "mark_uncollectible", "void"} {
			s, _, b := raw(t, "POST", base+"/v1/invoices/"+id+"/"+a, "sk_test_1", "", nil)
			statuses = append(statuses, s, b["status"])
		}
		if diff := cmp.Diff([]any{200, "open", 200, "open", 200, "uncollectible", 200, "void"}, statuses); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		_, _, lines := raw(t, "GET", base+"/v1/invoices/"+id+"/lines", "sk_test_1", "", nil)
		data, _ := lines["data"].([]any)
		if len(data) != 1 || num(data[0].(map[string]any)["amount"]) != 1234 {
			t.Errorf("lines: %v", lines)
		}
	})
	t.Run("setup intent confirm and cancel", func(t *testing.T) {
		_, _, si := raw(t, "POST", base+"/v1/setup_intents", "sk_test_1", "", nil)
		_, _, declined := raw(t, "POST", base+"/v1/setup_intents/"+si["id"].(string)+"/confirm", "sk_test_1", "payment_method=pm_card_chargeDeclined", nil)
		_, _, okd := raw(t, "POST", base+"/v1/setup_intents/"+si["id"].(string)+"/confirm", "sk_test_1", "payment_method=pm_card_visa", nil)
		_, _, si2 := raw(t, "POST", base+"/v1/setup_intents", "sk_test_1", "", nil)
		_, _, canceled := raw(t, "POST", base+"/v1/setup_intents/"+si2["id"].(string)+"/cancel", "sk_test_1", "", nil)
		got := []any{errOf(declined)["decline_code"], okd["status"], canceled["status"]}
		if diff := cmp.Diff([]any{"generic_decline", "succeeded", "canceled"}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("refund cancel refused when succeeded", func(t *testing.T) {
		id := first(t, e, "refunds", statusIsFn("succeeded"))
		s, _, b := raw(t, "POST", base+"/v1/refunds/"+id+"/cancel", "sk_test_1", "", nil)
		if s != 400 || errOf(b)["code"] != "refund_unexpected_state" {
			t.Errorf("%d %v", s, b)
		}
	})
	t.Run("subscription DELETE cancels and list hides it", func(t *testing.T) {
		id := first(t, e, "subscriptions", statusIsFn("active"))
		s, _, b := raw(t, "DELETE", base+"/v1/subscriptions/"+id, "sk_test_1", "", nil)
		if s != 200 || b["status"] != "canceled" || b["canceled_at"] == nil {
			t.Fatalf("%d %v", s, b)
		}
		cust := b["customer"].(string)
		_, _, l := raw(t, "GET", base+"/v1/subscriptions?customer="+cust+"&status=canceled", "sk_test_1", "", nil)
		found := false
		for _, o := range l["data"].([]any) {
			found = found || o.(map[string]any)["id"] == id
		}
		if !found {
			t.Errorf("canceled subscription not listed with status=canceled")
		}
	})
}

func TestCustomerSubLists(t *testing.T) {
	e, api, base := startClient(t, Config{Seed: 4, Scale: ScaleSmall})
	cust := first(t, e, "customers", func(map[string]any) bool { return true })
	tid, err := api.TaxIDs.New(&stripe.TaxIDParams{Customer: stripe.String(cust), Type: stripe.String("eu_vat"), Value: stripe.String("DE123456789")})
	if err != nil {
		t.Fatal(err)
	}
	it := api.TaxIDs.List(&stripe.TaxIDListParams{Customer: stripe.String(cust)})
	var got []string
	for it.Next() {
		got = append(got, it.TaxID().ID)
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[0] != tid.ID {
		t.Errorf("tax ids %v, want %s first", got, tid.ID)
	}
	if _, err := api.TaxIDs.Del(tid.ID, &stripe.TaxIDParams{Customer: stripe.String(cust)}); err != nil {
		t.Fatal(err)
	}
	bt, err := api.CustomerBalanceTransactions.New(&stripe.CustomerBalanceTransactionParams{Customer: stripe.String(cust), Amount: stripe.Int64(-500), Currency: stripe.String("usd")})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := api.Customers.Get(cust, nil)
	if bt.EndingBalance != c.Balance {
		t.Errorf("ending balance %d, customer balance %d", bt.EndingBalance, c.Balance)
	}
	pmit := api.Customers.ListPaymentMethods(&stripe.CustomerListPaymentMethodsParams{Customer: stripe.String(cust)})
	n := 0
	for pmit.Next() {
		if pmit.PaymentMethod().Customer.ID != cust {
			t.Errorf("payment method of another customer")
		}
		n++
	}
	if err := pmit.Err(); err != nil || n != 1 {
		t.Errorf("payment methods: %d %v", n, err)
	}
	for _, p := range []string{"/v1/customers/" + cust + "/sources", "/v1/customers/" + cust + "/balance_transactions"} {
		s, _, b := raw(t, "GET", base+p, "sk_test_1", "", nil)
		if s != 200 || b["object"] != "list" || b["url"] != p {
			t.Errorf("%s: %d %v", p, s, b)
		}
	}
	s, _, b := raw(t, "GET", base+"/v1/customers/cus_nope/tax_ids", "sk_test_1", "", nil)
	if s != 404 || !strings.Contains(errOf(b)["message"].(string), "cus_nope") {
		t.Errorf("missing parent: %d %v", s, b)
	}
}

// TestConcurrentWritesAndReads drives creates, updates and lists from many goroutines; run with
// -race it proves the store's locking, and afterwards every create is present exactly once.
func TestConcurrentWritesAndReads(t *testing.T) {
	e, api, _ := startClient(t, Config{Seed: 8, Scale: ScaleN(100)})
	before := len(e.Objects("customers"))
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				c, err := api.Customers.New(&stripe.CustomerParams{Email: stripe.String(fmt.Sprintf("g%d-%d@example.com", g, i))})
				if err != nil {
					errs <- err
					return
				}
				up := &stripe.CustomerParams{}
				up.AddMetadata("g", fmt.Sprint(g))
				if _, err := api.Customers.Update(c.ID, up); err != nil {
					errs <- err
					return
				}
				it := api.Charges.List(&stripe.ChargeListParams{ListParams: stripe.ListParams{Limit: stripe.Int64(5), Single: true}})
				for it.Next() {
				}
				if err := it.Err(); err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := len(e.Objects("customers")); got != before+30 {
		t.Errorf("%d customers, want %d", got, before+30)
	}
}
