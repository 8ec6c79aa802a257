// Package expr owns scalar SQL expressions with PostgreSQL semantics: operators, functions, casts,
// three-valued logic, and aggregate accumulators.
//
// Data flows in two steps. The planner's binder turns parse-tree nodes into Expr values with the
// constructors here (Operator, Call, Cast, In, Case, Aggregate, …); the constructors resolve
// argument types the way PostgreSQL does for stripesql's types, insert implicit casts, read
// unknown literals as the type the context needs, and report misuse with *sqlstate.Error (42883,
// 42804, 22P02…) at plan time. The planner inspects the exported node types for pushdown and folds
// constant sub-expressions with Fold. The executor then calls Eval once per row with an Env that
// holds the row, the parameters, the statement time and the session; aggregates accumulate rows in
// an AggState per group.
//
// Values are the Go representations documented in package sqltypes; nil is NULL. Operators and
// most functions are strict (NULL in, NULL out); AND, OR, IS [NOT] DISTINCT FROM, COALESCE, CASE,
// concat and friends follow their own NULL rules as in PostgreSQL.
//
// Functions live in a registry (RegisterFunction) so that other packages can add theirs — the
// wire server registers version(), current_database() and the catalog helpers. Set-returning
// functions are not scalar expressions: SetCall binds the JSON ones (json[b]_each[_text],
// json[b]_array_elements[_text], json[b]_object_keys) and _pg_expandarray, whose rows the
// executor asks for per call (setfuncs.go); the planner runs generate_series and unnest itself.
// Composite values (record.go): ROW(…) builds a sqltypes.Row, (r).field reads one, and two row
// constructors compare field by field. The json constructors
// (json_build_object, json_build_array, to_json, json_agg; jsonbuild.go) keep the text layout
// PostgreSQL gives json values, which differs from jsonb's.
//
// Aggregates are bound by Aggregate: the older ones are cases of agg.go, the newer families
// (bit_and/bit_or/bit_xor, jsonb_object_agg/json_object_agg, corr, covar_* and regr_*) are
// declared as data (aggdef.go: how a call binds, how a group accumulates), one family per file.
package expr
