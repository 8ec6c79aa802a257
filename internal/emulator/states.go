package emulator

import (
	"fmt"
	"reflect"
)

// action is a state change on one object: POST /v1/<resource>/{id}/<action>.
type action func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any)

// unexpectedState is Stripe's answer when an action does not fit the object's status.
func unexpectedState(code, format string, args ...any) *apiError {
	return &apiError{status: 400, typ: "invalid_request_error", code: code, message: fmt.Sprintf(format, args...)}
}

func ok(e *Emulator, c *collection, en *entry) (int, any) { return 200, e.render(c, en) }

func statusIs(en *entry, allowed ...string) bool {
	s := asString(en.get("status"))
	for _, a := range allowed {
		if s == a {
			return true
		}
	}
	return false
}

// actions are the state changes the emulator implements, keyed "<resource>/<action>".
var actions map[string]action

func init() {
	actions = map[string]action{
		"payment_intents/confirm": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "requires_payment_method", "requires_confirmation", "requires_action") {
				return 0, unexpectedState("payment_intent_unexpected_state",
					"This PaymentIntent's status is %s, but it must be requires_payment_method, requires_confirmation or requires_action to be confirmed.", en.get("status"))
			}
			pm := str(params, "payment_method")
			if pm == "" {
				pm = asString(en.get("payment_method"))
			}
			if pm == "" {
				return 0, unexpectedState("payment_intent_unexpected_state", "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with %s, specify a payment method attached to this customer along with the customer ID.", asString(en.get("customer")))
			}
			if ae := e.confirmPI(en, pm); ae != nil {
				return 0, ae
			}
			return ok(e, c, en)
		},
		"payment_intents/capture": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "requires_capture") {
				return 0, unexpectedState("payment_intent_unexpected_state",
					"This PaymentIntent could not be captured because it has a status of %s. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.", en.get("status"))
			}
			capturable, _ := asInt(en.get("amount_capturable"))
			amt := capturable
			if s := str(params, "amount_to_capture"); s != "" {
				v, ae := convert("amount_to_capture", reflect.Int64, s)
				if ae != nil {
					return 0, ae
				}
				amt = v.(int64)
				if amt > capturable || amt < 1 {
					return 0, invalid("amount_to_capture", "The amount to capture must be between 1 and %d.", capturable)
				}
			}
			if ch := e.colls["charges"].get(asString(en.get("latest_charge"))); ch != nil {
				e.captureCharge(ch, amt)
			}
			e.set(c, en, "payment_intent.succeeded", map[string]any{"status": "succeeded", "amount_received": amt, "amount_capturable": int64(0)})
			return ok(e, c, en)
		},
		"payment_intents/cancel": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if statusIs(en, "succeeded", "canceled") {
				return 0, unexpectedState("payment_intent_unexpected_state",
					"You cannot cancel this PaymentIntent because it has a status of %s. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.", en.get("status"))
			}
			reason := str(params, "cancellation_reason")
			e.set(c, en, "payment_intent.canceled", map[string]any{"status": "canceled", "canceled_at": e.now().Unix(),
				"cancellation_reason": nilIfEmpty(reason), "amount_capturable": int64(0)})
			return ok(e, c, en)
		},
		"charges/capture": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if en.get("captured") == true || en.get("status") != "succeeded" {
				return 0, unexpectedState("charge_already_captured", "Charge %s has already been captured.", en.id())
			}
			amt, _ := asInt(en.get("amount"))
			e.captureCharge(en, amt)
			return ok(e, c, en)
		},
		"payment_methods/attach": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			cust := str(params, "customer")
			if cust == "" {
				return 0, invalid("customer", "Missing required param: customer.")
			}
			if e.colls["customers"].get(cust) == nil {
				return 0, &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: "customer", message: fmt.Sprintf("No such customer: '%s'", cust)}
			}
			if cur := asString(en.get("customer")); cur != "" && cur != cust {
				return 0, invalid("", "The payment method you provided has already been attached to a customer.")
			}
			e.set(c, en, "payment_method.attached", map[string]any{"customer": cust})
			return ok(e, c, en)
		},
		"payment_methods/detach": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if en.get("customer") == nil {
				return 0, invalid("", "The payment method you provided is not attached to a customer so detachment is impossible.")
			}
			e.set(c, en, "payment_method.detached", map[string]any{"customer": nil})
			return ok(e, c, en)
		},
		"invoices/finalize": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "draft") {
				return 0, unexpectedState("invoice_not_editable", "This invoice is already finalized, you can't re-finalize a non-draft invoice.")
			}
			e.finalizeInvoice(c, en)
			if due, _ := asInt(en.get("amount_due")); due == 0 {
				_ = e.payInvoice(en, e.now().Unix(), "")
			}
			return ok(e, c, en)
		},
		"invoices/pay": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if statusIs(en, "draft") {
				e.finalizeInvoice(c, en)
			}
			if !statusIs(en, "open", "uncollectible") {
				return 0, unexpectedState("invoice_not_payable", "Invoice is already %s", en.get("status"))
			}
			if str(params, "paid_out_of_band") == "true" {
				due, _ := asInt(en.get("amount_due"))
				e.set(c, en, "invoice.paid", map[string]any{"status": "paid", "paid": true, "paid_out_of_band": true, "amount_paid": due,
					"amount_remaining": int64(0), "status_transitions": transitions(en.get("status_transitions"), "paid_at", e.now().Unix())})
				return ok(e, c, en)
			}
			pm := str(params, "payment_method")
			if isTestValue(pm) {
				pm = e.testPaymentMethod(pm, "").id()
			}
			if ae := e.payInvoice(en, e.now().Unix(), pm); ae != nil {
				return 0, ae
			}
			return ok(e, c, en)
		},
		"invoices/void": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "open", "uncollectible") {
				return 0, unexpectedState("invoice_not_editable", "You can only void open or uncollectible invoices; this invoice is %s.", en.get("status"))
			}
			e.set(c, en, "invoice.voided", map[string]any{"status": "void", "amount_remaining": int64(0),
				"status_transitions": transitions(en.get("status_transitions"), "voided_at", e.now().Unix())})
			return ok(e, c, en)
		},
		"invoices/send": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "open") {
				return 0, unexpectedState("invoice_not_editable", "You can only send open invoices; this invoice is %s.", en.get("status"))
			}
			e.emit("invoice.sent", e.render(c, en), nil)
			return ok(e, c, en)
		},
		"invoices/mark_uncollectible": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "open") {
				return 0, unexpectedState("invoice_not_editable", "You can only mark open invoices uncollectible; this invoice is %s.", en.get("status"))
			}
			e.set(c, en, "invoice.marked_uncollectible", map[string]any{"status": "uncollectible",
				"status_transitions": transitions(en.get("status_transitions"), "marked_uncollectible_at", e.now().Unix())})
			return ok(e, c, en)
		},
		"quotes/finalize": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "draft") {
				return 0, unexpectedState("quote_unexpected_state", "This quote cannot be finalized because it has a status of %s.", en.get("status"))
			}
			e.quoteNo++
			st := copyMap(en.get("status_transitions"))
			st["finalized_at"] = e.now().Unix()
			e.set(c, en, "quote.finalized", map[string]any{"status": "open", "number": fmt.Sprintf("QT-%06d", e.quoteNo), "status_transitions": st})
			return ok(e, c, en)
		},
		"quotes/accept": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "open") {
				return 0, unexpectedState("quote_unexpected_state", "This quote cannot be accepted because it has a status of %s.", en.get("status"))
			}
			now := e.now().Unix()
			inv := e.newInvoice(now, asString(en.get("customer")), "", asString(en.get("currency")), "manual")
			inv.set("quote", en.id())
			lines, _ := en.get("_lines").([]any)
			for _, l := range lines {
				m := l.(map[string]any)
				amt, _ := asInt(m["amount"])
				q, _ := asInt(m["quantity"])
				e.addInvoiceLine(inv.id(), now, amt, asString(en.get("currency")), "", asString(m["price"]), "", "", "", q, now, now)
			}
			for k, v := range e.invoiceTotals(inv) {
				inv.set(k, v)
			}
			e.emit("invoice.created", e.render(e.colls["invoices"], inv), nil)
			st := copyMap(en.get("status_transitions"))
			st["accepted_at"] = now
			e.set(c, en, "quote.accepted", map[string]any{"status": "accepted", "invoice": inv.id(), "status_transitions": st})
			return ok(e, c, en)
		},
		"quotes/cancel": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "draft", "open") {
				return 0, unexpectedState("quote_unexpected_state", "This quote cannot be canceled because it has a status of %s.", en.get("status"))
			}
			st := copyMap(en.get("status_transitions"))
			st["canceled_at"] = e.now().Unix()
			e.set(c, en, "quote.canceled", map[string]any{"status": "canceled", "status_transitions": st})
			return ok(e, c, en)
		},
		"subscriptions/cancel": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			return e.cancelSubscription(c, en, params)
		},
		"subscriptions/resume": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "paused") {
				return 0, unexpectedState("subscription_unexpected_state", "Only paused subscriptions can be resumed; this subscription is %s.", en.get("status"))
			}
			e.set(c, en, "customer.subscription.resumed", map[string]any{"status": "active", "pause_collection": nil})
			return ok(e, c, en)
		},
		"refunds/cancel": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "pending", "requires_action") {
				return 0, unexpectedState("refund_unexpected_state", "Refund %s cannot be canceled because it has a status of %s.", en.id(), en.get("status"))
			}
			e.set(c, en, "charge.refund.updated", map[string]any{"status": "canceled"})
			return ok(e, c, en)
		},
		"disputes/close": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "needs_response", "warning_needs_response", "under_review", "warning_under_review") {
				return 0, unexpectedState("", "This dispute is already closed.")
			}
			e.set(c, en, "charge.dispute.closed", map[string]any{"status": "lost", "is_charge_refundable": false})
			return ok(e, c, en)
		},
		"payouts/cancel": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "pending") {
				return 0, unexpectedState("payout_unexpected_state", "Payouts can only be canceled while they are pending; this payout is %s.", en.get("status"))
			}
			e.set(c, en, "payout.canceled", map[string]any{"status": "canceled"})
			return ok(e, c, en)
		},
		"payouts/reverse": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "paid") || en.get("reversed_by") != nil {
				return 0, unexpectedState("payout_unexpected_state", "Only paid payouts that have not been reversed can be reversed; this payout is %s.", en.get("status"))
			}
			amt, _ := asInt(en.get("amount"))
			rev := e.put(c, "", e.now().Unix(), map[string]any{"amount": amt, "currency": en.get("currency"), "status": "pending",
				"original_payout": en.id(), "arrival_date": e.now().Unix() + 2*86400, "method": "standard", "type": "bank_account", "metadata": emptyMeta})
			bt := e.addBalanceTxn(rev.created, "payout_cancel", amt, asString(en.get("currency")), rev.id(), "PAYOUT REVERSAL")
			rev.set("balance_transaction", bt.id())
			e.emit("payout.created", e.render(c, rev), nil)
			e.set(c, en, "payout.updated", map[string]any{"reversed_by": rev.id()})
			return 200, e.render(c, rev)
		},
		"checkout_sessions/expire": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "open") {
				return 0, unexpectedState("checkout_session_unexpected_state", "Only open checkout sessions can be expired; this session is %s.", en.get("status"))
			}
			e.set(c, en, "checkout.session.expired", map[string]any{"status": "expired", "url": nil})
			return ok(e, c, en)
		},
		"setup_intents/confirm": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "requires_payment_method", "requires_confirmation", "requires_action") {
				return 0, unexpectedState("setup_intent_unexpected_state", "This SetupIntent's status is %s; it cannot be confirmed.", en.get("status"))
			}
			pm := str(params, "payment_method")
			if pm == "" {
				pm = asString(en.get("payment_method"))
			}
			cd, known := e.cardOf(pm)
			if !known {
				return 0, unexpectedState("setup_intent_unexpected_state", "You cannot confirm this SetupIntent because it's missing a payment method.")
			}
			if cd.declineCode != "" && !attachesDespiteDecline[pm] {
				ae := cardError(cd, "")
				e.set(c, en, "setup_intent.setup_failed", map[string]any{"status": "requires_payment_method",
					"last_setup_error": e.paymentError(ae, "")})
				return 0, ae
			}
			if isTestValue(pm) {
				// Set up for later use: the test card becomes a payment method of the intent's
				// customer.
				pm = e.testPaymentMethod(pm, asString(en.get("customer"))).id()
			}
			e.set(c, en, "setup_intent.succeeded", map[string]any{"status": "succeeded", "payment_method": pm})
			return ok(e, c, en)
		},
		"setup_intents/cancel": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if statusIs(en, "succeeded", "canceled") {
				return 0, unexpectedState("setup_intent_unexpected_state", "You cannot cancel this SetupIntent because it has a status of %s.", en.get("status"))
			}
			e.set(c, en, "setup_intent.canceled", map[string]any{"status": "canceled", "cancellation_reason": nilIfEmpty(str(params, "cancellation_reason"))})
			return ok(e, c, en)
		},
		"credit_notes/void": func(e *Emulator, c *collection, en *entry, params map[string]any) (int, any) {
			if !statusIs(en, "issued") {
				return 0, unexpectedState("", "Credit note %s has already been voided.", en.id())
			}
			e.set(c, en, "credit_note.voided", map[string]any{"status": "void", "voided_at": e.now().Unix()})
			return ok(e, c, en)
		},
	}
}

