package driver_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/driver"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/sqlstate"
)

// fetchIDs runs a FETCH on tx and returns the first column of its rows.
func fetchIDs(t *testing.T, tx *sql.Tx, q string) []string {
	t.Helper()
	var ids []string
	for _, r := range queryStrings(t, tx, q) {
		ids = append(ids, r[0])
	}
	return ids
}

// TestCursors declares cursors through database/sql: in a transaction a cursor over charges reads
// Stripe a page at a time as FETCH asks (FETCH 10 then CLOSE costs one page), Commit closes it,
// WITH HOLD survives Commit, DECLARE outside a transaction is 25P01, and closing the connection
// closes its cursors.
func TestCursors(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 9, Scale: emulator.ScaleN(1000)})
	f.db.SetMaxOpenConns(1) // the connection after Commit is the transaction's
	ctx := context.Background()
	// Stripe's order, kept by the scan (no sort): without ORDER BY a partitioned scan hands rows
	// on as its windows arrive, so two reads need not agree on the order.
	all := queryStrings(t, f.db, "SELECT id, amount FROM charges ORDER BY created DESC")
	f.emu.ResetRequests()

	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "DECLARE c CURSOR FOR SELECT id, amount FROM charges"); err != nil {
		t.Fatal(err)
	}
	if got := fetchIDs(t, tx, "FETCH 10 FROM c"); len(got) != 10 || got[0] != all[0][0] {
		t.Errorf("FETCH 10: %v", got)
	}
	if _, err := tx.ExecContext(ctx, "CLOSE c"); err != nil {
		t.Fatal(err)
	}
	if got := f.apiRequests(); len(got) != 1 || !strings.HasPrefix(got[0], "GET /v1/charges?limit=100") {
		t.Errorf("FETCH 10 then CLOSE sent %v; want one page", got)
	}

	if _, err := tx.ExecContext(ctx, "DECLARE c SCROLL CURSOR FOR SELECT id, amount FROM charges ORDER BY created DESC"); err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		ids := fetchIDs(t, tx, "FETCH FORWARD 300 FROM c")
		if len(ids) == 0 {
			break
		}
		got = append(got, ids...)
	}
	var want []string
	for _, r := range all {
		want = append(want, r[0])
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("the cursor's rows differ from SELECT's (-select +cursor):\n%s", d)
	}
	if back := fetchIDs(t, tx, "FETCH BACKWARD 2 FROM c"); !cmp.Equal(back, []string{want[len(want)-1], want[len(want)-2]}) {
		t.Errorf("FETCH BACKWARD 2 at the end: %v", back)
	}
	// A DECLARE with arguments: its query is planned with them, and Stripe filters by them.
	if _, err := tx.ExecContext(ctx, "DECLARE one CURSOR FOR SELECT id, amount FROM charges WHERE id = $1", want[3]); err != nil {
		t.Fatal(err)
	}
	if got := fetchIDs(t, tx, "FETCH ALL FROM one"); !cmp.Equal(got, want[3:4]) {
		t.Errorf("FETCH ALL of a cursor over one id: %v, want %v", got, want[3:4])
	}
	if _, err := tx.ExecContext(ctx, "DECLARE h CURSOR WITH HOLD FOR SELECT id, amount FROM charges"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	conn, err := f.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "DECLARE c CURSOR FOR SELECT 1")
	if code := codeOf(err); code != sqlstate.NoActiveSQLTransaction {
		t.Errorf("DECLARE outside a transaction: %v, want 25P01", err)
	}
	// The held cursor is still open on the connection.
	var names string
	if err := conn.QueryRowContext(ctx, "SELECT coalesce(string_agg(name, ','), '') FROM pg_cursors").Scan(&names); err != nil {
		t.Fatal(err)
	}
	if names != "h" {
		t.Errorf("after Commit pg_cursors lists %q; want the held cursor h", names)
	}
	var id string
	var amount int64
	if err := conn.QueryRowContext(ctx, "FETCH h").Scan(&id, &amount); err != nil || id != want[0] {
		t.Errorf("FETCH h after Commit: %q, %v", id, err)
	}
	err = conn.Raw(func(dc any) error {
		c := dc.(*driver.Conn)
		s := c.Session()
		if err := c.Close(); err != nil {
			return err
		}
		if open := s.OpenCursors(); len(open) != 0 {
			t.Errorf("after Close the session has cursors %v", open)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCursorFetchCancelled cancels a FETCH's context while it waits on a slow page: the FETCH
// fails with 57014 and the cursor with it (55000 on the next FETCH), and Rollback ends it.
func TestCursorFetchCancelled(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 9, Scale: emulator.ScaleN(500), Latency: 300 * time.Millisecond})
	ctx := context.Background()
	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DECLARE c CURSOR FOR SELECT id, amount FROM charges"); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	rows, err := tx.QueryContext(cctx, "FETCH 500 FROM c") // the first pages arrive in time (300 ms each), the fifth would not
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
	}
	if err == nil {
		t.Fatal("a FETCH of five slow pages finished within its deadline")
	}
	if code := codeOf(err); code != sqlstate.QueryCanceled {
		t.Errorf("cancelled FETCH: %v, want 57014", err)
	}
	_, err = tx.QueryContext(ctx, "FETCH 1 FROM c")
	if code := codeOf(err); code != sqlstate.ObjectNotInPrerequisiteState {
		t.Errorf("FETCH after the cancelled one: %v, want 55000", err)
	}
}
