package server

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stripesql/stripesql/internal/emulator"
)

// TestReadOnlyTransactionOverWire checks, with the real engine over the emulator, that every way
// of making a transaction read-only refuses writes with 25006 (nothing reaches Stripe), that SHOW
// transaction_read_only follows the block, and that COMMIT/ROLLBACK restore the default.
func TestReadOnlyTransactionOverWire(t *testing.T) {
	addr := startRealConfig(t, emulator.Config{Seed: 7, Scale: emulator.ScaleN(5)}, Config{})
	const insert = "INSERT INTO customers (email) VALUES ('ro1@x.com')"
	tests := []struct {
		name  string
		steps []string
		want  []string
	}{
		{"begin read only",
			[]string{"BEGIN READ ONLY", "SHOW transaction_read_only", insert, "ROLLBACK", "SHOW transaction_read_only"},
			[]string{"BEGIN", "on", "25006", "ROLLBACK", "off"}},
		{"start transaction read only",
			[]string{"START TRANSACTION READ ONLY", insert, "COMMIT", "SHOW transaction_read_only"},
			[]string{"START TRANSACTION", "25006", "ROLLBACK", "off"}},
		{"set transaction read only",
			[]string{"BEGIN", "SET TRANSACTION READ ONLY", "SHOW transaction_read_only", insert, "COMMIT", "SHOW transaction_read_only"},
			[]string{"BEGIN", "SET", "on", "25006", "ROLLBACK", "off"}},
		{"session characteristics",
			[]string{"SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", "SHOW default_transaction_read_only", insert,
				"BEGIN READ WRITE", "SHOW transaction_read_only", "COMMIT", "SHOW transaction_read_only"},
			[]string{"SET", "on", "25006", "BEGIN", "off", "COMMIT", "on"}},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := pgx.Connect(ctx, "postgres://alice@"+addr+"/stripe?sslmode=disable")
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			var got []string
			for _, sql := range tt.steps {
				got = append(got, simpleStep(ctx, conn, sql))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	t.Run("pgx BeginTx read only", func(t *testing.T) {
		conn, err := pgx.Connect(ctx, "postgres://alice@"+addr+"/stripe?sslmode=disable")
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
		if err != nil {
			t.Fatal(err)
		}
		got := []string{simpleStep(ctx, conn, insert)}
		_ = tx.Rollback(ctx)
		got = append(got, simpleStep(ctx, conn, "SHOW transaction_read_only"))
		if diff := cmp.Diff([]string{"25006", "off"}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

// simpleStep runs sql with the simple protocol and returns its SQLSTATE, its one value (SHOW) or
// its command tag.
func simpleStep(ctx context.Context, conn *pgx.Conn, sql string) string {
	rr := conn.PgConn().Exec(ctx, sql)
	res, err := rr.ReadAll()
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	if err != nil {
		return err.Error()
	}
	r := res[len(res)-1]
	if len(r.Rows) == 1 && len(r.Rows[0]) == 1 {
		return string(r.Rows[0][0])
	}
	return r.CommandTag.String()
}

// TestStartupOptionsRefused checks that an unknown or invalid setting in the startup packet (as
// PGOPTIONS sends it) ends the connection with FATAL, as PostgreSQL does, instead of running with
// the default budget.
func TestStartupOptionsRefused(t *testing.T) {
	addr := startRealConfig(t, emulator.Config{Seed: 7, Scale: emulator.ScaleN(5)}, Config{})
	tests := []struct {
		params map[string]string
		want   string // the last messages of the startup exchange
	}{
		{map[string]string{"options": "-c stripesql.max_requests=0"}, `ErrorResponse FATAL 22023 0 is outside the valid range for parameter "stripesql.max_requests" (1 .. 1073741824)`},
		{map[string]string{"options": "-c stripesql.max_requests=abc"}, `ErrorResponse FATAL 22023 invalid value for parameter "stripesql.max_requests": "abc"`},
		{map[string]string{"options": "-c no_such_setting=1"}, `ErrorResponse FATAL 42704 unrecognized configuration parameter "no_such_setting"`},
		{map[string]string{"TimeZone": "Mars/Base"}, `ErrorResponse FATAL 22023 invalid value for parameter "TimeZone": "Mars/Base"`},
		{map[string]string{"options": "-c stripesql.max_requests=5"}, "ReadyForQuery I"},
	}
	for _, tt := range tests {
		t.Run(tt.params["options"]+tt.params["TimeZone"], func(t *testing.T) {
			c := dial(t, addr)
			msgs := c.startup(tt.params)
			got := msgs[len(msgs)-1]
			if got == "EOF" && len(msgs) > 1 {
				got = msgs[len(msgs)-2]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s\nall: %q", diff, msgs)
			}
			if got == "ReadyForQuery I" {
				if diff := cmp.Diff([]string{"RowDescription stripesql.max_requests:25/0", "DataRow 5", "CommandComplete SHOW", "ReadyForQuery I"}, c.query("SHOW stripesql.max_requests")); diff != "" {
					t.Errorf("SHOW (-want +got):\n%s", diff)
				}
			}
		})
	}
}
