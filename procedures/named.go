package procedures

import (
	"net/url"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// nameOverrides renames generated procedures whose mechanical Verb + Resource name reads badly,
// keyed by stripe-go origin. (Account's own Get is GET /v1/account; GetByID retrieves a
// connected account by id.)
var nameOverrides = map[string]string{
	"account.GetByID":                      "RetrieveAccount",
	"financialconnections/account.GetByID": "RetrieveFinancialConnectionsAccount",
}

// idParam is the leading path parameter of the named actions.
func idParam(name, what string) Param {
	return Param{Name: name, Type: sqltypes.Text, Required: true, InPath: true, Description: "the id of the " + what}
}

// handWritten returns the procedures written by hand: the nine actions users name, with exactly
// their names and parameters (they replace the generated procedure of the same name), and the
// stripe-go actions whose shape the generator cannot read.
func handWritten() []*Procedure {
	pi := func(name, origin, verb, desc string, extra ...Param) *Procedure {
		return &Procedure{
			Name: name, Origin: origin, Resource: "PaymentIntent", Method: "POST", Mutating: true,
			Path:        "/v1/payment_intents/%s/" + verb,
			Description: desc,
			Params:      append([]Param{idParam("PaymentIntentId", "payment intent")}, extra...),
			Result:      ResultShape{Type: "PaymentIntent", Fields: fieldsPaymentIntent},
		}
	}
	quote := func(name, origin, verb, desc string, lead ...Output) *Procedure {
		return &Procedure{
			Name: name, Origin: origin, Resource: "Quote", Method: "POST", Mutating: true,
			Path:        "/v1/quotes/%s/" + verb,
			Description: desc,
			Params:      []Param{idParam("QuoteId", "quote")},
			Result:      ResultShape{Type: "Quote", Lead: lead, Fields: fieldsQuote},
		}
	}
	return []*Procedure{
		pi("ConfirmPaymentIntent", "paymentintent.Confirm", "confirm",
			"Confirms that the customer intends to pay with the payment intent's payment method; a card payment then succeeds, or waits for capture or for authentication at ReturnUrl",
			Param{Name: "ReturnUrl", Type: sqltypes.Text, StripeName: "return_url", Description: "the URL the customer is sent back to after authenticating or cancelling on the payment method's site"}),
		pi("CapturePaymentIntent", "paymentintent.Capture", "capture",
			"Captures the funds of a payment intent whose status is requires_capture"),
		pi("CancelPaymentIntent", "paymentintent.Cancel", "cancel",
			"Cancels a payment intent that has not succeeded; its status becomes canceled and canceled_at is set"),
		{
			Name: "AttachPaymentMethodToCustomer", Origin: "paymentmethod.Attach", Resource: "PaymentMethod",
			Method: "POST", Path: "/v1/payment_methods/%s/attach", Mutating: true,
			Description: "Attaches a payment method to a customer, so it can be used for the customer's future payments",
			Params: []Param{
				idParam("PaymentMethodId", "payment method"),
				{Name: "CustomerId", Type: sqltypes.Text, Required: true, StripeName: "customer", Description: "the id of the customer to attach the payment method to"},
			},
			Result: ResultShape{Type: "PaymentMethod", Fields: fieldsPaymentMethod},
		},
		{
			Name: "DetachPaymentMethodFromCustomer", Origin: "paymentmethod.Detach", Resource: "PaymentMethod",
			Method: "POST", Path: "/v1/payment_methods/%s/detach", Mutating: true,
			Description: "Detaches a payment method from its customer; it can no longer be used for payments",
			Params:      []Param{idParam("PaymentMethodId", "payment method")},
			Result:      ResultShape{Type: "PaymentMethod", Fields: fieldsPaymentMethod},
		},
		{
			Name: "FinalizeInvoice", Origin: "invoice.FinalizeInvoice", Resource: "Invoice",
			Method: "POST", Path: "/v1/invoices/%s/finalize", Mutating: true,
			Description: "Finalizes a draft invoice: it gets a number and becomes open, ready to be paid",
			Params:      []Param{idParam("InvoiceId", "invoice")},
			Result:      ResultShape{Type: "Invoice", Fields: fieldsInvoice},
		},
		quote("FinalizeQuote", "quote.FinalizeQuote", "finalize",
			"Finalizes a draft quote so it can be sent to the customer and accepted"),
		quote("AcceptQuote", "quote.Accept", "accept",
			"Accepts a finalized quote; Stripe creates its invoice (InvoiceId) or subscription",
			Output{Name: "InvoiceId", Path: []string{"invoice"}}),
		quote("CancelQuote", "quote.Cancel", "cancel",
			"Cancels a draft or open quote"),
		{
			Name: "VerifyPaymentSource", Origin: "paymentsource.Verify", Resource: "PaymentSource",
			Method: "POST", Path: "/v1/sources/%s/verify", Mutating: true,
			Description: "Verifies a customer's bank account with the two microdeposit amounts (when customer is given: POST /v1/customers/{customer}/sources/{id}/verify), or a source with its verification values (POST /v1/sources/{id}/verify)",
			Params: []Param{
				idParam("id", "bank account or source"),
				{Name: "customer", Type: sqltypes.Text, InPath: true, Description: "the id of the customer owning the bank account; leave out to verify a source"},
				{Name: "amounts", Type: sqltypes.Int8Array, StripeName: "amounts", Description: "Two positive integers, in cents, equal to the values of the microdeposits sent to the bank account"},
				{Name: "expand", Type: sqltypes.TextArray, StripeName: "expand", Description: "Specifies which fields in the response should be expanded"},
				{Name: "values", Type: sqltypes.TextArray, StripeName: "values", Description: "the verification values of a source"},
			},
			Result:  ResultShape{Type: "PaymentSource", Fields: fieldsPaymentSource},
			PathFor: verifyPath,
		},
		{
			Name: "AuthorizeURLOAuth", Origin: "oauth.AuthorizeURL", Resource: "OAuth",
			Description: "Builds the Stripe Connect OAuth authorize URL to send a user to (https://connect.stripe.com/oauth/authorize, or the Express one); sends no request",
			Params: []Param{
				{Name: "client_id", Type: sqltypes.Text, StripeName: "client_id", Description: "the platform's Connect client id (ca_…)"},
				{Name: "redirect_uri", Type: sqltypes.Text, StripeName: "redirect_uri", Description: "where Stripe sends the user back with the authorization code"},
				{Name: "response_type", Type: sqltypes.Text, StripeName: "response_type", Description: "always code"},
				{Name: "scope", Type: sqltypes.Text, StripeName: "scope", Description: "read_write or read_only"},
				{Name: "state", Type: sqltypes.Text, StripeName: "state", Description: "an opaque value returned unchanged, against CSRF"},
				{Name: "stripe_landing", Type: sqltypes.Text, StripeName: "stripe_landing", Description: "login or register"},
				{Name: "always_prompt", Type: sqltypes.Bool, StripeName: "always_prompt", Description: "ask the user to connect even if already connected"},
				{Name: "stripe_user", Type: sqltypes.JSONB, StripeName: "stripe_user", Description: "prefilled details of the user's business"},
				{Name: "suggested_capabilities", Type: sqltypes.TextArray, StripeName: "suggested_capabilities", Description: "capabilities to request for an Express account"},
				{Name: "express", Type: sqltypes.Bool, Description: "build the Express onboarding URL"},
			},
			Result: ResultShape{Type: "string", Fields: []string{"url"}},
			Local:  authorizeURL,
		},
	}
}

// verifyPath picks PaymentSource.Verify's endpoint the way stripe-go does: a customer's bank
// account when customer is given, otherwise a source.
func verifyPath(values []any) (string, []any, error) {
	id, customer := values[0], values[1]
	if customer != nil {
		return "/v1/customers/%s/sources/%s/verify", []any{customer, id}, nil
	}
	if values[4] == nil {
		return "", nil, sqlstate.New(sqlstate.InvalidParameterValue, "VerifyPaymentSource needs customer (to verify a bank account) or values (to verify a source)")
	}
	return "/v1/sources/%s/verify", []any{id}, nil
}

// connectURL is where Stripe Connect's OAuth pages live (stripe-go's ConnectURL).
const connectURL = "https://connect.stripe.com"

// authorizeURL builds the Connect OAuth URL from the encoded parameters; express (the last
// parameter, not a Stripe parameter) switches to the Express onboarding page, as in stripe-go.
func authorizeURL(values []any, params url.Values) (map[string]any, error) {
	prefix := ""
	if express, _ := values[len(values)-1].(bool); express {
		prefix = "/express"
	}
	return map[string]any{"url": connectURL + prefix + "/oauth/authorize?" + params.Encode()}, nil
}
