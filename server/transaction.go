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
	// EndTransaction ends the block; commit is false for ROLLBACK and a failed block's COMMIT.
	EndTransaction(commit bool)
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

// beginImplicitTx opens the engine session's block for the statements of a Query message of
// several statements sent outside a block: PostgreSQL runs them in one implicit transaction
// block, so a DECLARE among them needs no BEGIN and its cursor ends with the message. It reports
// whether the session keeps blocks.
func (c *conn) beginImplicitTx() bool {
	tx, ok := c.sess.(engineTx)
	return ok && tx.BeginTransaction(nil) == nil
}

// endSessionTx closes the engine session's transaction block, so its access mode ends with it,
// and so do its cursors (all of them without WITH HOLD; on rollback, those it declared).
func (c *conn) endSessionTx(commit bool) {
	if tx, ok := c.sess.(engineTx); ok {
		tx.EndTransaction(commit)
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
