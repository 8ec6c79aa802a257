package emulator

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	stripe "github.com/stripe/stripe-go/v76"
)

// newCustomer creates a customer and returns its id.
func newCustomer(t *testing.T, base string) string {
	t.Helper()
	st, _, m := raw(t, "POST", base+"/v1/customers", testKey, "email=cards%40example.com", nil)
	if st != 200 {
		t.Fatalf("customer: %d %v", st, m)
	}
	return m["id"].(string)
}

func cardOfAnswer(m map[string]any) map[string]any {
	c, _ := m["card"].(map[string]any)
	return map[string]any{"brand": c["brand"], "last4": c["last4"], "funding": c["funding"]}
}

func TestAttachTestPaymentMethod(t *testing.T) {
	e, _, base := startClient(t, Config{Seed: 20, Scale: ScaleNone})
	cus := newCustomer(t, base)
	tests := []struct {
		name                  string
		brand, last4, funding string
	}{
		{"pm_card_visa", "visa", "4242", "credit"},
		{"pm_card_visa_debit", "visa", "5556", "debit"},
		{"pm_card_mastercard", "mastercard", "4444", "credit"},
		{"pm_card_mastercard_prepaid", "mastercard", "5100", "prepaid"},
		{"pm_card_amex", "amex", "8431", "credit"},
		{"pm_card_discover", "discover", "1117", "credit"},
		{"pm_card_jcb", "jcb", "0505", "credit"},
		{"pm_card_chargeCustomerFail", "visa", "0341", "credit"}, // attaches; charging it fails
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _, m := raw(t, "POST", base+"/v1/payment_methods/"+tt.name+"/attach", testKey, "customer="+cus, nil)
			if st != 200 {
				t.Fatalf("attach: %d %v", st, m)
			}
			id := m["id"].(string)
			if !strings.HasPrefix(id, "pm_") || id == tt.name || m["customer"] != cus || m["type"] != "card" {
				t.Errorf("attached %v to %v (type %v)", id, m["customer"], m["type"])
			}
			if diff := cmp.Diff(map[string]any{"brand": tt.brand, "last4": tt.last4, "funding": tt.funding}, cardOfAnswer(m)); diff != "" {
				t.Errorf("card (-want +got):\n%s", diff)
			}
			st, _, got := raw(t, "GET", base+"/v1/payment_methods/"+id, testKey, "", nil)
			if st != 200 || got["customer"] != cus {
				t.Errorf("retrieve %s: %d %v", id, st, got)
			}
		})
	}
	t.Run("each attach makes a new payment method", func(t *testing.T) {
		listed := listIDs(t, base, "/v1/customers/"+cus+"/payment_methods", "", nil)
		if len(listed) != len(tests) {
			t.Errorf("customer lists %d payment methods, want %d", len(listed), len(tests))
		}
	})
	t.Run("a declining card fails verification and is not saved", func(t *testing.T) {
		before := e.Count("payment_methods")
		st, _, m := raw(t, "POST", base+"/v1/payment_methods/pm_card_chargeDeclined/attach", testKey, "customer="+cus, nil)
		got := errOf(m)
		if st != 402 || got["type"] != "card_error" || got["code"] != "card_declined" || got["decline_code"] != "generic_decline" {
			t.Errorf("%d %v", st, got)
		}
		if n := e.Count("payment_methods"); n != before {
			t.Errorf("%d payment methods after a refused attach, want %d", n, before)
		}
	})
	t.Run("unknown customer", func(t *testing.T) {
		if st, _, m := raw(t, "POST", base+"/v1/payment_methods/pm_card_visa/attach", testKey, "customer=cus_missing", nil); st != 400 || errOf(m)["param"] != "customer" {
			t.Errorf("%d %v", st, m)
		}
	})
	t.Run("customer created with a test payment method", func(t *testing.T) {
		st, _, m := raw(t, "POST", base+"/v1/customers", testKey, "payment_method=pm_card_mastercard", nil)
		if st != 200 {
			t.Fatalf("%d %v", st, m)
		}
		pms := listIDs(t, base, "/v1/customers/"+m["id"].(string)+"/payment_methods", "", nil)
		if len(pms) != 1 || !strings.HasPrefix(pms[0], "pm_") {
			t.Errorf("payment methods %v", pms)
		}
	})
}

