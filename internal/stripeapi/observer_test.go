package stripeapi

import "testing"

func TestEndpoint(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"/v1/customers", "/v1/customers"},
		{"/v1/customers/cus_123", "/v1/customers/{id}"},
		{"/v1/customers/cus_123/tax_ids/txi_9", "/v1/customers/{id}/tax_ids/{id}"},
		{"/v1/payment_intents/pi_3Ab/confirm", "/v1/payment_intents/{id}/confirm"},
		{"/v1/customers/search", "/v1/customers/search"},
		{"/v1/account", "/v1/account"},
		{"/v1/accounts/acct_1Xy", "/v1/accounts/{id}"},
		{"/v1/customers/cus_1?expand[]=x", "/v1/customers/{id}"},
		{"/v1/customers/JohnSmith", "/v1/customers/{id}"},
		{"/v1/customers/john@example.com", "/v1/customers/{id}"},
	} {
		if got := Endpoint(tc.path); got != tc.want {
			t.Errorf("Endpoint(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}
