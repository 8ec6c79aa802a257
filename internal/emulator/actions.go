package emulator

import (
	"fmt"
	"strconv"
)

// required checks that each named parameter was given.
func required(params map[string]any, names ...string) *apiError {
	for _, n := range names {
		if v, ok := params[n]; !ok || v == "" {
			return invalid(n, "Missing required param: %s.", n)
		}
	}
	return nil
}

func defaults(obj map[string]any, kv map[string]any) {
	for k, v := range kv {
		if _, ok := obj[k]; !ok {
			obj[k] = v
		}
	}
}

func str(params map[string]any, k string) string { s, _ := params[k].(string); return s }

// createHooks validate a new object and fill the defaults Stripe fills, before it is stored.
var createHooks map[string]func(e *Emulator, obj, params map[string]any) *apiError

func init() {
	createHooks = map[string]func(e *Emulator, obj, params map[string]any) *apiError{
		"customers": func(e *Emulator, obj, params map[string]any) *apiError {
			defaults(obj, map[string]any{"balance": int64(0), "delinquent": false, "tax_exempt": "none", "preferred_locales": []any{},
				"invoice_prefix": e.newID("")[:8], "next_invoice_sequence": int64(1),
				"invoice_settings": map[string]any{"custom_fields": nil, "default_payment_method": nil, "footer": nil, "rendering_options": nil}})
			// A card given now is verified and saved: a declining test card is refused.
			for _, p := range []string{"payment_method", "source"} {
				v := str(params, p)
				if v == "" {
					continue
				}
				cd, known := e.cardOf(v)
				if !known {
					what := "PaymentMethod"
					if p == "source" {
						what = "token"
					}
					return &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: p, message: fmt.Sprintf("No such %s: '%s'", what, v)}
				}
				if isTestValue(v) {
					if ae := attachDeclined(v, cd); ae != nil {
						return ae
					}
				}
			}
			if pm := str(params, "payment_method"); pm != "" {
				obj["_pm"] = pm
			}
			return nil
		},
		"accounts": func(e *Emulator, obj, params map[string]any) *apiError {
			if str(params, "type") == "" && params["controller"] == nil {
				return invalid("type", "Missing required param: type.")
			}
			country := str(params, "country")
			if country == "" {
				country = "US"
			}
			cur := str(params, "default_currency")
			if cur == "" {
				cur = map[string]string{"GB": "gbp", "CA": "cad", "AU": "aud", "JP": "jpy", "DE": "eur", "FR": "eur", "IE": "eur", "NL": "eur", "ES": "eur", "IT": "eur"}[country]
				if cur == "" {
					cur = "usd"
				}
			}
			obj["capabilities"] = requestCapabilities(nil, params)
			// A new account has submitted nothing yet: it owes Stripe its details before it can
			// take charges or be paid out.
			due := []any{"business_profile.url", "external_account", "tos_acceptance.date", "tos_acceptance.ip"}
			defaults(obj, map[string]any{"type": "custom", "country": country, "default_currency": cur,
				"charges_enabled": false, "payouts_enabled": false, "details_submitted": false,
				"requirements": map[string]any{"alternatives": []any{}, "current_deadline": nil, "currently_due": due, "disabled_reason": "requirements.past_due",
					"errors": []any{}, "eventually_due": due, "past_due": due, "pending_verification": []any{}},
				"settings": map[string]any{"dashboard": map[string]any{"display_name": nil, "timezone": "Etc/UTC"},
					"payouts": map[string]any{"debit_negative_balances": true, "schedule": map[string]any{"delay_days": int64(2), "interval": "daily"}, "statement_descriptor": nil}}})
			if c, ok := params["controller"].(map[string]any); ok {
				obj["controller"] = map[string]any{"is_controller": true, "type": "application", "fees": c["fees"], "losses": c["losses"],
					"requirement_collection": c["requirement_collection"], "stripe_dashboard": c["stripe_dashboard"]}
			} else {
				obj["controller"] = map[string]any{"is_controller": true, "type": "application"}
			}
			return nil
		},
		"products": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "name"); ae != nil {
				return ae
			}
			defaults(obj, map[string]any{"active": true, "type": "service", "images": []any{}, "marketing_features": []any{},
				"updated": e.now().Unix(), "features": []any{}})
			return nil
		},
		"prices": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "currency"); ae != nil {
				return ae
			}
			if str(params, "product") == "" {
				pd, ok := params["product_data"].(map[string]any)
				if !ok {
					return invalid("product", "Missing required param: product.")
				}
				_, v := e.create(e.colls["products"], pd, nil)
				p, ok := v.(map[string]any)
				if !ok {
					return v.(*apiError)
				}
				obj["product"] = p["id"]
			} else if e.colls["products"].get(str(params, "product")) == nil {
				return &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: "product",
					message: fmt.Sprintf("No such product: '%s'", str(params, "product"))}
			}
			typ := "one_time"
			if rec, ok := params["recurring"].(map[string]any); ok {
				typ = "recurring"
				n, _ := strconv.ParseInt(str(rec, "interval_count"), 10, 64)
				if n == 0 {
					n = 1
				}
				obj["recurring"] = map[string]any{"interval": str(rec, "interval"), "interval_count": n, "usage_type": "licensed",
					"aggregate_usage": nil, "meter": nil, "trial_period_days": nil}
			}
			if ua, ok := obj["unit_amount"]; ok {
				obj["unit_amount_decimal"] = strconv.FormatInt(ua.(int64), 10)
			}
			defaults(obj, map[string]any{"active": true, "billing_scheme": "per_unit", "type": typ, "tax_behavior": "unspecified"})
			return nil
		},
		"plans": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "currency", "interval"); ae != nil {
				return ae
			}
			if pd, ok := params["product"].(map[string]any); ok {
				_, v := e.create(e.colls["products"], pd, nil)
				if p, ok := v.(map[string]any); ok {
					obj["product"] = p["id"]
				} else {
					return v.(*apiError)
				}
			}
			defaults(obj, map[string]any{"active": true, "billing_scheme": "per_unit", "interval_count": int64(1), "usage_type": "licensed"})
			return nil
		},
		"payment_intents": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "amount", "currency"); ae != nil {
				return ae
			}
			if a, _ := asInt(obj["amount"]); a < 1 {
				return invalid("amount", "This value must be greater than or equal to 1.")
			}
			if c := str(params, "customer"); c != "" && e.colls["customers"].get(c) == nil {
				return &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: "customer", message: fmt.Sprintf("No such customer: '%s'", c)}
			}
			base := piObject(0, "", "", "", nil)
			for k, v := range base {
				if _, ok := obj[k]; !ok {
					obj[k] = v
				}
			}
			if pm := str(params, "payment_method"); pm != "" {
				id, ae := e.resolvePaymentMethod(pm, "payment_method")
				if ae != nil {
					return ae
				}
				obj["payment_method"] = id
			}
			if obj["payment_method"] != nil {
				obj["status"] = "requires_confirmation"
			}
			return nil
		},
		"charges": func(e *Emulator, obj, params map[string]any) *apiError {
			return required(params, "amount", "currency")
		},
		"payment_methods": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "type"); ae != nil {
				return ae
			}
			cd := testCards["pm_card_visa"]
			if cm, ok := params["card"].(map[string]any); ok {
				if num := str(cm, "number"); len(num) >= 4 {
					cd.last4 = num[len(num)-4:]
				}
				if tok := str(cm, "token"); tok != "" {
					if c, ok := testCards[tok]; ok {
						cd = c
					}
				}
			}
			obj["_card"] = cd
			obj["card"] = cd.details()["card"]
			obj["billing_details"] = emptyBilling
			return nil
		},
		"refunds": func(e *Emulator, obj, params map[string]any) *apiError { return nil },
		"invoices": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "customer"); ae != nil {
				return ae
			}
			cust := e.colls["customers"].get(str(params, "customer"))
			if cust == nil {
				return &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: "customer", message: fmt.Sprintf("No such customer: '%s'", str(params, "customer"))}
			}
			cur := str(params, "currency")
			if cur == "" {
				cur = "usd"
			}
			defaults(obj, map[string]any{"status": "draft", "currency": cur, "collection_method": "charge_automatically", "paid": false,
				"amount_due": int64(0), "amount_paid": int64(0), "amount_remaining": int64(0), "subtotal": int64(0), "total": int64(0),
				"attempt_count": int64(0), "attempted": false, "auto_advance": true, "billing_reason": "manual",
				"customer_email": cust.get("email"), "customer_name": cust.get("name"), "status_transitions": transitions(nil, "paid_at", 0)})
			obj["status_transitions"].(map[string]any)["paid_at"] = nil
			return nil
		},
		"invoice_items": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "customer"); ae != nil {
				return ae
			}
			if obj["amount"] == nil {
				if p := e.colls["prices"].get(str(params, "price")); p != nil {
					ua, _ := asInt(p.get("unit_amount"))
					obj["amount"] = ua
					obj["currency"] = p.get("currency")
					obj["price"] = priceRef(e, p.id())
				} else {
					return invalid("amount", "Missing required param: amount.")
				}
			}
			if obj["currency"] == nil {
				obj["currency"] = "usd"
			}
			if inv := str(params, "invoice"); inv != "" {
				en := e.colls["invoices"].get(inv)
				if en == nil || en.get("status") != "draft" {
					return invalid("invoice", "Invoice %s is not a draft invoice.", inv)
				}
			}
			defaults(obj, map[string]any{"quantity": int64(1), "date": e.now().Unix(), "discountable": true, "proration": false})
			return nil
		},
		"subscriptions": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "customer"); ae != nil {
				return ae
			}
			if e.colls["customers"].get(str(params, "customer")) == nil {
				return &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: "customer", message: fmt.Sprintf("No such customer: '%s'", str(params, "customer"))}
			}
			items, _ := params["items"].([]any)
			if len(items) == 0 {
				return invalid("items", "Missing required param: items.")
			}
			for i, it := range items {
				m, _ := it.(map[string]any)
				if e.colls["prices"].get(str(m, "price")) == nil {
					return &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: fmt.Sprintf("items[%d][price]", i),
						message: fmt.Sprintf("No such price: '%s'", str(m, "price"))}
				}
			}
			now := e.now().Unix()
			defaults(obj, map[string]any{"status": "active", "collection_method": "charge_automatically", "cancel_at_period_end": false,
				"current_period_start": now, "current_period_end": now + 30*86400, "start_date": now, "billing_cycle_anchor": now,
				"automatic_tax": map[string]any{"enabled": false, "liability": nil}})
			return nil
		},
		"subscription_items": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "subscription", "price"); ae != nil {
				return ae
			}
			if e.colls["subscriptions"].get(str(params, "subscription")) == nil {
				return &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: "subscription", message: fmt.Sprintf("No such subscription: '%s'", str(params, "subscription"))}
			}
			if e.colls["prices"].get(str(params, "price")) == nil {
				return &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: "price", message: fmt.Sprintf("No such price: '%s'", str(params, "price"))}
			}
			obj["price"] = priceRef(e, str(params, "price"))
			obj["plan"] = nil
			defaults(obj, map[string]any{"quantity": int64(1)})
			return nil
		},
		"quotes": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "customer"); ae != nil {
				return ae
			}
			var total int64
			cur := "usd"
			items, _ := params["line_items"].([]any)
			var lines []any
			for i, it := range items {
				m, _ := it.(map[string]any)
				p := e.colls["prices"].get(str(m, "price"))
				if p == nil {
					return &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: fmt.Sprintf("line_items[%d][price]", i),
						message: fmt.Sprintf("No such price: '%s'", str(m, "price"))}
				}
				q, _ := strconv.ParseInt(str(m, "quantity"), 10, 64)
				if q == 0 {
					q = 1
				}
				ua, _ := asInt(p.get("unit_amount"))
				total += ua * q
				cur = asString(p.get("currency"))
				lines = append(lines, map[string]any{"price": p.id(), "quantity": q, "amount": ua * q})
			}
			obj["_lines"] = lines
			defaults(obj, map[string]any{"status": "draft", "currency": cur, "amount_subtotal": total, "amount_total": total,
				"collection_method": "charge_automatically", "expires_at": e.now().Unix() + 30*86400,
				"status_transitions": map[string]any{"accepted_at": nil, "canceled_at": nil, "finalized_at": nil}})
			return nil
		},
		"coupons": func(e *Emulator, obj, params map[string]any) *apiError {
			if obj["percent_off"] == nil && obj["amount_off"] == nil {
				return invalid("percent_off", "Missing required param: percent_off.")
			}
			defaults(obj, map[string]any{"duration": "once", "valid": true, "times_redeemed": int64(0)})
			return nil
		},
		"promotion_codes": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "coupon"); ae != nil {
				return ae
			}
			cp := e.colls["coupons"].get(str(params, "coupon"))
			if cp == nil {
				return &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: "coupon", message: fmt.Sprintf("No such coupon: '%s'", str(params, "coupon"))}
			}
			obj["coupon"] = e.render(e.colls["coupons"], cp)
			defaults(obj, map[string]any{"active": true, "code": e.newID("")[:8], "times_redeemed": int64(0)})
			return nil
		},
		"payouts": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "amount", "currency"); ae != nil {
				return ae
			}
			defaults(obj, map[string]any{"status": "pending", "arrival_date": e.now().Unix() + 2*86400, "method": "standard",
				"type": "bank_account", "automatic": false, "source_type": "card", "reconciliation_status": "not_applicable"})
			return nil
		},
		"checkout_sessions": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "mode"); ae != nil {
				return ae
			}
			defaults(obj, map[string]any{"status": "open", "payment_status": "unpaid", "expires_at": e.now().Unix() + 86400,
				"url": "https://checkout.stripe.com/c/pay/emulated"})
			return nil
		},
		"setup_intents": func(e *Emulator, obj, params map[string]any) *apiError {
			st := "requires_payment_method"
			if obj["payment_method"] != nil {
				st = "requires_confirmation"
			}
			defaults(obj, map[string]any{"status": st, "usage": "off_session", "payment_method_types": cardOnly})
			return nil
		},
		"credit_notes": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "invoice"); ae != nil {
				return ae
			}
			inv := e.colls["invoices"].get(str(params, "invoice"))
			if inv == nil {
				return &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: "invoice", message: fmt.Sprintf("No such invoice: '%s'", str(params, "invoice"))}
			}
			if st := inv.get("status"); st != "open" && st != "paid" {
				return invalid("invoice", "Credit notes can only be created for open or paid invoices.")
			}
			amt, _ := asInt(obj["amount"])
			if amt == 0 {
				amt, _ = asInt(inv.get("total"))
			}
			obj["amount"], obj["total"], obj["subtotal"] = amt, amt, amt
			obj["customer"], obj["currency"] = inv.get("customer"), inv.get("currency")
			defaults(obj, map[string]any{"status": "issued", "type": "post_payment", "number": fmt.Sprintf("CN-%04d", e.seq%10000)})
			return nil
		},
		"tax_rates": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "display_name", "percentage", "inclusive"); ae != nil {
				return ae
			}
			defaults(obj, map[string]any{"active": true})
			return nil
		},
		"transfers": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "amount", "currency", "destination"); ae != nil {
				return ae
			}
			defaults(obj, map[string]any{"amount_reversed": int64(0), "reversed": false})
			return nil
		},
		"tax_ids": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "type", "value"); ae != nil {
				return ae
			}
			obj["verification"] = map[string]any{"status": "pending", "verified_address": nil, "verified_name": nil}
			obj["country"] = "US"
			return nil
		},
		"customer_balance_transactions": func(e *Emulator, obj, params map[string]any) *apiError {
			if ae := required(params, "amount", "currency"); ae != nil {
				return ae
			}
			cust := e.colls["customers"].get(asString(obj["customer"]))
			bal, _ := asInt(cust.get("balance"))
			amt, _ := asInt(obj["amount"])
			obj["ending_balance"] = bal + amt
			obj["type"] = "adjustment"
			e.set(e.colls["customers"], cust, "", map[string]any{"balance": bal + amt})
			return nil
		},
	}
}

