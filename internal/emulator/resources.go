package emulator

import (
	_ "embed"
	"reflect"
	"sort"
	"strings"

	stripe "github.com/stripe/stripe-go/v76"
)

// filterKind says how a list parameter is compared with an object.
type filterKind int

const (
	filterEq    filterKind = iota // string equality with the field at path (ids of references too)
	filterBool                    // "true"/"false" against a boolean field
	filterRange                   // integer field with =, gt, gte, lt, lte (created, due_date, …)
	filterIn                      // the parameter is an array; the field must equal one element
	filterFunc                    // resource-specific: match decides
)

// filter is one list parameter of a resource.
type filter struct {
	kind  filterKind
	path  string // dot path into the stored object
	match func(en *entry, v any) bool
}

// searchField is one field of a resource's search grammar.
type searchField struct {
	path string
	kind string // "string", "number", "time", "bool", "metadata"
	// substr allows the ~ operator on this field.
	substr bool
}

// resource describes one emulated Stripe resource: where it lives, what its objects look like and
// which list filters, search fields and writes it supports.
type resource struct {
	name    string // snake_case plural, the table name: "charges", "checkout_sessions"
	objType string // Stripe's "object" value: "charge", "checkout.session"
	path    string // list path: "/v1/charges"; for parented lists the path after the parent id
	prefix  string // id prefix without the underscore: "ch"
	goType  reflect.Type

	// parent is set for lists under another object (/v1/customers/{id}/tax_ids): the path of the
	// parent resource and the stored field that holds the parent id.
	parentRes   string
	parentField string

	fields     []string // every top-level JSON field of stripe-go's struct, sorted
	fieldKinds map[string]reflect.Kind

	filters map[string]filter
	search  map[string]searchField

	create, update, del bool

	// derive fills fields computed at render time (see deriveCharge).
	derive func(e *Emulator, en *entry, out map[string]any)
}

// fieldsOf lists the top-level JSON field names of a stripe-go struct with the Go kind of each.
func fieldsOf(t reflect.Type) ([]string, map[string]reflect.Kind) {
	kinds := map[string]reflect.Kind{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if f.Anonymous && tag == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
				}
				continue
			}
			name := strings.Split(tag, ",")[0]
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			k := f.Type.Kind()
			if k == reflect.Pointer {
				k = f.Type.Elem().Kind()
			}
			kinds[name] = k
		}
	}
	walk(t)
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, kinds
}

var (
	eq     = func(path string) filter { return filter{kind: filterEq, path: path} }
	isBool = func(path string) filter { return filter{kind: filterBool, path: path} }
	rng    = func(path string) filter { return filter{kind: filterRange, path: path} }
	in     = func(path string) filter { return filter{kind: filterIn, path: path} }
)

// Common search fields.
var (
	sCreated  = searchField{path: "created", kind: "time"}
	sMetadata = searchField{path: "metadata", kind: "metadata"}
	sStr      = func(p string) searchField { return searchField{path: p, kind: "string"} }
	sSub      = func(p string) searchField { return searchField{path: p, kind: "string", substr: true} }
	sNum      = func(p string) searchField { return searchField{path: p, kind: "number"} }
	sBool     = func(p string) searchField { return searchField{path: p, kind: "bool"} }
)

