// Package sqlstate owns the one coded error type of stripesql and the SQLSTATE codes it uses.
//
// Every layer returns *Error for anything a user should read: the planner for bad SQL, the Stripe
// client for Stripe's answers, the executor for runtime faults. The wire server turns an *Error into
// ErrorResponse fields and the database/sql driver re-exports it, so a client sees the same code,
// message, detail and hint whichever front end it uses. Messages are lowercase with no trailing
// period, PostgreSQL style, and never contain an API key.
package sqlstate
