package emulator

import (
	"fmt"
	"sort"
	"strings"
)

var (
	firstNames = []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Linus", "Radia", "Dennis", "Sophie", "John", "Katherine", "Tim", "Hedy", "Guido", "Anita", "Bjarne"}
	lastNames  = []string{"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Torvalds", "Perlman", "Ritchie", "Wilson", "McCarthy", "Johnson", "Berners-Lee", "Lamarr", "van Rossum", "Borg", "Stroustrup"}
	products   = []string{"Starter plan", "Growth plan", "Scale plan", "Analytics add-on", "Support package", "API credits", "Team seats", "Data export", "Onboarding session", "Priority support", "Storage pack", "Audit log"}
	currencies = []struct {
		code   string
		weight int
		zero   bool
	}{{"usd", 70, false}, {"eur", 12, false}, {"gbp", 8, false}, {"cad", 5, false}, {"jpy", 3, true}, {"aud", 2, false}}
	brands   = []string{"pm_card_visa", "pm_card_visa", "pm_card_visa", "pm_card_mastercard", "pm_card_mastercard", "pm_card_amex"}
	postal   = []string{"94107", "10001", "60601", "73301", "98101", "02139", "30301", "80202"}
	plans    = []string{"free", "pro", "enterprise"}
	segments = []string{"smb", "mid_market", "enterprise"}
)

