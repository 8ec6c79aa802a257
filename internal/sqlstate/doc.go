// Package sqlstate owns the one coded error type of stripesql and the SQLSTATE codes it uses.
//
// Every layer returns *Error for anything a user should read: the planner for bad SQL, the Stripe
// client for Stripe's answers, the executor for runtime faults. The wire server turns an *Error into
// ErrorResponse fields and the database/sql driver re-exports it, so a client sees the same code,
// message, detail and hint whichever front end it uses. Messages are lowercase with no trailing
// period, PostgreSQL style, and never contain an API key.
//
// It also owns the "did you mean" part of hints: EditDistance and Closest rank the names a
// misspelt one may have meant (functions, procedures, tables, columns, parameters), so every layer
// suggests names by the same measure.
package sqlstate
