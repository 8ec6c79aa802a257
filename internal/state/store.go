package state

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// Store is an open state store on SQLite or PostgreSQL. It is safe for concurrent use by many
// goroutines, and several Stores (in one process or many, on one node or many) may share one
// data directory or one PostgreSQL database.
type Store struct {
	db      *sql.DB
	backend Backend
	// where names the store in messages: the database file, or the URL with its password redacted.
	where string
	// dir is the data directory of a SQLite store, for hints.
	dir string
	// clock is the time on SQLite; PostgreSQL uses its own now().
	clock func() time.Time
	// secrets are strings never to show in an error (the PostgreSQL password).
	secrets []string
}

// Backend names the database a Store keeps its records in.
type Backend string

// The backends Open chooses between.
const (
	SQLite     Backend = "sqlite"
	PostgreSQL Backend = "postgresql"
)

// Option changes how Open opens a store.
type Option func(*options)

type options struct {
	clock func() time.Time
}

// WithClock makes a SQLite store read the time from now instead of time.Now, so tests can move
// time forward to expire leases and reach schedules. A PostgreSQL store ignores it: its times
// come from the server's now(), so that nodes whose clocks disagree still agree on who holds a
// lease.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.clock = now }
}

// connectTimeout bounds how long Open waits for a PostgreSQL server that does not answer, unless
// the URL sets connect_timeout itself.
const connectTimeout = 5 * time.Second

// Open opens the state store spec names, creating it on first use, and brings its schema up to
// this binary's version.
//
// A spec starting with postgres:// or postgresql:// is a PostgreSQL URL: the store lives in the
// schema stripesql_state of that database, and every node opening the same URL shares it. Any
// other spec is a directory: the store is DIR/state.db, and DIR is created (mode 0700) when
// missing. A store that cannot be used — a corrupt or foreign file, an unreadable directory, a
// server that refuses the connection or the password, one that does not answer within a few
// seconds, a schema written by a newer stripesql — is an *sqlstate.Error, never an empty store.
func Open(ctx context.Context, spec string, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.clock == nil {
		o.clock = time.Now
	}
	if isPostgresURL(spec) {
		return openPostgres(ctx, spec, o)
	}
	if strings.TrimSpace(spec) == "" {
		return nil, sqlstate.New(sqlstate.InvalidParameterValue, "no state store given").
			WithHint("give a data directory, or a postgres:// URL")
	}
	return openSQLite(ctx, spec, o)
}

func isPostgresURL(spec string) bool {
	return strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://")
}

// Close closes the store's connections. Records already written stay.
func (s *Store) Close() error { return s.db.Close() }

// Backend reports which database the store is on.
func (s *Store) Backend() Backend { return s.backend }

// Location names the store for people: the path of the SQLite file, or the PostgreSQL URL with
// its password redacted.
func (s *Store) Location() string { return s.where }

// Now is the store's time: PostgreSQL's now() or the SQLite store's clock. Leases expire and
// records are stamped by this time, so a scheduler that asks DueFlows "what is due now" should ask
// with it.
func (s *Store) Now(ctx context.Context) (time.Time, error) {
	var us int64
	if err := s.queryRow(ctx, s.db, "SELECT {now}").Scan(&us); err != nil {
		return time.Time{}, s.fail(err, "read the time")
	}
	return fromMicros(us), nil
}

// querier is what both *sql.DB and *sql.Tx offer, so a statement runs the same in or out of a
// transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// render adapts one statement written for both backends: $N parameters become ?N on SQLite, and
// {now} becomes the current time in unix microseconds — PostgreSQL's now(), or on SQLite one more
// parameter carrying the store's clock (every {now} of a statement is the same instant).
func (s *Store) render(query string, args []any) (string, []any) {
	if s.backend == PostgreSQL {
		return strings.ReplaceAll(query, "{now}", "(extract(epoch from now()) * 1000000)::bigint"), args
	}
	if strings.Contains(query, "{now}") {
		args = append(args, s.clock().UnixMicro())
		query = strings.ReplaceAll(query, "{now}", "$"+strconv.Itoa(len(args)))
	}
	var b strings.Builder
	for i := 0; i < len(query); i++ {
		if query[i] == '$' && i+1 < len(query) && query[i+1] >= '0' && query[i+1] <= '9' {
			b.WriteByte('?')
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String(), args
}

func (s *Store) exec(ctx context.Context, q querier, query string, args ...any) (sql.Result, error) {
	query, args = s.render(query, args)
	return q.ExecContext(ctx, query, args...)
}

func (s *Store) query(ctx context.Context, q querier, query string, args ...any) (*sql.Rows, error) {
	query, args = s.render(query, args)
	return q.QueryContext(ctx, query, args...)
}

func (s *Store) queryRow(ctx context.Context, q querier, query string, args ...any) *sql.Row {
	query, args = s.render(query, args)
	return q.QueryRowContext(ctx, query, args...)
}

// inTx runs fn in one transaction (BEGIN IMMEDIATE on SQLite, so it never fails half-way on a
// lock upgrade), committing when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// micros is t in unix microseconds, or nil for the zero time (a NULL column).
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func fromNullMicros(us sql.NullInt64) time.Time {
	if !us.Valid {
		return time.Time{}
	}
	return fromMicros(us.Int64)
}