func copyMap(v any) map[string]any {
	out := map[string]any{}
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			out[k] = x
		}
	}
	return out
}

// attachTestPaymentMethod answers POST /v1/payment_methods/pm_card_…/attach: as Stripe does, it
// makes a new payment method with the test card's details and attaches that to the customer; a
// declining card fails its verification and nothing is made.
func (e *Emulator) attachTestPaymentMethod(c *collection, name string, params map[string]any) (int, any) {
	cust := str(params, "customer")
	if cust == "" {
		return 0, invalid("customer", "Missing required param: customer.")
	}
	if e.colls["customers"].get(cust) == nil {
		return 0, &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: "customer", message: fmt.Sprintf("No such customer: '%s'", cust)}
	}
	if ae := attachDeclined(name, testCards[name]); ae != nil {
		return 0, ae
	}
	return actions["payment_methods/attach"](e, c, e.testPaymentMethod(name, ""), params)
}

// captureCharge captures an authorized charge: amount_captured, balance transaction, event.
func (e *Emulator) captureCharge(ch *entry, amt int64) {
	cur := asString(ch.get("currency"))
	bt := e.addBalanceTxn(e.now().Unix(), "charge", amt, cur, ch.id(), asString(ch.get("description")))
	e.set(e.colls["charges"], ch, "charge.captured", map[string]any{"captured": true, "amount_captured": amt, "balance_transaction": bt.id()})
}

// finalizeInvoice finalizes a draft invoice with an event.
func (e *Emulator) finalizeInvoice(c *collection, en *entry) {
	obj := en.fields()
	tmp := &entry{rec: idRecord(en.id()), m: obj}
	e.finalizeInvoiceObj(tmp, e.now().Unix())
	e.replace(c, en, obj, nil, "invoice.finalized")
}

// cancelSubscription cancels now (DELETE /v1/subscriptions/{id} and POST …/cancel).
func (e *Emulator) cancelSubscription(c *collection, en *entry, params map[string]any) (int, any) {
	if statusIs(en, "canceled", "incomplete_expired") {
		return 0, unexpectedState("", "No such subscription: '%s'; it has already been canceled.", en.id())
	}
	now := e.now().Unix()
	e.set(c, en, "customer.subscription.deleted", map[string]any{"status": "canceled", "canceled_at": now, "ended_at": now,
		"cancellation_details": map[string]any{"comment": nil, "feedback": nil, "reason": "cancellation_requested"}})
	return ok(e, c, en)
}
