package state

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
	_ "modernc.org/sqlite" // registers the database/sql driver "sqlite"
)

// FileName is the name of the SQLite database inside a data directory.
const FileName = "state.db"

// busyTimeoutMillis is how long a SQLite statement waits for another connection's or process's
// write lock before it fails with 55P03.
const busyTimeoutMillis = "5000"

// sqliteParams are applied to every SQLite connection: a busy timeout so writers queue instead
// of failing; foreign keys on (a flow's runs go with it); NORMAL synchronous, which in WAL mode
// loses at most the last transactions on power loss, never consistency; and BEGIN IMMEDIATE for
// transactions, so a transaction takes the write lock up front and cannot deadlock on upgrade.
// WAL mode, so that readers never wait for a writer and several processes can share the file, is
// a property of the file: Open sets it once.
const sqliteParams = "_busy_timeout=" + busyTimeoutMillis +
	"&_foreign_keys=1&_synchronous=NORMAL&_txlock=immediate"

// openRetry is how long Open keeps trying a store that another process is creating or
// migrating at the same moment. SQLite reports some of these lock conflicts (switching a new file
// to WAL, recovering a WAL) at once instead of waiting out the busy timeout.
const openRetry = 5 * time.Second

// openSQLite opens (creating when missing) DIR/state.db.
func openSQLite(ctx context.Context, spec string, o options) (*Store, error) {
	dir, err := filepath.Abs(spec)
	if err != nil {
		return nil, sqlstate.New(sqlstate.IOError, "could not resolve state directory %s", spec).WithDetail("%v", err)
	}
	path := filepath.Join(dir, FileName)
	s := &Store{backend: SQLite, where: path, dir: dir, clock: o.clock}
	dirHint := "choose a directory this user can create and write with --data-dir, or a PostgreSQL store with --state postgres://…"
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, sqlstate.New(sqlstate.IOError, "state directory %s is not a directory", dir).WithHint("%s", dirHint)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, sqlstate.New(sqlstate.IOError, "could not create state directory %s", dir).
			WithDetail("%v", err).WithHint("%s", dirHint)
	}
	if _, err := os.ReadDir(dir); err != nil {
		return nil, sqlstate.New(sqlstate.IOError, "could not read state directory %s", dir).
			WithDetail("%v", err).WithHint("%s", dirHint)
	}
	// Create the file with owner-only permissions before SQLite does (SQLite would use 0644);
	// its -wal and -shm files take the database file's permissions.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, sqlstate.New(sqlstate.IOError, "could not open state store %s", path).
			WithDetail("%v", err).WithHint("check the file's permissions, or %s", dirHint)
	}
	f.Close()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+sqliteParams)
	if err != nil {
		return nil, s.openFailure(err)
	}
	db.SetMaxOpenConns(8)
	s.db = db
	deadline := time.Now().Add(openRetry)
	for {
		err = s.prepareSQLite(ctx)
		if err == nil {
			return s, nil
		}
		if codeOf(err) != sqlstate.LockNotAvailable || time.Now().After(deadline) {
			db.Close()
			return nil, err
		}
		select {
		case <-ctx.Done():
			db.Close()
			return nil, s.openFailure(ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// prepareSQLite puts the file in WAL mode, checks it and migrates it.
func (s *Store) prepareSQLite(ctx context.Context) error {
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return s.openFailure(err)
	}
	if err := s.checkSQLite(ctx); err != nil {
		return err
	}
	return s.migrate(ctx)
}

// codeOf is err's SQLSTATE, or "" when it carries none.
func codeOf(err error) string {
	if e, ok := sqlstate.As(err); ok {
		return e.Code
	}
	return ""
}

// checkSQLite reads the whole file once (PRAGMA quick_check), so that a damaged page is an error
// at Open rather than a wrong answer later. The store is small — one row per table and account —
// so this costs milliseconds.
func (s *Store) checkSQLite(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return s.openFailure(err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return s.openFailure(err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return s.openFailure(err)
	}
	if len(problems) > 0 {
		if len(problems) > 3 {
			problems = append(problems[:3], "…")
		}
		return sqlstate.New(sqlstate.DataCorrupted, "state store %s is corrupt", s.where).
			WithDetail("integrity check: %v", problems).WithHint("%s", s.startOverHint())
	}
	return nil
}

// openFailure explains an error met while opening the SQLite file.
func (s *Store) openFailure(err error) error {
	if e, ok := sqlstate.As(err); ok {
		return e
	}
	detail := err.Error()
	switch code := s.classify(err); code {
	case sqlstate.DataCorrupted:
		return sqlstate.New(code, "state store %s is corrupt", s.where).
			WithDetail("%s", detail).WithHint("%s", s.startOverHint())
	case sqlstate.LockNotAvailable:
		return sqlstate.New(code, "state store %s is locked by another process", s.where).
			WithDetail("%s", detail).WithHint("wait for the other stripesql using %s, or choose another --data-dir", s.dir)
	case sqlstate.IOError:
		return sqlstate.New(code, "could not read state store %s", s.where).
			WithDetail("%s", detail).WithHint("check the file's permissions and the disk, or choose another --data-dir")
	case sqlstate.QueryCanceled:
		return sqlstate.New(code, "opening state store %s was cancelled", s.where)
	default:
		return sqlstate.New(code, "could not open state store %s", s.where).
			WithDetail("%s", detail).WithHint("%s", s.startOverHint())
	}
}
