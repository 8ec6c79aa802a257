package expr

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"
	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

var update = flag.Bool("update", false, "rewrite testdata/corpus.golden from a real PostgreSQL")

// readCorpus returns the expressions of testdata/corpus.sql.
func readCorpus(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "--") {
			continue
		}
		out = append(out, l)
	}
	return out
}

// outcome renders a result the same way for PostgreSQL and expr: the text value quoted, NULL, or
// the SQLSTATE of the error.
func valueOutcome(v []byte, null bool) string {
	if null {
		return "NULL"
	}
	return strconv.Quote(string(v))
}

func errOutcome(code, msg string) string { return "ERROR " + code + " " + msg }

// exprOutcome evaluates one corpus expression through the test binder and Fold.
func exprOutcome(src string, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	b := &testBinder{}
	e, err := b.bindSQL(src)
	if err == nil {
		var v any
		v, err = Fold(e, &Env{Now: time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC), Session: &testSession{loc: loc}})
		if err == nil {
			if v == nil {
				return "NULL"
			}
			return valueOutcome([]byte(sqltypes.FormatTextIn(v, e.Type(), loc)), false)
		}
	}
	if se, ok := sqlstate.As(err); ok {
		return errOutcome(se.Code, se.Message)
	}
	return "GOERROR " + err.Error()
}

// TestCorpusGolden checks every corpus expression against the outputs PostgreSQL 15 produced
// (recorded in testdata/corpus.golden by TestDifferentialPostgres -update), so the comparison runs
// even where no PostgreSQL is installed.
func TestCorpusGolden(t *testing.T) {
	for _, cf := range corpusFiles {
		golden := readGoldenFile(t, cf.golden)
		for _, src := range readCorpus(t, cf.path) {
			want, ok := golden[src]
			if !ok {
				t.Errorf("%s: not in %s; run go test -run TestDifferentialPostgres -update", src, cf.golden)
				continue
			}
			if got := exprOutcome(src, zoneOf(cf)); got != want {
				t.Errorf("SET TimeZone = '%s'; SELECT %s\n%s", cf.zone, src, cmp.Diff(want, got))
			}
		}
	}
}

// corpusFiles are the expression corpora and the session time zone each runs in.
var corpusFiles = []struct {
	path, golden, zone string
}{
	{"testdata/corpus.sql", "testdata/corpus.golden", "UTC"},
	{"testdata/corpus_tz.sql", "testdata/corpus_tz.golden", "America/New_York"},
	{"testdata/corpus_casts.sql", "testdata/corpus_casts.golden", "UTC"},
	{"testdata/corpus_functions.sql", "testdata/corpus_functions.golden", "UTC"},
}

type corpusFile = struct{ path, golden, zone string }

// testSession is a Session with only a time zone.
type testSession struct{ loc *time.Location }

func (s *testSession) Setting(string) (string, bool)   { return "", false }
func (s *testSession) SetSetting(string, string) error { return nil }
func (s *testSession) User() string                    { return "tester" }
func (s *testSession) Database() string                { return "stripe" }
func (s *testSession) BackendPID() int32               { return 1 }
func (s *testSession) Location() *time.Location        { return s.loc }

// postgresBin finds a PostgreSQL server installation (Debian layout).
func postgresBin() string {
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(m) == 0 {
		return ""
	}
	return filepath.Dir(m[len(m)-1])
}