func TestTestCardPaymentIntent(t *testing.T) {
	e, _, base := startClient(t, Config{Seed: 21, Scale: ScaleNone})
	cus := newCustomer(t, base)
	st, _, pi := raw(t, "POST", base+"/v1/payment_intents", testKey,
		"amount=2500&currency=usd&customer="+cus+"&payment_method=pm_card_visa&capture_method=manual&confirm=true", nil)
	if st != 200 {
		t.Fatalf("create: %d %v", st, pi)
	}
	pm := pi["payment_method"].(string)
	if !strings.HasPrefix(pm, "pm_") || pm == "pm_card_visa" || pi["status"] != "requires_capture" || num(pi["amount_capturable"]) != 2500 {
		t.Fatalf("confirmed: pm %v status %v capturable %v", pm, pi["status"], pi["amount_capturable"])
	}
	st, _, pi = raw(t, "POST", base+"/v1/payment_intents/"+pi["id"].(string)+"/capture", testKey, "", nil)
	if st != 200 || pi["status"] != "succeeded" || num(pi["amount_received"]) != 2500 {
		t.Fatalf("capture: %d %v", st, pi)
	}
	st, _, ch := raw(t, "GET", base+"/v1/charges/"+pi["latest_charge"].(string), testKey, "", nil)
	got := map[string]any{"status": ch["status"], "captured": ch["captured"], "payment_method": ch["payment_method"],
		"last4": ch["payment_method_details"].(map[string]any)["card"].(map[string]any)["last4"]}
	want := map[string]any{"status": "succeeded", "captured": true, "payment_method": pm, "last4": "4242"}
	if diff := cmp.Diff(want, got); diff != "" || st != 200 {
		t.Errorf("charge %d (-want +got):\n%s", st, diff)
	}
	if n := e.Count("payment_methods"); n != 1 {
		t.Errorf("%d payment methods, want the one made for pm_card_visa", n)
	}
}

