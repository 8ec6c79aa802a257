// Package stripemocktest starts stripe-mock, Stripe's OpenAPI-validating mock, inside a test
// process, for the contract tests that check stripesql's requests are ones Stripe accepts.
//
// Start builds the mock the way stripe-mock's own main does (the embedded OpenAPI spec and
// fixtures, a StubServer behind the double-slash fixing handler), serves it on a 127.0.0.1 port
// the test owns, and closes it when the test ends. Tests then point a stripeapi.Client at the
// returned base URL. Only _test.go files import this package.
package stripemocktest
