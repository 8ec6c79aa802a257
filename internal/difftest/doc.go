// Package difftest proves that stripesql answers exactly what PostgreSQL answers for the same data.
//
// The differential test (difftest_test.go) seeds the built-in Stripe emulator deterministically,
// reads every populated Stripe table THROUGH stripesql itself (planner + executor over the real
// stripe-go client, SELECT * with stripesql.max_requests raised; parent-path tables such as
// subscription_items one IN list of parent ids at a time) and copies those rows into a throwaway
// PostgreSQL 15 (internal/pgtest) with COPY, in tables with the catalog's names, columns and types
// (sqltypes OIDs → PostgreSQL type names). Reading through stripesql makes PostgreSQL hold exactly
// the rows the engine sees, so any difference in an answer is a difference of query semantics,
// not of data; and COPY's text input proves PostgreSQL reads stripesql's text output.
//
// Then every query of the corpus (testdata/corpus*.sql, one file per topic, parsed by ParseCorpus) runs on all sides:
//
//	corpus entry ─┬─► PostgreSQL, pgx simple protocol (text results) ──────────┐
//	              ├─► stripesql in process, pushdown on  (sqltypes.FormatText) ─┤
//	              ├─► stripesql in process, pushdown off (the pushdown oracle) ─┼─► Compare
//	              └─► stripesql wire server, pgx simple protocol ───────────────┘
//
// This package owns the corpus format, the Result every side is reduced to (column names, type
// OIDs and values in PostgreSQL's text form, NULL as nil), and Compare: results are compared as
// multisets unless the query has a top-level ORDER BY (then in order: the corpus is written with
// total orders), floating-point values within a relative tolerance of 1e-9, numeric values by
// value, everything else by exact text. An entry tagged `-- needs: <feature>` is reported as
// pending only when stripesql answers 0A000 feature_not_supported; any other error or mismatch
// fails, except for entries tagged `-- known-bug:` (listed in the summary, and failed anyway with
// DIFFTEST_STRICT=1).
//
// The same fixture measures speed: BenchmarkExecutorVsPostgres (bench_test.go) times the executor
// against PostgreSQL on the same rows already in memory and reports ratios (docs/benchmarks.md).
package difftest