func TestDeclineCards(t *testing.T) {
	_, api, base := startClient(t, Config{Seed: 22, Scale: ScaleNone})
	tests := []struct {
		card                      string
		code, declineCode, param  string
		failureCode, failureLast4 string
	}{
		{"pm_card_chargeDeclined", "card_declined", "generic_decline", "", "card_declined", "0002"},
		{"pm_card_visa_chargeDeclined", "card_declined", "generic_decline", "", "card_declined", "0002"},
		{"pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds", "", "card_declined", "9995"},
		{"pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds", "", "card_declined", "9995"},
		{"pm_card_visa_chargeDeclinedLostCard", "card_declined", "lost_card", "", "card_declined", "9987"},
		{"pm_card_visa_chargeDeclinedStolenCard", "card_declined", "stolen_card", "", "card_declined", "9979"},
		{"pm_card_chargeDeclinedFraudulent", "card_declined", "fraudulent", "", "card_declined", "0019"},
		{"pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card", "exp_month", "expired_card", "0069"},
		{"pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc", "cvc", "incorrect_cvc", "0127"},
		{"pm_card_chargeDeclinedProcessingError", "processing_error", "processing_error", "", "processing_error", "0119"},
		{"pm_card_chargeCustomerFail", "card_declined", "generic_decline", "", "card_declined", "0341"},
	}
	for _, tt := range tests {
		t.Run(tt.card, func(t *testing.T) {
			st, _, m := raw(t, "POST", base+"/v1/payment_intents", testKey, "amount=1000&currency=usd&confirm=true&payment_method="+tt.card, nil)
			ae := errOf(m)
			got := map[string]any{"status": st, "type": ae["type"], "code": ae["code"], "decline_code": ae["decline_code"], "param": ae["param"]}
			want := map[string]any{"status": 402, "type": "card_error", "code": tt.code, "decline_code": tt.declineCode, "param": nil}
			if tt.param != "" {
				want["param"] = tt.param
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("error (-want +got):\n%s", diff)
			}
			pi, _ := ae["payment_intent"].(map[string]any)
			lpe, _ := pi["last_payment_error"].(map[string]any)
			if pi["status"] != "requires_payment_method" || lpe["decline_code"] != tt.declineCode || lpe["charge"] != ae["charge"] {
				t.Errorf("payment intent %v, last_payment_error %v", pi["status"], lpe)
			}
			st, _, ch := raw(t, "GET", base+"/v1/charges/"+ae["charge"].(string), testKey, "", nil)
			outcome, _ := ch["outcome"].(map[string]any)
			gotCh := map[string]any{"status": ch["status"], "failure_code": ch["failure_code"], "reason": outcome["reason"], "paid": ch["paid"],
				"last4": ch["payment_method_details"].(map[string]any)["card"].(map[string]any)["last4"]}
			wantCh := map[string]any{"status": "failed", "failure_code": tt.failureCode, "reason": tt.declineCode, "paid": false, "last4": tt.failureLast4}
			if diff := cmp.Diff(wantCh, gotCh); diff != "" || st != 200 {
				t.Errorf("charge (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("through stripe-go", func(t *testing.T) {
		pi, err := api.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(700), Currency: stripe.String("usd")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = api.PaymentIntents.Confirm(pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa_chargeDeclinedInsufficientFunds")})
		var se *stripe.Error
		if !errors.As(err, &se) || se.HTTPStatusCode != 402 || se.Code != stripe.ErrorCodeCardDeclined || se.DeclineCode != stripe.DeclineCodeInsufficientFunds ||
			se.PaymentIntent == nil || se.PaymentIntent.ID != pi.ID || se.ChargeID == "" {
			t.Fatalf("confirm: %v", err)
		}
		// A working card then pays the same intent.
		ok, err := api.PaymentIntents.Confirm(pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
		if err != nil || ok.Status != stripe.PaymentIntentStatusSucceeded {
			t.Fatalf("retry: %v %v", ok, err)
		}
	})
}

func TestTokens(t *testing.T) {
	_, _, base := startClient(t, Config{Seed: 23, Scale: ScaleNone})
	t.Run("tok_visa as a charge source", func(t *testing.T) {
		st, _, ch := raw(t, "POST", base+"/v1/charges", testKey, "amount=1200&currency=usd&source=tok_visa", nil)
		if st != 200 {
			t.Fatalf("%d %v", st, ch)
		}
		pmd := ch["payment_method_details"].(map[string]any)["card"].(map[string]any)
		got := map[string]any{"status": ch["status"], "captured": ch["captured"], "brand": pmd["brand"], "last4": pmd["last4"],
			"card": strings.HasPrefix(ch["payment_method"].(string), "card_")}
		want := map[string]any{"status": "succeeded", "captured": true, "brand": "visa", "last4": "4242", "card": true}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("tok_chargeDeclined as a charge source", func(t *testing.T) {
		st, _, m := raw(t, "POST", base+"/v1/charges", testKey, "amount=1200&currency=usd&source=tok_chargeDeclined", nil)
		if ae := errOf(m); st != 402 || ae["decline_code"] != "generic_decline" || ae["charge"] == nil {
			t.Errorf("%d %v", st, ae)
		}
	})
	t.Run("tok_mastercard as a customer's source pays their charges", func(t *testing.T) {
		st, _, cus := raw(t, "POST", base+"/v1/customers", testKey, "source=tok_mastercard", nil)
		if st != 200 || !strings.HasPrefix(asString(cus["default_source"]), "card_") {
			t.Fatalf("%d %v", st, cus)
		}
		st, _, ch := raw(t, "POST", base+"/v1/charges", testKey, "amount=900&currency=usd&customer="+cus["id"].(string), nil)
		if st != 200 || ch["payment_method_details"].(map[string]any)["card"].(map[string]any)["brand"] != "mastercard" {
			t.Errorf("%d %v", st, ch["payment_method_details"])
		}
	})
	t.Run("a declining token is refused as a customer's source", func(t *testing.T) {
		st, _, m := raw(t, "POST", base+"/v1/customers", testKey, "source=tok_chargeDeclinedExpiredCard", nil)
		if ae := errOf(m); st != 402 || ae["code"] != "expired_card" {
			t.Errorf("%d %v", st, ae)
		}
	})
	t.Run("an unknown token", func(t *testing.T) {
		st, _, m := raw(t, "POST", base+"/v1/charges", testKey, "amount=900&currency=usd&source=tok_nonsense", nil)
		if ae := errOf(m); st != 400 || ae["code"] != "resource_missing" || ae["param"] != "source" {
			t.Errorf("%d %v", st, ae)
		}
	})
}
