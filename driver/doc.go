// Package driver is the database/sql driver "stripe": Go programs query a Stripe account in
// process, with no server, through the same planner and executor the wire server uses.
//
//	db, err := sql.Open("stripe", "stripe://sk_test_…@/?rate=6")
//	row := db.QueryRowContext(ctx, "SELECT count(*) FROM customers WHERE email = $1", email)
//
// What it owns and how data flows:
//
//   - Config and the DSN (ParseDSN, Config.FormatDSN): a stripe:// URL or libpq-style key=value
//     pairs; the API key comes from STRIPE_API_KEY when the DSN has none. Config.Backend lets a
//     program or a test hand in any stripeapi.Backend, such as a client of the built-in emulator.
//   - Connector: built once per sql.DB, it owns what a node shares — the Stripe backend with its
//     token bucket (every connection of the pool draws from one request budget) and the table sizes
//     learned from complete scans (planner.Stats), which make later estimates exact.
//   - Conn: one planner.Session (settings from SET, the request budget stripesql.max_requests).
//     A query string is parsed by planner.Parse, planned with its $n arguments by planner.Plan and
//     run by exec.Run against the connector's backend. The first row is fetched before QueryContext
//     returns, so errors (budget refusals, bad keys, cancellation) surface at the call that caused
//     them; later rows stream page by page as Rows.Next asks for them. In a transaction (BeginTx)
//     DECLARE … CURSOR and FETCH read a result in chunks, as over the wire; Commit and Rollback
//     close the cursors PostgreSQL closes, and Close closes them all.
//   - Stmt: a statement parsed once; planner.Describe gives NumInput without any Stripe request.
//   - Rows: values in database/sql's representations (int64, float64, bool, string, []byte,
//     time.Time; numeric, interval, json and arrays as their PostgreSQL text), with column types
//     named as PostgreSQL names them (INT8, TEXT, TIMESTAMPTZ, JSONB).
//
// Cancelling a query's context aborts the Stripe request in flight at once: the context reaches
// the HTTP request through exec and stripeapi. Errors a caller sees are *Error (an alias of
// sqlstate.Error) with PostgreSQL's SQLSTATE codes, so code that switches on SQLState() works the
// same over this driver and over pgx talking to `stripesql serve`.
package driver
