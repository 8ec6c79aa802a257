package state

import (
	"bytes"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stripesql/stripesql/internal/pgtest"
	"github.com/stripesql/stripesql/internal/sqlstate"
)

// errorText is everything a user may see of err: message, detail and hint.
func errorText(err error) string {
	e := sqlstate.Wrap(err)
	return strings.Join([]string{e.Error(), e.Detail, e.Hint}, "\n")
}

func TestOpenSQLiteCreatesPrivateFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "state")
	s, err := Open(ctx, dir)
	must(t, err)
	defer s.Close()
	if s.Backend() != SQLite || s.Location() != filepath.Join(dir, FileName) {
		t.Errorf("store is %s at %s; want sqlite at %s", s.Backend(), s.Location(), filepath.Join(dir, FileName))
	}
	must(t, s.SaveStats(ctx, TableStats{Account: "a", Table: "t", How: "complete scan"}))
	for path, want := range map[string]os.FileMode{
		dir:                                0o700 | os.ModeDir,
		filepath.Join(dir, FileName):       0o600,
		filepath.Join(dir, "state.db-wal"): 0o600,
	} {
		fi, err := os.Stat(path)
		must(t, err)
		if fi.Mode() != want {
			t.Errorf("%s has mode %v; want %v", path, fi.Mode(), want)
		}
	}
	var mode string
	must(t, s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
	if mode != "wal" {
		t.Errorf("journal_mode %q; want wal", mode)
	}
}

// TestOpenSQLiteCorrupt: a damaged or foreign file is an error at Open that names it and says how
// to start over, never an empty store and never a panic.
func TestOpenSQLiteCorrupt(t *testing.T) {
	garbage := bytes.Repeat([]byte("not a database, just garbage \x00\xff"), 512)
	cases := []struct {
		name    string
		damage  func(t *testing.T, path string)
		message string
	}{
		{"garbage file", func(t *testing.T, path string) {
			must(t, os.WriteFile(path, garbage, 0o600))
		}, "is corrupt"},
		{"damaged pages", func(t *testing.T, path string) {
			damagePages(t, path, 4096) // all but page 1 (header, schema)
		}, "is corrupt"},
		{"damaged last page", func(t *testing.T, path string) {
			damagePages(t, path, -4096) // a page of statistics Open itself never reads
		}, "is corrupt"},
		{"someone else's database", func(t *testing.T, path string) {
			db, err := sql.Open("sqlite", path)
			must(t, err)
			defer db.Close()
			_, err = db.Exec("CREATE TABLE invoices (id TEXT)")
			must(t, err)
		}, "is not a stripesql state store"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			c.damage(t, path)
			s, err := Open(ctx, dir)
			if err == nil {
				s.Close()
				t.Fatal("Open of a damaged store succeeded")
			}
			wantCode(t, "Open", err, sqlstate.DataCorrupted)
			e, _ := sqlstate.As(err)
			if !strings.Contains(e.Message, path) || !strings.Contains(e.Message, c.message) {
				t.Errorf("message %q; want it to name %s and say %q", e.Message, path, c.message)
			}
			if !strings.Contains(e.Hint, "move "+path+" away") {
				t.Errorf("hint %q does not say how to start over", e.Hint)
			}
		})
	}
}

// damagePages writes a store with many statistics rows, then overwrites its pages from offset on
// (from the end when offset < 0) with garbage.
func damagePages(t *testing.T, path string, offset int64) {
	t.Helper()
	s, err := Open(ctx, filepath.Dir(path))
	must(t, err)
	for i := 0; i < 200; i++ {
		must(t, s.SaveStats(ctx, TableStats{Account: "acct", Table: fmt.Sprintf("t%03d", i), Rows: int64(i), How: "x"}))
	}
	must(t, s.Close())
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	must(t, err)
	defer f.Close()
	fi, err := f.Stat()
	must(t, err)
	if fi.Size() < 3*4096 {
		t.Fatalf("store is only %d bytes; the test needs pages to damage", fi.Size())
	}
	if offset < 0 {
		offset += fi.Size()
	}
	junk := bytes.Repeat([]byte("garbage\x00\xff"), int(fi.Size()))
	_, err = f.WriteAt(junk[:fi.Size()-offset], offset)
	must(t, err)
}

