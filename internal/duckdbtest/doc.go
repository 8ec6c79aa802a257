// Package duckdbtest runs SQL in DuckDB for tests, as an independent reader of the Parquet lake
// that `stripesql sync` writes (package lake). DuckDB runs in node through the @duckdb/node-api
// package, which ./.ci/run installs from the npm registry outside the work tree; without it the
// tests that need it skip, except under CI=true, where they fail, so CI never skips silently.
//
// Each Query starts node with a small script that opens an in-memory DuckDB, runs the statements
// and prints the last result as JSON: its column names, DuckDB's type names and the rows, values
// as DuckDB's JSON conversion gives them (numbers, strings, lists, objects; BIGINT beyond 2^53 and
// timestamps as strings).
package duckdbtest
