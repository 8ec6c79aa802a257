// Package emulator is a stateful, in-memory Stripe API served over HTTP, so that tests, demos and
// `stripesql emulator` run without network or keys, and stripe-go v76 talks to it unchanged.
//
// Data flow: New seeds every core resource deterministically from Config.Seed (customers, their
// cards, charges with payment intents and balance transactions, refunds, disputes, subscriptions
// with their invoices, products, prices and mirrored plans, …). ServeHTTP then answers each request
// in this order: request id, latency, API key check (any sk_test_ key, Bearer or basic auth), rate
// limit (429 like Stripe), form decoding (DecodeForm: Stripe's bracket syntax), idempotency
// replay, the route (list, retrieve, search, create, update, delete, actions), fault injection,
// and finally the request log (GET/DELETE /_emulator/requests).
//
// POST parameters are checked against what stripe-go v76's params structs can send (the embedded
// methods.tsv), so a request Stripe would refuse with "Received unknown parameter" is refused here
// too; list parameters are checked against the resource's v76 list filters. expand[] replaces ids
// by the objects they name (up to 4 levels, "data." for lists and search results).
//
// Objects hold only their set, non-default fields; rendering fills in the fields computed from
// others (a charge's paid and outcome, a balance transaction's net and status, …) and every other
// top-level field of stripe-go's struct (read by reflection) as null, so the catalog's columns are
// always present and stripe-go decodes every object. An object is built as a map and then sealed
// into one encoded record (compact.go): field names are numbers, ids are packed, and strings and
// nested values that repeat (a customer's id, its billing details) are shared through tables, so
// 100,000 charges hold about 82 MiB of heap instead of 308 MiB, and seeded events point at the
// version of the object they announce instead of holding a rendered copy. Objects are found by id
// through an open-addressing index (idIndex).
//
// Answers are encoded without reflection (appendJSON), with sorted keys, so they are
// deterministic. Each resource keeps its objects ordered by (created, insertion sequence); lists
// walk that order newest first, bounded by a created range when one is given, and cursors are
// positions in it, so paging returns each object exactly once even while new (newer) objects are
// created. Reads share a lock; writes, and the events and idempotency records they produce, hold
// it exclusively.
//
// Connect (accounts.go): GET /v1/account answers the platform's own account, created a day
// before its oldest seeded object. With Config.ConnectedAccounts the platform has connected
// accounts (GET/POST/DELETE /v1/accounts), each an Emulator of its own data seeded from its own
// seed and size (DefaultAccountScale, or Config.AccountScale) that shares the platform's lock,
// codec, clock and request log. ServeHTTP routes a request with a Stripe-Account header to that
// account's store, so its lists, searches, writes, actions, events and idempotency keys are the
// account's alone; a header naming no connected account is answered 403 account_invalid, as
// Stripe does, and each Request records the header. Account(id) gives tests one account's data.
//
// Stripe's test payment methods and tokens (testCards in payments.go: pm_card_visa,
// pm_card_chargeDeclined…, tok_visa…) work where Stripe takes a payment method or source: used,
// one becomes a new pm_… (card_… for a token) with the card's details, attached when it is
// attached; a declining card fails with Stripe's card_error, code, decline_code and param, leaves
// a failed charge and an intent with last_payment_error, and fails verification when saved.
//
// Listable resources of stripe-go v76 that the emulator keeps no state for (the embedded
// inventory.tsv) answer an empty list, and 404 on retrieve.
package emulator
