package driver

import (
	"context"
	sqldriver "database/sql/driver"

	"github.com/stripesql/stripesql/planner"
)

// Stmt is a statement parsed and described once and run any number of times with different
// arguments. Planning happens at each run, because the best Stripe call depends on the argument
// values (an id makes a retrieve, a customer a filtered list).
type Stmt struct {
	conn *Conn
	st   *planner.Statement // nil for an empty query string
	desc *planner.Description
}

// Compile-time checks of the statement's interfaces.
var (
	_ sqldriver.Stmt              = (*Stmt)(nil)
	_ sqldriver.StmtQueryContext  = (*Stmt)(nil)
	_ sqldriver.StmtExecContext   = (*Stmt)(nil)
	_ sqldriver.NamedValueChecker = (*Stmt)(nil)
)

// Close implements driver.Stmt; a statement holds nothing to release.
func (s *Stmt) Close() error { return nil }

// NumInput returns the number of $n parameters, so database/sql checks the argument count before
// running.
func (s *Stmt) NumInput() int {
	if s.desc == nil {
		return 0
	}
	return len(s.desc.Params)
}

// Description returns the parameter types and result columns the planner inferred.
func (s *Stmt) Description() *planner.Description { return s.desc }

// Exec implements driver.Stmt for callers without a context.
func (s *Stmt) Exec(args []sqldriver.Value) (sqldriver.Result, error) {
	return s.ExecContext(context.Background(), valuesToNamed(args))
}

// Query implements driver.Stmt for callers without a context.
func (s *Stmt) Query(args []sqldriver.Value) (sqldriver.Rows, error) {
	return s.QueryContext(context.Background(), valuesToNamed(args))
}

// ExecContext runs the statement to completion with args.
func (s *Stmt) ExecContext(ctx context.Context, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	if err := s.conn.usable(ctx); err != nil {
		return nil, err
	}
	vals, err := argValues(args)
	if err != nil {
		return nil, err
	}
	if s.st == nil {
		return result{}, nil
	}
	return s.conn.execStatement(ctx, s.st, vals)
}

// QueryContext runs the statement with args and streams its rows.
func (s *Stmt) QueryContext(ctx context.Context, args []sqldriver.NamedValue) (sqldriver.Rows, error) {
	if err := s.conn.usable(ctx); err != nil {
		return nil, err
	}
	vals, err := argValues(args)
	if err != nil {
		return nil, err
	}
	if s.st == nil {
		return emptyRows{}, nil
	}
	return s.conn.queryStatement(ctx, s.st, vals)
}

// CheckNamedValue implements driver.NamedValueChecker with the connection's conversions.
func (s *Stmt) CheckNamedValue(nv *sqldriver.NamedValue) error { return checkNamedValue(nv) }

func valuesToNamed(args []sqldriver.Value) []sqldriver.NamedValue {
	out := make([]sqldriver.NamedValue, len(args))
	for i, a := range args {
		out[i] = sqldriver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return out
}
