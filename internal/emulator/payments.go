package emulator

import (
	"fmt"
	"strings"
)

// card is a test card: what a payment method or token stands for.
type card struct {
	brand, last4, funding, country string
	expMonth, expYear              int64
	fingerprint                    string
	declineCode                    string // non-empty: payments with it are declined
}

// testCards are Stripe's documented test payment methods (pm_card_…) and tokens (tok_…), from
// https://docs.stripe.com/testing ("Cards by brand" and "Declined payments"): each name stands for
// a card number, whose last four digits are shown here. Using one where Stripe accepts a payment
// method makes a new payment method with its details (testPaymentMethod).
var testCards = func() map[string]card {
	out := map[string]card{}
	for _, t := range []struct {
		names                                  []string
		brand, last4, funding, fp, declineCode string
	}{
		{[]string{"visa"}, "visa", "4242", "credit", "Xt5EWLLDS7FJjR1c", ""},
		{[]string{"visa_debit"}, "visa", "5556", "debit", "Vd3bRk81TqZoHc2M", ""},
		{[]string{"mastercard"}, "mastercard", "4444", "credit", "Lq0XNxsJ3aq8YbG2", ""},
		{[]string{"mastercard_debit"}, "mastercard", "8210", "debit", "Md8a0Lq2ZcXr4PnE", ""},
		{[]string{"mastercard_prepaid"}, "mastercard", "5100", "prepaid", "Mp5Tq9Wc1BvK7sYd", ""},
		{[]string{"amex"}, "amex", "8431", "credit", "kSX3mVvV5bX0Lw8T", ""},
		{[]string{"discover"}, "discover", "1117", "credit", "Ds1Ko4Vn8RbQ2mWx", ""},
		{[]string{"diners"}, "diners", "0004", "credit", "Dn0Zp7Hc3XgT5kLq", ""},
		{[]string{"jcb"}, "jcb", "0505", "credit", "Jc5Wd2Mb9QzR1tFh", ""},
		{[]string{"unionpay"}, "unionpay", "0005", "credit", "Up0Ys6Ng4KcV8hDr", ""},
		{[]string{"chargeDeclined", "visa_chargeDeclined"}, "visa", "0002", "credit", "d2aZ2uXdkmuyI1kO", "generic_decline"},
		{[]string{"chargeDeclinedInsufficientFunds", "visa_chargeDeclinedInsufficientFunds"}, "visa", "9995", "credit", "p1Ma3lbFJ1rNq0Dk", "insufficient_funds"},
		{[]string{"visa_chargeDeclinedLostCard"}, "visa", "9987", "credit", "Lc9Ht3Qw6ZrB0nXe", "lost_card"},
		{[]string{"visa_chargeDeclinedStolenCard"}, "visa", "9979", "credit", "Sc7Gm1Vy5PaD3kTs", "stolen_card"},
		{[]string{"chargeDeclinedExpiredCard"}, "visa", "0069", "credit", "Ex6Rb8Nu2WqL4cJz", "expired_card"},
		{[]string{"chargeDeclinedIncorrectCvc"}, "visa", "0127", "credit", "Cv1Tz5Kp7HsM9dQa", "incorrect_cvc"},
		{[]string{"chargeDeclinedProcessingError"}, "visa", "0119", "credit", "Pe9Fc3Lx1YvN6bRw", "processing_error"},
		{[]string{"chargeDeclinedFraudulent"}, "visa", "0019", "credit", "Fr0Dq4Bm8TeK2gVu", "fraudulent"},
		// Attaching it to a customer succeeds; charging it fails.
		{[]string{"chargeCustomerFail"}, "visa", "0341", "credit", "Cf3Mw7Ra5UnH1pZk", "generic_decline"},
	} {
		c := card{brand: t.brand, last4: t.last4, funding: t.funding, country: "US", expMonth: 12, expYear: 2034, fingerprint: t.fp, declineCode: t.declineCode}
		for _, n := range t.names {
			out["pm_card_"+n] = c
			out["tok_"+n] = c
		}
	}
	return out
}()

