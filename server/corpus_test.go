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

	"github.com/google/go-cmp/cmp"
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
	s = resolveOIDs(ctx, conn, s)
	var out result
	var firstErr error
	read := func(rr *pgconn.ResultReader) {
		var rs answerSet
		for rr.NextRow() {
			vals := make([]string, len(rr.Values()))
			for i, v := range rr.Values() {
				if v == nil {
					vals[i] = "NULL"
				} else {
					vals[i] = string(v)
				}
			}
			rs.Rows = append(rs.Rows, strings.Join(vals, "|"))
		}
		// Read() would drop the columns of an empty result; they are part of the answer.
		for _, f := range rr.FieldDescriptions() {
			rs.Columns = append(rs.Columns, f.Name)
		}
		if _, err := rr.Close(); err != nil && firstErr == nil {
			firstErr = err
		}
		sort.Strings(rs.Rows)
		out.Sets = append(out.Sets, rs)
	}
	if s.Extended {
		params := make([][]byte, len(s.Params))
		for i, p := range s.Params {
			if p != nil {
				params[i] = []byte(*p)
			}
		}
		read(conn.ExecParams(ctx, s.SQL, params, nil, nil, nil))
	} else {
		mrr := conn.Exec(ctx, s.SQL)
		for mrr.NextResult() {
			read(mrr.ResultReader())
		}
		if err := mrr.Close(); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		var pe *pgconn.PgError
		if errors.As(firstErr, &pe) {
			return result{Err: pe.Code + " " + pe.Message}
		}
		return result{Err: firstErr.Error()}
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
// and PostgreSQL's initdb-assigned ones), for normalising answers; also after an underscore, as in
// pgJDBC's SPECIFIC_NAME proname_oid.
var oidLike = regexp.MustCompile(`(\b|_)(1[6-9]\d{3}|[2-9]\d{4}|\d{6,10})\b`)

func normalise(r result) result {
	for i := range r.Sets {
		for j, row := range r.Sets[i].Rows {
			r.Sets[i].Rows[j] = oidLike.ReplaceAllString(row, "$1<oid>")
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
	names := map[string]string{}
	{
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := conn.Query(context.Background(), oidSymbols)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var oid uint32
			var name string
			if err := rows.Scan(&oid, &name); err != nil {
				t.Fatal(err)
			}
			names[fmt.Sprint(oid)] = name
		}
		conn.Close(context.Background())
	}
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
			stmts := symbolise(corpusFromLog(recs), names)
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

// TestClientCorpusMatchesPostgres runs every corpus statement on stripesql and on a PostgreSQL
// 15 mirror of its schema (mirror_test.go) and compares the answers in two tiers. The shape —
// whether it errs (and with which SQLSTATE), how many result sets, their column names — must
// equal PostgreSQL's for every statement: that is what a client binds to. The rows (sorted, OIDs
// normalised) must equal PostgreSQL's too, except for the calls listed in corpusDifferences with
// why; the test fails on any other difference, and on a listed call that no longer differs.
func TestClientCorpusMatchesPostgres(t *testing.T) {
	addr := startReal(t)
	_, mirror := startMirror(t)
	ctx := context.Background()
	differed := map[string]bool{}
	same, total := 0, 0
	for client, stmts := range corpusClients(t) {
		t.Run(client, func(t *testing.T) {
			ours := connectPgconn(t, pgxURL(addr, ""))
			theirs := connectPgconn(t, mirror)
			for i, s := range stmts {
				key := client + "/" + s.Call
				got, want := normalise(run(ctx, ours, s)), normalise(run(ctx, theirs, s))
				total++
				if diff := cmp.Diff(shape(want), shape(got)); diff != "" {
					t.Errorf("statement %d (%s) has another shape than on PostgreSQL (-postgres +stripesql):\n%s\n%s", i+1, s.Call, oneLine(s.SQL, 300), shorten(diff, 3000))
					continue
				}
				diff := cmp.Diff(want, got)
				if diff == "" {
					same++
					continue
				}
				differed[key] = true
				if _, known := corpusDifferences[key]; !known {
					t.Errorf("statement %d (%s) answers differently (-postgres +stripesql):\n%s\n%s", i+1, s.Call, oneLine(s.SQL, 300), shorten(diff, 3000))
				}
			}
		})
	}
	for key := range corpusDifferences {
		if !differed[key] {
			t.Errorf("%s now answers as PostgreSQL does: remove it from corpusDifferences", key)
		}
	}
	t.Logf("%d of %d statements answer as PostgreSQL 15 does; all have its shape; %d calls differ in rows for the reasons in corpusDifferences", same, total, len(differed))
}

// shape is a result less its rows and error message: the SQLSTATE, and each set's columns.
func shape(r result) result {
	out := result{Err: strings.SplitN(r.Err, " ", 2)[0]}
	for _, s := range r.Sets {
		out.Sets = append(out.Sets, answerSet{Columns: s.Columns})
	}
	return out
}

func shorten(s string, n int) string {
	if len(s) > n {
		return s[:n] + "\n…"
	}
	return s
}

// corpusDifferences are the metadata calls (client/call) whose rows differ from PostgreSQL's, with
// why. Most are deliberate: stripesql's catalog lists only the objects it has.
var corpusDifferences = differences(
	differ("version() names stripesql and its Go build", "sqlalchemy/connect"),
	differ("stripesql has none of PostgreSQL's built-in operator classes, families, operators, casts, conversions, aggregates, collations, text search objects or procedural languages (pg_am lists heap and btree)",
		`psql/\dA`, `psql/\dA+`, `psql/\dAc`, `psql/\dAc btree`, `psql/\dAc+`, `psql/\dAf`, `psql/\dAf+`, `psql/\dAo`, `psql/\dAo btree`, `psql/\dAo+`,
		`psql/\dAp`, `psql/\dAp btree`, `psql/\dAp+`, `psql/\dC`, `psql/\dC int*`, `psql/\dC+`, `psql/\dF`, `psql/\dF+`, `psql/\dFd`, `psql/\dFd+`,
		`psql/\dFp`, `psql/\dFp+`, `psql/\dFt`, `psql/\dFt+`, `psql/\dL`, `psql/\dL+`, `psql/\dLS+`, `psql/\dOS+`, `psql/\daS`, `psql/\dfaS`,
		`psql/\dcS+`, `psql/\doS`, `psql/\doS+`),
	differ("stripesql's pg_proc lists the functions it implements (357 of PostgreSQL's 3,333) and pg_type its types (no row types of tables, no information_schema domains)",
		`psql/\dfS`, `psql/\dfS+`, `psql/\dTS`, `psql/\dTS+`, "jdbc/getTypeInfo", "jdbc/getUDTs", "sqlalchemy/get_columns"),
	differ("stripesql's system catalogs have no indexes or TOAST tables, and are owned by stripesql",
		`psql/\diS+`, "jdbc/getTables-all", `psql/\dS`, `psql/\dS+`, `psql/\dtS`, `psql/\dtS+`, `psql/\dvS`, `psql/\dvS+`),
	differ("one database (stripe), one tablespace, the roles stripesql knows, and only the settings stripesql has",
		`psql/\l`, `psql/\l+`, `psql/\db`, `psql/\db+`, `psql/\dg`, `psql/\dg+`, `psql/\dgS+`, `psql/\dconfig`, `psql/\dconfig+`, `psql/\dconfig *`, `psql/\dconfig+ *`),
	differ("schema public is owned by stripesql, has no ACL and describes the Stripe tables",
		`psql/\dn`, `psql/\dn+`, `psql/\dnS+`),
	differ("stripesql has no aclitem or pg_node_tree type: ACL columns are text[], expression columns text",
		"odbc/SQLForeignKeys-fk", "odbc/SQLProcedures", `psql/\d pg_class`, `psql/\d+ pg_catalog.pg_class`),
	differ("information_schema's views are not defined by rewrite rules over information_schema domains",
		`psql/\d information_schema.tables`, `psql/\d+ information_schema.tables`),
	differ("Stripe tables take no storage (sizes are 0 bytes, PostgreSQL's empty table has a TOAST index, its btree a metapage)",
		`psql/\d+`, `psql/\dt+`, `psql/\di+`),
	differ("the procedures run Stripe actions: language internal and source stripe: NAME, not the mirror's SQL stubs",
		`psql/\df+`, `psql/\dfp+`, `psql/\df+ cancelsubscription`, `psql/\sf+ cancelsubscription`),
	differ("plpgsql's OID is initdb's and differs between builds; stripesql has no pg_depend rows for its members",
		`psql/\dx+`, `psql/\dx+ plpgsql`),
	differ("is_insertable_into says whether Stripe can create the object (application fees it cannot)",
		"node/information_schema-base-tables"),
)

// difference is the reason some calls differ from PostgreSQL, and those calls.
type difference struct {
	why   string
	calls []string
}

func differ(why string, calls ...string) difference { return difference{why, calls} }

func differences(ds ...difference) map[string]string {
	out := map[string]string{}
	for _, d := range ds {
		for _, c := range d.calls {
			out[c] = d.why
		}
	}
	return out
}

// Clients put OIDs they read earlier into later queries (SQLAlchemy's reflection asks for a
// table's OID, then for its columns WHERE attrelid = 16863), and a user object's OID differs
// between servers. The capture writes such an OID as {{kind:schema.name}} (symbolise), and a
// replay puts back the OID the object has on the server it runs on (resolveOIDs).

// oidSymbols maps the OIDs of the user objects of a server (tables, indexes, procedures,
// constraints, types, the database) to their symbols.
const oidSymbols = `SELECT c.oid, 'regclass:' || n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid >= 16384
UNION ALL SELECT p.oid, 'regproc:' || n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid >= 16384
UNION ALL SELECT o.oid, 'constraint:' || n.nspname || '.' || o.conname FROM pg_constraint o JOIN pg_namespace n ON n.oid = o.connamespace WHERE o.oid >= 16384
UNION ALL SELECT t.oid, 'type:' || n.nspname || '.' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid >= 16384
UNION ALL SELECT d.oid, 'database:' || d.datname FROM pg_database d WHERE d.oid >= 16384`

var (
	oidToken    = regexp.MustCompile(`\b\d{5,10}\b`)
	oidSymbolRE = regexp.MustCompile(`\{\{(regclass|regproc|constraint|type|database):([^}]*)\}\}`)
)

func symbolise(stmts []corpusStmt, names map[string]string) []corpusStmt {
	sub := func(s string) string {
		return oidToken.ReplaceAllStringFunc(s, func(tok string) string {
			if n, ok := names[tok]; ok {
				return "{{" + n + "}}"
			}
			return tok
		})
	}
	out := make([]corpusStmt, len(stmts))
	for i, s := range stmts {
		out[i] = s.rewrite(sub)
	}
	return out
}

// symbolQueries find an object's OID by its symbol's schema and name.
var symbolQueries = map[string]string{
	"regclass":   "SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
	"regproc":    "SELECT p.oid FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.proname = $2",
	"constraint": "SELECT o.oid FROM pg_catalog.pg_constraint o JOIN pg_catalog.pg_namespace n ON n.oid = o.connamespace WHERE n.nspname = $1 AND o.conname = $2",
	"type":       "SELECT t.oid FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = $2",
	"database":   "SELECT d.oid FROM pg_catalog.pg_database d WHERE $1 = $1 AND d.datname = $2",
}

// resolveOIDs replaces the symbols of s by the OIDs the objects have on conn's server, 0 for an
// object it does not have (stripesql has no row types of tables, for one).
func resolveOIDs(ctx context.Context, conn *pgconn.PgConn, s corpusStmt) corpusStmt {
	sub := func(text string) string {
		return oidSymbolRE.ReplaceAllStringFunc(text, func(sym string) string {
			m := oidSymbolRE.FindStringSubmatch(sym)
			schema, name, _ := strings.Cut(m[2], ".")
			if m[1] == "database" {
				schema, name = "", m[2]
			}
			r := conn.ExecParams(ctx, symbolQueries[m[1]], [][]byte{[]byte(schema), []byte(name)}, nil, nil, nil).Read()
			if r.Err != nil || len(r.Rows) == 0 {
				return "0"
			}
			return string(r.Rows[0][0])
		})
	}
	if !strings.Contains(s.SQL, "{{") && !strings.Contains(fmt.Sprint(s.Params), "{{") {
		return s
	}
	return s.rewrite(sub)
}

// rewrite applies f to the statement's text and to each of its non-NULL parameters.
func (s corpusStmt) rewrite(f func(string) string) corpusStmt {
	s.SQL = f(s.SQL)
	if s.Params != nil {
		params := make([]*string, len(s.Params))
		for i, p := range s.Params {
			if p != nil {
				v := f(*p)
				p = &v
			}
			params[i] = p
		}
		s.Params = params
	}
	return s
}

// TestClientProbes runs the capture's client programs themselves — psql's backslash commands,
// pgJDBC's DatabaseMetaData calls, psqlODBC's catalog functions, SQLAlchemy's inspector and
// pandas, node-postgres, pgx and lib/pq — against stripesql and against the PostgreSQL 15 mirror.
// Every call must succeed on stripesql, and the calls in sameRowCounts must return as many rows
// as on PostgreSQL. It skips when Java, psql, python3 or node is missing (.ci/run installs them).
func TestClientProbes(t *testing.T) {
	for _, tool := range []string{"psql", "java", "javac", "python3", "node"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	if _, err := os.Stat("/usr/share/java/postgresql.jar"); err != nil {
		t.Skip("pgJDBC is not installed (/usr/share/java/postgresql.jar)")
	}
	addr := startReal(t)
	srv, mirror := startMirror(t)
	host, port, _ := strings.Cut(addr, ":")
	mport := fmt.Sprint(srv.Port)
	for _, c := range captureClients(t, t.TempDir()) {
		t.Run(c.name, func(t *testing.T) {
			if missing := probeMissing(c.name); missing != "" {
				t.Skip(missing + " is not installed (.ci/run installs it)")
			}
			got, err := c.run(host, port, addr, pgxURL(addr, ""))
			if err != nil {
				t.Fatalf("%v\n%s", err, got)
			}
			want, err := c.run("127.0.0.1", mport, "127.0.0.1:"+mport, mirror)
			if err != nil {
				t.Fatalf("on PostgreSQL: %v\n%s", err, want)
			}
			ours, theirs := probeCalls(got), probeCalls(want)
			for _, line := range strings.Split(got, "\n") {
				if strings.HasPrefix(line, "ERR ") {
					t.Errorf("%s", oneLine(line, 600))
				}
			}
			for key := range sameRowCounts {
				client, name, _ := strings.Cut(key, "/")
				if client != c.name {
					continue
				}
				if n, ok := theirs[name]; !ok {
					t.Errorf("the probe made no call %s on PostgreSQL", name)
				} else if ours[name] != n {
					t.Errorf("%s returned %q rows, PostgreSQL %q", name, ours[name], n)
				}
			}
			t.Logf("%d calls report rows, all succeed", len(ours))
		})
	}
}

// sameRowCounts are the probe calls (client/name) whose row counts must equal PostgreSQL's:
// the table, column and key calls of each client, and pgJDBC's keyword list.
var sameRowCounts = map[string]bool{
	"jdbc/getTables": true, "jdbc/getTables-one": true, "jdbc/getColumns": true, "jdbc/getColumns-all": true,
	"jdbc/getPrimaryKeys": true, "jdbc/getImportedKeys": true, "jdbc/getExportedKeys": true,
	"jdbc/getCrossReference": true, "jdbc/getIndexInfo": true, "jdbc/getIndexInfo-unique": true,
	"jdbc/getProcedures": true, "jdbc/getSQLKeywords": true, "jdbc/getSchemas": true, "jdbc/getCatalogs": true,
	"odbc/SQLTables": true, "odbc/SQLTables-one": true, "odbc/SQLColumns": true,
	"odbc/SQLPrimaryKeys": true, "odbc/SQLPrimaryKeys-noschema": true,
	"odbc/SQLForeignKeys-fk": true, "odbc/SQLForeignKeys-pk": true,
	"odbc/SQLStatistics": true, "odbc/SQLProcedures": true,
}

// probeMissing names what a client's probe needs that this machine lacks, "" when nothing.
func probeMissing(client string) string {
	python := func(modules string) bool {
		return exec.Command("/usr/bin/python3", "-c", "import "+modules).Run() == nil
	}
	switch {
	case client == "node" && exec.Command("node", "-e", "require('pg')").Run() != nil:
		return "node-postgres (npm install pg, NODE_PATH set to its node_modules)"
	case client == "odbc" && !python("pyodbc"):
		return "pyodbc"
	case client == "odbc":
		if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so"); err != nil {
			return "psqlODBC"
		}
	case client == "sqlalchemy" && !python("sqlalchemy, pandas, psycopg2"):
		return "SQLAlchemy, pandas or psycopg2"
	}
	return ""
}

// probeCalls reads a probe's "ok NAME ROWS" lines: the row count of each call, by name.
func probeCalls(out string) map[string]string {
	calls := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "ok" {
			calls[f[1]] = strings.Join(f[2:], " ")
		}
	}
	return calls
}
