package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/stripesql/stripesql/internal/emulator"
)

// Cursors through the clients that use them: psql's FETCH_COUNT, psycopg2's named cursors,
// SQLAlchemy's stream_results under pandas' chunksize, pgx and node-postgres with DECLARE and
// FETCH, and JDBC's fetch size (portal suspension rather than a cursor). Each checks in the
// emulator's request log that Stripe pages are read as the client fetches, not up front.

// cursorCharges is the size of the emulated charges table: ten pages of 100.
const cursorCharges = 1000

func startCursorServer(t *testing.T, ecfg emulator.Config) (string, *emulator.Emulator) {
	t.Helper()
	if ecfg.Scale == 0 {
		ecfg.Scale = emulator.ScaleN(cursorCharges)
	}
	ecfg.Seed = 11
	return startRealEmulator(t, ecfg, Config{}) // audit_test.go
}

// chargePages counts the list requests for charges in the emulator's log.
func chargePages(emu *emulator.Emulator) int {
	n := 0
	for _, r := range emu.Requests() {
		if r.Method == "GET" && r.Path == "/v1/charges" {
			n++
		}
	}
	return n
}

// waitPages waits until the emulator has answered at least n charges pages, then a little longer,
// and returns how many it answered: a client that blocks must not make the server read on.
func waitPages(t *testing.T, emu *emulator.Emulator, n int) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for chargePages(emu) < n {
		if time.Now().After(deadline) {
			t.Fatalf("the client never made the server read %d charges pages (%d read)", n, chargePages(emu))
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	return chargePages(emu)
}

// TestPsqlFetchCount runs psql with FETCH_COUNT 50 over 1000 wide charges. psql declares a NO
// SCROLL cursor and prints each batch of 50 before it fetches the next: while nothing reads its
// output, it blocks on the first batch and the server has read one page; killing it then (a
// consumer that stops early) costs no more; reading everything costs the ten pages, once each.
func TestPsqlFetchCount(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("psql is not installed (apt-get install postgresql-client-15)")
	}
	const query = "\\set FETCH_COUNT 50\nSELECT id, repeat('x', 2000) AS pad FROM charges;\n"
	t.Run("stops early", func(t *testing.T) {
		addr, emu := startCursorServer(t, emulator.Config{})
		cmd := psqlCommand(addr)
		cmd.Stdin = strings.NewReader(query)
		out, err := cmd.StdoutPipe() // never read: a batch of 50 rows of 2 kB fills the pipe
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if got := waitPages(t, emu, 1); got != 1 {
			t.Errorf("psql blocked on its first batch, yet the server read %d pages; want 1", got)
		}
		_ = cmd.Process.Kill()
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
		time.Sleep(300 * time.Millisecond)
		if got := chargePages(emu); got != 1 {
			t.Errorf("after psql went away the server read %d pages; want 1", got)
		}
	})
	t.Run("reads all", func(t *testing.T) {
		addr, emu := startCursorServer(t, emulator.Config{})
		cmd := psqlCommand(addr, "-A", "-t")
		cmd.Stdin = strings.NewReader(query + "\\unset FETCH_COUNT\nSELECT count(*) FROM pg_cursors;\n")
		got, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("psql: %v\n%s", err, got)
		}
		lines := strings.Split(strings.TrimSpace(string(got)), "\n")
		ids := map[string]bool{}
		for _, l := range lines[:len(lines)-1] {
			id, _, _ := strings.Cut(l, "|")
			ids[id] = true
		}
		if len(ids) != cursorCharges || lines[len(lines)-1] != "0" {
			t.Errorf("psql printed %d distinct charges and %q open cursors; want %d and 0", len(ids), lines[len(lines)-1], cursorCharges)
		}
		if got := chargePages(emu); got != cursorCharges/100 {
			t.Errorf("the server read %d charges pages; want %d", got, cursorCharges/100)
		}
	})
}

const psycopgCursorScript = `
import sys, psycopg2
conn = psycopg2.connect(host=sys.argv[1], port=int(sys.argv[2]), user="alice", dbname="stripe", sslmode="disable")
cur = conn.cursor(name="big")
cur.itersize = 50
cur.execute("SELECT id, amount FROM charges")
n = 0
for row in cur:
    n += 1
    if n == 120:
        break
print("read", n, row[0].startswith("ch_"))
sys.stdout.flush()
sys.stdin.readline()
n += len(cur.fetchall()) # fetchall starts after the 150 rows iteration fetched, as on PostgreSQL
print("total", n)
conn.commit()
plain = conn.cursor()
plain.execute("SELECT count(*) FROM pg_cursors")
print("open", plain.fetchone()[0])
try:
    cur2 = conn.cursor(name="back")
    cur2.execute("SELECT id FROM charges")
    cur2.fetchmany(3)
    cur2.scroll(-1)
except psycopg2.Error as e:
    print("error", e.pgcode)
conn.close()
`

