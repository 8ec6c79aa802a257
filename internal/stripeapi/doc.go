// Package stripeapi is the one road to Stripe.
//
// The engine sees only the small Backend interface: list one page, search one page, retrieve, post,
// delete. Client implements it on stripe-go v76 with a per-node token bucket (golang.org/x/time/rate)
// in the HTTP path, so every request counts, including retries; 429 back-off that honours
// Retry-After and Stripe-Should-Retry; idempotency keys kept across retries; the Stripe-Account
// header; proxies; and slog logging with the API key redacted. The same Client talks to the real
// API, to stripe-mock, and to the built-in emulator (package emulator), so tests exercise the real
// stripe-go path.
package stripeapi
