// Package exec runs a planner.Planned against a stripeapi.Backend and streams its rows.
//
// Each plan node becomes a pull-based iterator (Volcano style): Rows.Next asks the top node for a
// row, which asks its input, down to the scan, which fetches the next Stripe page only when its
// current page is used up. A scan with a filter and a projection therefore holds one page in
// memory and the first rows reach the client before the scan ends; a LIMIT stops the paging as
// soon as it is satisfied. Sort, aggregate and DISTINCT hold what they must; a hash join holds its
// right table, a lookup join the cached rows of each distinct key (one retrieve, one list with a
// filter set to the key, or one list of up to 10 ids). A lookup join (lookup.go) reads its left
// input ahead a batch at a time and fetches the batch's new keys concurrently, each once, with a
// few workers (ceil(rate), at most 16) that keep the node's token bucket busy during round trips;
// rows leave in left order, the budget is counted per request, the first error cancels the rest.
//
// A scan turns each Stripe object into a row through the catalog's column paths (expandable
// references become their id, unix seconds become timestamptz, nested values jsonb), counts the
// requests, pages and rows of every node (for EXPLAIN ANALYZE and the session's progress
// callback, which progress.go re-estimates the requests left for on every page from what each scan
// has seen), stops with 54000 when the query's requests reach stripesql.max_requests, stops at once
// when the context is cancelled (57014), and records the table's size in the planner's Stats after
// a complete unfiltered list. SET and RESET plans are applied to the session here.
//
// Connect (connect.go): each call is sent as its planner.Call.Account (stripeapi.WithAccount), and
// stripe_account is filled with it, or with the API key's own account id (GET /v1/account, once
// per node, kept in Stats) for calls without one. A scan over several accounts runs as one scan
// per account (accountScan), so partitioned reads, learned sizes and the rest of a LIMIT apply
// per account. A fan-out without LIMIT reads its accounts concurrently (fanOut; a streaming one
// once its consumer has taken a page's worth of rows, before that in turn): as many
// at once as rate × latency needs, one request in flight each, so the running accounts share the
// statement's requests in turn and a large account does not hold back the small ones; its rows
// interleave across accounts. A LIMIT reads the accounts in turn. Progress reports count
// accounts done of all, EXPLAIN ANALYZE accounts= and skipped=. An error of a connected
// account's call names the account; an account of the accounts listing (Scan.Listed, or a lookup
// join whose left side reads accounts) that Stripe refuses with 403/404 is skipped with a NOTICE
// (planner.Session.Notice) naming it and Stripe's message, and a last NOTICE counts the skipped.
// A lookup join by account sends the right table's calls as each distinct key and checks the
// session's allowed accounts before each.
//
// Writes (write.go) run their reads first, then one Stripe request per row, each with its own
// idempotency key (which includes the account) kept across the client's retries (derived from
// stripesql.idempotency_key when set, so a re-run is exactly-once); RETURNING rows come from
// Stripe's answers.
//
// Subqueries (subquery.go, cte.go, lateral.go): Run first runs a plan's init plans and plans the
// statement again with their results (planner.Planned.Replan). Every Env carries a subSession,
// the planner.SubqueryRunner through which a correlated subquery runs its instantiated plan once
// per distinct outer value (remembered, within stripesql.work_mem_rows), in the statement's
// request budget. CTEs are materialised on first read into a store shared with the subquery
// runners; WITH RECURSIVE iterates its recursive term until a round adds no rows (54000 after
// planner.MaxRecursion rounds, 53200 past work_mem_rows).
//
// Analyst operators: a Window (window.go) holds its input, sorts row positions once per distinct
// PARTITION BY / ORDER BY and emits the rows in input order with their window values; UNION ALL
// streams, UNION / INTERSECT / EXCEPT (setop.go) hold the keys they must; generate_series streams
// one value per row and unnest returns its one array's elements, a FuncScan computes a JSON
// function's rows at once and a RowsFrom pulls its functions in lockstep (funcscan.go); grouping
// sets (grouping.go) fill one hash table per set in a single pass.
// Each fails with 53200 once it would hold more than stripesql.work_mem_rows rows.
//
// Cursors (cursor.go): DECLARE starts the cursor's query and keeps its Rows in the session's
// cursor set (planner.Cursors), under a context of its own marked WithBoundedDemand, since the
// cursor outlives the DECLARE; FETCH and MOVE pull from it with PostgreSQL's portal positions, so
// a forward cursor holds one page and reads the next only when a FETCH reaches it, and a SCROLL
// cursor keeps what it has read within stripesql.work_mem_rows. A FETCH that is cancelled cancels
// the query and fails the cursor (55000 afterwards); COMMIT, ROLLBACK and the session's end close
// what PostgreSQL closes.
package exec