// attachesDespiteDecline are the declining test cards whose verification passes, so they attach
// to a customer (docs.stripe.com/testing: "Attaching this card to a Customer object succeeds, but
// attempts to charge the customer fail"); every other declining card is refused when attached,
// as Stripe verifies a card it saves.
var attachesDespiteDecline = map[string]bool{"pm_card_chargeCustomerFail": true, "tok_chargeCustomerFail": true}

// decline is what Stripe answers for one decline code: the error's code and param, the
// customer-facing message and the seller's message in the charge's outcome.
type decline struct {
	code, param, message, seller string
}

// declines are Stripe's answers for the decline codes of its test cards
// (https://docs.stripe.com/declines/codes; the expired-card and CVC cards fail with their own
// error codes on params exp_month and cvc).
var declines = map[string]decline{
	"generic_decline":    {"card_declined", "", "Your card was declined.", "The bank did not return any further details with this decline."},
	"insufficient_funds": {"card_declined", "", "Your card has insufficient funds.", "The bank returned the decline code `insufficient_funds`."},
	"lost_card":          {"card_declined", "", "Your card was declined.", "The bank returned the decline code `lost_card`."},
	"stolen_card":        {"card_declined", "", "Your card was declined.", "The bank returned the decline code `stolen_card`."},
	"fraudulent":         {"card_declined", "", "Your card was declined.", "The bank returned the decline code `fraudulent`."},
	"expired_card":       {"expired_card", "exp_month", "Your card has expired.", "The bank returned the decline code `expired_card`."},
	"incorrect_cvc":      {"incorrect_cvc", "cvc", "Your card's security code is incorrect.", "The bank returned the decline code `incorrect_cvc`."},
	"processing_error":   {"processing_error", "", "An error occurred while processing your card. Try again in a little bit.", "The bank returned the decline code `processing_error`."},
}

// declineOf is the answer for a card's decline code.
func declineOf(c card) decline {
	if d, ok := declines[c.declineCode]; ok {
		return d
	}
	return declines["generic_decline"]
}

// declineMessages are the customer-facing messages of the decline codes.
var declineMessages = func() map[string]string {
	out := map[string]string{}
	for k, d := range declines {
		out[k] = d.message
	}
	return out
}()

// cardChecks are the checks of every emulated card; shared, never mutated.
var cardChecks = map[string]any{"address_line1_check": nil, "address_postal_code_check": nil, "cvc_check": "pass"}

func (c card) details() map[string]any {
	return map[string]any{
		"type": "card",
		"card": map[string]any{
			"brand": c.brand, "last4": c.last4, "funding": c.funding, "country": c.country,
			"exp_month": c.expMonth, "exp_year": c.expYear, "fingerprint": c.fingerprint,
			"network": c.brand, "checks": cardChecks,
			"wallet": nil, "three_d_secure": nil, "installments": nil, "mandate": nil,
		},
	}
}

// detailsOf returns the shared payment_method_details map of a card. The decline code is not part
// of the details, so a declining and an approving use of the same card share one map.
func (e *Emulator) detailsOf(c card) map[string]any {
	c.declineCode = ""
	d, ok := e.cardDetails[c]
	if !ok {
		d = c.details()
		e.cardDetails[c] = d
	}
	return d
}

// cardOf finds the card behind a payment method id or test token; ok is false when unknown.
func (e *Emulator) cardOf(pm string) (card, bool) {
	if c, ok := testCards[pm]; ok {
		return c, true
	}
	en := e.colls["payment_methods"].get(pm)
	if en == nil {
		return card{}, false
	}
	if c, ok := en.get("_card").(card); ok {
		return c, true
	}
	cm, _ := en.get("card").(map[string]any)
	return card{brand: asString(cm["brand"]), last4: asString(cm["last4"]), funding: "credit", country: "US", expMonth: 12, expYear: 2034}, true
}