// afterCreate runs once the new object has its id: objects it creates or links to.
var afterCreate = map[string]func(e *Emulator, en *entry, params map[string]any) *apiError{
	"accounts": func(e *Emulator, en *entry, params map[string]any) *apiError {
		// A new connected account starts with no data of its own.
		e.newAccount(en, e.rng.Int64(), ScaleNone)
		return nil
	},
	"customers": func(e *Emulator, en *entry, params map[string]any) *apiError {
		// payment_method attaches that payment method to the new customer, as Stripe does; a test
		// payment method becomes a new one, attached.
		pms := e.colls["payment_methods"]
		if name := str(params, "payment_method"); isTestValue(name) {
			pm := e.testPaymentMethod(name, en.id())
			en.set("_pm", pm.id())
			e.emit("payment_method.attached", e.render(pms, pm), nil)
		} else if pm := pms.get(name); pm != nil && pm.get("customer") == nil {
			e.set(pms, pm, "payment_method.attached", map[string]any{"customer": en.id()})
		}
		// source (a token such as tok_visa) becomes the customer's card and default source.
		if src := str(params, "source"); isTestValue(src) {
			card := e.testPaymentMethod(src, en.id())
			en.set("default_source", card.id())
			if en.get("_pm") == nil {
				en.set("_pm", card.id())
			}
		}
		return nil
	},
	"prices": func(e *Emulator, en *entry, params map[string]any) *apiError {
		// Stripe serves recurring prices through the Plans API too, under the same id.
		if rec, ok := en.get("recurring").(map[string]any); ok {
			e.put(e.colls["plans"], en.id(), en.created, planFromPrice(en.fields(), rec))
		}
		return nil
	},
	"payment_intents": func(e *Emulator, en *entry, params map[string]any) *apiError {
		if str(params, "confirm") == "true" {
			pm := asString(en.get("payment_method"))
			if pm == "" {
				return invalid("payment_method", "You cannot confirm this PaymentIntent because it's missing a payment method.")
			}
			return e.confirmPI(en, pm)
		}
		return nil
	},
	"charges": func(e *Emulator, en *entry, params map[string]any) *apiError {
		// A charge made through the Charges API: the card comes from source or the customer.
		src := str(params, "source")
		if src == "" {
			src = e.defaultPM(asString(en.get("customer")))
		}
		cd, ok := e.cardOf(src)
		if !ok {
			e.colls["charges"].remove(en)
			return &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: "source", message: fmt.Sprintf("No such token: '%s'", src)}
		}
		pmID := src
		if isTestValue(src) {
			// A token or test payment method is turned into a card of its own, as Stripe does.
			pmID = e.testPaymentMethod(src, "").id()
		}
		amount, _ := asInt(en.get("amount"))
		capture := str(params, "capture") != "false"
		ch := e.makeCharge(chargeSpec{at: en.created, amount: amount, currency: asString(en.get("currency")), customer: asString(en.get("customer")),
			description: asString(en.get("description")), card: cd, capture: capture, metadata: metaOf(en), paymentMethod: pmID})
		// The stored entry becomes the real charge under the id already chosen.
		charges := e.colls["charges"]
		charges.remove(ch)
		charges.byID.del(ch.id())
		if bt, ok := ch.get("balance_transaction").(string); ok {
			e.colls["balance_transactions"].get(bt).set("source", en.id())
		}
		en.replaceFields(ch.fields())
		if cd.declineCode != "" {
			e.emit("charge.failed", e.render(e.colls["charges"], en), nil)
			return cardError(cd, en.id())
		}
		return nil
	},
	"refunds": func(e *Emulator, en *entry, params map[string]any) *apiError {
		e.colls["refunds"].remove(en)
		e.colls["refunds"].byID.del(en.id())
		chID := str(params, "charge")
		if chID == "" {
			if pi := e.colls["payment_intents"].get(str(params, "payment_intent")); pi != nil {
				chID = asString(pi.get("latest_charge"))
			} else if str(params, "payment_intent") != "" {
				return &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: "payment_intent", message: fmt.Sprintf("No such payment_intent: '%s'", str(params, "payment_intent"))}
			} else {
				return invalid("charge", "One of the following params should be provided for this request: charge or payment_intent.")
			}
		}
		ch := e.colls["charges"].get(chID)
		if ch == nil {
			return &apiError{status: 400, typ: "invalid_request_error", code: "resource_missing", param: "charge", message: fmt.Sprintf("No such charge: '%s'", chID)}
		}
		amt, _ := asInt(en.get("amount"))
		ref, ae := e.refundCharge(ch, amt, en.created, asString(en.get("reason")), metaOf(en))
		if ae != nil {
			return ae
		}
		// The stored entry becomes the real refund under the id already chosen.
		refunds := e.colls["refunds"]
		refunds.remove(ref)
		refunds.byID.del(ref.id())
		e.colls["balance_transactions"].get(asString(ref.get("balance_transaction"))).set("source", en.id())
		en.replaceFields(ref.fields())
		en.deleted = false
		refunds.insert(en)
		return nil
	},
	"payouts": func(e *Emulator, en *entry, params map[string]any) *apiError {
		amt, _ := asInt(en.get("amount"))
		bt := e.addBalanceTxn(en.created, "payout", -amt, asString(en.get("currency")), en.id(), "STRIPE PAYOUT")
		en.set("balance_transaction", bt.id())
		return nil
	},
	"subscription_items": func(e *Emulator, en *entry, params map[string]any) *apiError {
		// Stripe announces an item added to a subscription as a change of the subscription,
		// whose items list now holds it.
		if sub := e.colls["subscriptions"].get(str(params, "subscription")); sub != nil {
			e.emit("customer.subscription.updated", e.render(e.colls["subscriptions"], sub), map[string]any{"items": nil})
		}
		return nil
	},
	"invoice_items": func(e *Emulator, en *entry, params map[string]any) *apiError {
		if inv := str(params, "invoice"); inv != "" {
			ie := e.colls["invoices"].get(inv)
			amt, _ := asInt(en.get("amount"))
			e.addInvoiceLine(inv, en.created, amt, asString(en.get("currency")), asString(en.get("description")), "", "", "", en.id(), 1, en.created, en.created)
			e.set(e.colls["invoices"], ie, "", e.invoiceTotals(ie))
		}
		return nil
	},
	"subscriptions": func(e *Emulator, en *entry, params map[string]any) *apiError {
		items, _ := params["items"].([]any)
		var total int64
		cur := ""
		var prices []string
		for _, it := range items {
			m, _ := it.(map[string]any)
			q, _ := strconv.ParseInt(str(m, "quantity"), 10, 64)
			if q == 0 {
				q = 1
			}
			p := e.colls["prices"].get(str(m, "price"))
			ua, _ := asInt(p.get("unit_amount"))
			total += ua * q
			cur = asString(p.get("currency"))
			e.put(e.colls["subscription_items"], "", en.created, map[string]any{"subscription": en.id(), "price": priceRef(e, p.id()), "quantity": q,
				"metadata": emptyMeta, "billing_thresholds": nil, "tax_rates": []any{}, "discounts": []any{}})
			prices = append(prices, p.id())
		}
		en.set("_prices", prices)
		en.set("_plans", prices)
		en.set("currency", cur)
		inv := e.newInvoice(en.created, asString(en.get("customer")), en.id(), cur, "subscription_create")
		end, _ := asInt(en.get("current_period_end"))
		for _, it := range items {
			m, _ := it.(map[string]any)
			p := e.colls["prices"].get(str(m, "price"))
			ua, _ := asInt(p.get("unit_amount"))
			e.addInvoiceLine(inv.id(), en.created, ua, cur, asString(p.get("nickname")), p.id(), en.id(), "", "", 1, en.created, end)
		}
		for k, v := range e.invoiceTotals(inv) {
			inv.set(k, v)
		}
		e.finalizeInvoiceObj(inv, en.created)
		en.set("latest_invoice", inv.id())
		if ae := e.payInvoice(inv, en.created, ""); ae != nil {
			en.set("status", "incomplete")
		}
		return nil
	},
}

