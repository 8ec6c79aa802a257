package catalog

import (
	"fmt"
	"slices"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// This file is the hand-written part of the Stripe catalog: what stripe-go's types cannot say.
// Everything here is keyed by the final table name (after tableNames). applyOverrides reports
// any entry that no longer matches the generated tables, and TestOverridesApply fails on it, so
// a regenerated catalog cannot silently drop a correction.

// tableNames renames tables whose mechanical name (snake_case plural of the stripe-go type, or
// parent + method for sub-lists) differs from the name Stripe Sigma uses.
var tableNames = map[string]string{
	"fee_refunds":              "application_fee_refunds",
	"test_helpers_test_clocks": "test_clocks",
	"invoice_lines":            "invoice_line_items",
	"credit_note_lines":        "credit_note_line_items",
}

// objectTypes corrects Table.Object where Stripe's object name is not the type's name: invoice
// lines are "line_item", and the line items of checkout sessions, payment links and quotes are
// "item".
var objectTypes = map[string]string{
	"invoice_line_items":                "line_item",
	"checkout_session_line_items":       "item",
	"payment_link_line_items":           "item",
	"quote_line_items":                  "item",
	"quote_computed_upfront_line_items": "item",
	"customer_payment_methods":          "payment_method",
}

// unixTimes are int64 fields that hold Unix times although neither their name nor their
// documentation says so to the generator's heuristic.
var unixTimes = map[string][]string{
	"invoices": {"next_payment_attempt"},
}

// embeddedObjects are fields whose stripe-go type can unmarshal from a bare id but which the
// API always returns as a whole object (not expandable): they are jsonb, not an id.
var embeddedObjects = map[string][]string{
	"customers":     {"discount"},
	"subscriptions": {"discount"},
	"invoices":      {"discount"},
	"charges":       {"source"},
}

// keyColumns point a list filter at the column that holds the same value under another name:
// invoice items have no created field, and the created filter compares their date.
var keyColumns = map[string]map[string]string{
	"invoice_items": {"created": "date"},
}

// listDefaults are parameters sent on every list call. Subscriptions: Stripe's list hides
// canceled subscriptions unless status=all is sent, and a table must show every row; a query
// that constrains status replaces the default. Cards and bank accounts share the customer
// sources endpoint; stripe-go filters it by object the same way.
var listDefaults = map[string]map[string]string{
	"subscriptions": {"status": "all"},
	"cards":         {"object": "card"},
	"bank_accounts": {"object": "bank_account"},
}

// requiredFilters are list parameters Stripe's API requires (its OpenAPI spec marks them
// required) although they are not in the path. They become ListSpec.Required.
var requiredFilters = map[string][]string{
	"subscription_items":                   {"subscription"},
	"apps_secrets":                         {"scope_type"},
	"billing_meter_event_summaries":        {"customer", "start_time", "end_time"},
	"entitlements_active_entitlements":     {"customer"},
	"financial_connections_transactions":   {"account"},
	"financial_connections_account_owners": {"ownership"},
	"issuing_tokens":                       {"card"},
	"radar_value_list_items":               {"value_list"},
	"setup_attempts":                       {"setup_intent"},
	"treasury_credit_reversals":            {"financial_account"},
	"treasury_debit_reversals":             {"financial_account"},
	"treasury_inbound_transfers":           {"financial_account"},
	"treasury_outbound_payments":           {"financial_account"},
	"treasury_outbound_transfers":          {"financial_account"},
	"treasury_received_credits":            {"financial_account"},
	"treasury_received_debits":             {"financial_account"},
	"treasury_transactions":                {"financial_account"},
	"treasury_transaction_entries":         {"financial_account"},
}

// wildcardFilters are list parameters (by Param) that take a trailing * for any suffix, so a
// LIKE 'prefix%' reaches Stripe: Stripe documents events' type as "a specific event name, or
// group of events using * as a wildcard". Sync reads events by type prefix (customer.*).
var wildcardFilters = map[string][]string{
	"events": {"type"},
}

// inexactFilters are list parameters (by Param) whose Stripe meaning differs from SQL's =, so
// the engine must re-check rows. Every other filter is exact: id references, enums, booleans
// and created ranges compare exactly as SQL does. The customers email filter is exact too:
// Stripe documents it as a case-sensitive match of the whole email, which is SQL's = on text.
var inexactFilters = map[string][]string{
	// type accepts wildcards ("charge.*"), so type = 'charge.*' would match charge.succeeded.
	"events": {"type"},
	// status also takes the pseudo-values all and ended, which match rows whose status is
	// something else (status = 'all' would otherwise return every subscription).
	"subscriptions": {"status"},
	// The summary window: start_time and end_time bound an aggregation window, they are not
	// equality tests on the summary's own start and end.
	"billing_meter_event_summaries": {"start_time", "end_time"},
	// Cardholder email and phone filters: Stripe normalises phone numbers and may fold case.
	"issuing_cardholders": {"email", "phone_number"},
	// Currency codes: Stripe folds case ("USD" finds usd prices), SQL's = does not.
	"balance_transactions": {"currency"},
	"prices":               {"currency"},
	// Promotion codes are case-insensitive in Stripe.
	"promotion_codes": {"code"},
	// Domains and URLs may be normalised by Stripe (case, trailing slash).
	"apple_pay_domains":      {"domain_name"},
	"payment_method_domains": {"domain_name"},
	"products":               {"url"},
	// Checkout's customer_details[email] matches the email the customer typed, which Stripe
	// may normalise.
	"checkout_sessions": {"customer_details[email]"},
}

// ignoredFilters are ListParams fields that are not filters: order_by sorts treasury lists.
var ignoredFilters = map[string][]string{
	"treasury_transactions":        {"order_by"},
	"treasury_transaction_entries": {"order_by"},
}

// searchFields are the fields Stripe Search accepts per resource (stripe-api-facts.md, from
// Stripe's query field tables), each located in the row. Substring (~) is enabled only where
// Stripe's tables list substring matching; a field without it still pushes =.
var searchFields = map[string][]SearchField{
	"charges": {
		{Field: "amount", Column: "amount", Kind: SearchNumber},
		{Field: "billing_details.address.postal_code", Column: "billing_details", Path: []string{"address", "postal_code"}, Kind: SearchString},
		{Field: "created", Column: "created", Kind: SearchDate},
		{Field: "currency", Column: "currency", Kind: SearchString},
		{Field: "customer", Column: "customer", Kind: SearchString},
		{Field: "disputed", Column: "disputed", Kind: SearchBool},
		{Field: "metadata", Column: "metadata", Kind: SearchMetadata},
		{Field: "payment_method_details.card.brand", Column: "payment_method_details", Path: []string{"card", "brand"}, Kind: SearchString},
		{Field: "payment_method_details.card.exp_month", Column: "payment_method_details", Path: []string{"card", "exp_month"}, Kind: SearchNumber},
		{Field: "payment_method_details.card.exp_year", Column: "payment_method_details", Path: []string{"card", "exp_year"}, Kind: SearchNumber},
		{Field: "payment_method_details.card.fingerprint", Column: "payment_method_details", Path: []string{"card", "fingerprint"}, Kind: SearchString},
		{Field: "payment_method_details.card.last4", Column: "payment_method_details", Path: []string{"card", "last4"}, Kind: SearchString},
		{Field: "refunded", Column: "refunded", Kind: SearchBool},
		{Field: "status", Column: "status", Kind: SearchString},
	},
	"customers": {
		{Field: "created", Column: "created", Kind: SearchDate},
		{Field: "email", Column: "email", Kind: SearchString, Substring: true},
		{Field: "metadata", Column: "metadata", Kind: SearchMetadata},
		{Field: "name", Column: "name", Kind: SearchString, Substring: true},
		{Field: "phone", Column: "phone", Kind: SearchString, Substring: true},
	},
	"invoices": {
		{Field: "created", Column: "created", Kind: SearchDate},
		{Field: "currency", Column: "currency", Kind: SearchString},
		{Field: "customer", Column: "customer", Kind: SearchString},
		{Field: "metadata", Column: "metadata", Kind: SearchMetadata},
		{Field: "number", Column: "number", Kind: SearchString},
		{Field: "receipt_number", Column: "receipt_number", Kind: SearchString},
		{Field: "status", Column: "status", Kind: SearchString},
		{Field: "subscription", Column: "subscription", Kind: SearchString},
		{Field: "total", Column: "total", Kind: SearchNumber},
	},
	"payment_intents": {
		{Field: "amount", Column: "amount", Kind: SearchNumber},
		{Field: "created", Column: "created", Kind: SearchDate},
		{Field: "currency", Column: "currency", Kind: SearchString},
		{Field: "customer", Column: "customer", Kind: SearchString},
		{Field: "metadata", Column: "metadata", Kind: SearchMetadata},
		{Field: "status", Column: "status", Kind: SearchString},
	},
	"prices": {
		{Field: "active", Column: "active", Kind: SearchBool},
		{Field: "currency", Column: "currency", Kind: SearchString},
		{Field: "lookup_key", Column: "lookup_key", Kind: SearchString},
		{Field: "metadata", Column: "metadata", Kind: SearchMetadata},
		{Field: "product", Column: "product", Kind: SearchString},
		{Field: "type", Column: "type", Kind: SearchString},
	},
	"products": {
		{Field: "active", Column: "active", Kind: SearchBool},
		{Field: "description", Column: "description", Kind: SearchString, Substring: true},
		{Field: "metadata", Column: "metadata", Kind: SearchMetadata},
		{Field: "name", Column: "name", Kind: SearchString, Substring: true},
		{Field: "shippable", Column: "shippable", Kind: SearchBool},
		{Field: "url", Column: "url", Kind: SearchString, Substring: true},
	},
	"subscriptions": {
		{Field: "canceled_at", Column: "canceled_at", Kind: SearchDate},
		{Field: "created", Column: "created", Kind: SearchDate},
		{Field: "metadata", Column: "metadata", Kind: SearchMetadata},
		{Field: "status", Column: "status", Kind: SearchString},
	},
}

// requiredParams are create parameters Stripe's API requires. Where Stripe requires one of
// several (a price needs product or product_data), none of them is marked: Stripe's own error
// then explains the choice.
var requiredParams = map[string][]string{
	"apple_pay_domains":              {"domain_name"},
	"billing_meters":                 {"default_aggregation", "display_name", "event_name"},
	"charges":                        {"amount", "currency"},
	"credit_notes":                   {"invoice"},
	"customer_balance_transactions":  {"amount", "currency"},
	"entitlements_features":          {"lookup_key", "name"},
	"file_links":                     {"file"},
	"identity_verification_sessions": {"type"},
	"invoice_items":                  {"customer"},
	"payment_intents":                {"amount", "currency"},
	"payment_links":                  {"line_items"},
	"payment_method_domains":         {"domain_name"},
	"payouts":                        {"amount", "currency"},
	"plans":                          {"currency", "interval"},
	"prices":                         {"currency"},
	"products":                       {"name"},
	"promotion_codes":                {"coupon"},
	"radar_value_list_items":         {"value", "value_list"},
	"radar_value_lists":              {"alias", "name"},
	"shipping_rates":                 {"display_name"},
	"subscription_items":             {"subscription"},
	"subscriptions":                  {"customer"},
	"tax_ids":                        {"type", "value"},
	"tax_rates":                      {"display_name", "inclusive", "percentage"},
	"terminal_locations":             {"address", "display_name"},
	"test_clocks":                    {"frozen_time"},
	"topups":                         {"amount", "currency"},
	"transfers":                      {"currency", "destination"},
	"webhook_endpoints":              {"enabled_events", "url"},
}

// applyOverrides corrects generated tables in place and returns a description of every
// override that matched nothing.
func applyOverrides(tables []*Table) []string {
	var problems []string
	miss := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	byName := map[string]*Table{}
	for _, t := range tables {
		if n, ok := tableNames[t.Name]; ok {
			t.Name = n
		}
		byName[t.Name] = t
	}
	for old, n := range tableNames {
		if byName[n] == nil {
			miss("rename %s → %s: no such table", old, n)
		}
	}
	table := func(what, name string) *Table {
		t := byName[name]
		if t == nil {
			miss("%s: no table %s", what, name)
		}
		return t
	}
	for name, obj := range objectTypes {
		if t := table("object type", name); t != nil {
			t.Object = obj
		}
	}
	for name, cols := range unixTimes {
		if t := table("unix time", name); t != nil {
			for _, c := range cols {
				if col, _, ok := t.Column(c); ok && col.Type == sqltypes.Int8 {
					col.Type = sqltypes.Timestamptz
				} else {
					miss("unix time: %s.%s is not a bigint column", name, c)
				}
			}
		}
	}
	for name, cols := range embeddedObjects {
		if t := table("embedded object", name); t != nil {
			for _, c := range cols {
				if col, _, ok := t.Column(c); ok && col.Expandable {
					col.Type, col.Expandable = sqltypes.JSONB, false
				} else {
					miss("embedded object: %s.%s is not an expandable column", name, c)
				}
			}
		}
	}
	for name, params := range keyColumns {
		t := table("key column", name)
		if t == nil || t.List == nil {
			continue
		}
		for param, col := range params {
			i := slices.IndexFunc(t.List.Keys, func(k KeyColumn) bool { return k.Param == param })
			if _, _, ok := t.Column(col); i < 0 || !ok {
				miss("key column: %s has no list parameter %s or column %s", name, param, col)
				continue
			}
			old := t.List.Keys[i].Column
			t.List.Keys[i].Column = col
			if c, j, ok := t.Column(old); ok && c.FilterOnly {
				t.Columns = slices.Delete(t.Columns, j, j+1)
			}
		}
	}
	for name, params := range listDefaults {
		if t := table("list default", name); t != nil && t.List != nil {
			t.List.Params = map[string]string{}
			for k, v := range params {
				t.List.Params[k] = v
			}
		}
	}
	for name, cols := range requiredFilters {
		if t := table("required filter", name); t != nil && t.List != nil {
			for _, c := range cols {
				if !slices.ContainsFunc(t.List.Keys, func(k KeyColumn) bool { return k.Column == c }) {
					miss("required filter: %s has no key column %s", name, c)
				}
			}
			t.List.Required = append([]string(nil), cols...)
		}
	}
	for name, params := range inexactFilters {
		if t := table("inexact filter", name); t != nil && t.List != nil {
			for _, p := range params {
				i := slices.IndexFunc(t.List.Keys, func(k KeyColumn) bool { return k.Param == p })
				if i < 0 {
					miss("inexact filter: %s has no list parameter %s", name, p)
					continue
				}
				t.List.Keys[i].Exact = false
			}
		}
	}
	for name, params := range wildcardFilters {
		if t := table("wildcard filter", name); t != nil && t.List != nil {
			for _, p := range params {
				i := slices.IndexFunc(t.List.Keys, func(k KeyColumn) bool { return k.Param == p })
				if i < 0 {
					miss("wildcard filter: %s has no list parameter %s", name, p)
					continue
				}
				t.List.Keys[i].Wildcard = true
			}
		}
	}
	for name, params := range ignoredFilters {
		if t := table("ignored filter", name); t != nil && t.List != nil {
			for _, p := range params {
				i := slices.IndexFunc(t.List.Keys, func(k KeyColumn) bool { return k.Param == p })
				if i < 0 {
					miss("ignored filter: %s has no list parameter %s", name, p)
					continue
				}
				col := t.List.Keys[i].Column
				t.List.Keys = slices.Delete(t.List.Keys, i, i+1)
				if c, j, ok := t.Column(col); ok && c.FilterOnly {
					t.Columns = slices.Delete(t.Columns, j, j+1)
				}
			}
		}
	}
	for name, fields := range searchFields {
		t := table("search fields", name)
		if t == nil {
			continue
		}
		if t.Search == nil {
			miss("search fields: %s has no search endpoint", name)
			continue
		}
		for _, f := range fields {
			if _, _, ok := t.Column(f.Column); !ok {
				miss("search fields: %s has no column %s", name, f.Column)
			}
			f.Path = slices.Clone(f.Path)
			t.Search.Fields = append(t.Search.Fields, f)
		}
	}
	for name, params := range requiredParams {
		t := table("required params", name)
		if t == nil {
			continue
		}
		if t.Create == nil {
			miss("required params: %s has no create", name)
			continue
		}
		for _, p := range params {
			i := slices.IndexFunc(t.Create.Params, func(w WriteParam) bool { return w.Name == p })
			if i < 0 {
				miss("required params: %s create has no parameter %s", name, p)
				continue
			}
			t.Create.Params[i].Required = true
		}
	}
	slices.Sort(problems)
	return problems
}