// fee is Stripe's standard card pricing, 2.9% + 30 minor units.
func fee(amount int64) int64 { return amount*29/1000 + 30 }

// addBalanceTxn records money moving: a charge (positive), a refund or payout (negative).
func (e *Emulator) addBalanceTxn(at int64, typ string, amount int64, currency, source, description string) *entry {
	f := int64(0)
	if typ == "charge" || typ == "payment" {
		f = fee(amount)
	}
	obj := map[string]any{
		"amount": amount, "currency": currency, "fee": f, "available_on": at + 2*86400,
		"type": typ, "source": source, "description": nilIfEmpty(description),
	}
	en := e.put(e.colls["balance_transactions"], "", at, obj)
	return en
}

var noFees = []any{}

func feeDetails(f int64, currency string) []any {
	if f == 0 {
		return noFees
	}
	return []any{map[string]any{"amount": f, "application": nil, "currency": currency, "description": "Stripe processing fees", "type": "stripe_fee"}}
}

// setNonEmpty stores a string field unless it is empty (absent fields render as null).
func setNonEmpty(obj map[string]any, k, v string) {
	if v != "" {
		obj[k] = v
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// chargeSpec describes a charge to create.
type chargeSpec struct {
	at                   int64
	amount               int64
	currency, customer   string
	paymentMethod, pi    string
	invoice, description string
	card                 card
	capture              bool
	billing              map[string]any
	metadata             map[string]any
}

var emptyMeta = map[string]any{}

// makeCharge creates a charge (succeeded, failed on a declining card, or uncaptured) and its
// balance transaction when money moved.
func (e *Emulator) makeCharge(s chargeSpec) *entry {
	// Sized for the fields a charge ends with and holding no nulls, so the map never grows
	// (deleting nulls afterwards would leave tombstones that make the next insert grow it).
	obj := make(map[string]any, 14)
	obj["amount"], obj["amount_captured"], obj["amount_refunded"], obj["currency"] = s.amount, int64(0), int64(0), s.currency
	obj["captured"], obj["payment_method_details"], obj["metadata"], obj["billing_details"] = false, e.detailsOf(s.card), s.metadata, s.billing
	setNonEmpty(obj, "customer", s.customer)
	setNonEmpty(obj, "payment_intent", s.pi)
	setNonEmpty(obj, "payment_method", s.paymentMethod)
	setNonEmpty(obj, "invoice", s.invoice)
	setNonEmpty(obj, "description", s.description)
	if obj["metadata"] == nil {
		obj["metadata"] = emptyMeta
	}
	if obj["billing_details"] == nil {
		obj["billing_details"] = emptyBilling
	}
	c := e.colls["charges"]
	if s.card.declineCode != "" {
		d := declineOf(s.card)
		obj["status"] = "failed"
		obj["failure_code"] = d.code
		obj["failure_message"] = d.message
		if s.card.declineCode != "generic_decline" && !e.seeding {
			// Seeded declines all carry the generic outcome render fills in; a charge made
			// through the API carries its own decline code.
			obj["outcome"] = map[string]any{"network_status": "declined_by_network", "reason": s.card.declineCode, "risk_level": "normal",
				"risk_score": int64(41), "seller_message": d.seller, "type": "issuer_declined"}
		}
		return e.put(c, "", s.at, obj)
	}
	obj["status"] = "succeeded"
	if s.capture {
		obj["captured"] = true
		obj["amount_captured"] = s.amount
	}
	en := e.put(c, "", s.at, obj)
	if s.capture {
		bt := e.addBalanceTxn(s.at, "charge", s.amount, s.currency, en.id(), s.description)
		en.set("balance_transaction", bt.id())
	}
	return en
}

var (
	emptyBilling    = map[string]any{"address": nil, "email": nil, "name": nil, "phone": nil}
	outcomeOK       = map[string]any{"network_status": "approved_by_network", "reason": nil, "risk_level": "normal", "risk_score": int64(32), "seller_message": "Payment complete.", "type": "authorized"}
	outcomeDeclined = map[string]any{"network_status": "declined_by_network", "reason": "generic_decline", "risk_level": "normal", "risk_score": int64(41), "seller_message": "The bank did not return any further details with this decline.", "type": "issuer_declined"}
)

// cardError is the 402 Stripe answers for a declined card, naming the failed charge.
func cardError(c card, chargeID string) *apiError {
	d := declineOf(c)
	return &apiError{status: 402, typ: "card_error", code: d.code, param: d.param, declineCode: c.declineCode, message: d.message, charge: chargeID}
}

// paymentError is the last_payment_error (or last_setup_error) an intent keeps after a decline.
func (e *Emulator) paymentError(ae *apiError, pm string) map[string]any {
	out := map[string]any{"type": ae.typ, "code": ae.code, "decline_code": ae.declineCode, "message": ae.message,
		"doc_url": "https://stripe.com/docs/error-codes/" + strings.ReplaceAll(ae.code, "_", "-")}
	if ae.param != "" {
		out["param"] = ae.param
	}
	if ae.charge != "" {
		out["charge"] = ae.charge
	}
	if pmc := e.colls["payment_methods"]; pm != "" {
		if en := pmc.get(pm); en != nil {
			out["payment_method"] = e.render(pmc, en)
		} else {
			out["payment_method"] = map[string]any{"id": pm, "object": "payment_method", "type": "card"}
		}
	}
	return out
}

// isTestValue reports whether s is one of Stripe's test payment methods or tokens.
func isTestValue(s string) bool {
	_, ok := testCards[s]
	return ok
}

// testPaymentMethod makes the payment method Stripe makes when one of its test values is used: a
// new pm_… (card_… for a token, which Stripe turns into a card) with the test card's details,
// attached to customer when one is given.
func (e *Emulator) testPaymentMethod(name, customer string) *entry {
	cd := testCards[name]
	id := ""
	if strings.HasPrefix(name, "tok_") {
		id = e.newID("card")
	}
	obj := map[string]any{"type": "card", "card": e.detailsOf(cd)["card"], "billing_details": emptyBilling, "metadata": emptyMeta, "_card": cd}
	if customer != "" {
		obj["customer"] = customer
	}
	return e.put(e.colls["payment_methods"], id, e.now().Unix(), obj)
}

// attachDeclined is the error for saving a declining test card on a customer, or nil.
func attachDeclined(name string, cd card) *apiError {
	if cd.declineCode == "" || attachesDespiteDecline[name] {
		return nil
	}
	return cardError(cd, "")
}

// resolvePaymentMethod turns a payment method parameter into a stored payment method's id: a test
// value becomes a new payment method; an unknown id is Stripe's resource_missing on param.
func (e *Emulator) resolvePaymentMethod(pm, param string) (string, *apiError) {
	if isTestValue(pm) {
		return e.testPaymentMethod(pm, "").id(), nil
	}
	if _, ok := e.cardOf(pm); !ok {
		return "", &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: param,
			message: fmt.Sprintf("No such PaymentMethod: '%s'", pm)}
	}
	return pm, nil
}

// confirmPI moves a payment intent forward with its payment method: a charge is created; on
// success the intent succeeds (or waits for capture), on a decline it returns to
// requires_payment_method with last_payment_error and the call fails with a card error.
func (e *Emulator) confirmPI(en *entry, pm string) *apiError {
	pis := e.colls["payment_intents"]
	pm, ae := e.resolvePaymentMethod(pm, "payment_method")
	if ae != nil {
		return ae
	}
	cd, _ := e.cardOf(pm)
	amount, _ := asInt(en.get("amount"))
	manual := en.get("capture_method") == "manual"
	ch := e.makeCharge(chargeSpec{at: e.now().Unix(), amount: amount, currency: asString(en.get("currency")),
		customer: asString(en.get("customer")), paymentMethod: pm, pi: en.id(), description: asString(en.get("description")),
		card: cd, capture: !manual, metadata: metaOf(en)})
	chOut := e.render(e.colls["charges"], ch)
	fields := map[string]any{"payment_method": pm, "latest_charge": ch.id()}
	if cd.declineCode != "" {
		ae := cardError(cd, ch.id())
		fields["status"] = "requires_payment_method"
		fields["last_payment_error"] = e.paymentError(ae, pm)
		e.emit("charge.failed", chOut, nil)
		e.set(pis, en, "payment_intent.payment_failed", fields)
		// Stripe's card error carries the intent as it now stands, and its payment method.
		ae.extra = map[string]any{"payment_intent": e.render(pis, en), "payment_method": fields["last_payment_error"].(map[string]any)["payment_method"]}
		return ae
	}
	if manual {
		fields["status"] = "requires_capture"
		fields["amount_capturable"] = amount
		e.emit("charge.succeeded", chOut, nil)
		e.set(pis, en, "payment_intent.amount_capturable_updated", fields)
		return nil
	}
	fields["status"] = "succeeded"
	fields["amount_received"] = amount
	fields["last_payment_error"] = nil
	e.emit("charge.succeeded", chOut, nil)
	e.set(pis, en, "payment_intent.succeeded", fields)
	return nil
}

func metaOf(en *entry) map[string]any {
	if m, ok := en.get("metadata").(map[string]any); ok {
		return m
	}
	return emptyMeta
}

// refundCharge refunds part or all of a charge: refund object, negative balance transaction,
// charge amount_refunded/refunded.
func (e *Emulator) refundCharge(ch *entry, amount int64, at int64, reason string, meta map[string]any) (*entry, *apiError) {
	captured, _ := asInt(ch.get("amount_captured"))
	refunded, _ := asInt(ch.get("amount_refunded"))
	if ch.get("status") != "succeeded" {
		return nil, invalid("charge", "Charge %s has not succeeded and cannot be refunded.", ch.id())
	}
	if amount == 0 {
		amount = captured - refunded
	}
	if amount <= 0 || refunded+amount > captured {
		if captured-refunded <= 0 {
			return nil, &apiError{status: 400, typ: "invalid_request_error", code: "charge_already_refunded",
				message: fmt.Sprintf("Charge %s has already been refunded.", ch.id())}
		}
		return nil, invalid("amount", "Refund amount (%d) is greater than unrefunded amount on charge (%d)", amount, captured-refunded)
	}
	cur := asString(ch.get("currency"))
	if meta == nil {
		meta = emptyMeta
	}
	ref := e.put(e.colls["refunds"], "", at, map[string]any{
		"amount": amount, "currency": cur, "charge": ch.id(), "payment_intent": ch.get("payment_intent"),
		"status": "succeeded", "reason": nilIfEmpty(reason), "metadata": meta,
	})
	bt := e.addBalanceTxn(at, "refund", -amount, cur, ref.id(), "REFUND FOR CHARGE")
	ref.set("balance_transaction", bt.id())
	fields := map[string]any{"amount_refunded": refunded + amount, "refunded": refunded+amount == captured}
	if e.seeding {
		for k, v := range fields {
			ch.set(k, v)
		}
	} else {
		// The refund's own created event comes from create, under its final id.
		e.set(e.colls["charges"], ch, "charge.refunded", fields)
	}
	return ref, nil
}

// payInvoice pays an open invoice with the customer's card: payment intent, charge, balance
// transaction; the invoice becomes paid.
func (e *Emulator) payInvoice(inv *entry, at int64, pm string) *apiError {
	due, _ := asInt(inv.get("amount_due"))
	cur := asString(inv.get("currency"))
	cust := asString(inv.get("customer"))
	fields := map[string]any{"status": "paid", "paid": true, "amount_paid": due, "amount_remaining": int64(0), "attempted": true,
		"attempt_count": int64(1), "status_transitions": transitions(inv.get("status_transitions"), "paid_at", at)}
	if due > 0 {
		if pm == "" {
			pm = e.defaultPM(cust)
		}
		cd, ok := e.cardOf(pm)
		if !ok {
			cd = testCards["pm_card_visa"]
			pm = "pm_card_visa"
		}
		pi := e.put(e.colls["payment_intents"], "", at, piObject(due, cur, cust, "Invoice payment", nil))
		ch := e.makeCharge(chargeSpec{at: at, amount: due, currency: cur, customer: cust, paymentMethod: pm, pi: pi.id(),
			invoice: inv.id(), description: "Payment for Invoice", card: cd, capture: true})
		pi.set("latest_charge", ch.id())
		pi.set("payment_method", pm)
		pi.set("invoice", inv.id())
		if cd.declineCode != "" {
			pi.set("status", "requires_payment_method")
			if !e.seeding {
				e.emit("charge.failed", e.render(e.colls["charges"], ch), nil)
				e.set(e.colls["invoices"], inv, "invoice.payment_failed", map[string]any{"attempted": true, "attempt_count": int64(1), "charge": ch.id(), "payment_intent": pi.id()})
			}
			return cardError(cd, ch.id())
		}
		pi.set("status", "succeeded")
		pi.set("amount_received", due)
		fields["charge"] = ch.id()
		fields["payment_intent"] = pi.id()
		if !e.seeding {
			e.emit("payment_intent.succeeded", e.render(e.colls["payment_intents"], pi), nil)
			e.emit("charge.succeeded", e.render(e.colls["charges"], ch), nil)
		}
	}
	if e.seeding {
		for k, v := range fields {
			inv.set(k, v)
		}
		return nil
	}
	e.set(e.colls["invoices"], inv, "invoice.paid", fields)
	return nil
}

// transitions returns a copy of an invoice's status_transitions (old) with one timestamp set.
func transitions(old any, key string, at int64) map[string]any {
	out := map[string]any{"finalized_at": nil, "marked_uncollectible_at": nil, "paid_at": nil, "voided_at": nil}
	if old, ok := old.(map[string]any); ok {
		for k, v := range old {
			out[k] = v
		}
	}
	out[key] = at
	return out
}

// defaultPM is the customer's default payment method, or their first attached card.
func (e *Emulator) defaultPM(cust string) string {
	if c := e.colls["customers"].get(cust); c != nil {
		if is, ok := c.get("invoice_settings").(map[string]any); ok {
			if s, ok := is["default_payment_method"].(string); ok && s != "" {
				return s
			}
		}
		if s, ok := c.get("_pm").(string); ok {
			return s
		}
	}
	return ""
}

func piObject(amount int64, cur, cust, desc string, meta map[string]any) map[string]any {
	if meta == nil {
		meta = emptyMeta
	}
	// Sized for the fields an intent ends with (latest_charge, payment_method, …), so it does not
	// grow out of Go's small-map size on the way.
	obj := make(map[string]any, 8)
	obj["amount"], obj["currency"], obj["status"], obj["metadata"] = amount, cur, "requires_payment_method", meta
	setNonEmpty(obj, "customer", cust)
	setNonEmpty(obj, "description", desc)
	return obj
}

var cardOnly = []any{"card"}

// Derived fields are computed when an object is rendered instead of being stored with every one
// of up to hundreds of thousands of seeded objects; a stored value always wins.

// deriveCharge fills paid, outcome, receipt_url and the fields whose value is their default.
func deriveCharge(e *Emulator, en *entry, out map[string]any) {
	ok := en.get("status") == "succeeded"
	fill(out, "paid", ok)
	if ok {
		fill(out, "outcome", outcomeOK)
		fill(out, "receipt_url", "https://pay.stripe.com/receipts/"+en.id())
	} else if en.get("status") == "failed" {
		fill(out, "outcome", outcomeDeclined)
	}
	fill(out, "amount_refunded", int64(0))
	fill(out, "refunded", false)
	fill(out, "disputed", false)
	fill(out, "captured", false)
	fill(out, "calculated_statement_descriptor", "STRIPESQL DEMO")
	fill(out, "fraud_details", emptyMeta)
}

// deriveBalanceTxn fills net, status (available once available_on has passed), the reporting
// category and the fee details.
func deriveBalanceTxn(e *Emulator, en *entry, out map[string]any) {
	amount, _ := asInt(en.get("amount"))
	f, _ := asInt(en.get("fee"))
	avail, _ := asInt(en.get("available_on"))
	fill(out, "fee", int64(0))
	fill(out, "net", amount-f)
	status := "available"
	if avail > e.now().Unix() {
		status = "pending"
	}
	fill(out, "status", status)
	fill(out, "reporting_category", en.get("type"))
	fill(out, "fee_details", feeDetails(f, asString(en.get("currency"))))
}

// derivePaymentIntent fills the client secret and the fields whose value is their default. A
// succeeded intent without a stored amount_received received its amount (seeded one-off payments
// leave it out, which keeps their stored map at the small size; every other path stores it).
func derivePaymentIntent(e *Emulator, en *entry, out map[string]any) {
	fill(out, "client_secret", en.id()+"_secret_emulated")
	fill(out, "amount_capturable", int64(0))
	if en.get("status") == "succeeded" {
		fill(out, "amount_received", en.get("amount"))
	}
	fill(out, "amount_received", int64(0))
	fill(out, "capture_method", "automatic")
	fill(out, "confirmation_method", "automatic")
	fill(out, "payment_method_types", cardOnly)
}

// fill sets a rendered field that has no stored value.
func fill(out map[string]any, k string, v any) {
	if out[k] == nil {
		out[k] = v
	}
}

// invoiceTotals recomputes a draft invoice's amounts from its lines.
func (e *Emulator) invoiceTotals(inv *entry) map[string]any {
	var total int64
	for _, l := range e.linesByInvoice[inv.id()] {
		if !l.deleted {
			a, _ := asInt(l.get("amount"))
			total += a
		}
	}
	return map[string]any{"subtotal": total, "subtotal_excluding_tax": total, "total": total, "total_excluding_tax": total,
		"amount_due": total, "amount_remaining": total}
}

// addInvoiceLine adds one line to an invoice.
func (e *Emulator) addInvoiceLine(inv string, at int64, amount int64, cur, desc, price, sub, si, ii string, qty int64, start, end int64) *entry {
	typ := "invoiceitem"
	if sub != "" {
		typ = "subscription"
	}
	return e.put(e.colls["invoice_line_items"], "", at, map[string]any{
		"_invoice": inv, "invoice": inv, "amount": amount, "amount_excluding_tax": amount, "currency": cur, "description": nilIfEmpty(desc),
		"price": priceRef(e, price), "quantity": qty, "subscription": nilIfEmpty(sub), "subscription_item": nilIfEmpty(si),
		"invoice_item": nilIfEmpty(ii), "type": typ, "period": map[string]any{"start": start, "end": end},
		"discountable": true, "discounts": []any{}, "metadata": emptyMeta, "proration": false, "tax_amounts": []any{},
	})
}

// priceRef embeds a price object where Stripe embeds one (line items, subscription items).
func priceRef(e *Emulator, id string) any {
	if id == "" {
		return nil
	}
	if m, ok := e.priceRefs[id]; ok {
		return m
	}
	en := e.colls["prices"].get(id)
	if en == nil {
		return id
	}
	m := e.render(e.colls["prices"], en)
	e.priceRefs[id] = m
	return m
}
