package server

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stripesql/stripesql/internal/emulator"
)

// TestCancelFromAnotherSession checks pg_stat_activity and pg_cancel_backend with the real
// engine: one session runs a slow query (the emulator answers after 3 s), a second sees it
// active in pg_stat_activity and cancels it, and the first gets 57014 well within a second.
// Another user may not cancel it (42501), and pg_terminate_backend ends a session.
func TestCancelFromAnotherSession(t *testing.T) {
	users := []User{{Name: "alice", Password: "a"}, {Name: "bob", Password: "b"}}
	addr := startRealConfig(t, emulator.Config{Seed: 7, Scale: emulator.ScaleN(5), Latency: 3 * time.Second}, Config{Users: users})
	ctx := context.Background()
	connect := func(user, pass string) *pgx.Conn {
		c, err := pgx.Connect(ctx, "postgres://"+user+":"+pass+"@"+addr+"/stripe?sslmode=disable&application_name=qa_"+user)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close(ctx) })
		return c
	}
	slow, other, bob := connect("alice", "a"), connect("alice", "a"), connect("bob", "b")
	slowPID := int32(slow.PgConn().PID())

	done := make(chan error, 1)
	var cancelledAt time.Time
	go func() {
		_, err := slow.Exec(ctx, "SELECT id FROM customers")
		done <- err
	}()
	// wait until the slow query shows as active
	state := ""
	for deadline := time.Now().Add(2 * time.Second); state != "active" && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		_ = other.QueryRow(ctx, "SELECT state FROM pg_stat_activity WHERE pid = $1", slowPID).Scan(&state)
	}
	var rows []string
	r, err := other.Query(ctx, "SELECT usename, application_name, state, query FROM pg_stat_activity WHERE usename = 'alice' ORDER BY pid")
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var u, app, st, q string
		if err := r.Scan(&u, &app, &st, &q); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, u+"|"+app+"|"+st+"|"+q)
	}
	want := []string{"alice|qa_alice|active|SELECT id FROM customers",
		"alice|qa_alice|active|SELECT usename, application_name, state, query FROM pg_stat_activity WHERE usename = 'alice' ORDER BY pid"}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("pg_stat_activity (-want +got):\n%s", diff)
	}

	if code := sqlCode(bob.QueryRow(ctx, "SELECT pg_cancel_backend($1)", slowPID).Scan(new(bool))); code != "42501" {
		t.Errorf("another user's pg_cancel_backend: %s, want 42501", code)
	}
	var ok bool
	if err := other.QueryRow(ctx, "SELECT pg_cancel_backend($1)", slowPID).Scan(&ok); err != nil || !ok {
		t.Fatalf("pg_cancel_backend = %v, %v", ok, err)
	}
	cancelledAt = time.Now()
	select {
	case err := <-done:
		if code := sqlCode(err); code != "57014" {
			t.Errorf("cancelled query: %v, want 57014", err)
		}
		if d := time.Since(cancelledAt); d > time.Second {
			t.Errorf("the cancel took %v, want under 1 s", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled query did not end")
	}
	if err := other.QueryRow(ctx, "SELECT pg_cancel_backend(999999)").Scan(&ok); err != nil || ok {
		t.Errorf("pg_cancel_backend of no session = %v, %v; want false", ok, err)
	}
	if err := other.QueryRow(ctx, "SELECT pg_terminate_backend($1)", slowPID).Scan(&ok); err != nil || !ok {
		t.Fatalf("pg_terminate_backend = %v, %v", ok, err)
	}
	if err := slow.Ping(ctx); err == nil {
		t.Errorf("the terminated session still answers")
	}
}

func sqlCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	if err != nil {
		return err.Error()
	}
	return "ok"
}