// coreResources builds the stateful resources. Filters follow stripe-go v76's ListParams (the
// inventory's list_filters); search fields follow Stripe's search documentation.
func coreResources() []*resource {
	rs := []*resource{
		{name: "accounts", objType: "account", path: "/v1/accounts", prefix: "acct", goType: reflect.TypeOf(stripe.Account{}),
			filters: map[string]filter{"created": rng("created")}, create: true, update: true, del: true},
		{name: "customers", objType: "customer", path: "/v1/customers", prefix: "cus", goType: reflect.TypeOf(stripe.Customer{}),
			filters: map[string]filter{"created": rng("created"), "email": eq("email"), "test_clock": eq("test_clock")},
			search:  map[string]searchField{"created": sCreated, "email": sSub("email"), "metadata": sMetadata, "name": sSub("name"), "phone": sSub("phone")},
			create:  true, update: true, del: true},
		{name: "charges", objType: "charge", path: "/v1/charges", prefix: "ch", goType: reflect.TypeOf(stripe.Charge{}),
			filters: map[string]filter{"created": rng("created"), "customer": eq("customer"), "payment_intent": eq("payment_intent"), "transfer_group": eq("transfer_group")},
			search: map[string]searchField{"amount": sNum("amount"), "billing_details.address.postal_code": sStr("billing_details.address.postal_code"),
				"created": sCreated, "currency": sStr("currency"), "customer": sStr("customer"), "disputed": sBool("disputed"), "metadata": sMetadata,
				"payment_method_details.card.last4": sStr("payment_method_details.card.last4"), "payment_method_details.card.exp_month": sNum("payment_method_details.card.exp_month"),
				"payment_method_details.card.exp_year": sNum("payment_method_details.card.exp_year"), "payment_method_details.card.brand": sStr("payment_method_details.card.brand"),
				"payment_method_details.card.fingerprint": sStr("payment_method_details.card.fingerprint"), "refunded": sBool("refunded"), "status": sStr("status")},
			create: true, update: true},
		{name: "payment_intents", objType: "payment_intent", path: "/v1/payment_intents", prefix: "pi", goType: reflect.TypeOf(stripe.PaymentIntent{}),
			filters: map[string]filter{"created": rng("created"), "customer": eq("customer")},
			search:  map[string]searchField{"amount": sNum("amount"), "created": sCreated, "currency": sStr("currency"), "customer": sStr("customer"), "metadata": sMetadata, "status": sStr("status")},
			create:  true, update: true},
		{name: "payment_methods", objType: "payment_method", path: "/v1/payment_methods", prefix: "pm", goType: reflect.TypeOf(stripe.PaymentMethod{}),
			filters: map[string]filter{"customer": eq("customer"), "type": eq("type")}, create: true, update: true},
		{name: "refunds", objType: "refund", path: "/v1/refunds", prefix: "re", goType: reflect.TypeOf(stripe.Refund{}),
			filters: map[string]filter{"charge": eq("charge"), "created": rng("created"), "payment_intent": eq("payment_intent")}, create: true, update: true},
		{name: "balance_transactions", objType: "balance_transaction", path: "/v1/balance_transactions", prefix: "txn", goType: reflect.TypeOf(stripe.BalanceTransaction{}),
			filters: map[string]filter{"created": rng("created"), "currency": eq("currency"), "payout": eq("_payout"), "source": eq("source"), "type": eq("type")}},
		{name: "invoices", objType: "invoice", path: "/v1/invoices", prefix: "in", goType: reflect.TypeOf(stripe.Invoice{}),
			filters: map[string]filter{"collection_method": eq("collection_method"), "created": rng("created"), "customer": eq("customer"),
				"due_date": rng("due_date"), "status": eq("status"), "subscription": eq("subscription")},
			search: map[string]searchField{"created": sCreated, "currency": sStr("currency"), "customer": sStr("customer"), "metadata": sMetadata,
				"number": sStr("number"), "receipt_number": sStr("receipt_number"), "status": sStr("status"), "subscription": sStr("subscription"), "total": sNum("total")},
			create: true, update: true, del: true},
		{name: "invoice_items", objType: "invoiceitem", path: "/v1/invoiceitems", prefix: "ii", goType: reflect.TypeOf(stripe.InvoiceItem{}),
			filters: map[string]filter{"created": rng("created"), "customer": eq("customer"), "invoice": eq("invoice"),
				"pending": {kind: filterFunc, match: func(en *entry, v any) bool { return (en.get("invoice") == nil) == (v == "true") }}},
			create: true, update: true, del: true},
		{name: "subscriptions", objType: "subscription", path: "/v1/subscriptions", prefix: "sub", goType: reflect.TypeOf(stripe.Subscription{}),
			filters: map[string]filter{"automatic_tax.enabled": isBool("automatic_tax.enabled"), "collection_method": eq("collection_method"),
				"created": rng("created"), "current_period_end": rng("current_period_end"), "current_period_start": rng("current_period_start"),
				"customer": eq("customer"), "plan": {kind: filterFunc, match: subHasItem("_plans")}, "price": {kind: filterFunc, match: subHasItem("_prices")},
				"status": {kind: filterFunc, match: subStatus}, "test_clock": eq("test_clock")},
			search: map[string]searchField{"created": sCreated, "metadata": sMetadata, "status": sStr("status"), "canceled_at": {path: "canceled_at", kind: "time"}},
			create: true, update: true},
		{name: "subscription_items", objType: "subscription_item", path: "/v1/subscription_items", prefix: "si", goType: reflect.TypeOf(stripe.SubscriptionItem{}),
			filters: map[string]filter{"subscription": eq("subscription")}, create: true, update: true, del: true},
		{name: "products", objType: "product", path: "/v1/products", prefix: "prod", goType: reflect.TypeOf(stripe.Product{}),
			filters: map[string]filter{"active": isBool("active"), "created": rng("created"), "ids": in("id"), "shippable": isBool("shippable"), "type": eq("type"), "url": eq("url")},
			search: map[string]searchField{"active": sBool("active"), "description": sSub("description"), "metadata": sMetadata, "name": sSub("name"),
				"shippable": sBool("shippable"), "url": sSub("url"), "created": sCreated},
			create: true, update: true, del: true},
		{name: "prices", objType: "price", path: "/v1/prices", prefix: "price", goType: reflect.TypeOf(stripe.Price{}),
			filters: map[string]filter{"active": isBool("active"), "created": rng("created"), "currency": eq("currency"), "lookup_keys": in("lookup_key"),
				"product": eq("product"), "recurring.interval": eq("recurring.interval"), "recurring.meter": eq("recurring.meter"),
				"recurring.usage_type": eq("recurring.usage_type"), "type": eq("type")},
			search: map[string]searchField{"active": sBool("active"), "currency": sStr("currency"), "lookup_key": sStr("lookup_key"), "metadata": sMetadata,
				"product": sStr("product"), "type": sStr("type"), "created": sCreated},
			create: true, update: true},
		{name: "plans", objType: "plan", path: "/v1/plans", prefix: "plan", goType: reflect.TypeOf(stripe.Plan{}),
			filters: map[string]filter{"active": isBool("active"), "created": rng("created"), "product": eq("product")}, create: true, update: true, del: true},
		{name: "quotes", objType: "quote", path: "/v1/quotes", prefix: "qt", goType: reflect.TypeOf(stripe.Quote{}),
			filters: map[string]filter{"customer": eq("customer"), "status": eq("status"), "test_clock": eq("test_clock")}, create: true, update: true},
		{name: "coupons", objType: "coupon", path: "/v1/coupons", prefix: "", goType: reflect.TypeOf(stripe.Coupon{}),
			filters: map[string]filter{"created": rng("created")}, create: true, update: true, del: true},
		{name: "promotion_codes", objType: "promotion_code", path: "/v1/promotion_codes", prefix: "promo", goType: reflect.TypeOf(stripe.PromotionCode{}),
			filters: map[string]filter{"active": isBool("active"), "code": eq("code"), "coupon": eq("coupon.id()"), "created": rng("created"), "customer": eq("customer")},
			create:  true, update: true},
		{name: "disputes", objType: "dispute", path: "/v1/disputes", prefix: "dp", goType: reflect.TypeOf(stripe.Dispute{}),
			filters: map[string]filter{"charge": eq("charge"), "created": rng("created"), "payment_intent": eq("payment_intent")}, update: true},
		{name: "payouts", objType: "payout", path: "/v1/payouts", prefix: "po", goType: reflect.TypeOf(stripe.Payout{}),
			filters: map[string]filter{"arrival_date": rng("arrival_date"), "created": rng("created"), "destination": eq("destination"), "status": eq("status")},
			create:  true, update: true},
		{name: "events", objType: "event", path: "/v1/events", prefix: "evt", goType: reflect.TypeOf(stripe.Event{}),
			filters: map[string]filter{"created": rng("created"), "delivery_success": isBool("_delivery_success"),
				"type": {kind: filterFunc, match: eventType}, "types": in("type")}},
		{name: "checkout_sessions", objType: "checkout.session", path: "/v1/checkout/sessions", prefix: "cs_test", goType: reflect.TypeOf(stripe.CheckoutSession{}),
			filters: map[string]filter{"created": rng("created"), "customer": eq("customer"), "customer_details.email": eq("customer_details.email"),
				"payment_intent": eq("payment_intent"), "payment_link": eq("payment_link"), "status": eq("status"), "subscription": eq("subscription")},
			create: true},
		{name: "setup_intents", objType: "setup_intent", path: "/v1/setup_intents", prefix: "seti", goType: reflect.TypeOf(stripe.SetupIntent{}),
			filters: map[string]filter{"attach_to_self": isBool("_attach_to_self"), "created": rng("created"), "customer": eq("customer"), "payment_method": eq("payment_method")},
			create:  true, update: true},
		{name: "credit_notes", objType: "credit_note", path: "/v1/credit_notes", prefix: "cn", goType: reflect.TypeOf(stripe.CreditNote{}),
			filters: map[string]filter{"created": rng("created"), "customer": eq("customer"), "invoice": eq("invoice")}, create: true, update: true},
		{name: "tax_rates", objType: "tax_rate", path: "/v1/tax_rates", prefix: "txr", goType: reflect.TypeOf(stripe.TaxRate{}),
			filters: map[string]filter{"active": isBool("active"), "created": rng("created"), "inclusive": isBool("inclusive")}, create: true, update: true},
		{name: "transfers", objType: "transfer", path: "/v1/transfers", prefix: "tr", goType: reflect.TypeOf(stripe.Transfer{}),
			filters: map[string]filter{"created": rng("created"), "destination": eq("destination"), "transfer_group": eq("transfer_group")}, create: true, update: true},
		{name: "tax_ids", objType: "tax_id", path: "/tax_ids", prefix: "txi", goType: reflect.TypeOf(stripe.TaxID{}),
			parentRes: "customers", parentField: "customer", create: true, del: true},
		{name: "customer_balance_transactions", objType: "customer_balance_transaction", path: "/balance_transactions", prefix: "cbtxn",
			goType: reflect.TypeOf(stripe.CustomerBalanceTransaction{}), parentRes: "customers", parentField: "customer", create: true, update: true},
		{name: "invoice_line_items", objType: "line_item", path: "/lines", prefix: "il", goType: reflect.TypeOf(stripe.InvoiceLineItem{}),
			parentRes: "invoices", parentField: "_invoice"},
	}
	for _, r := range rs {
		r.fields, r.fieldKinds = fieldsOf(r.goType)
		switch r.name {
		case "charges":
			r.derive = deriveCharge
		case "balance_transactions":
			r.derive = deriveBalanceTxn
		case "payment_intents":
			r.derive = derivePaymentIntent
		case "events":
			r.derive = deriveEvent
		case "accounts":
			r.derive = deriveAccount
		}
	}
	return rs
}