// seed fills the emulator deterministically: products and prices (with mirrored plans), customers
// with cards, subscriptions with their paid invoices, one-off payments (some declined, refunded
// or disputed), payouts, and a few of every other core resource. Money is consistent: every
// captured charge and every refund has its balance transaction.
func (e *Emulator) seed() {
	n := int(e.cfg.Scale)
	if n <= 0 {
		return
	}
	e.seeding = true
	defer func() { e.seeding = false }()
	// Size the big collections once instead of growing them step by step.
	for name, size := range map[string]int{"charges": n, "payment_intents": n, "balance_transactions": n + n/8, "customers": n / 10,
		"payment_methods": n / 10, "invoices": n / 3, "invoice_line_items": n / 3, "refunds": n / 10} {
		c := e.colls[name]
		c.byID.reserve(size)
		c.order = make([]*entry, 0, size)
	}
	r := e.rng
	now := e.now().Unix()
	start := e.since
	span := now - start
	pickCur := func() (string, bool) {
		x := r.IntN(100)
		for _, c := range currencies {
			if x < c.weight {
				return c.code, c.zero
			}
			x -= c.weight
		}
		return "usd", false
	}
	amountFor := func(zero bool) int64 {
		a := int64(500 + r.IntN(50_000))
		if r.IntN(10) == 0 {
			a *= 10
		}
		if zero {
			a /= 100
			if a < 50 {
				a = 50
			}
		}
		return a
	}

	// Catalog: products, prices, plans.
	np := min(6+n/2000, 60)
	var recurring []*entry
	var oneTime []*entry
	for i := 0; i < np; i++ {
		at := start + int64(i)*86400
		name := products[i%len(products)]
		if i >= len(products) {
			name = fmt.Sprintf("%s %d", name, i/len(products)+1)
		}
		p := e.put(e.colls["products"], "", at, map[string]any{
			"name": name, "active": i%9 != 8, "type": "service", "description": "Emulated product: " + strings.ToLower(name),
			"images": []any{}, "marketing_features": []any{}, "features": []any{}, "updated": at, "shippable": nil,
			"metadata": map[string]any{"tier": plans[i%3]},
		})
		base := int64(900 + 1000*(i%7))
		for j, interval := range []string{"month", "year", ""} {
			if interval == "year" && i%2 == 1 {
				continue
			}
			amt := base
			if interval == "year" {
				amt = base * 10
			}
			if interval == "" {
				amt = base * 3
			}
			obj := map[string]any{"product": p.id(), "currency": "usd", "unit_amount": amt, "unit_amount_decimal": fmt.Sprint(amt),
				"active": true, "billing_scheme": "per_unit", "tax_behavior": "unspecified", "metadata": emptyMeta,
				"nickname": fmt.Sprintf("%s %s", name, map[string]string{"month": "monthly", "year": "yearly", "": "one-time"}[interval])}
			if interval != "" {
				obj["type"] = "recurring"
				obj["lookup_key"] = fmt.Sprintf("%s_%s", strings.ReplaceAll(strings.ToLower(name), " ", "_"), interval)
				obj["recurring"] = map[string]any{"interval": interval, "interval_count": int64(1), "usage_type": "licensed",
					"aggregate_usage": nil, "meter": nil, "trial_period_days": nil}
			} else {
				obj["type"] = "one_time"
			}
			pr := e.put(e.colls["prices"], "", at+int64(j), obj)
			if interval != "" {
				e.put(e.colls["plans"], pr.id(), pr.created, planFromPrice(obj, obj["recurring"].(map[string]any)))
				recurring = append(recurring, pr)
			} else {
				oneTime = append(oneTime, pr)
			}
		}
	}

	// Customers with an attached card each.
	nc := max(5, n/10)
	custs := make([]*entry, nc)
	// billings holds each customer's billing details, shared by their charges; kept here rather
	// than in the customer object so that object stays one map size smaller.
	billings := make(map[*entry]map[string]any, nc)
	for i := range custs {
		e.cd.maybeFlush()
		at := start + r.Int64N(span-86400)
		fn, ln := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		email := strings.ToLower(fmt.Sprintf("%s.%s%d@example.com", fn, strings.ReplaceAll(ln, " ", ""), i))
		cur, _ := pickCur()
		meta := emptyMeta
		if r.IntN(10) < 3 {
			meta = map[string]any{"plan": plans[r.IntN(3)], "segment": segments[r.IntN(3)]}
		}
		addr := map[string]any{"city": "San Francisco", "country": "US", "line1": fmt.Sprintf("%d Market St", 1+r.IntN(900)), "line2": nil,
			"postal_code": postal[r.IntN(len(postal))], "state": "CA"}
		c := e.put(e.colls["customers"], "", at, map[string]any{
			"name": fn + " " + ln, "email": email, "phone": fmt.Sprintf("+1415555%04d", i%10000), "description": nil,
			"balance": int64(0), "currency": cur, "delinquent": false, "tax_exempt": "none", "preferred_locales": []any{},
			"invoice_prefix": strings.ToUpper(e.newID("")[:8]), "next_invoice_sequence": int64(1), "metadata": meta, "address": addr,
		})
		cd := testCards[brands[r.IntN(len(brands))]]
		cd.fingerprint = e.newID("fp")[3:19]
		cd.expMonth, cd.expYear = int64(1+r.IntN(12)), int64(2026+r.IntN(6))
		billing := map[string]any{"address": addr, "email": email, "name": fn + " " + ln, "phone": nil}
		pm := e.put(e.colls["payment_methods"], "", at, map[string]any{"type": "card", "customer": c.id(), "card": e.detailsOf(cd)["card"],
			"billing_details": billing, "metadata": emptyMeta, "_card": cd})
		c.set("invoice_settings", map[string]any{"custom_fields": nil, "default_payment_method": pm.id(), "footer": nil, "rendering_options": nil})
		c.set("_pm", pm.id())
		billings[c] = billing
		if r.IntN(10) == 0 {
			e.put(e.colls["tax_ids"], "", at+60, map[string]any{"customer": c.id(), "type": "eu_vat", "value": fmt.Sprintf("DE%09d", r.IntN(1e9)),
				"country": "DE", "verification": map[string]any{"status": "verified", "verified_address": nil, "verified_name": nil}})
		}
		if r.IntN(20) == 0 {
			amt := -int64(500 + r.IntN(5000))
			e.put(e.colls["customer_balance_transactions"], "", at+120, map[string]any{"customer": c.id(), "amount": amt, "currency": cur,
				"ending_balance": amt, "type": "adjustment", "description": "Goodwill credit", "metadata": emptyMeta})
			c.set("balance", amt)
		}
		custs[i] = c
	}

	// Subscriptions with monthly invoices; their payments count toward the charges.
	charges := 0
	budget := n / 3
	for _, c := range custs {
		e.cd.maybeFlush()
		if charges >= budget || r.IntN(10) >= 3 {
			continue
		}
		pr := recurring[r.IntN(len(recurring))]
		interval := pr.get("recurring").(map[string]any)["interval"].(string)
		period := int64(30 * 86400)
		if interval == "year" {
			period = 365 * 86400
		}
		subStart := c.created + r.Int64N(30*86400)
		if subStart >= now {
			continue
		}
		status := "active"
		switch x := r.IntN(20); {
		case x < 2:
			status = "canceled"
		case x < 3:
			status = "past_due"
		case x < 4:
			status = "trialing"
		}
		periods := int((now - subStart) / period)
		curStart := subStart + int64(periods)*period
		sub := e.put(e.colls["subscriptions"], "", subStart, map[string]any{
			"customer": c.id(), "status": status, "collection_method": "charge_automatically", "cancel_at_period_end": false,
			"current_period_start": curStart, "current_period_end": curStart + period, "start_date": subStart, "billing_cycle_anchor": subStart,
			"currency": pr.get("currency"), "metadata": c.get("metadata"), "default_payment_method": c.get("_pm"),
			"automatic_tax": map[string]any{"enabled": false, "liability": nil}, "_prices": []string{pr.id()}, "_plans": []string{pr.id()},
			"plan": nil, "quantity": int64(1), "items_count": nil,
		})
		sub.set("items_count", nil)
		si := e.put(e.colls["subscription_items"], "", subStart, map[string]any{"subscription": sub.id(), "price": priceRef(e, pr.id()),
			"quantity": int64(1), "metadata": emptyMeta, "tax_rates": []any{}, "discounts": []any{}})
		if status == "canceled" {
			end := subStart + int64(1+r.IntN(max(1, periods)))*period
			if end > now {
				end = now - 86400
			}
			sub.set("canceled_at", end)
			sub.set("ended_at", end)
			sub.set("cancellation_details", map[string]any{"comment": nil, "feedback": "too_expensive", "reason": "cancellation_requested"})
			periods = int((end - subStart) / period)
		}
		if status == "trialing" {
			sub.set("trial_start", curStart)
			sub.set("trial_end", curStart+14*86400)
		}
		first := max(0, periods-5)
		ua, _ := asInt(pr.get("unit_amount"))
		for k := first; k <= periods && charges < budget; k++ {
			ps := subStart + int64(k)*period
			if ps > now {
				break
			}
			reason := "subscription_cycle"
			if k == 0 {
				reason = "subscription_create"
			}
			inv := e.newInvoice(ps, c.id(), sub.id(), asString(pr.get("currency")), reason)
			inv.set("period_start", ps)
			inv.set("period_end", ps+period)
			e.addInvoiceLine(inv.id(), ps, ua, asString(pr.get("currency")), asString(pr.get("nickname")), pr.id(), sub.id(), si.id(), "", 1, ps, ps+period)
			for key, v := range e.invoiceTotals(inv) {
				inv.set(key, v)
			}
			e.finalizeInvoiceObj(inv, ps)
			if status == "past_due" && k == periods {
				inv.set("due_date", nil)
				inv.set("attempted", true)
				inv.set("attempt_count", int64(1))
			} else {
				_ = e.payInvoice(inv, min(ps+3600, now), asString(c.get("_pm")))
				charges++
			}
			sub.set("latest_invoice", inv.id())
		}
	}

	// One-off payments through payment intents.
	for ; charges < n; charges++ {
		e.cd.maybeFlush()
		c := custs[r.IntN(len(custs))]
		at := c.created + 60 + r.Int64N(max(1, now-c.created-60))
		cur, zero := pickCur()
		amt := amountFor(zero)
		pmID := asString(c.get("_pm"))
		cd, _ := e.cardOf(pmID)
		declined := r.IntN(100) < 5
		if declined {
			cd.declineCode = "generic_decline"
			if r.IntN(3) == 0 {
				cd.declineCode = "insufficient_funds"
			}
		}
		meta := emptyMeta
		if r.IntN(5) == 0 {
			meta = map[string]any{"order_id": fmt.Sprintf("ord_%06d", charges), "channel": []string{"web", "ios", "android"}[r.IntN(3)]}
		}
		desc := "One-off purchase"
		if len(oneTime) > 0 {
			desc = asString(oneTime[r.IntN(len(oneTime))].get("nickname"))
		}
		pi := e.put(e.colls["payment_intents"], "", at, piObject(amt, cur, c.id(), desc, meta))
		billing := billings[c]
		ch := e.makeCharge(chargeSpec{at: at, amount: amt, currency: cur, customer: c.id(), paymentMethod: pmID, pi: pi.id(),
			description: desc, card: cd, capture: true, billing: billing, metadata: meta})
		pi.set("latest_charge", ch.id())
		pi.set("payment_method", pmID)
		if declined {
			pi.set("status", "requires_payment_method")
			pi.set("last_payment_error", map[string]any{"type": "card_error", "code": "card_declined", "decline_code": cd.declineCode,
				"message": declineMessages[cd.declineCode], "charge": ch.id()})
			continue
		}
		pi.set("status", "succeeded") // amount_received is derived from amount
		switch x := r.IntN(100); {
		case x < 6: // full refund
			_, _ = e.refundCharge(ch, 0, at+r.Int64N(max(1, min(now-at, 20*86400))), "requested_by_customer", nil)
		case x < 9: // partial refund
			_, _ = e.refundCharge(ch, amt/2, at+r.Int64N(max(1, min(now-at, 20*86400))), "", nil)
		case x < 10: // dispute
			st := []string{"won", "lost", "needs_response", "under_review"}[r.IntN(4)]
			e.put(e.colls["disputes"], "", at+r.Int64N(max(1, min(now-at, 30*86400))), map[string]any{
				"amount": amt, "currency": cur, "charge": ch.id(), "payment_intent": pi.id(), "reason": "fraudulent", "status": st,
				"is_charge_refundable": false, "balance_transactions": []any{}, "metadata": emptyMeta,
				"evidence": map[string]any{}, "evidence_details": map[string]any{"due_by": at + 30*86400, "has_evidence": false, "past_due": false, "submission_count": int64(0)},
			})
			ch.set("disputed", true)
		}
	}

	// Weekly payouts.
	for at := start + 7*86400; at < now; at += 7 * 86400 {
		e.cd.maybeFlush()
		amt := int64(10_000 + r.IntN(500_000))
		st := "paid"
		if at > now-3*86400 {
			st = "pending"
		}
		po := e.put(e.colls["payouts"], "", at, map[string]any{"amount": amt, "currency": "usd", "status": st, "arrival_date": at + 2*86400,
			"method": "standard", "type": "bank_account", "automatic": true, "source_type": "card", "metadata": emptyMeta,
			"destination": "ba_emulated", "reconciliation_status": "completed", "statement_descriptor": nil})
		bt := e.addBalanceTxn(at, "payout", -amt, "usd", po.id(), "STRIPE PAYOUT")
		bt.set("_payout", po.id())
		po.set("balance_transaction", bt.id())
	}

	// A few of everything else.
	small := max(3, min(n/100, 200))
	for i := 0; i < small; i++ {
		e.cd.maybeFlush()
		at := start + r.Int64N(span)
		c := custs[r.IntN(len(custs))]
		cp := e.put(e.colls["coupons"], "", at, map[string]any{"name": fmt.Sprintf("%d%% off", 5*(1+i%6)), "percent_off": float64(5 * (1 + i%6)),
			"duration": []string{"once", "forever", "repeating"}[i%3], "valid": true, "times_redeemed": int64(r.IntN(40)), "metadata": emptyMeta})
		if i%3 == 2 {
			cp.set("duration_in_months", int64(3))
		}
		e.put(e.colls["promotion_codes"], "", at+60, map[string]any{"code": fmt.Sprintf("SAVE%d%s", 5*(1+i%6), strings.ToUpper(e.newID("")[:4])),
			"coupon": e.render(e.colls["coupons"], cp), "active": i%4 != 3, "times_redeemed": int64(0), "metadata": emptyMeta,
			"restrictions": map[string]any{"first_time_transaction": false, "minimum_amount": nil, "minimum_amount_currency": nil, "currency_options": nil}})
		e.put(e.colls["tax_rates"], "", at, map[string]any{"display_name": "Sales tax", "percentage": float64(5 + i%10), "inclusive": i%2 == 0,
			"active": true, "jurisdiction": []string{"CA", "NY", "TX", "DE", "FR"}[i%5], "country": "US", "metadata": emptyMeta})
		pr := recurring[r.IntN(len(recurring))]
		ua, _ := asInt(pr.get("unit_amount"))
		qst := []string{"draft", "open", "accepted", "canceled"}[i%4]
		e.put(e.colls["quotes"], "", at, map[string]any{"customer": c.id(), "status": qst, "currency": "usd", "amount_subtotal": ua, "amount_total": ua,
			"collection_method": "charge_automatically", "expires_at": at + 30*86400, "metadata": emptyMeta,
			"_lines":             []any{map[string]any{"price": pr.id(), "quantity": int64(1), "amount": ua}},
			"status_transitions": map[string]any{"accepted_at": nil, "canceled_at": nil, "finalized_at": nil}})
		cst := []string{"complete", "expired", "open"}[i%3]
		e.put(e.colls["checkout_sessions"], "", at, map[string]any{"customer": c.id(), "mode": "payment", "status": cst, "currency": "usd",
			"amount_total": ua, "amount_subtotal": ua, "payment_status": map[bool]string{true: "paid", false: "unpaid"}[cst == "complete"],
			"customer_details": map[string]any{"email": c.get("email"), "name": c.get("name"), "address": nil, "phone": nil, "tax_exempt": "none", "tax_ids": []any{}},
			"expires_at":       at + 86400, "success_url": "https://example.com/success", "metadata": emptyMeta})
		e.put(e.colls["setup_intents"], "", at, map[string]any{"customer": c.id(), "payment_method": c.get("_pm"), "status": "succeeded",
			"usage": "off_session", "payment_method_types": cardOnly, "metadata": emptyMeta})
		e.put(e.colls["transfers"], "", at, map[string]any{"amount": int64(1000 + r.IntN(9000)), "currency": "usd", "destination": e.transferDestination(i),
			"amount_reversed": int64(0), "reversed": false, "metadata": emptyMeta, "transfer_group": fmt.Sprintf("group_%d", i%4)})
		e.put(e.colls["invoice_items"], "", at, map[string]any{"customer": c.id(), "amount": int64(500 * (1 + i%5)), "currency": "usd",
			"description": "One-time setup fee", "quantity": int64(1), "date": at, "discountable": true, "proration": false, "metadata": emptyMeta})
	}
	invs := e.colls["invoices"].order
	for i := 0; i < small/2 && i < len(invs); i++ {
		inv := invs[(i*7919)%len(invs)]
		if inv.get("status") != "paid" {
			continue
		}
		tot, _ := asInt(inv.get("total"))
		e.put(e.colls["credit_notes"], "", inv.created+86400, map[string]any{"invoice": inv.id(), "customer": inv.get("customer"), "currency": inv.get("currency"),
			"amount": tot / 2, "total": tot / 2, "subtotal": tot / 2, "status": "issued", "type": "post_payment", "reason": "product_unsatisfactory",
			"number": fmt.Sprintf("CN-%06d", i+1), "metadata": emptyMeta})
	}

	for _, c := range e.colls {
		sort.Slice(c.order, func(i, j int) bool { return c.order[i].before(c.order[j]) })
	}

	e.cd.flush()

	// Events for the last 30 days of customers and charges, as Stripe keeps them.
	e.seeding = false
	since := now - 30*86400
	ev := e.colls["events"]
	for _, name := range []string{"customers", "charges"} {
		c := e.colls[name]
		i := sort.Search(len(c.order), func(i int) bool { return c.order[i].created >= since })
		for _, en := range c.order[i:] {
			typ := c.res.objType + ".created"
			if name == "charges" {
				typ = "charge." + asString(en.get("status"))
			}
			e.put(ev, "", en.created, map[string]any{"api_version": "2023-10-16", "data": snapshotOf(c, en),
				"pending_webhooks": int64(0), "request": seedEventRequest, "type": typ, "_delivery_success": true})
		}
	}
	e.priceRefs = map[string]map[string]any{}
	e.cardDetails = map[card]map[string]any{}
}
