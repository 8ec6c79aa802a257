// Package ingest runs `stripesql sync`: one run copies a set of Stripe tables and mapping
// queries into a Parquet lake (package lake), incrementally after the first copy, and returns
// per-table figures. Run is the one entry point; the CLI calls it, and scheduled flows will.
//
// Everything is read through the engine, as a query is: planner.Parse / Plan and exec.Run over
// the node's Backend, in sessions whose stripesql.max_requests is large enough for any table.
// Pushdown, the request budget, the node's token bucket and the executor's scans (and their
// progress reports) therefore apply to sync unchanged.
//
// How one run flows:
//
//	plans        each table's strategy (strategy.go): events, children, append, small, full,
//	             query, query-full; `stripesql sync --list` prints them for every table
//	jobs         each table's mode from its committed cursor (lake manifest): backfill, re-copy
//	             (columns, source or strategy changed, or events last read more than 30 days
//	             ago), full copy, or incremental
//	prelude      the events: for incremental tables one scan of `events` since the oldest
//	             cursor (less a minute of lookback, skipping events already applied), handing
//	             each table the newest data.object snapshot per object, and each child list the
//	             parents named; for tables copied in full, the newest event, which is where
//	             their next run starts (read before the copy, so nothing changed during it is
//	             missed)
//	top level    in parallel: a backfill is SELECT cols FROM t; an incremental run applies the
//	             snapshots (upserts; *.deleted events delete, except cancels such as
//	             customer.subscription.deleted, which are updates), then reads
//	             SELECT cols FROM t WHERE created >= cursor, whose cursor-second overlap the lake
//	             de-duplicates by id (an unchanged row is no new version)
//	children     then: the children of new parents and of parents named by events are listed
//	             again (WHERE parent = ANY($1)) and replace those parents' committed children
//	commit       the lake's atomic commit of every table that succeeded
//
// Snapshots Stripe may render differently (an event in another API version than the catalog's,
// or one listed after the cursor had passed its second) are not trusted: their objects are read
// again by id. An incremental mapping query runs over the snapshots through a Backend that holds
// them (snapshots), with pushdown off so the engine evaluates every filter itself, and costs no
// request for changes.
package ingest
