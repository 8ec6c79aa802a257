package server

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/lib/pq"
)

// The client corpus: the exact SQL each client library sends for its metadata calls, captured
// from a real PostgreSQL 15 (a mirror of stripesql's schema, mirror_test.go) with
// log_statement=all, one file per client under testdata/clients/corpus. TestClientCorpus replays
// every statement against stripesql and fails on any error; TestClientCorpusMatchesPostgres
// compares each answer with PostgreSQL's. Rewrite the corpus with
//
//	go test ./server -run TestCaptureClientCorpus -capture
//
// which needs every client installed (.ci/run installs them).

var capture = flag.Bool("capture", false, "rewrite testdata/clients/corpus from the clients' statements on a real PostgreSQL")

const corpusDir = "testdata/clients/corpus"

// corpusStmt is one statement a client sent: the metadata call it belongs to (the probe's last
// SELECT 'corpus:NAME' marker), its text, and for the extended protocol its parameters as text
// (nil for NULL).
type corpusStmt struct {
	Call     string
	SQL      string
	Extended bool
	Params   []*string
}

// writeCorpus renders statements as a corpus file: each starts with "-- call: NAME", then
// "-- params: [...]" (JSON) when it was sent with the extended protocol, then its text.
func writeCorpus(path, client string, stmts []corpusStmt) error {
	var b strings.Builder
	fmt.Fprintf(&b, "-- The statements %s sent for its metadata calls, captured from PostgreSQL 15 by\n", client)
	b.WriteString("-- go test ./server -run TestCaptureClientCorpus -capture; do not edit by hand.\n\n")
	for _, s := range stmts {
		b.WriteString("-- call: " + s.Call + "\n")
		if s.Extended {
			p, err := json.Marshal(s.Params)
			if err != nil {
				return err
			}
			if s.Params == nil {
				p = []byte("[]")
			}
			b.WriteString("-- params: " + string(p) + "\n")
		}
		b.WriteString(strings.TrimSpace(s.SQL) + "\n\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// readCorpus parses a corpus file.
func readCorpus(path string) ([]corpusStmt, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []corpusStmt
	var cur *corpusStmt
	var sql []string
	flush := func() {
		if cur != nil {
			cur.SQL = strings.TrimSpace(strings.Join(sql, "\n"))
			out = append(out, *cur)
		}
		sql = nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "-- call: "):
			flush()
			cur = &corpusStmt{Call: strings.TrimPrefix(line, "-- call: ")}
		case cur != nil && len(sql) == 0 && strings.HasPrefix(line, "-- params: "):
			cur.Extended = true
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "-- params: ")), &cur.Params); err != nil {
				return nil, fmt.Errorf("%s: %v", path, err)
			}
		case cur != nil:
			sql = append(sql, line)
		}
	}
	flush()
	return out, nil
}

// corpusClients lists the corpus files, by client name.
func corpusClients(t *testing.T) map[string][]corpusStmt {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files in %s (%v)", corpusDir, err)
	}
	out := map[string][]corpusStmt{}
	for _, f := range files {
		stmts, err := readCorpus(f)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".sql")] = stmts
	}
	return out
}

// result is a statement's answer rendered for comparison: the column names of each result set,
// then its rows as text, sorted (catalog queries often have no ORDER BY); or the error.
type result struct {
	Err  string
	Sets []answerSet
}

type answerSet struct {
	Columns []string
	Rows    []string
}

// run executes a corpus statement on conn as the client sent it: a simple Query, or
// Parse/Bind/Execute with its parameters as text of unspecified type.
func run(ctx context.Context, conn *pgconn.PgConn, s corpusStmt) result {
	var sets []*pgconn.Result
	var err error
	if s.Extended {
		params := make([][]byte, len(s.Params))
		for i, p := range s.Params {
			if p != nil {
				params[i] = []byte(*p)
			}
		}
		r := conn.ExecParams(ctx, s.SQL, params, nil, nil, nil).Read()
		sets, err = []*pgconn.Result{r}, r.Err
	} else {
		sets, err = conn.Exec(ctx, s.SQL).ReadAll()
	}
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return result{Err: pe.Code + " " + pe.Message}
		}
		return result{Err: err.Error()}
	}
	var out result
	for _, r := range sets {
		var rs answerSet
		for _, f := range r.FieldDescriptions {
			rs.Columns = append(rs.Columns, f.Name)
		}
		for _, row := range r.Rows {
			vals := make([]string, len(row))
			for i, v := range row {
				if v == nil {
					vals[i] = "NULL"
				} else {
					vals[i] = string(v)
				}
			}
			rs.Rows = append(rs.Rows, strings.Join(vals, "|"))
		}
		sort.Strings(rs.Rows)
		out.Sets = append(out.Sets, rs)
	}
	return out
}

