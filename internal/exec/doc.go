// Package exec runs a planner.Planned against a stripeapi.Backend and streams its rows.
//
// Each plan node becomes a pull-based iterator (Volcano style): Rows.Next asks the top node for a
// row, which asks its input, down to the scan, which fetches the next Stripe page only when its
// current page is used up. A scan with a filter and a projection therefore holds one page in
// memory and the first rows reach the client before the scan ends; a LIMIT stops the paging as
// soon as it is satisfied. Sort, aggregate and DISTINCT hold what they must; a hash join holds its
// right table, a lookup join one cached row per distinct key.
//
// A scan turns each Stripe object into a row through the catalog's column paths (expandable
// references become their id, unix seconds become timestamptz, nested values jsonb), counts the
// requests, pages and rows of every node (for EXPLAIN ANALYZE and the session's progress
// callback), stops with 54000 when the query's requests reach stripesql.max_requests, stops at once
// when the context is cancelled (57014), and records the table's size in the planner's Stats after
// a complete unfiltered list. SET and RESET plans are applied to the session here.
//
// Writes (write.go) run their reads first, then one Stripe request per row, each with its own
// idempotency key kept across the client's retries (derived from stripesql.idempotency_key when
// set, so a re-run is exactly-once); RETURNING rows come from Stripe's answers.
package exec