// planFromPrice mirrors a recurring price as a plan.
func planFromPrice(p map[string]any, rec map[string]any) map[string]any {
	return map[string]any{"active": p["active"], "amount": p["unit_amount"], "amount_decimal": p["unit_amount_decimal"],
		"billing_scheme": p["billing_scheme"], "currency": p["currency"], "interval": rec["interval"], "interval_count": rec["interval_count"],
		"nickname": p["nickname"], "product": p["product"], "usage_type": rec["usage_type"], "metadata": p["metadata"]}
}

// newInvoice stores a draft invoice.
func (e *Emulator) newInvoice(at int64, cust, sub, cur, reason string) *entry {
	c := e.colls["customers"].get(cust)
	var email, name any
	if c != nil {
		email, name = c.get("email"), c.get("name")
	}
	return e.put(e.colls["invoices"], "", at, map[string]any{
		"customer": cust, "subscription": nilIfEmpty(sub), "currency": cur, "status": "draft", "billing_reason": reason,
		"collection_method": "charge_automatically", "paid": false, "attempted": false, "attempt_count": int64(0), "auto_advance": true,
		"amount_due": int64(0), "amount_paid": int64(0), "amount_remaining": int64(0), "subtotal": int64(0), "total": int64(0),
		"customer_email": email, "customer_name": name, "metadata": emptyMeta, "period_start": at, "period_end": at,
		"status_transitions": map[string]any{"finalized_at": nil, "marked_uncollectible_at": nil, "paid_at": nil, "voided_at": nil},
	})
}