// TestPsycopg2NamedCursor reads a named (server-side) cursor with itersize 50: psycopg2 declares
// it WITHOUT HOLD in a transaction and fetches FORWARD 50 at a time, so reading 120 rows costs two
// pages; scrolling it back is refused, as the cursor is NO SCROLL.
func TestPsycopg2NamedCursor(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import psycopg2").Run(); err != nil {
		t.Skip("psycopg2 is not installed (apt-get install python3-psycopg2)")
	}
	addr, emu := startCursorServer(t, emulator.Config{})
	host, port, _ := strings.Cut(addr, ":")
	lines, finish := startInteractive(t, exec.Command(python, "-c", psycopgCursorScript, host, port))
	if got := <-lines; got != "read 120 True" {
		t.Fatalf("first line %q, want %q", got, "read 120 True")
	}
	if got := waitPages(t, emu, 1); got != 2 {
		t.Errorf("120 rows in batches of 50 read %d pages; want 2", got)
	}
	rest := finish()
	if want := fmt.Sprintf("total %d\nopen 0\nerror 55000\n", cursorCharges-30); rest != want {
		t.Errorf("psycopg2 output:\n%s\nwant:\n%s", rest, want)
	}
	if got := chargePages(emu); got != cursorCharges/100+1 {
		t.Errorf("the server read %d charges pages; want %d (ten, and one for the second cursor)", got, cursorCharges/100+1)
	}
}

// startInteractive starts cmd, hands its stdout line by line on lines, and returns finish, which
// writes a line to its stdin and returns the rest of its output once it exits.
func startInteractive(t *testing.T, cmd *exec.Cmd) (lines <-chan string, finish func() string) {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	ch := make(chan string)
	var rest strings.Builder
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		first := true
		for sc.Scan() {
			if first {
				first = false
				ch <- sc.Text()
				continue
			}
			rest.WriteString(sc.Text() + "\n")
		}
		if first {
			close(ch)
		}
	}()
	lines = ch
	finish = func() string {
		_, _ = io.WriteString(stdin, "go\n")
		_ = stdin.Close()
		<-done
		if err := cmd.Wait(); err != nil {
			t.Errorf("%s: %v\n%s", cmd.Path, err, stderr.String())
		}
		return rest.String()
	}
	go func() {
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
		}
	}()
	return lines, finish
}

const sqlalchemyCursorScript = `
import sys
import pandas as pd
from sqlalchemy import create_engine, text
engine = create_engine("postgresql+psycopg2://alice@%s/stripe?sslmode=disable" % sys.argv[1])
with engine.connect() as conn:
    conn = conn.execution_options(stream_results=True)
    chunks, rows = 0, 0
    for chunk in pd.read_sql(text("SELECT id, amount FROM charges"), conn, chunksize=100):
        chunks += 1
        rows += len(chunk)
        if chunks == 2:
            break
    print("chunks", chunks, rows, list(chunk.columns))
    sys.stdout.flush()
    sys.stdin.readline()
with engine.connect() as conn:
    total = sum(len(c) for c in pd.read_sql(text("SELECT id FROM charges"), conn.execution_options(stream_results=True), chunksize=300))
    print("total", total)
`

// TestSQLAlchemyStreamResults reads charges with pandas.read_sql(chunksize=100) over SQLAlchemy's
// stream_results, which declares a psycopg2 named cursor: two chunks cost two pages, and all of
// them the ten.
func TestSQLAlchemyStreamResults(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import sqlalchemy, pandas, psycopg2").Run(); err != nil {
		t.Skip("SQLAlchemy and pandas are not installed (apt-get install python3-sqlalchemy python3-pandas python3-psycopg2)")
	}
	if testing.Short() {
		t.Skip("importing pandas takes seconds")
	}
	addr, emu := startCursorServer(t, emulator.Config{})
	lines, finish := startInteractive(t, exec.Command(python, "-c", sqlalchemyCursorScript, addr))
	if got, want := <-lines, "chunks 2 200 ['id', 'amount']"; got != want {
		t.Fatalf("first line %q, want %q", got, want)
	}
	if got := waitPages(t, emu, 1); got != 2 {
		t.Errorf("two chunks of 100 read %d pages; want 2", got)
	}
	if got, want := finish(), fmt.Sprintf("total %d\n", cursorCharges); got != want {
		t.Errorf("output %q, want %q", got, want)
	}
	if got := chargePages(emu); got != 2+cursorCharges/100 {
		t.Errorf("the server read %d charges pages; want %d", got, 2+cursorCharges/100)
	}
}

