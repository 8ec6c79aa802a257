// Package server is stripesql's PostgreSQL wire-protocol server, so that psql, JDBC, ODBC, pgx,
// lib/pq, psycopg2 and node-postgres can talk to a Stripe account as if it were PostgreSQL 15.
//
// It owns the protocol and nothing else: message framing and encoding come from
// github.com/jackc/pgx/v5/pgproto3, values are printed by package sqltypes (text) and pgtype's Map
// (binary), and every statement is answered by the engine (planner.Describe / planner.Plan /
// exec.Run) through the small Engine interface declared in engine.go, so protocol tests can run on
// a fake engine.
//
// Data flows through a connection like this:
//
//	accept → limits (connection count) → startup (SSLRequest → TLS, GSSENCRequest → 'N',
//	StartupMessage) → authentication (trust on loopback without users, SCRAM-SHA-256, cleartext over
//	TLS) → ParameterStatus + BackendKeyData → ReadyForQuery → message loop.
//
// A reader goroutine decodes client messages (bounded by Config.MaxMessageSize) and hands copies to
// the connection's loop, so a client that disconnects while a query runs cancels the query's
// context, and with it its Stripe requests. The loop answers Query (several statements, each with
// its CommandComplete; an error skips the rest) and the extended protocol (Parse, Bind, Describe,
// Execute with row limits and PortalSuspended, Close, Flush, Sync; after an error, messages are
// discarded until Sync). Transaction statements only move the status byte (Stripe has no
// transactions, and a write inside a block says so with a NOTICE) and tell the engine where blocks
// begin and end, which scope its cursors (a Query of several statements outside a block is one
// implicit block, as in PostgreSQL); COPY (query) TO STDOUT streams CSV or text; CancelRequest
// with a matching key cancels the running query with 57014. A portal executed with a row limit
// runs under a context of its own, marked exec.WithBoundedDemand, so it can be suspended and read
// on by later Executes, across Syncs inside a block (JDBC's fetch size), and is charged for the
// pages its client reads; DECLARE / FETCH cursors are the engine's, shared with the driver.
//
// The cmd package builds a Config from flags, calls New and Serve; DefaultAddr (127.0.0.1:5433) is
// the address to listen on, and `psql -h 127.0.0.1 -p 5433 -d stripe` connects (any database name
// is accepted; stripe is the documented one). Without users the server only serves loopback, with
// trust authentication. Package planner registers package procedures with
// catalog.RegisterRoutines when it opens a session, so \df and pg_proc list every Stripe action.
//
// When Config.Observer is set (serve --metrics-listen), the default engine tells it of every
// session opened and closed and of every statement's outcome (SQLSTATE), duration and rows
// (observe.go); nothing it is told names a user, a table, a value or a query.
//
// Every error a client sees is an ErrorResponse built from *sqlstate.Error; anything else becomes
// XX000. A malformed or oversized message closes only that connection (08P01), and a panic while
// serving a connection is recovered, logged and reported as XX000.
package server
