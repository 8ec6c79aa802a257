// Package planner turns SQL text into a physical plan that package exec can run, without I/O.
//
// Data flows one way: Parse splits a query string into statements with PostgreSQL's own parser
// (pg_query); Plan binds names and types against the session's catalog into expressions of package
// expr (42P01 / 42703 with a "did you mean" hint, 42702 when ambiguous), builds a logical plan
// (scan, join, filter, aggregate, project, distinct, sort, limit), and then chooses an access path
// for each table by the Stripe requests each would cost: a retrieve per id, list calls with pushed
// filters, a Stripe Search, or a full list. Tables of a FROM clause are joined left to right (inner,
// cross and left joins): each table's scan gets the conditions that read only that table, equalities
// between tables become hash-join keys, and when the right table's id is the key and the left side
// is small, the join retrieves the right rows by id instead of listing the table (a lookup join). Predicates that Stripe does not apply exactly stay in the scan's
// residual filter, so pushdown only ever saves requests and never changes an answer; `SET
// stripesql.pushdown = off` plans a full list and a filter, the oracle the tests compare against.
//
// Every plan carries an estimate of its Stripe requests and of the seconds they take at the node's
// rate. A plan whose estimate exceeds the session's stripesql.max_requests is refused with 54000
// before any request is sent; EXPLAIN prints the tree with each Stripe call and the estimates.
//
// The Session holds per-connection settings (SET / SHOW / RESET) and implements expr.Session; Stats
// holds table sizes learned from complete scans and is shared by every session of a node.
//
// Writes (write.go): INSERT, UPDATE, DELETE, CALL and SELECT * FROM procedure(…) plan to a
// WritePlan on Planned.Write: the create/update/delete/action requests to send per row, the read
// that finds the rows when WHERE does not name ids, and RETURNING over the written object. Read-only
// sessions are refused here (25006); EXPLAIN and stripesql.dry_run print the requests instead.
package planner
