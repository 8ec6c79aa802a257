package server

import (
	"context"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Engine is what the server needs of the query engine: a session per connection. The production
// implementation wraps the planner and the executor (see NewEngine); protocol tests use a fake, so
// the wire protocol can be tested without Stripe or the planner.
type Engine interface {
	NewSession(p SessionParams) EngineSession
}

// SessionParams is what the server knows about a connection when it starts a session.
type SessionParams struct {
	User, Database string
	ReadOnly       bool
	// Account and Accounts are the user's default Stripe account and the only accounts it may
	// use (User.Account, User.Accounts).
	Account    string
	Accounts   []string
	BackendPID int32
	// Settings are the startup parameters the client sent that are settings (TimeZone,
	// application_name, DateStyle, search_path, …) plus those given with -c in "options".
	Settings map[string]string
	// Notice sends a NOTICE to the client; the engine calls it to report progress of long scans.
	Notice func(message string)
}

// EngineSession is one connection's view of the engine. It is used by one goroutine at a time,
// except Setting, which may be read concurrently.
type EngineSession interface {
	// Parse splits a query string into statements; an empty query gives none.
	Parse(sql string) ([]Statement, error)
	// Describe infers parameter types (given ones are kept; 0 means infer) and the result columns
	// (nil for statements that return no rows) without I/O.
	Describe(st Statement, paramTypes []sqltypes.Type) (params []sqltypes.Type, cols []Column, err error)
	// Run plans and executes st with argument values in the representations of package sqltypes.
	Run(ctx context.Context, st Statement, args []any) (Rows, error)
	// Setting returns the current value of a session setting, for ParameterStatus reports.
	Setting(name string) (string, bool)
	// Close releases the session.
	Close()
}

// Statement is one parsed statement.
type Statement interface {
	Text() string
	// Kind is the command word ("SELECT", "SET", "BEGIN", …).
	Kind() string
}

// Column describes one result column.
type Column struct {
	Name     string
	Type     sqltypes.Type
	TableOID uint32
	AttNum   int16
}

// Rows streams the result of a statement.
type Rows interface {
	// Columns returns the result columns, nil for statements that return no rows.
	Columns() []Column
	// Next returns the next row, or io.EOF after the last one.
	Next(ctx context.Context) ([]any, error)
	Close() error
	// Tag is the command tag, final after io.EOF ("SELECT 5", "SET", "INSERT 0 2").
	Tag() string
}