// finalizeInvoiceObj gives a draft invoice its number and moves it to open (in place; seeding and
// internal flows).
func (e *Emulator) finalizeInvoiceObj(inv *entry, at int64) {
	e.invoiceNo++
	inv.set("status", "open")
	inv.set("number", fmt.Sprintf("EMU-%06d", e.invoiceNo))
	inv.set("hosted_invoice_url", "https://invoice.stripe.com/i/"+inv.id())
	inv.set("invoice_pdf", "https://pay.stripe.com/invoice/"+inv.id()+"/pdf")
	inv.set("status_transitions", transitions(inv.get("status_transitions"), "finalized_at", at))
}

// requestCapabilities applies capabilities[name][requested]=true|false to an account's
// capabilities: a requested capability is inactive until the account is verified (an active one
// stays active), and one no longer requested goes.
func requestCapabilities(old any, params map[string]any) map[string]any {
	out := copyMap(old)
	req, _ := params["capabilities"].(map[string]any)
	for name, v := range req {
		m, _ := v.(map[string]any)
		switch {
		case m["requested"] == "false":
			delete(out, name)
		case out[name] == nil:
			out[name] = "inactive"
		}
	}
	return out
}

// updateHooks run on POST /v1/<resource>/{id} after parameters are applied to the copy.
var updateHooks = map[string]func(e *Emulator, en *entry, obj, params map[string]any) *apiError{
	"accounts": func(e *Emulator, en *entry, obj, params map[string]any) *apiError {
		if _, ok := params["capabilities"]; ok {
			obj["capabilities"] = requestCapabilities(en.get("capabilities"), params)
		}
		return nil
	},
	"prices": func(e *Emulator, en *entry, obj, params map[string]any) *apiError {
		delete(e.priceRefs, en.id())
		return nil
	},
	"payment_intents": func(e *Emulator, en *entry, obj, params map[string]any) *apiError {
		if st := asString(en.get("status")); st == "succeeded" || st == "canceled" {
			for k := range params {
				if k != "metadata" && k != "description" && k != "expand" {
					return unexpectedState("payment_intent_unexpected_state", "You cannot update %s on a PaymentIntent with status %s.", k, st)
				}
			}
		}
		if pm := str(params, "payment_method"); pm != "" {
			id, ae := e.resolvePaymentMethod(pm, "payment_method")
			if ae != nil {
				return ae
			}
			obj["payment_method"] = id
			if en.get("status") == "requires_payment_method" {
				obj["status"] = "requires_confirmation"
			}
		}
		return nil
	},
	"invoices": func(e *Emulator, en *entry, obj, params map[string]any) *apiError {
		if en.get("status") != "draft" {
			for k := range params {
				if k != "metadata" && k != "description" && k != "footer" && k != "expand" {
					return invalid(k, "You can only modify %s on a draft invoice.", k)
				}
			}
		}
		return nil
	},
}
