package state

import (
	"context"
	"database/sql"
	"strings"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// migration is one step of the schema. Steps apply in order, each once, recorded in the table
// schema_version; a released step is never edited, only followed by a new one.
type migration struct {
	version    int
	statements []string
}

// migrations is the schema, oldest first. The statements run on both backends after rendering,
// with {id} standing for an auto-numbered primary key (the one type the two spell differently).
// Times are unix microseconds; created values are Stripe's unix seconds.
var migrations = []migration{{
	version: 1,
	statements: []string{
		`CREATE TABLE table_stats (
			account        TEXT    NOT NULL,
			table_name     TEXT    NOT NULL,
			row_count      BIGINT  NOT NULL,
			oldest_created BIGINT  NOT NULL,
			newest_created BIGINT  NOT NULL,
			complete       BOOLEAN NOT NULL,
			how            TEXT    NOT NULL,
			learned_at     BIGINT  NOT NULL,
			PRIMARY KEY (account, table_name)
		)`,
		`CREATE TABLE accounts (
			account    TEXT    NOT NULL PRIMARY KEY,
			id         TEXT    NOT NULL,
			created    BIGINT  NOT NULL,
			livemode   BOOLEAN NOT NULL,
			fetched_at BIGINT  NOT NULL
		)`,
		`CREATE TABLE flows (
			name       TEXT    NOT NULL PRIMARY KEY,
			spec       TEXT    NOT NULL,
			target     TEXT    NOT NULL,
			start_time BIGINT  NOT NULL,
			frequency  TEXT    NOT NULL,
			every      BIGINT  NOT NULL,
			enabled    BOOLEAN NOT NULL,
			created_at BIGINT  NOT NULL,
			updated_at BIGINT  NOT NULL
		)`,
		`CREATE TABLE flow_runs (
			id            {id},
			flow          TEXT   NOT NULL REFERENCES flows (name) ON DELETE CASCADE,
			started_at    BIGINT NOT NULL,
			ended_at      BIGINT,
			status        TEXT   NOT NULL,
			node          TEXT   NOT NULL,
			lease_expires BIGINT,
			tables        TEXT   NOT NULL,
			error_text    TEXT   NOT NULL
		)`,
		// At most one running run per flow: the lease. Two nodes inserting at once meet here,
		// and exactly one insert succeeds.
		`CREATE UNIQUE INDEX flow_runs_running ON flow_runs (flow) WHERE status = 'running'`,
		`CREATE INDEX flow_runs_by_flow ON flow_runs (flow, started_at)`,
	},
}}

// SchemaVersion is the schema version this binary writes: a store at a higher version was
// written by a newer stripesql and is refused.
var SchemaVersion = migrations[len(migrations)-1].version

// migrationLock is the pg_advisory_xact_lock key that serialises migrations of the store's schema
// across nodes (the bytes of "stripesql" folded into an int64).
const migrationLock int64 = 0x7374726970657371

// migrate brings the schema to SchemaVersion in one transaction: under an advisory lock on
// PostgreSQL, under BEGIN IMMEDIATE's write lock on SQLite, so that nodes starting together
// migrate once.
func (s *Store) migrate(ctx context.Context) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if s.backend == PostgreSQL {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+schemaName); err != nil {
				return err
			}
		}
		foreign, err := s.foreignTables(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
			version    INTEGER NOT NULL PRIMARY KEY,
			applied_at BIGINT  NOT NULL
		)`); err != nil {
			return err
		}
		var have int
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_version").Scan(&have); err != nil {
			return err
		}
		if have == 0 && len(foreign) > 0 {
			return sqlstate.New(sqlstate.DataCorrupted, "%s is not a stripesql state store", s.where).
				WithDetail("it holds tables %s and no schema_version", strings.Join(foreign, ", ")).
				WithHint("%s", s.startOverHint())
		}
		if have > SchemaVersion {
			return sqlstate.New(sqlstate.ObjectNotInPrerequisiteState,
				"state store %s has schema version %d, newer than this stripesql's version %d", s.where, have, SchemaVersion).
				WithDetail("a newer stripesql wrote this store; this one cannot read it safely").
				WithHint("upgrade stripesql, or choose another --data-dir or --state")
		}
		for _, m := range migrations {
			if m.version <= have {
				continue
			}
			for _, stmt := range m.statements {
				if _, err := s.exec(ctx, tx, s.renderDDL(stmt)); err != nil {
					return err
				}
			}
			if _, err := s.exec(ctx, tx, "INSERT INTO schema_version (version, applied_at) VALUES ($1, {now})", m.version); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		return nil
	}
	if s.backend == SQLite {
		return s.openFailure(err)
	}
	return s.fail(err, "migrate the schema")
}

// renderDDL spells {id}, an auto-numbered 64-bit primary key, for the backend.
func (s *Store) renderDDL(stmt string) string {
	id := "INTEGER PRIMARY KEY AUTOINCREMENT"
	if s.backend == PostgreSQL {
		id = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
	}
	return strings.ReplaceAll(stmt, "{id}", id)
}

// foreignTables lists tables in the store's file or schema that stripesql did not make, when
// there is no schema_version: a sign that spec points at someone else's database.
func (s *Store) foreignTables(ctx context.Context, tx *sql.Tx) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if s.backend == PostgreSQL {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = '` + schemaName + `' ORDER BY table_name`
	}
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		if n != "schema_version" {
			names = append(names, n)
		}
	}
	return names, rows.Err()
}