func TestOpenSQLiteUnusablePath(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	must(t, os.WriteFile(file, []byte("x"), 0o600))
	dbIsDir := filepath.Join(tmp, "dbdir")
	must(t, os.MkdirAll(filepath.Join(dbIsDir, FileName), 0o700))
	cases := []struct {
		name, spec, code, says string
	}{
		{"directory under a file", filepath.Join(file, "state"), sqlstate.IOError, "could not create state directory " + filepath.Join(file, "state")},
		{"spec is a file", file, sqlstate.IOError, "state directory " + file + " is not a directory"},
		{"state.db is a directory", dbIsDir, sqlstate.IOError, "could not open state store " + filepath.Join(dbIsDir, FileName)},
		{"empty spec", "", sqlstate.InvalidParameterValue, "no state store given"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Open(ctx, c.spec)
			wantCode(t, "Open", err, c.code)
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %q does not say %q", err, c.says)
			}
		})
	}
}

// TestOpenSQLiteTwoProcesses: two processes write one data directory at once (WAL and the busy
// timeout make them queue, not fail), and both see everything.
func TestOpenSQLiteTwoProcesses(t *testing.T) {
	if dir := os.Getenv("STRIPESQL_STATE_HELPER_DIR"); dir != "" {
		t.Skip("helper process")
	}
	dir := t.TempDir()
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for p := 0; p < 2; p++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "STRIPESQL_STATE_HELPER_DIR="+dir, fmt.Sprintf("STRIPESQL_STATE_HELPER_ID=%d", p))
		out := new(bytes.Buffer)
		cmd.Stdout, cmd.Stderr = out, out
		must(t, cmd.Start())
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper %d: %v\n%s", i, err, outs[i])
		}
	}
	s, err := Open(ctx, dir)
	must(t, err)
	defer s.Close()
	for p := 0; p < 2; p++ {
		got, err := s.Stats(ctx, fmt.Sprintf("acct_%d", p))
		must(t, err)
		if len(got) != helperWrites {
			t.Errorf("process %d's writes: %d rows; want %d", p, len(got), helperWrites)
		}
	}
}

const helperWrites = 100

// TestSQLiteHelperProcess is one of TestOpenSQLiteTwoProcesses's processes; alone it does nothing.
func TestSQLiteHelperProcess(t *testing.T) {
	dir, id := os.Getenv("STRIPESQL_STATE_HELPER_DIR"), os.Getenv("STRIPESQL_STATE_HELPER_ID")
	if dir == "" {
		t.Skip("run by TestOpenSQLiteTwoProcesses")
	}
	s, err := Open(ctx, dir)
	must(t, err)
	defer s.Close()
	for i := 0; i < helperWrites; i++ {
		must(t, s.SaveStats(ctx, TableStats{Account: "acct_" + id, Table: fmt.Sprintf("t%03d", i), Rows: int64(i), How: "complete scan"}))
		if _, err := s.Stats(ctx, "acct_0"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenPostgresRefusedConnection(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now
	spec := fmt.Sprintf("postgres://stater:hunter2-secret@127.0.0.1:%d/state?sslmode=disable", port)
	start := time.Now()
	_, err = Open(ctx, spec)
	wantCode(t, "Open", err, sqlstate.SQLClientUnableToEstablishSQLConnection)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("a refused connection took %s to report", d)
	}
	text := errorText(err)
	if strings.Contains(text, "hunter2-secret") {
		t.Errorf("error shows the password:\n%s", text)
	}
	if !strings.Contains(text, fmt.Sprintf("postgres://stater:xxxxx@127.0.0.1:%d/state", port)) {
		t.Errorf("error does not name the redacted URL:\n%s", text)
	}
}

// TestOpenPostgresSilentServer: a server that accepts but never answers is an error after the
// default connect timeout, not a hang.
func TestOpenPostgresSilentServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }()
		}
	}()
	spec := fmt.Sprintf("postgres://stater:hunter2-secret@%s/state", l.Addr())
	start := time.Now()
	_, err = Open(ctx, spec)
	elapsed := time.Since(start)
	wantCode(t, "Open", err, sqlstate.SQLClientUnableToEstablishSQLConnection)
	if elapsed > 3*connectTimeout {
		t.Errorf("Open gave up after %s; want about %s", elapsed, connectTimeout)
	}
	if !strings.Contains(err.Error(), "did not answer within "+connectTimeout.String()) {
		t.Errorf("error %q does not say it timed out", err)
	}
	if text := errorText(err); strings.Contains(text, "hunter2-secret") {
		t.Errorf("error shows the password:\n%s", text)
	}
}

