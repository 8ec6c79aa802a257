package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// version is the release, set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	os.Exit(exitCode(err))
}

// exitCode is 0 on success, 2 for a command line that could not be understood (as flag parsing
// conventionally exits) and 1 for every other failure.
func exitCode(err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

// run runs the command line args until it is done or the process is interrupted (SIGINT,
// SIGTERM), which stops servers gracefully and cancels a running query.
func run(args []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runContext(ctx, args, stdout, stderr)
}

// runContext is run with the context that stops long-running subcommands. Errors are printed to
// stderr here, so callers only decide the exit status.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, stdout, stderr)
	if err != nil {
		var ue *usageError
		if !errors.As(err, &ue) {
			printError(stderr, err)
		}
	}
	return err
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, topUsage)
		return &usageError{msg: "no subcommand given"}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, topUsage)
		return nil
	case "-version", "--version", "version":
		fmt.Fprintf(stdout, "stripesql %s\n", version)
		return nil
	case "emulator":
		return runEmulator(ctx, args[1:], stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "query":
		return runQuery(ctx, args[1:], stdout, stderr)
	case "sync":
		return runSync(ctx, args[1:], stdout, stderr)
	case "schema":
		return runSchema(ctx, args[1:], stdout, stderr)
	case "flow":
		return runFlow(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "stripesql: unknown subcommand %q\n\n%s", args[0], topUsage)
	return &usageError{msg: "unknown subcommand " + args[0]}
}

const topUsage = `stripesql makes a Stripe account look like a PostgreSQL database.

Usage:
  stripesql <subcommand> [flags]

Subcommands:
  serve      serve Stripe over the PostgreSQL wire protocol (psql, JDBC, pgx, …)
  query      run one SQL query and print the result as a table, CSV or JSON
  emulator   run the built-in Stripe emulator with seeded demo data over HTTP
  sync       copy Stripe tables into a Parquet lake, incrementally (DuckDB, Spark, pandas read it)
  schema     print a table's schema: JSON Schema, CREATE TABLE, or the Arrow/Parquet schema of sync
  flow       create, list, update, delete and run flows: sync on a schedule (serve runs them)

Run "stripesql <subcommand> --help" for the flags of each, with examples.
Without STRIPE_API_KEY (or --api-key / --api-base) serve, query and sync use the built-in emulator.

Flags:
  --help      show this help
  --version   print the version
`

// usageError is a command line that could not be understood; the usage has already been printed.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// printError prints err the way psql does: "ERROR:  message" and DETAIL / HINT lines.
func printError(w io.Writer, err error) {
	e := sqlstate.Wrap(err)
	sev := e.Severity
	if sev == "" {
		sev = "ERROR"
	}
	fmt.Fprintf(w, "%s:  %s\n", sev, e.Message)
	if e.Detail != "" {
		fmt.Fprintf(w, "DETAIL:  %s\n", e.Detail)
	}
	if e.Hint != "" {
		fmt.Fprintf(w, "HINT:  %s\n", e.Hint)
	}
}
