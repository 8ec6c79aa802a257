// Package state owns the node's durable store: what a stripesql node learns and must keep across
// restarts, and share with the other nodes behind one address.
//
// It keeps four kinds of record:
//   - table statistics per (Stripe account, table): rows, the oldest and newest created seen,
//     whether they were counted by a complete scan or estimated from probe pages, and when;
//   - facts about Stripe accounts (when the account was created, live or test mode);
//   - flows: scheduled copies of Stripe tables into a Parquet lake (issue 12), with a schedule
//     from which DueFlows computes what is due;
//   - flow runs, with the lease that makes every due run happen on exactly one node.
//
// Open takes one spec. A directory is an embedded SQLite database, DIR/state.db, through
// modernc.org/sqlite (pure Go, no cgo), in WAL mode with a busy timeout so that several processes
// may share a data directory. A postgres:// or postgresql:// URL is the same store on PostgreSQL
// through pgx, with its tables in their own schema (stripesql_state) so it can share a database.
// Both run the same SQL and the same schema: statements are written once with $1-style parameters
// and the token {now}, and a small rendering step adapts them (?1 for SQLite; {now} is the
// database's clock on PostgreSQL, so nodes whose clocks disagree still agree on leases, and the
// store's clock, injectable with WithClock, on SQLite).
//
// How data passes through it:
//
//	Open(spec) → create dir / connect → check the file or server → migrate under a lock
//	  (BEGIN IMMEDIATE on SQLite, pg_advisory_xact_lock on PostgreSQL) → *Store
//	Store methods → render SQL for the backend → database/sql → rows → records
//
// Times are kept as unix microseconds (BIGINT) in both backends; Stripe's own created values
// are unix seconds, as Stripe gives them. A store written by a newer binary, a corrupt file and a
// server that refuses the connection are errors at Open (*sqlstate.Error with codes XX001, 55000,
// 58030, 08001, 28P01), never an empty store; messages name the file or the URL with its password
// redacted.
//
// The package imports only internal/sqlstate and its database drivers: the planner and the
// executor read and write statistics through it, never the other way round.
package state