// TestOpenPostgresPassword: a wrong password is 28P01 without the password in the text; the right
// one opens the store as an ordinary (not super) user, in its own schema.
func TestOpenPostgresPassword(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Psql(t, `CREATE ROLE stater LOGIN PASSWORD 'right-Pw-7Qx'; GRANT CREATE ON DATABASE postgres TO stater;`)
	hba := strings.TrimSpace(pg.Psql(t, "SHOW hba_file"))
	old, err := os.ReadFile(hba)
	must(t, err)
	must(t, os.WriteFile(hba, append([]byte("host all stater 127.0.0.1/32 scram-sha-256\n"), old...), 0o600))
	pg.Psql(t, "SELECT pg_reload_conf()")

	url := func(pw string) string {
		return fmt.Sprintf("postgres://stater:%s@127.0.0.1:%d/postgres?sslmode=disable", pw, pg.Port)
	}
	_, err = Open(ctx, url("wrong-Pw-9Zk"))
	wantCode(t, "Open with a wrong password", err, sqlstate.InvalidPassword)
	text := errorText(err)
	if strings.Contains(text, "wrong-Pw-9Zk") {
		t.Errorf("error shows the password:\n%s", text)
	}
	if !strings.Contains(text, "password authentication failed for state store postgres://stater:xxxxx@127.0.0.1") {
		t.Errorf("error does not say what failed where:\n%s", text)
	}
	// The password as a parameter, too.
	_, err = Open(ctx, fmt.Sprintf("postgres://stater@127.0.0.1:%d/postgres?sslmode=disable&password=wrong-Pw-9Zk", pg.Port))
	wantCode(t, "Open with a wrong password parameter", err, sqlstate.InvalidPassword)
	if text := errorText(err); strings.Contains(text, "wrong-Pw-9Zk") {
		t.Errorf("error shows the password parameter:\n%s", text)
	}

	s, err := Open(ctx, url("right-Pw-7Qx"))
	must(t, err)
	defer s.Close()
	if s.Backend() != PostgreSQL {
		t.Errorf("backend %s; want postgresql", s.Backend())
	}
	must(t, s.SaveStats(ctx, TableStats{Account: "a", Table: "charges", Rows: 1, How: "complete scan"}))
	tables := strings.Fields(pg.Psql(t, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'stripesql_state' ORDER BY table_name`))
	want := []string{"accounts", "flow_runs", "flows", "schema_version", "table_stats"}
	if diff := cmp.Diff(want, tables); diff != "" {
		t.Errorf("tables in schema stripesql_state -want +got:\n%s", diff)
	}
	if n := strings.TrimSpace(pg.Psql(t, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`)); n != "0" {
		t.Errorf("%s tables in schema public; the store must keep to its own schema", n)
	}
}

func TestOpenPostgresUnknownDatabase(t *testing.T) {
	pg := pgtest.Start(t)
	_, err := Open(ctx, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/nosuchdb?sslmode=disable", pg.Port))
	wantCode(t, "Open", err, "3D000")
	if !strings.Contains(errorText(err), "createdb nosuchdb") {
		t.Errorf("error does not say how to create the database:\n%s", errorText(err))
	}
}

func TestRedactURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"postgres://u:secret@h:5432/db", "postgres://u:xxxxx@h:5432/db"},
		{"postgresql://u@h/db?sslmode=disable", "postgresql://u@h/db?sslmode=disable"},
		{"postgres://h/db?password=secret&sslmode=disable", "postgres://h/db?password=xxxxx&sslmode=disable"},
		{"postgres://u:p%40ss@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u:sec ret@h:99999999999/db?password=x", "postgres://xxxxx@h:99999999999/db"},
	}
	for _, c := range cases {
		if got := redactURL(c.in); got != c.want {
			t.Errorf("redactURL(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}
