// Command stripesql makes a Stripe account look like a PostgreSQL database. It is one binary with
// five subcommands that share their connection flags where they mean the same thing:
//
//	stripesql serve      serve Stripe over the PostgreSQL wire protocol (package server)
//	stripesql query SQL  run one query through the database/sql driver (package driver) and print
//	                     it as psql's aligned table, CSV or JSON
//	stripesql emulator   run the stateful Stripe emulator over HTTP (package internal/emulator)
//	stripesql sync       copy Stripe tables into a Parquet lake, incrementally (package
//	                     internal/ingest, which writes through internal/lake)
//	stripesql schema T   print a table's JSON Schema, CREATE TABLE or Arrow/Parquet schema
//	stripesql flow …     create, list, update, delete and run flows (sync on a schedule; package
//	                     flows); serve runs due flows in the background
//
// How data flows: flags become a stripeapi.Client (key from --api-key or STRIPE_API_KEY, base URL,
// account, rate, proxy, verbosity) with its own node-wide token bucket. With neither a key nor
// --api-base, serve, query and sync start the emulator in process with demo data (seed 1, small scale)
// and say so on stderr, so a fresh machine has something to query. serve hands the client to
// server.New and serves until interrupted; query hands it to driver.NewConnector (Config.Backend),
// reads the driver's rows and formats them, drawing the executor's progress report (the text the
// server sends as a NOTICE) on stderr while a scan runs longer than a second.
//
// serve's users (users.go) come from repeated --user NAME[:ro|:rw] flags, each password from the
// environment (STRIPESQL_PASSWORD_NAME), and from a --users-file of `name password ro|rw` lines
// that must not be readable by group or others; they become server.Config.Users, whose ReadOnly
// mark the server turns into a read-only session.
//
// sync (sync.go) hands the client to ingest.Run with the tables and mapping queries, draws the
// per-table progress it reports (bars redrawn in place on a terminal, plain lines otherwise) and
// prints the run's summary; a failed table makes the exit status 1. schema (schema.go) reads the
// catalog and the lake's type mapping only.
//
// main only maps run's error to an exit status (0 ok, 1 error, 2 bad command line). run takes its
// arguments and output streams as parameters so tests drive the whole command in process. Errors
// print as psql prints them: "ERROR:  message" with DETAIL and HINT lines.
package main