// startPostgres runs a throwaway PostgreSQL on a Unix socket in a fresh directory and returns a
// connection. As root it runs the server as nobody, since PostgreSQL refuses to run as root.
func startPostgres(t *testing.T) *pgconn.PgConn {
	t.Helper()
	bin := postgresBin()
	if bin == "" {
		t.Skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres); differential test skipped")
	}
	dir, err := os.MkdirTemp("", "exprpg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	asUser := func(name string, args ...string) *exec.Cmd {
		if os.Geteuid() == 0 {
			return exec.Command("runuser", append([]string{"-u", "nobody", "--", name}, args...)...)
		}
		return exec.Command(name, args...)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			t.Skipf("running as root and no nobody user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(dir, "data")
	initdb := asUser(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.utf8", "--lc-collate=C")
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	srv := asUser(filepath.Join(bin, "postgres"), "-D", data, "-k", dir, "-c", "listen_addresses=", "-p", "5432", "-c", "fsync=off")
	srv.Stdout, srv.Stderr = nil, nil
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// runuser does not pass signals on to postgres, so stop the server through pg_ctl
		// (fast shutdown), then reap runuser.
		stop := asUser(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "fast", "-w", "-t", "20", "stop")
		if out, err := stop.CombinedOutput(); err != nil {
			t.Logf("pg_ctl stop: %v\n%s", err, out)
		}
		done := make(chan struct{})
		go func() { srv.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			srv.Process.Kill()
		}
	})
	ctx := context.Background()
	connStr := fmt.Sprintf("host=%s port=5432 user=postgres dbname=postgres sslmode=disable", dir)
	var conn *pgconn.PgConn
	for i := 0; i < 100; i++ {
		if conn, err = pgconn.Connect(ctx, connStr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("connect to throwaway postgres: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// pgOutcome evaluates SELECT src on PostgreSQL with the simple protocol (text results).
func pgOutcome(conn *pgconn.PgConn, src string) string {
	res, err := conn.Exec(context.Background(), "SELECT "+src).ReadAll()
	if err != nil {
		if pe, ok := err.(*pgconn.PgError); ok {
			return errOutcome(pe.Code, pe.Message)
		}
		return "GOERROR " + err.Error()
	}
	r := res[0]
	if len(r.Rows) != 1 || len(r.Rows[0]) != 1 {
		return "GOERROR shape"
	}
	v := r.Rows[0][0]
	return valueOutcome(v, v == nil)
}

// TestDifferentialPostgres evaluates the corpus on a real PostgreSQL and through expr and
// compares the text outputs (or SQLSTATEs). With -update it rewrites testdata/corpus.golden.
func TestDifferentialPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL server")
	}
	conn := startPostgres(t)
	goldens := map[string]string{}
	for _, cf := range corpusFiles {
		if _, err := conn.Exec(context.Background(), "SET TimeZone = '"+cf.zone+"'").ReadAll(); err != nil {
			t.Fatal(err)
		}
		corpus := readCorpus(t, cf.path)
		var golden strings.Builder
		mismatches := 0
		for _, src := range corpus {
			want := pgOutcome(conn, src)
			golden.WriteString(src + "\t" + want + "\n")
			if got := exprOutcome(src, zoneOf(cf)); got != want {
				mismatches++
				t.Errorf("SET TimeZone = '%s'; SELECT %s\n%s", cf.zone, src, cmp.Diff(want, got))
			}
		}
		goldens[cf.golden] = golden.String()
		t.Logf("%s: %d expressions compared with PostgreSQL, %d mismatches", cf.path, len(corpus), mismatches)
	}
	if _, err := conn.Exec(context.Background(), "SET TimeZone = 'UTC'").ReadAll(); err != nil {
		t.Fatal(err)
	}
	aggGolden := differentialAggregates(t, conn)
	if *update {
		for path, g := range goldens {
			if err := os.WriteFile(path, []byte(g), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile("testdata/aggs.golden", []byte(aggGolden), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// aggCase is one line of testdata/aggs.sql.
type aggCase struct {
	cols   []testCol
	colSQL string
	rows   []string
	call   string
}

func readAggCorpus(t *testing.T) []aggCase {
	t.Helper()
	data, err := os.ReadFile("testdata/aggs.sql")
	if err != nil {
		t.Fatal(err)
	}
	var out []aggCase
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "--") {
			continue
		}
		parts := strings.SplitN(l, "|", 3)
		if len(parts) != 3 {
			t.Fatalf("bad aggs.sql line %q", l)
		}
		c := aggCase{colSQL: strings.TrimSpace(parts[0]), call: strings.TrimSpace(parts[2])}
		for _, cd := range strings.Split(c.colSQL, ",") {
			name, typ, _ := strings.Cut(strings.TrimSpace(cd), " ")
			ty, err := TypeByName(typ)
			if err != nil {
				t.Fatal(err)
			}
			c.cols = append(c.cols, testCol{name: name, t: ty})
		}
		for _, r := range strings.Split(parts[1], ";") {
			c.rows = append(c.rows, strings.TrimSpace(r))
		}
		out = append(out, c)
	}
	return out
}

func (c aggCase) key() string { return c.colSQL + " | " + strings.Join(c.rows, ";") + " | " + c.call }

// pgSQL is the query PostgreSQL runs for the case.
func (c aggCase) pgSQL() string {
	var names, casts []string
	for _, col := range c.cols {
		names = append(names, col.name)
		casts = append(casts, col.name+"::"+sqltypes.FormatType(col.t)+" AS "+col.name)
	}
	return "SELECT " + c.call + " FROM (SELECT " + strings.Join(casts, ", ") + " FROM (VALUES " + strings.Join(c.rows, ", ") +
		") v0(" + strings.Join(names, ", ") + ")) v"
}

// exprAggOutcome runs the aggregate through expr: each row's values are bound, folded and cast to
// the column types, then fed to one AggState.
func exprAggOutcome(c aggCase) string {
	fail := func(err error) string {
		if se, ok := sqlstate.As(err); ok {
			return errOutcome(se.Code, se.Message)
		}
		return "GOERROR " + err.Error()
	}
	b := &testBinder{cols: c.cols}
	agg, err := b.bindAggSQL(c.call)
	if err != nil {
		return fail(err)
	}
	st := agg.NewState()
	env := &Env{}
	for _, r := range c.rows {
		res, err := pg.Parse("SELECT " + strings.TrimSuffix(strings.TrimPrefix(r, "("), ")"))
		if err != nil {
			return fail(err)
		}
		targets := res.Stmts[0].Stmt.GetSelectStmt().TargetList
		row := make([]any, len(c.cols))
		for i, tg := range targets {
			e, err := (&testBinder{}).bind(tg.GetResTarget().Val)
			if err != nil {
				return fail(err)
			}
			if e, err = Cast(e, c.cols[i].t); err != nil {
				return fail(err)
			}
			if row[i], err = Fold(e, env); err != nil {
				return fail(err)
			}
		}
		env.Row = row
		if err := st.Add(env); err != nil {
			return fail(err)
		}
	}
	v, err := st.Result()
	if err != nil {
		return fail(err)
	}
	if v == nil {
		return "NULL"
	}
	return valueOutcome([]byte(sqltypes.FormatText(v, agg.Type())), false)
}

// TestAggregatesGolden checks the aggregate corpus against PostgreSQL's recorded outputs.
func TestAggregatesGolden(t *testing.T) {
	golden := readGoldenFile(t, "testdata/aggs.golden")
	for _, c := range readAggCorpus(t) {
		want, ok := golden[c.key()]
		if !ok {
			t.Errorf("%s: not in testdata/aggs.golden; run go test -run TestDifferentialPostgres -update", c.key())
			continue
		}
		if got := exprAggOutcome(c); got != want {
			t.Errorf("%s\n%s", c.pgSQL(), cmp.Diff(want, got))
		}
	}
}

func readGoldenFile(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the differential test with -update where PostgreSQL is installed)", err)
	}
	out := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, "\t"); ok {
			out[k] = v
		}
	}
	return out
}

// differentialAggregates compares the aggregate corpus with PostgreSQL and returns golden lines.
func differentialAggregates(t *testing.T, conn *pgconn.PgConn) string {
	var golden strings.Builder
	cases := readAggCorpus(t)
	for _, c := range cases {
		want := pgOutcome(conn, strings.TrimPrefix(c.pgSQL(), "SELECT "))
		golden.WriteString(c.key() + "\t" + want + "\n")
		if got := exprAggOutcome(c); got != want {
			t.Errorf("%s\n%s", c.pgSQL(), cmp.Diff(want, got))
		}
	}
	t.Logf("%d aggregate cases compared with PostgreSQL", len(cases))
	return golden.String()
}

func zoneOf(cf corpusFile) *time.Location {
	l, err := time.LoadLocation(cf.zone)
	if err != nil {
		panic(err)
	}
	return l
}
