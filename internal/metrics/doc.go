// Package metrics is what an operator watches a stripesql node through: Prometheus metrics of
// its Stripe requests, its request budget and its SQL sessions, and the health endpoints a load
// balancer or an orchestrator polls.
//
// It owns the node's Prometheus registry and collectors (built with
// github.com/prometheus/client_golang) and the HTTP handler that serves them. Data reaches it
// through two small observer interfaces declared where the events happen:
//
//	stripeapi.Client transport ── stripeapi.Observer ──┐  Request, BudgetWait, CacheHit, Coalesced
//	server (default engine)    ── server.Observer ─────┤  SessionOpened/Closed, QueryDone
//	                                                   ▼
//	                                     Metrics (registry, counters, histograms)
//	                                                   │
//	        Handler: GET /metrics (text format), /healthz (200 "ok"), /readyz (Readiness)
//
// Metrics implements both interfaces; `stripesql serve --metrics-listen ADDR` builds one,
// passes it to the Stripe client (stripeapi.Config.Observer) and the server
// (server.Config.Observer), and serves Handler on ADDR with Serve.
//
// No metric carries a key, customer data, an object id or query text. Endpoints are labelled
// with path templates: stripeapi.Endpoint replaces id-shaped segments with {id}, and this package
// also replaces every segment that is not a word of a Stripe path stripesql knows (from the
// catalog's tables and the procedures), so a value a query put into a path (WHERE id = 'x')
// never becomes a label. Query outcomes are SQLSTATE classes, not messages.
//
// Readiness checks that the node can reach Stripe with its key: a GET /v1/account through the
// node's own Client (so it is counted, and waits, in the request budget), at most once per
// interval (a minute) however often /readyz is polled, and only when it is polled.
//
// Other parts of the node add their own collectors with Metrics.Register (flow runs will, once
// the flows work lands), so everything is served from one registry.
package metrics
