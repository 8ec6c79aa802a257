// Package stripeapi is the one road to Stripe.
//
// The engine sees only the small Backend interface: list one page, search one page, retrieve, post,
// delete. Client implements it on stripe-go v76 (API version 2023-10-16), and the same Client talks
// to the real API, to stripe-mock and to the built-in emulator, so tests exercise the real stripe-go
// path.
//
// How a call flows:
//
//	Client.List/Search/Retrieve/Post/Delete(ctx, path, url.Values[, idempotency key])
//	  → stripe-go BackendImplementation.CallRaw (form encoding, headers: Authorization,
//	    Stripe-Version, Stripe-Account, Idempotency-Key; its own retries are off)
//	  → Cache (cache.go): a GET whose context accepts staleness (WithMaxStaleness) may be answered
//	    from the node's page cache; an identical GET in flight is joined instead of sent again
//	    (coalescing); a Post or Delete drops what is cached
//	  → transport (http.RoundTripper): for every attempt, wait for a slot of the node's Scheduler
//	    (fair between flows, WithFlow: statements round-robin, background after interactive), send,
//	    and retry 429/409/5xx/network failures with
//	    jittered exponential back-off that honours Retry-After and Stripe-Should-Retry, within
//	    Config.MaxRetryTime; a retry resends the same request, so writes keep their idempotency key
//	  → the base http.Transport (proxy from Config.Proxy or the environment); when it replays a
//	    request by itself after a reused connection failed, the replay waits for the budget and is
//	    reported too (wire.go), so Config.Observer and Requests count what Stripe received
//	  ← the raw JSON body, decoded with json.Number into Object or Page.
//
// Errors: Stripe's error answers become *Error (which maps itself to a SQLSTATE with SQL, and
// unwraps to that *sqlstate.Error); cancellation is 57014, rate limiting that outlasts the retries
// is 53000, network failure is 58000, a malformed key is 28000. Logging goes through log/slog at
// Config.Verbosity 0-5 behind a handler that redacts API keys from every line (RedactKey).
package stripeapi
