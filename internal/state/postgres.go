package state

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stripesql/stripesql/internal/sqlstate"
)

// schemaName is the PostgreSQL schema that holds the store's tables, so the store can share a
// database with other applications. Every connection's search_path is set to it, which lets the
// same unqualified SQL serve SQLite and PostgreSQL.
const schemaName = "stripesql_state"

// openPostgres connects to the PostgreSQL server of a postgres:// URL and migrates its schema.
func openPostgres(ctx context.Context, spec string, o options) (*Store, error) {
	s := &Store{backend: PostgreSQL, where: redactURL(spec), clock: o.clock, secrets: urlSecrets(spec)}
	cfg, err := pgx.ParseConfig(spec)
	if err != nil {
		return nil, sqlstate.New(sqlstate.InvalidParameterValue, "invalid state store URL %s", s.where).
			WithDetail("%s", s.scrub(err.Error())).
			WithHint("write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=disable")
	}
	// The password may also come from PGPASSWORD or ~/.pgpass.
	s.secrets = append(s.secrets, cfg.Password)
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = connectTimeout
	}
	cfg.RuntimeParams["search_path"] = schemaName
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "stripesql state"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(2)
	db.SetConnMaxIdleTime(time.Minute)
	s.db = db
	// Every connection attempt (pgx tries TLS then plaintext under sslmode=prefer, and every
	// address of a host name) together is bounded by the connect timeout.
	pingCtx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	err = db.PingContext(pingCtx)
	timedOut := pingCtx.Err() == context.DeadlineExceeded && ctx.Err() == nil
	cancel()
	if err != nil {
		db.Close()
		return nil, s.connectFailure(err, cfg, timedOut)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// connectFailure explains why the server could not be used, without the password.
func (s *Store) connectFailure(err error, cfg *pgx.ConnConfig, timedOut bool) error {
	detail := s.scrub(err.Error())
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case sqlstate.InvalidPassword:
			return sqlstate.New(pe.Code, "password authentication failed for state store %s", s.where).
				WithDetail("%s", s.scrub(pe.Message)).
				WithHint("check the user and password in --state (or PGPASSWORD, ~/.pgpass)")
		case sqlstate.InvalidAuthorization:
			return sqlstate.New(pe.Code, "state store %s refused the connection", s.where).
				WithDetail("%s", s.scrub(pe.Message)).
				WithHint("the server's pg_hba.conf must allow this user from this host")
		case "3D000":
			return sqlstate.New(pe.Code, "the database of state store %s does not exist", s.where).
				WithDetail("%s", s.scrub(pe.Message)).
				WithHint("create it (createdb %s), or name another database in --state", cfg.Database)
		}
		return sqlstate.New(pe.Code, "could not connect to state store %s", s.where).WithDetail("%s", detail)
	}
	if errors.Is(err, context.Canceled) {
		return sqlstate.New(sqlstate.QueryCanceled, "connecting to state store %s was cancelled", s.where)
	}
	e := sqlstate.New(sqlstate.SQLClientUnableToEstablishSQLConnection, "could not connect to state store %s", s.where)
	if timedOut {
		e = sqlstate.New(sqlstate.SQLClientUnableToEstablishSQLConnection,
			"state store %s did not answer within %s", s.where, cfg.ConnectTimeout)
	}
	return e.WithDetail("%s", detail).
		WithHint("check that PostgreSQL runs at %s port %d and accepts connections, or use --data-dir for a local store", cfg.Host, cfg.Port)
}

// redactURL is a postgres:// URL fit to print: any password, in the user part or a password=
// parameter, replaced by xxxxx.
func redactURL(spec string) string {
	u, err := url.Parse(spec)
	if err != nil {
		// Not a URL Go can parse (pgx may still): keep the scheme, drop everything that could
		// hold a password.
		scheme, rest, _ := strings.Cut(spec, "://")
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			rest = "xxxxx" + rest[at:]
		}
		if q := strings.Index(rest, "?"); q >= 0 {
			rest = rest[:q]
		}
		return scheme + "://" + rest
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// urlSecrets are the passwords written in spec, decoded and as written, so that no error text
// shows either.
func urlSecrets(spec string) []string {
	var out []string
	if _, rest, ok := strings.Cut(spec, "://"); ok {
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, pw, ok := strings.Cut(rest[:at], ":"); ok {
				out = append(out, pw)
			}
		}
	}
	if u, err := url.Parse(spec); err == nil {
		if u.User != nil {
			if pw, ok := u.User.Password(); ok {
				out = append(out, pw)
			}
		}
		if pw := u.Query().Get("password"); pw != "" {
			out = append(out, pw, url.QueryEscape(pw))
		}
	}
	return out
}