func connectPgconn(t *testing.T, url string) *pgconn.PgConn {
	t.Helper()
	conn, err := pgconn.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestClientCorpus runs every statement of every client's corpus against stripesql, each client
// on a connection of its own in the captured order (so its SETs apply as they did), and fails on
// any error: these are the queries DBeaver, Metabase, Superset, Grafana and psql users' tools
// send, and an error is a metadata call that fails for them.
func TestClientCorpus(t *testing.T) {
	addr := startReal(t)
	ctx := context.Background()
	total := 0
	for client, stmts := range corpusClients(t) {
		t.Run(client, func(t *testing.T) {
			conn := connectPgconn(t, pgxURL(addr, ""))
			for i, s := range stmts {
				began := time.Now()
				r := run(ctx, conn, s)
				if d := time.Since(began); d > 5*time.Second {
					t.Logf("statement %d (%s) took %v: %s", i+1, s.Call, d.Round(time.Millisecond), oneLine(s.SQL, 200))
				}
				if r.Err != "" {
					t.Errorf("statement %d (%s): %s\n%s", i+1, s.Call, r.Err, oneLine(s.SQL, 300))
				}
			}
			total += len(stmts)
		})
	}
	t.Logf("%d statements", total)
}

// oidLike matches numbers in the range of OIDs that differ between two databases (user objects
// and PostgreSQL's initdb-assigned ones), for normalising answers.
var oidLike = regexp.MustCompile(`\b(1[6-9]\d{3}|[2-9]\d{4}|\d{6,10})\b`)

func normalise(r result) result {
	for i := range r.Sets {
		for j, row := range r.Sets[i].Rows {
			r.Sets[i].Rows[j] = oidLike.ReplaceAllString(row, "<oid>")
		}
		sort.Strings(r.Sets[i].Rows)
	}
	return r
}

// ---- capture ----

// TestCaptureClientCorpus rewrites the corpus (only with -capture): it starts a PostgreSQL 15
// mirror with statement logging, runs each client's probe (testdata/clients) and psql's
// backslash commands against it, and writes what the server logged, split by client.
func TestCaptureClientCorpus(t *testing.T) {
	if !*capture {
		t.Skip("rewrites the corpus only with -capture")
	}
	srv, url := startMirror(t, "log_statement=all", "logging_collector=on", "log_destination=csvlog",
		"log_directory=corpuslog", "log_filename=corpus.log", "log_min_messages=error")
	if !strings.HasSuffix(srv.BinDir, "/15/bin") {
		t.Fatalf("capture needs PostgreSQL 15, found %s", srv.BinDir)
	}
	logPath := filepath.Join(srv.DataDir(), "corpuslog", "corpus.csv")
	hostport := fmt.Sprintf("127.0.0.1:%d", srv.Port)
	host, port := "127.0.0.1", fmt.Sprint(srv.Port)
	dir := t.TempDir()
	for _, c := range captureClients(t, dir) {
		t.Run(c.name, func(t *testing.T) {
			start := logLines(t, logPath)
			out, err := c.run(host, port, hostport, url)
			if err != nil {
				t.Fatalf("%s: %v\n%s", c.name, err, out)
			}
			if strings.Contains(out, "ERR ") {
				t.Errorf("%s failed a call on PostgreSQL:\n%s", c.name, out)
			}
			sentinel := "corpus:end:" + c.name
			conn, err := pgx.Connect(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			conn.Exec(context.Background(), "SELECT '"+sentinel+"'")
			conn.Close(context.Background())
			var recs [][]string
			for deadline := time.Now().Add(10 * time.Second); ; {
				recs = readLog(t, logPath)[start:]
				if len(recs) > 0 && strings.Contains(recs[len(recs)-1][13], sentinel) || time.Now().After(deadline) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			stmts := corpusFromLog(recs)
			if len(stmts) == 0 {
				t.Fatalf("no statements logged for %s", c.name)
			}
			if err := os.MkdirAll(corpusDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := writeCorpus(filepath.Join(corpusDir, c.name+".sql"), c.label, stmts); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d statements", c.name, len(stmts))
		})
	}
}

func readLog(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = -1
	var out [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
}

func logLines(t *testing.T, path string) int {
	if _, err := os.Stat(path); err != nil {
		return 0
	}
	return len(readLog(t, path))
}

var (
	executeMsg = regexp.MustCompile(`(?s)^execute [^:]*: (.*)$`)
	markerSQL  = regexp.MustCompile(`^SELECT 'corpus:(.*)'$`)
)

// corpusFromLog turns csvlog records (message at 13, detail at 14, session id at 5, severity at
// 11) into statements: markers name the call of the statements after them in their session, a
// statement PostgreSQL answered with an error is dropped, and repeats are kept once.
func corpusFromLog(recs [][]string) []corpusStmt {
	type logged struct {
		s       corpusStmt
		session string
		failed  bool
	}
	var all []*logged
	last := map[string]*logged{}
	call := map[string]string{}
	for _, r := range recs {
		if len(r) < 15 {
			continue
		}
		session, severity, msg, detail := r[5], r[11], r[13], r[14]
		if severity == "ERROR" || severity == "FATAL" {
			if l := last[session]; l != nil {
				l.failed = true
			}
			continue
		}
		var s corpusStmt
		switch {
		case strings.HasPrefix(msg, "statement: "):
			s.SQL = strings.TrimPrefix(msg, "statement: ")
		case executeMsg.MatchString(msg):
			s.SQL, s.Extended = executeMsg.FindStringSubmatch(msg)[1], true
			s.Params = logParams(detail)
		default:
			continue
		}
		if m := markerSQL.FindStringSubmatch(strings.TrimSpace(s.SQL)); m != nil {
			call[session] = m[1]
			continue
		}
		s.Call = call[session]
		if s.Call == "" {
			s.Call = "connect"
		}
		l := &logged{s: s, session: session}
		all = append(all, l)
		last[session] = l
	}
	seen := map[string]bool{}
	var out []corpusStmt
	for _, l := range all {
		key, _ := json.Marshal([]any{l.s.SQL, l.s.Extended, l.s.Params})
		if l.failed || seen[string(key)] {
			continue
		}
		seen[string(key)] = true
		out = append(out, l.s)
	}
	return out
}

// logParams parses a log DETAIL "parameters: $1 = 'a', $2 = NULL" into values.
func logParams(detail string) []*string {
	rest, ok := strings.CutPrefix(detail, "parameters: ")
	if !ok {
		return nil
	}
	var out []*string
	for len(rest) > 0 {
		eq := strings.Index(rest, " = ")
		if eq < 0 {
			break
		}
		rest = rest[eq+3:]
		if strings.HasPrefix(rest, "NULL") {
			out = append(out, nil)
			rest = strings.TrimPrefix(rest, "NULL")
		} else if strings.HasPrefix(rest, "'") {
			var sb strings.Builder
			i := 1
			for i < len(rest) {
				if rest[i] == '\'' {
					if i+1 < len(rest) && rest[i+1] == '\'' {
						sb.WriteByte('\'')
						i += 2
						continue
					}
					break
				}
				sb.WriteByte(rest[i])
				i++
			}
			v := sb.String()
			out = append(out, &v)
			rest = rest[min(i+1, len(rest)):]
		}
		rest = strings.TrimPrefix(rest, ", ")
	}
	return out
}

// captureClient is one client whose statements the corpus records.
type captureClient struct {
	name, label string
	run         func(host, port, hostport, url string) (string, error)
}

// probe runs a client program with host, port, user and database arguments.
func probe(name string, args ...string) func(host, port, hostport, url string) (string, error) {
	return func(host, port, _, _ string) (string, error) {
		cmd := exec.Command(name, append(args, host, port, "alice", "stripe")...)
		cmd.Env = append(os.Environ(), "PGSSLMODE=disable")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
}

func captureClients(t *testing.T, dir string) []captureClient {
	t.Helper()
	abs := func(f string) string {
		p, err := filepath.Abs(filepath.Join("testdata", "clients", f))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if out, err := exec.Command("javac", "-d", dir, abs("Probe.java")).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	return []captureClient{
		{"psql", "psql 15 (its backslash commands)", func(host, port, _, _ string) (string, error) {
			return runPsqlCommands(host, port, "alice", "stripe", func(cmd string) bool { return true })
		}},
		{"jdbc", "pgJDBC " + jdbcVersion(), func(_, _, hostport, _ string) (string, error) {
			out, err := exec.Command("java", "-cp", dir+":/usr/share/java/postgresql.jar", "Probe", hostport, "alice", "stripe").CombinedOutput()
			return string(out), err
		}},
		{"odbc", "psqlODBC (through pyodbc)", probe("/usr/bin/python3", abs("probe_odbc.py"))},
		{"sqlalchemy", "SQLAlchemy's inspector, pandas and psycopg2", probe("/usr/bin/python3", abs("probe_sqlalchemy.py"))},
		{"node", "node-postgres", func(host, port, _, _ string) (string, error) {
			cmd := exec.Command("node", abs("probe_node.js"), host, port, "alice", "stripe")
			out, err := cmd.CombinedOutput()
			return string(out), err
		}},
		{"pgx", "pgx v5 (connect, type loading) and lib/pq", func(_, _, _, url string) (string, error) {
			return goClientsProbe(url)
		}},
	}
}

func jdbcVersion() string {
	target, err := filepath.EvalSymlinks("/usr/share/java/postgresql.jar")
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(strings.TrimPrefix(filepath.Base(target), "postgresql-"), ".jar")
}

// goClientsProbe sends what pgx and lib/pq send for their own metadata: pgx's LoadType (pgx
// users register array, enum, domain and composite types with it), and lib/pq's extended-protocol
// query; both clients send nothing at connect.
func goClientsProbe(url string) (string, error) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	var b strings.Builder
	for _, typ := range []string{"text[]", "_int8", "jsonb[]", "timestamptz[]"} {
		conn.Exec(ctx, "SELECT 'corpus:pgx-LoadType "+typ+"'")
		if _, err := conn.LoadType(ctx, typ); err != nil {
			fmt.Fprintf(&b, "ERR LoadType %s %v\n", typ, err)
		} else {
			fmt.Fprintf(&b, "ok LoadType %s\n", typ)
		}
	}
	db, err := sql.Open("postgres", url)
	if err != nil {
		return b.String(), err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	db.Exec("SELECT 'corpus:libpq-query'")
	var n int
	if err := db.QueryRow("SELECT count(*) FROM information_schema.tables WHERE table_schema = $1", "public").Scan(&n); err != nil {
		fmt.Fprintf(&b, "ERR libpq %v\n", err)
	} else {
		fmt.Fprintf(&b, "ok libpq %d\n", n)
	}
	return b.String(), nil
}

// runPsqlCommands runs each psql backslash command of testdata/clients/psql_commands.txt that
// keep accepts, after a marker naming it, and returns psql's output; a command fails the run only
// with an SQL error (psql also exits 1 for "Did not find any …", which is an answer).
func runPsqlCommands(host, port, user, db string, keep func(string) bool) (string, error) {
	data, err := os.ReadFile(filepath.Join("testdata", "clients", "psql_commands.txt"))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, c := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if !keep(c) {
			continue
		}
		out, _ := psqlAt(host, port, user, db, "-c", "SELECT 'corpus:"+strings.ReplaceAll(c, "'", "''")+"'", "-c", c).CombinedOutput()
		if strings.Contains(string(out), "ERROR:") {
			fmt.Fprintf(&b, "ERR %s %s\n", c, out)
		}
	}
	return b.String(), nil
}

// psqlAt is psql connected to host:port as user on db, quiet, without a pager.
func psqlAt(host, port, user, db string, args ...string) *exec.Cmd {
	cmd := exec.Command("psql", append([]string{"-X", "-h", host, "-p", port, "-U", user, "-d", db}, args...)...)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10", "PGSSLMODE=disable", "PAGER=")
	return cmd
}

// oneLine shortens a statement for a test message.
func oneLine(sql string, n int) string {
	s := strings.Join(strings.Fields(sql), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