// subHasItem matches subscriptions whose items carry the given plan or price id (kept in a hidden
// field listing the ids).
func subHasItem(hidden string) func(*entry, any) bool {
	return func(en *entry, v any) bool {
		ids, _ := en.get(hidden).([]string)
		for _, id := range ids {
			if id == v {
				return true
			}
		}
		return false
	}
}

// subStatus applies Stripe's status filter: "all" matches everything, "ended" matches canceled and
// incomplete_expired, anything else matches exactly. Without the filter canceled subscriptions are
// hidden (see hiddenByDefault).
func subStatus(en *entry, v any) bool {
	s, _ := en.get("status").(string)
	switch v {
	case "all":
		return true
	case "ended":
		return s == "canceled" || s == "incomplete_expired"
	}
	return s == v
}

// eventType matches an event type exactly or with a trailing wildcard ("customer.*").
func eventType(en *entry, v any) bool {
	t, _ := en.get("type").(string)
	p, _ := v.(string)
	if strings.HasSuffix(p, "*") {
		return strings.HasPrefix(t, strings.TrimSuffix(p, "*"))
	}
	return t == p
}

//go:embed inventory.tsv
var inventoryTSV string

// inventoryList is one listable resource of stripe-go v76 that the emulator does not keep state
// for: its list answers an empty list and its retrieve a 404.
type inventoryList struct {
	segs    []string // path segments, "%s" for a parent id
	objType string
}

// otherLists parses the embedded inventory (generated from stripe-go v76) into path patterns.
func otherLists() []inventoryList {
	var out []inventoryList
	lines := strings.Split(inventoryTSV, "\n")
	for _, line := range lines[1:] {
		cols := strings.Split(line, "\t")
		if len(cols) < 12 || cols[2] != "1" {
			continue
		}
		obj := snakeCase(cols[0])
		for _, p := range strings.Split(cols[11], " | ") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			out = append(out, inventoryList{segs: strings.Split(strings.TrimPrefix(p, "/v1/"), "/"), objType: obj})
		}
	}
	return out
}

// snakeCase turns a Go name ("PaymentIntent") into Stripe's object spelling ("payment_intent").
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r + 'a' - 'A')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
