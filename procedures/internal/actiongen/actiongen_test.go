package actiongen

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNaming(t *testing.T) {
	tests := []struct {
		paramsType, method, pkg string
		resource, name          string
	}{
		{"InvoicePayParams", "Pay", "invoice", "Invoice", "PayInvoice"},
		{"InvoiceVoidInvoiceParams", "VoidInvoice", "invoice", "Invoice", "VoidInvoice"},
		{"InvoiceSendInvoiceParams", "SendInvoice", "invoice", "Invoice", "SendInvoice"},
		{"InvoiceMarkUncollectibleParams", "MarkUncollectible", "invoice", "Invoice", "MarkUncollectibleInvoice"},
		{"SubscriptionResumeParams", "Resume", "subscription", "Subscription", "ResumeSubscription"},
		{"PaymentIntentIncrementAuthorizationParams", "IncrementAuthorization", "paymentintent", "PaymentIntent", "IncrementAuthorizationPaymentIntent"},
		{"DisputeParams", "Close", "dispute", "Dispute", "CloseDispute"},
		{"PayoutReverseParams", "Reverse", "payout", "Payout", "ReversePayout"},
		{"CheckoutSessionExpireParams", "Expire", "session", "CheckoutSession", "ExpireCheckoutSession"},
		{"CreditNoteVoidCreditNoteParams", "VoidCreditNote", "creditnote", "CreditNote", "VoidCreditNote"},
		{"TestHelpersTreasuryInboundTransferReturnInboundTransferParams", "ReturnInboundTransfer", "inboundtransfer", "TestHelpersTreasuryInboundTransfer", "ReturnTestHelpersTreasuryInboundTransfer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := resourceName(tt.paramsType, tt.method, tt.pkg)
			got := [2]string{r, procedureName(tt.method, r)}
			if diff := cmp.Diff([2]string{tt.resource, tt.name}, got); diff != "" {
				t.Errorf("resource and name (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPathObjects(t *testing.T) {
	tests := []struct {
		path string
		want []string
	}{
		{"/v1/payment_intents/%s/confirm", []string{"payment intent"}},
		{"/v1/customers/%s/payment_methods/%s", []string{"customer", "payment method"}},
		{"/v1/invoices/upcoming", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, pathObjects(tt.path)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFirstSentence(t *testing.T) {
	got := firstSentence("Confirm that your customer intends to pay. Upon confirmation, the\n PaymentIntent attempts a payment.")
	if diff := cmp.Diff("Confirm that your customer intends to pay", got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}
