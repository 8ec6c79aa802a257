// Package planner turns SQL text into a physical plan that package exec can run, without I/O.
//
// Data flows one way: Parse splits a query string into statements with PostgreSQL's own parser
// (pg_query); Plan binds names and types against the session's catalog into expressions of package
// expr (42P01 / 42703 with a "did you mean" hint, 42702 when ambiguous), builds a logical plan
// (scan, join, filter, aggregate, project, distinct, sort, limit), and then chooses an access path
// for each table by the Stripe requests each would cost: a retrieve per id, list calls with pushed
// filters, a Stripe Search, or a full list. Tables of a FROM clause are joined left to right (inner,
// cross, left, right and full joins, join.go; a join nested on the right is flattened when all of it
// is inner and planned on its own otherwise, nested.go): each table's scan gets the conditions that
// read only that table and no outer join pads with NULLs, equalities
// between tables become hash-join keys, and when a key is the right table's id or one of its list
// filters and the left side is small, the join reads the right table per distinct left key instead
// of listing it whole (a lookup join, lookup.go): a retrieve by id, a list with the filter set to
// the key (charges.customer, refunds.charge), or a list of up to 10 ids (products ids), whichever
// is estimated to send the fewest requests. Equalities on reference columns are estimated from the
// two tables' sizes (lookup_estimate.go), and ORDER BY created DESC LIMIT n costs a list the pages
// it needs to find n rows. A list Stripe refuses without a required filter (catalog
// ListSpec.Required: subscription on subscription_items) always sends it, with pushdown on or off;
// when only a join equality supplies it, a lookup join is the cheap plan, and with no equality at
// all the table is listed under every parent row (fanout.go: invoice_line_items under invoices,
// as a LATERAL subquery whose requests count against the budget).
// Array list parameters (lookup_keys, ids) take every value of an = or IN in one call.
// A constant on one side of a join equality is carried to the other table's scan. A subquery in
// FROM is planned on its own and read like a table. Predicates that Stripe does not apply exactly stay in the scan's
// residual filter, so pushdown only ever saves requests and never changes an answer; `SET
// stripesql.pushdown = off` plans a full list and a filter, the oracle the tests compare against.
//
// Connect (connect.go): every Stripe table's stripe_account column says which account a row was
// read from. The = and IN constraints on it (constants, or an uncorrelated IN (SELECT id FROM
// accounts …) once replanned) give a scan its accounts, else the session's (stripesql.account,
// Session.Account); each Call carries its Account, sent as the Stripe-Account header, and a scan
// over several (Scan.Accounts) is each account's own access path, with its own learned size (an
// account never measured charged at least its first request; the estimate says accounts ×
// pages). Accounts that come from an init plan over accounts mark the scan Listed (the executor
// skips one Stripe refuses, with a NOTICE), and are pushed however many there are; before that
// init plan runs, the scan's estimate counts the connected accounts the node has listed
// (Scan.PendingAccounts), so a fan-out over thousands is refused before the listing. A join
// whose right key is stripe_account is always a lookup per account (LookupAccount); `t JOIN
// accounts a ON t.stripe_account = a.id` is planned as accounts first, put back in the query's
// column order by a Project. SessionConfig.Accounts limits a session to some accounts: any other is 42501
// here, before a request. Writes carry their account: an INSERT's stripe_account target, the
// WHERE's one account for writes by id, the row's as read, a CALL's stripe_account => argument.
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
//
// Subqueries (subquery.go), WITH (cte.go) and LATERAL (lateral.go): a subquery expression is a
// Subquery holding its own plan. An uncorrelated one is an init plan: Planned.InitPlans lists it,
// its value is a placeholder that pushdown treats like a parameter (so the estimate is that of the
// pushed call), and after the executor has run it, Planned.Replan plans the statement again with
// the result as a constant or an IN list, so `customer = (SELECT id …)` reaches Stripe as a
// filter. A correlated one reads the enclosing query's columns through OuterRefs; the executor
// plans it per distinct set of outer values with those values as constants (Instantiate), so they
// are pushed down too. A WITH query is planned once into a CTE that CTEScans read (the executor
// materialises it once); WITH RECURSIVE adds the recursive term, whose self-reference is the
// working table. A LATERAL subquery becomes a LateralJoin that instantiates it per left row.
//
// Analyst SQL: window calls (window.go) bind to references that a Window node, planned above the
// Aggregate and below the final Project, fills in (ROWS and RANGE frames, named windows);
// UNION / INTERSECT / EXCEPT (setop.go) plan each branch as a query of its own, unify the column
// types and combine them in a SetOp node; generate_series in FROM (srf.go) is a SeriesScan leaf,
// unnest [WITH ORDINALITY] and pg_partition_ancestors an UnnestScan leaf, the JSON set-returning
// functions and _pg_expandarray a FuncScan, ROWS FROM (…) a RowsFrom that runs its functions in
// lockstep, and a function whose arguments read earlier FROM items is LATERAL (record_srf.go);
// set-returning functions in a select list become a LATERAL ROWS FROM joined to the FROM clause,
// PostgreSQL 10's semantics, and ROW(…), (r).field and (r).* bind in record.go;
// GROUPING SETS, ROLLUP and CUBE (grouping.go) give the Aggregate a list of sets and grouping()
// reads the row's set number; WITHIN GROUP and aggregate ORDER BY (ordered.go) set the Agg's
// OrderBy. Operators that hold rows stop at stripesql.work_mem_rows with 53200 (workmem.go).
//
// Cursors (cursor.go): DECLARE plans its query into Planned.Inner (held to the budget like a
// SELECT) and a CursorAction that says whether the cursor scrolls (PostgreSQL's default when
// neither SCROLL nor NO SCROLL is given: a Stripe table is a foreign table, which does not); FETCH,
// MOVE and CLOSE plan to actions on a cursor by name. The open cursors themselves live in package
// exec, which registers them with the session (SetCursors): FETCH reads its columns there,
// pg_cursors lists them (OpenCursors), and EndTransaction and Close end them.
package planner