// TestPgxCursor declares a cursor in a pgx transaction and fetches it in batches, with the
// extended protocol (FETCH is prepared and described: its columns are the cursor's) and the
// simple one; a BINARY cursor's FETCH over the simple protocol arrives in binary, and pgx decodes
// it.
func TestPgxCursor(t *testing.T) {
	addr, emu := startCursorServer(t, emulator.Config{})
	ctx := context.Background()
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol} {
		t.Run(mode.String(), func(t *testing.T) {
			emu.ResetRequests()
			conn := connectPgxMode(t, addr, mode)
			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			if _, err := tx.Exec(ctx, "DECLARE c CURSOR FOR SELECT id, amount FROM charges"); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for batch := 0; ; batch++ {
				rows, err := tx.Query(ctx, "FETCH 150 FROM c")
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for rows.Next() {
					var id string
					var amount int64
					if err := rows.Scan(&id, &amount); err != nil {
						t.Fatal(err)
					}
					ids = append(ids, id)
					n++
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				if batch == 0 {
					if got := chargePages(emu); got != 2 {
						t.Errorf("FETCH 150 read %d pages; want 2", got)
					}
				}
				if n == 0 {
					break
				}
			}
			if len(ids) != cursorCharges {
				t.Errorf("fetched %d charges; want %d", len(ids), cursorCharges)
			}
			if _, err := tx.Exec(ctx, "DECLARE b BINARY CURSOR FOR SELECT g, g * 1.5 AS h FROM generate_series(1, 3) g"); err != nil {
				t.Fatal(err)
			}
			rows, err := tx.Query(ctx, "FETCH ALL FROM b", pgx.QueryExecModeSimpleProtocol)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				var g int32
				var h float64
				if err := rows.Scan(&g, &h); err != nil {
					t.Fatal(err)
				}
				got = append(got, fmt.Sprintf("%d/%d %v", g, rows.FieldDescriptions()[0].Format, h))
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff([]string{"1/1 1.5", "2/1 3", "3/1 4.5"}, got); d != "" {
				t.Errorf("binary cursor (-want +got):\n%s", d)
			}
		})
	}
}

// TestCursorCancel cancels a FETCH that waits on slow Stripe pages (CancelRequest): it fails with
// 57014, the transaction is failed, and the cursor ends with it.
func TestCursorCancel(t *testing.T) {
	addr, _ := startCursorServer(t, emulator.Config{Latency: 300 * time.Millisecond})
	ctx := context.Background()
	conn := connectPgx(t, pgxURL(addr, ""))
	pc := conn.PgConn()
	if err := pc.Exec(ctx, "BEGIN; DECLARE c NO SCROLL CURSOR WITH HOLD FOR SELECT id FROM charges").Close(); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(500*time.Millisecond, func() { _ = pc.CancelRequest(context.Background()) })
	_, err := pc.Exec(ctx, "FETCH 1000 FROM c").ReadAll()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "57014" {
		t.Fatalf("cancelled FETCH: %v, want 57014", err)
	}
	steps := []struct{ sql, want string }{
		{"FETCH c", "25P02"},
		{"ROLLBACK", ""},
		{"FETCH c", "34000"},
	}
	for _, s := range steps {
		_, err := pc.Exec(ctx, s.sql).ReadAll()
		got := ""
		if errors.As(err, &pe) {
			got = pe.Code
		} else if err != nil {
			got = err.Error()
		}
		if got != s.want {
			t.Errorf("%s: %q, want %q", s.sql, got, s.want)
		}
	}
}

