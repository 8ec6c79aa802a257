package server

import (
	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/planner"
)

// engineTx is what an engine session offers when it keeps state that a transaction block scopes
// or a startup can fail on (the planner's: read-only transactions, invalid startup settings). The
// server answers BEGIN, COMMIT and ROLLBACK itself, so it tells the session where blocks begin
// and end. Engines without it (the protocol tests' fake) only see the status byte move.
type engineTx interface {
	BeginTransaction(readOnly *bool) error
	EndTransaction()
	StartupError() error
}

// beginTx opens the engine session's transaction block with the access mode BEGIN READ ONLY /
// READ WRITE asked for.
func (c *conn) beginTx(t *pg.TransactionStmt) error {
	tx, ok := c.sess.(engineTx)
	if !ok {
		return nil
	}
	ro, err := planner.TransactionReadOnly(t.Options)
	if err != nil {
		return err
	}
	return tx.BeginTransaction(ro)
}

// endSessionTx closes the engine session's transaction block, so its access mode ends with it.
func (c *conn) endSessionTx() {
	if tx, ok := c.sess.(engineTx); ok {
		tx.EndTransaction()
	}
}

// startupError is the engine's verdict on the startup settings: an unknown parameter or an
// invalid value ends the connection with FATAL, as in PostgreSQL.
func (c *conn) startupError() *sqlstate.Error {
	tx, ok := c.sess.(engineTx)
	if !ok {
		return nil
	}
	return sqlstate.Wrap(tx.StartupError())
}
