package procedures

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// paramShape is what users see of a parameter in \df.
type paramShape struct {
	Name     string
	Type     sqltypes.Type
	Required bool
	InPath   bool
	Stripe   string
}

func TestNamedActionsHaveExactlyTheirParameters(t *testing.T) {
	T := sqltypes.Text
	tests := []struct {
		name   string
		method string
		path   string
		lead   []paramShape
	}{
		{"ConfirmPaymentIntent", "POST", "/v1/payment_intents/%s/confirm", []paramShape{{"PaymentIntentId", T, true, true, ""}, {"ReturnUrl", T, false, false, "return_url"}}},
		{"CapturePaymentIntent", "POST", "/v1/payment_intents/%s/capture", []paramShape{{"PaymentIntentId", T, true, true, ""}}},
		{"CancelPaymentIntent", "POST", "/v1/payment_intents/%s/cancel", []paramShape{{"PaymentIntentId", T, true, true, ""}}},
		{"AttachPaymentMethodToCustomer", "POST", "/v1/payment_methods/%s/attach", []paramShape{{"PaymentMethodId", T, true, true, ""}, {"CustomerId", T, true, false, "customer"}}},
		{"DetachPaymentMethodFromCustomer", "POST", "/v1/payment_methods/%s/detach", []paramShape{{"PaymentMethodId", T, true, true, ""}}},
		{"FinalizeInvoice", "POST", "/v1/invoices/%s/finalize", []paramShape{{"InvoiceId", T, true, true, ""}}},
		{"FinalizeQuote", "POST", "/v1/quotes/%s/finalize", []paramShape{{"QuoteId", T, true, true, ""}}},
		{"AcceptQuote", "POST", "/v1/quotes/%s/accept", []paramShape{{"QuoteId", T, true, true, ""}}},
		{"CancelQuote", "POST", "/v1/quotes/%s/cancel", []paramShape{{"QuoteId", T, true, true, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Default().Lookup(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != tt.name || p.Method != tt.method || p.Path != tt.path || !p.Mutating {
				t.Errorf("got %s %s %s mutating=%v; want %s %s %s mutating", p.Name, p.Method, p.Path, p.Mutating, tt.name, tt.method, tt.path)
			}
			var got []paramShape
			for i, prm := range p.Params {
				if i < len(tt.lead) {
					got = append(got, paramShape{prm.Name, prm.Type, prm.Required, prm.InPath, prm.StripeName})
					continue
				}
				// Whatever follows is Stripe's optional parameters, by snake_case name.
				if prm.Extra && prm.Name == ExtraParam && i == len(p.Params)-1 {
					continue
				}
				if prm.Required || prm.InPath || prm.Name != prm.StripeName {
					t.Errorf("extra parameter %+v is not an optional Stripe parameter", prm)
				}
			}
			if diff := cmp.Diff(tt.lead, got); diff != "" {
				t.Errorf("leading parameters (-want +got):\n%s", diff)
			}
			if cols := p.Columns(); len(cols) < 2 {
				t.Errorf("columns = %v; want Success and the object's fields", cols)
			}
		})
	}
}

func TestAcceptQuoteColumnsLeadWithInvoiceId(t *testing.T) {
	p, err := Default().Lookup("acceptquote")
	if err != nil {
		t.Fatal(err)
	}
	cols := p.Columns()
	want := []Column{{"InvoiceId", sqltypes.Text}, {"Success", sqltypes.Bool}, {"id", sqltypes.Text}, {"object", sqltypes.Text}}
	if diff := cmp.Diff(want, cols[:4]); diff != "" {
		t.Errorf("first columns (-want +got):\n%s", diff)
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name     string
		want     string
		wantHint string
	}{
		{"ConfirmPaymentIntent", "ConfirmPaymentIntent", ""},
		{"confirmpaymentintent", "ConfirmPaymentIntent", ""},
		{"CONFIRMPAYMENTINTENT", "ConfirmPaymentIntent", ""},
		{"payinvoice", "PayInvoice", ""},
		{"ExpireCheckoutSession", "ExpireCheckoutSession", ""},
		{"ConfirmPaymentIntnet", "", "did you mean ConfirmPaymentIntent?"},
		{"CancelSubscripton", "", "did you mean CancelSubscription"},
		{"VoidInvoce", "", "did you mean VoidInvoice"},
		{"Confirm", "", "did you mean ConfirmPaymentIntent or ConfirmSetupIntent?"},
		{"xyzzy", "", "procedures are listed by \\df"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Default().Lookup(tt.name)
			if tt.want != "" {
				if err != nil {
					t.Fatalf("Lookup: %v", err)
				}
				if diff := cmp.Diff(tt.want, p.Name); diff != "" {
					t.Errorf("name (-want +got):\n%s", diff)
				}
				return
			}
			se, ok := sqlstate.As(err)
			if !ok || se.Code != sqlstate.UndefinedFunction {
				t.Fatalf("Lookup(%q) error = %v; want 42883", tt.name, err)
			}
			if diff := cmp.Diff("procedure "+tt.name+" does not exist", se.Message); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(se.Hint, tt.wantHint) {
				t.Errorf("hint = %q; want prefix %q", se.Hint, tt.wantHint)
			}
		})
	}
}

func TestNewRegistryRejectsCaseClash(t *testing.T) {
	_, err := NewRegistry(&Procedure{Name: "PayInvoice"}, &Procedure{Name: "payinvoice"})
	if err == nil {
		t.Fatal("NewRegistry accepted two names differing only in case")
	}
}

func jsonArg(t *testing.T, s string) sqltypes.JSONValue {
	t.Helper()
	v, err := sqltypes.ParseJSON(s, sqltypes.JSONB)
	if err != nil {
		t.Fatal(err)
	}
	return v.(sqltypes.JSONValue)
}

func TestBindAndRequest(t *testing.T) {
	tests := []struct {
		name string
		proc string
		args Args
		want string // Request.String()
	}{
		{"positional", "ConfirmPaymentIntent", Args{Positional: []any{"pi_1", "https://example.com/back"}},
			"POST /v1/payment_intents/pi_1/confirm return_url=https://example.com/back"},
		{"optional left out", "ConfirmPaymentIntent", Args{Positional: []any{"pi_1"}},
			"POST /v1/payment_intents/pi_1/confirm"},
		{"optional null", "ConfirmPaymentIntent", Args{Positional: []any{"pi_1", nil}},
			"POST /v1/payment_intents/pi_1/confirm"},
		{"named any case", "ConfirmPaymentIntent", Args{Named: []NamedArg{{"returnurl", "https://x.test"}, {"PAYMENTINTENTID", "pi_2"}}},
			"POST /v1/payment_intents/pi_2/confirm return_url=https://x.test"},
		{"positional then named", "ConfirmPaymentIntent", Args{Positional: []any{"pi_3"}, Named: []NamedArg{{"payment_method", "pm_card_visa"}}},
			"POST /v1/payment_intents/pi_3/confirm payment_method=pm_card_visa"},
		{"attach sends customer", "AttachPaymentMethodToCustomer", Args{Positional: []any{"pm_1", "cus_1"}},
			"POST /v1/payment_methods/pm_1/attach customer=cus_1"},
		{"id is path-escaped", "CancelQuote", Args{Positional: []any{"qt_1;x"}},
			"POST /v1/quotes/qt_1%3Bx/cancel"},
		{"jsonb from text literal", "ConfirmPaymentIntent", Args{Positional: []any{"pi_1"}, Named: []NamedArg{{"mandate_data", `{"customer_acceptance":{"type":"online"}}`}, {"off_session", "true"}}},
			"POST /v1/payment_intents/pi_1/confirm mandate_data[customer_acceptance][type]=online&off_session=true"},
		{"bigint from text", "IncrementAuthorizationPaymentIntent", Args{Positional: []any{"pi_1"}, Named: []NamedArg{{"amount", "2500"}}},
			"POST /v1/payment_intents/pi_1/increment_authorization amount=2500"},
		{"text[] expand", "CapturePaymentIntent", Args{Positional: []any{"pi_1"}, Named: []NamedArg{{"expand", sqltypes.Array{Elem: sqltypes.Text, Items: []any{"latest_charge"}}}}},
			"POST /v1/payment_intents/pi_1/capture expand[]=latest_charge"},
		{"text[] from array literal", "CapturePaymentIntent", Args{Positional: []any{"pi_1"}, Named: []NamedArg{{"expand", "{latest_charge,customer}"}}},
			"POST /v1/payment_intents/pi_1/capture expand[]=latest_charge&expand[]=customer"},
		{"delete action", "CancelSubscription", Args{Positional: []any{"sub_1"}, Named: []NamedArg{{"invoice_now", true}}},
			"DELETE /v1/subscriptions/sub_1 invoice_now=true"},
		{"two path ids", "DetachSource", Args{Positional: []any{"cus_1", "src_1"}},
			"DELETE /v1/customers/cus_1/sources/src_1"},
		{"get action", "UpcomingInvoice", Args{Named: []NamedArg{{"customer", "cus_1"}}},
			"GET /v1/invoices/upcoming customer=cus_1"},
		{"verify bank account", "VerifyPaymentSource", Args{Positional: []any{"ba_1", "cus_1"}, Named: []NamedArg{{"amounts", sqltypes.Array{Elem: sqltypes.Int8, Items: []any{int64(32), int64(45)}}}}},
			"POST /v1/customers/cus_1/sources/ba_1/verify amounts[]=32&amounts[]=45"},
		{"verify source", "VerifyPaymentSource", Args{Positional: []any{"src_1"}, Named: []NamedArg{{"values", sqltypes.Array{Elem: sqltypes.Text, Items: []any{"a", "b"}}}}},
			"POST /v1/sources/src_1/verify values[]=a&values[]=b"},
		{"timestamptz as unix seconds", "AdvanceTestHelpersTestClock", Args{Positional: []any{"clock_1", time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)}},
			"POST /v1/test_helpers/test_clocks/clock_1/advance frozen_time=1700000000"},
		{"extra parameters", "ProcessSetupIntentTerminalReader", Args{Positional: []any{"tmr_1", "seti_1"}, Named: []NamedArg{{"extra", `{"allow_redisplay":"always"}`}}},
			"POST /v1/terminal/readers/tmr_1/process_setup_intent allow_redisplay=always&setup_intent=seti_1"},
		{"metadata jsonb", "ReversePayout", Args{Positional: []any{"po_1"}, Named: []NamedArg{{"metadata", jsonArg(t, `{"reason":"dup"}`)}}},
			"POST /v1/payouts/po_1/reverse metadata[reason]=dup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Default().Lookup(tt.proc)
			if err != nil {
				t.Fatal(err)
			}
			values, err := p.Bind(tt.args)
			if err != nil {
				t.Fatalf("Bind: %v", err)
			}
			req, err := p.Request(values)
			if err != nil {
				t.Fatalf("Request: %v", err)
			}
			if diff := cmp.Diff(tt.want, req.String()); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBindErrors(t *testing.T) {
	tests := []struct {
		name     string
		proc     string
		args     Args
		code     string
		message  string
		wantHint string
	}{
		{"missing required", "AttachPaymentMethodToCustomer", Args{Positional: []any{"pm_1"}},
			"42883", "procedure AttachPaymentMethodToCustomer is missing required argument CustomerId", "AttachPaymentMethodToCustomer(PaymentMethodId text, CustomerId text"},
		{"missing two", "AttachPaymentMethodToCustomer", Args{},
			"42883", "procedure AttachPaymentMethodToCustomer is missing required arguments PaymentMethodId, CustomerId", "AttachPaymentMethodToCustomer("},
		{"too many", "CancelQuote", Args{Positional: []any{"a", nil, nil, "d"}},
			"42883", "procedure CancelQuote takes at most 3 arguments, 4 given", "CancelQuote(QuoteId text, expand text[] DEFAULT NULL, extra jsonb DEFAULT NULL)"},
		{"unknown named", "ConfirmPaymentIntent", Args{Positional: []any{"pi_1"}, Named: []NamedArg{{"ReturnUri", "x"}}},
			"42883", "procedure ConfirmPaymentIntent has no parameter named ReturnUri", "did you mean ReturnUrl? ConfirmPaymentIntent("},
		{"named repeats positional", "ConfirmPaymentIntent", Args{Positional: []any{"pi_1"}, Named: []NamedArg{{"paymentintentid", "pi_2"}}},
			"42883", "parameter PaymentIntentId of ConfirmPaymentIntent is given both by position and by name", "ConfirmPaymentIntent("},
		{"named twice", "ConfirmPaymentIntent", Args{Named: []NamedArg{{"PaymentIntentId", "pi_1"}, {"paymentintentid", "pi_2"}}},
			"42601", `argument name "paymentintentid" used more than once`, ""},
		{"null required", "CapturePaymentIntent", Args{Positional: []any{nil}},
			"22023", "argument PaymentIntentId of CapturePaymentIntent must not be null", "CapturePaymentIntent("},
		{"bad bigint", "IncrementAuthorizationPaymentIntent", Args{Positional: []any{"pi_1"}, Named: []NamedArg{{"amount", "ten"}}},
			"22P02", `argument amount of IncrementAuthorizationPaymentIntent: invalid input syntax for type bigint: "ten"`, ""},
		{"bad json", "ConfirmPaymentIntent", Args{Positional: []any{"pi_1"}, Named: []NamedArg{{"mandate_data", "{nope"}}},
			"22P02", "argument mandate_data of ConfirmPaymentIntent: invalid input syntax for type json", ""},
		{"timestamp for text", "CancelQuote", Args{Positional: []any{time.Unix(0, 0)}},
			"42804", "argument QuoteId of CancelQuote: a value of Go type time.Time cannot be used as text", ""},
		{"wrong type", "ConfirmPaymentIntent", Args{Positional: []any{"pi_1"}, Named: []NamedArg{{"mandate_data", int64(3)}}},
			"42804", "argument mandate_data of ConfirmPaymentIntent: a value of Go type int64 cannot be used as jsonb", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Default().Lookup(tt.proc)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Bind(tt.args)
			se, ok := sqlstate.As(err)
			if !ok {
				t.Fatalf("Bind error = %v; want *sqlstate.Error", err)
			}
			if diff := cmp.Diff([2]string{tt.code, tt.message}, [2]string{se.Code, se.Message}); diff != "" {
				t.Errorf("code and message (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(se.Hint, tt.wantHint) {
				t.Errorf("hint = %q; want prefix %q", se.Hint, tt.wantHint)
			}
		})
	}
}

func TestRequestRejectsBadExtra(t *testing.T) {
	tests := []struct {
		name    string
		extra   string
		message string
	}{
		{"not an object", `[1]`, "argument extra of ConfirmPaymentIntent must be a jsonb object"},
		{"repeats a parameter", `{"return_url":"x"}`, "argument extra of ConfirmPaymentIntent repeats the parameter ReturnUrl"},
		{"bracketed key", `{"a[b]":"x"}`, `argument extra of ConfirmPaymentIntent has a key "a[b]" that stripe cannot take`},
	}
	p, _ := Default().Lookup("ConfirmPaymentIntent")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values, err := p.Bind(Args{Positional: []any{"pi_1"}, Named: []NamedArg{{"extra", tt.extra}}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Request(values)
			se, ok := sqlstate.As(err)
			if !ok || se.Code != sqlstate.InvalidParameterValue {
				t.Fatalf("Request = %v; want 22023", err)
			}
			if diff := cmp.Diff(tt.message, se.Message); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRequestRejectsEmptyPathID checks that an id that cannot name an object — empty, with a
// path or query delimiter, whitespace, or a path word such as search — is refused with 22023
// before any request is built, rather than escaped into a path that reaches another endpoint.
func TestRequestRejectsEmptyPathID(t *testing.T) {
	p, _ := Default().Lookup("CancelQuote")
	for _, id := range []string{"", "qt_1/../x", "qt_1/", "search", "qt_1?x=1", "qt_1#x", "qt 1"} {
		t.Run(id, func(t *testing.T) {
			values, err := p.Bind(Args{Positional: []any{id}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Request(values)
			if se, ok := sqlstate.As(err); !ok || se.Code != sqlstate.InvalidParameterValue {
				t.Fatalf("Request with id %q = %v; want 22023", id, err)
			}
		})
	}
}

func decodeObject(t *testing.T, s string) stripeapi.Object {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var obj stripeapi.Object
	if err := dec.Decode(&obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

func TestInvokeSendsKeyAndFlattensRow(t *testing.T) {
	obj := decodeObject(t, `{"id":"pi_1","object":"payment_intent","amount":2000,"status":"succeeded",
		"latest_charge":{"id":"ch_1","object":"charge","amount":2000},
		"payment_method_options":{"card":{"installments":{"enabled":false,"plan":null},"request_three_d_secure":"automatic"}},
		"metadata":{"order":"42"},"payment_method_types":["card"],"livemode":false,"canceled_at":null,"description":"<b>&</b>"}`)
	b := &recordingBackend{obj: obj}
	p, _ := Default().Lookup("ConfirmPaymentIntent")
	cols, row, err := Invoke(context.Background(), b, p, Args{Positional: []any{"pi_1", "https://example.com"}}, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	wantCalls := []call{{Method: "POST", Path: "/v1/payment_intents/pi_1/confirm", Key: "key-1", Params: url.Values{"return_url": {"https://example.com"}}}}
	if diff := cmp.Diff(wantCalls, b.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	got := map[string]any{}
	for i, c := range cols {
		got[c.Name] = row[i]
	}
	want := map[string]any{
		"Success":       true,
		"id":            "pi_1",
		"object":        "payment_intent",
		"amount":        "2000",
		"status":        "succeeded",
		"latest_charge": "ch_1",
		"payment_method_options.card.installments":           `{"enabled":false,"plan":null}`,
		"payment_method_options.card.request_three_d_secure": "automatic",
		"metadata":             `{"order":"42"}`,
		"payment_method_types": `["card"]`,
		"livemode":             "false",
		"canceled_at":          nil,
		"description":          "<b>&</b>",
		"customer":             nil,
	}
	for k, w := range want {
		if diff := cmp.Diff(w, got[k]); diff != "" {
			t.Errorf("column %q (-want +got):\n%s", k, diff)
		}
	}
	if len(cols) != len(row) {
		t.Errorf("%d columns but %d values", len(cols), len(row))
	}
}

func TestInvokeAcceptQuoteReturnsInvoiceId(t *testing.T) {
	b := &recordingBackend{obj: decodeObject(t, `{"id":"qt_1","object":"quote","status":"accepted","invoice":"in_9"}`)}
	p, _ := Default().Lookup("AcceptQuote")
	cols, row, err := Invoke(context.Background(), b, p, Args{Positional: []any{"qt_1"}}, "k")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{"in_9", true, "qt_1", "quote"}, row[:4]); diff != "" {
		t.Errorf("row (-want +got):\n%s", diff)
	}
	if cols[0].Name != "InvoiceId" {
		t.Errorf("first column %q; want InvoiceId", cols[0].Name)
	}
}

func TestInvokeRefusesEmptyIdempotencyKey(t *testing.T) {
	b := &recordingBackend{obj: stripeapi.Object{}}
	p, _ := Default().Lookup("CapturePaymentIntent")
	_, _, err := Invoke(context.Background(), b, p, Args{Positional: []any{"pi_1"}}, "")
	if se, ok := sqlstate.As(err); !ok || se.Code != sqlstate.InternalError {
		t.Fatalf("Invoke with no key = %v; want XX000", err)
	}
	if len(b.calls) != 0 {
		t.Errorf("sent %d requests without an idempotency key", len(b.calls))
	}
	// A read-only action needs no key.
	get, _ := Default().Lookup("UpcomingInvoice")
	if _, _, err := Invoke(context.Background(), b, get, Args{Named: []NamedArg{{"customer", "cus_1"}}}, ""); err != nil {
		t.Fatalf("GET action without a key: %v", err)
	}
	if diff := cmp.Diff([]call{{Method: "GET", Path: "/v1/invoices/upcoming", Params: url.Values{"customer": {"cus_1"}}}}, b.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestInvokeKeepsStripeErrorMeaning(t *testing.T) {
	tests := []struct {
		name       string
		proc       string
		args       Args
		stripeErr  *stripeapi.Error
		wantCode   string
		wantDetail []string
		wantHint   string
	}{
		{"card decline", "ConfirmPaymentIntent", Args{Positional: []any{"pi_1"}},
			&stripeapi.Error{Status: 402, Type: "card_error", Code: "card_declined", DeclineCode: "insufficient_funds", Message: "Your card has insufficient funds.", RequestID: "req_1"},
			"38000", []string{"code=card_declined", "decline_code=insufficient_funds", "request_id=req_1"}, ""},
		{"invalid parameter named as the caller wrote it", "AttachPaymentMethodToCustomer", Args{Positional: []any{"pm_1", "cus_x"}},
			&stripeapi.Error{Status: 400, Type: "invalid_request_error", Code: "resource_missing", Param: "customer", Message: "No such customer: 'cus_x'"},
			"22023", []string{"param=customer"}, `check the value given for CustomerId (stripe parameter "customer")`},
		{"missing object", "CancelQuote", Args{Positional: []any{"qt_gone"}},
			&stripeapi.Error{Status: 404, Type: "invalid_request_error", Code: "resource_missing", Message: "No such quote: 'qt_gone'"},
			"42704", []string{"code=resource_missing"}, ""},
		{"server error", "PayInvoice", Args{Positional: []any{"in_1"}},
			&stripeapi.Error{Status: 500, Type: "api_error", Message: "oops"},
			"58000", []string{"status=500"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Default().Lookup(tt.proc)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = Invoke(context.Background(), &recordingBackend{err: tt.stripeErr}, p, tt.args, "k")
			se, ok := sqlstate.As(err)
			if !ok {
				t.Fatalf("error %v is not coded", err)
			}
			if se.Code != tt.wantCode {
				t.Errorf("code = %s; want %s (%v)", se.Code, tt.wantCode, se)
			}
			for _, d := range tt.wantDetail {
				if !strings.Contains(se.Detail, d) {
					t.Errorf("detail %q lacks %q", se.Detail, d)
				}
			}
			if tt.wantHint != "" && se.Hint != tt.wantHint {
				t.Errorf("hint = %q; want %q", se.Hint, tt.wantHint)
			}
			if strings.HasSuffix(se.Message, ".") || se.Message != strings.ToLower(se.Message[:1])+se.Message[1:] {
				t.Errorf("message %q is not PostgreSQL style", se.Message)
			}
		})
	}
}

func TestAuthorizeURLIsLocal(t *testing.T) {
	p, err := Default().Lookup("AuthorizeURLOAuth")
	if err != nil {
		t.Fatal(err)
	}
	b := &recordingBackend{}
	cols, row, err := Invoke(context.Background(), b, p, Args{Named: []NamedArg{{"client_id", "ca_1"}, {"scope", "read_write"}, {"express", true}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.calls) != 0 {
		t.Errorf("sent %d requests; want none", len(b.calls))
	}
	want := []any{true, "https://connect.stripe.com/express/oauth/authorize?client_id=ca_1&scope=read_write"}
	if diff := cmp.Diff(want, row); diff != "" {
		t.Errorf("row (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Column{{"Success", sqltypes.Bool}, {"url", sqltypes.Text}}, cols); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
}