// TestHeldPortalAcrossSync executes a portal with a row limit inside a transaction block and
// reads it on over several Execute + Sync rounds, as JDBC does with a fetch size: the statement
// runs under the portal's context, so a correlated subquery evaluated in a later round still
// runs, and the portal streams to its end.
func TestHeldPortalAcrossSync(t *testing.T) {
	addr, _ := startCursorServer(t, emulator.Config{})
	c := dial(t, addr)
	c.startup(nil)
	c.send(&pgproto3.Query{String: "BEGIN"})
	c.untilReady()
	const q = "SELECT c.id IS NOT NULL, (SELECT count(*) >= 0 FROM charges ch WHERE ch.customer = c.id) FROM customers c"
	c.send(&pgproto3.Parse{Query: q}, &pgproto3.Bind{DestinationPortal: "p"}, &pgproto3.Execute{Portal: "p", MaxRows: 2}, &pgproto3.Sync{})
	want := []string{"ParseComplete", "BindComplete", "DataRow t|t", "DataRow t|t", "PortalSuspended", "ReadyForQuery T"}
	if d := cmp.Diff(want, c.untilReady()); d != "" {
		t.Fatalf("first Execute (-want +got):\n%s", d)
	}
	for round := 0; round < 3; round++ {
		c.send(&pgproto3.Execute{Portal: "p", MaxRows: 2}, &pgproto3.Sync{})
		want := []string{"DataRow t|t", "DataRow t|t", "PortalSuspended", "ReadyForQuery T"}
		if d := cmp.Diff(want, c.untilReady()); d != "" {
			t.Fatalf("Execute after Sync, round %d (-want +got):\n%s", round, d)
		}
	}
	c.send(&pgproto3.Execute{Portal: "p"}, &pgproto3.Sync{})
	got := c.untilReady()
	if last := got[len(got)-2]; !strings.HasPrefix(last, "CommandComplete SELECT ") {
		t.Errorf("the portal did not run to its end: %v", got)
	}
}

const jdbcFetchProgram = `
import java.sql.*;
import java.io.*;

public class Fetch {
    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://" + args[0] + "/stripe?user=alice&sslmode=disable";
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.setFetchSize(50);
                try (ResultSet rs = s.executeQuery("SELECT id, amount FROM charges")) {
                    int n = 0;
                    while (n < 120 && rs.next()) n++;
                    System.out.println("read " + n + " " + rs.getString(1).startsWith("ch_"));
                    System.out.flush();
                    new BufferedReader(new InputStreamReader(System.in)).readLine();
                    while (rs.next()) n++;
                    System.out.println("total " + n);
                }
            }
            c.commit();
        }
    }
}
`

// TestJDBCFetchSize reads charges with setFetchSize(50) and autocommit off: pgJDBC executes a
// named portal 50 rows at a time, each Execute followed by a Sync, so the portal is suspended
// across Syncs in the transaction block; reading 120 rows costs two pages, and the rest streams.
func TestJDBCFetchSize(t *testing.T) {
	cp := compileJava(t, "Fetch", jdbcFetchProgram) // other_clients_test.go
	addr, emu := startCursorServer(t, emulator.Config{})
	lines, finish := startInteractive(t, exec.Command("java", "-cp", cp, "Fetch", addr))
	if got := <-lines; got != "read 120 true" {
		t.Fatalf("first line %q, want %q", got, "read 120 true")
	}
	if got := waitPages(t, emu, 1); got != 2 {
		t.Errorf("120 rows in Executes of 50 read %d pages; want 2", got)
	}
	if got, want := finish(), fmt.Sprintf("total %d\n", cursorCharges); got != want {
		t.Errorf("output %q, want %q", got, want)
	}
	if got := chargePages(emu); got != cursorCharges/100 {
		t.Errorf("the server read %d charges pages; want %d", got, cursorCharges/100)
	}
}

const nodeCursorScript = `
const { Client } = require('pg');
(async () => {
  const [host, port] = process.argv[1].split(':');
  const c = new Client({ host, port: Number(port), user: 'alice', database: 'stripe' });
  await c.connect();
  await c.query('BEGIN');
  await c.query('DECLARE c NO SCROLL CURSOR FOR SELECT id, amount FROM charges');
  let n = 0, r;
  do {
    r = await c.query('FETCH 250 FROM c');
    n += r.rows.length;
  } while (r.rows.length > 0);
  console.log('fetched', n, r.command);
  const p = await c.query({ text: 'FETCH 1 FROM c' });
  console.log('after end', p.rowCount);
  try { await c.query('FETCH BACKWARD 1 FROM c'); } catch (e) { console.log('error', e.code); }
  await c.query('ROLLBACK');
  await c.end();
})().catch(e => { console.error(e); process.exit(1); });
`

// TestNodePostgresCursor fetches a cursor with node-postgres's plain queries (pg-cursor is not
// needed: DECLARE and FETCH are SQL).
func TestNodePostgresCursor(t *testing.T) {
	requireNodePostgres(t) // other_clients_test.go
	addr, emu := startCursorServer(t, emulator.Config{})
	out, err := exec.Command("node", "-e", nodeCursorScript, addr).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	if want := fmt.Sprintf("fetched %d FETCH\nafter end 0\nerror 55000\n", cursorCharges); string(out) != want {
		t.Errorf("node-postgres output:\n%s\nwant:\n%s", out, want)
	}
	if got := chargePages(emu); got != cursorCharges/100 {
		t.Errorf("the server read %d charges pages; want %d", got, cursorCharges/100)
	}
}
