package state

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// fail turns a database error met while doing action ("save table statistics") into an
// *sqlstate.Error naming the store, with the driver's text in DETAIL (secrets removed). An error
// that already is an *sqlstate.Error passes unchanged.
func (s *Store) fail(err error, action string) error {
	if err == nil {
		return nil
	}
	if e, ok := sqlstate.As(err); ok {
		return e
	}
	code := s.classify(err)
	e := sqlstate.New(code, "could not %s in state store %s", action, s.where).WithDetail("%s", s.scrub(err.Error()))
	switch code {
	case sqlstate.DataCorrupted:
		e = e.WithHint("%s", s.startOverHint())
	case sqlstate.LockNotAvailable:
		e = e.WithHint("another process holds the store's lock for longer than the busy timeout; try again")
	}
	return e
}

// startOverHint tells how to get past a store that cannot be read.
func (s *Store) startOverHint() string {
	if s.backend == SQLite {
		return "move " + s.where + " away to start with an empty store, or choose another --data-dir"
	}
	return "drop the schema " + schemaName + " to start with an empty store, or choose another --state"
}

// classify maps a driver error to a SQLSTATE code.
func (s *Store) classify(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return sqlstate.QueryCanceled
	case errors.Is(err, context.DeadlineExceeded):
		if s.backend == PostgreSQL {
			return sqlstate.SQLClientUnableToEstablishSQLConnection
		}
		return sqlstate.LockNotAvailable
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return sqliteCode(se.Code())
	}
	if isConnectError(err) {
		return sqlstate.SQLClientUnableToEstablishSQLConnection
	}
	return sqlstate.InternalError
}

func isConnectError(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
}

// sqliteCode maps a SQLite result code (extended or primary) to a SQLSTATE code.
func sqliteCode(rc int) string {
	switch rc {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlstate.UniqueViolation
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return "23503"
	case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return sqlstate.NotNullViolation
	}
	switch rc & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_FORMAT:
		return sqlstate.DataCorrupted
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return sqlstate.LockNotAvailable
	case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_READONLY,
		sqlite3.SQLITE_FULL, sqlite3.SQLITE_AUTH:
		return sqlstate.IOError
	case sqlite3.SQLITE_NOMEM:
		return sqlstate.OutOfMemory
	case sqlite3.SQLITE_INTERRUPT:
		return sqlstate.QueryCanceled
	}
	return sqlstate.InternalError
}

// isUniqueViolation reports whether err is a duplicate key on either backend.
func (s *Store) isUniqueViolation(err error) bool {
	return err != nil && s.classify(err) == sqlstate.UniqueViolation
}

// scrub removes every secret (the PostgreSQL password) from text.
func (s *Store) scrub(text string) string {
	for _, secret := range s.secrets {
		if secret != "" {
			text = strings.ReplaceAll(text, secret, "xxxxx")
		}
	}
	return text
}
