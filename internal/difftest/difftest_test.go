package difftest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/exec"
	"github.com/stripesql/stripesql/internal/pgtest"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
	"github.com/stripesql/stripesql/server"
)

// seedCharges is the size of the seeded data set, in charges: big enough that every table has
// rows and every GROUP BY has several groups, small enough to load in a few seconds under -race.
const seedCharges = 300

// emuNow is the emulator's and the stripesql sessions' clock, so the data set is the same on
// every run. The corpus never calls now(): PostgreSQL's clock cannot be pinned.
var emuNow = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

// queryTimeout bounds one query on either side, so one hang cannot eat the whole run.
const queryTimeout = 30 * time.Second

// engine runs SQL through stripesql's engine (planner + exec, the path the driver and the wire
// server share) against the emulator over HTTP with the real stripe-go client.
type engine struct {
	backend stripeapi.Backend
	cat     *catalog.Catalog
	stats   *planner.Stats
}

// session opens a stripesql session and applies each SET statement through the engine, as a
// client would.
func (e *engine) session(ctx context.Context, sets ...string) (*planner.Session, error) {
	sess := planner.NewSession(planner.SessionConfig{Catalog: e.cat, Rate: 10000, Stats: e.stats,
		User: "difftest", Database: "stripe", Clock: func() time.Time { return emuNow }})
	for _, s := range sets {
		if _, err := e.query(ctx, sess, s); err != nil {
			return nil, fmt.Errorf("%s: %w", s, err)
		}
	}
	return sess, nil
}

// query runs one statement and reduces its answer to a Result in PostgreSQL's text form.
func (e *engine) query(ctx context.Context, sess *planner.Session, sql string) (res Result, err error) {
	defer func() {
		// A panic in the engine is a bug to report with the query, not a crash of the whole run.
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in stripesql: %v", r)
		}
	}()
	sts, err := planner.Parse(sql)
	if err != nil {
		return Result{}, err
	}
	if len(sts) != 1 {
		return Result{}, fmt.Errorf("want one statement, got %d", len(sts))
	}
	p, err := planner.Plan(sess, sts[0], nil)
	if err != nil {
		return Result{}, err
	}
	rows, err := exec.Run(ctx, e.backend, sess, p)
	if err != nil {
		return Result{}, err
	}
	defer rows.Close()
	cols := rows.Columns()
	for _, c := range cols {
		res.Columns = append(res.Columns, c.Name)
		res.Types = append(res.Types, uint32(c.Type))
	}
	for {
		vals, err := rows.Next(ctx)
		if err == io.EOF {
			return res, nil
		}
		if err != nil {
			return Result{}, err
		}
		if len(vals) != len(cols) {
			return Result{}, fmt.Errorf("row of %d values for %d columns", len(vals), len(cols))
		}
		row := make([]*string, len(vals))
		for i, v := range vals {
			if v != nil {
				s := sqltypes.FormatText(v, cols[i].Type)
				row[i] = &s
			}
		}
		res.Rows = append(res.Rows, row)
	}
}

// pgQuery runs sql on PostgreSQL with the simple protocol, so every value arrives in text form.
func pgQuery(ctx context.Context, conn *pgx.Conn, sql string) (Result, error) {
	rows, err := conn.Query(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return Result{}, err
	}
	defer rows.Close()
	var res Result
	for _, f := range rows.FieldDescriptions() {
		res.Columns = append(res.Columns, f.Name)
		res.Types = append(res.Types, f.DataTypeOID)
	}
	for rows.Next() {
		raw := rows.RawValues()
		row := make([]*string, len(raw))
		for i, b := range raw {
			if b != nil {
				s := string(b)
				row[i] = &s
			}
		}
		res.Rows = append(res.Rows, row)
	}
	return res, rows.Err()
}

// fixture is the loaded data set: PostgreSQL holding what stripesql sees.
type fixture struct {
	eng    *engine
	pg     *pgx.Conn
	wire   *pgx.Conn // pgx connected to stripesql's wire server over the same backend
	tables []string  // loaded, in load order
}

// startFixture starts the emulator and PostgreSQL, and loads every populated Stripe table.
func startFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	srv := pgtest.Start(t)
	emu, base, stop, err := emulator.Start(emulator.Config{Seed: 42, Scale: emulator.ScaleN(seedCharges),
		Now: func() time.Time { return emuNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_difftest", BaseURL: base,
		Scheduler: stripeapi.NewScheduler(10000)})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	f := &fixture{eng: &engine{backend: newMemoBackend(client), cat: catalog.Default(), stats: planner.NewStats()}, pg: conn}
	f.wire = startWire(t, f.eng.backend)
	start := time.Now()
	f.load(t, emu)
	t.Logf("loaded %d tables into postgresql in %v: %s", len(f.tables), time.Since(start).Round(time.Millisecond),
		strings.Join(f.tables, ", "))
	return f
}

// startWire serves stripesql's PostgreSQL wire protocol on 127.0.0.1 over backend and connects
// pgx to it, so the corpus also runs through the front end psql and BI tools use, read by the
// very client code that reads PostgreSQL's answers.
func startWire(t *testing.T, backend stripeapi.Backend) *pgx.Conn {
	t.Helper()
	srv, err := server.New(server.Config{Backend: backend, Rate: 10000})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ctx, ln)
	}()
	t.Cleanup(func() {
		cancel()
		ln.Close()
		<-done
	})
	url := fmt.Sprintf("postgres://difftest@%s/stripe?sslmode=disable", ln.Addr())
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connecting pgx to the stripesql wire server: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(context.Background(), "SET stripesql.max_requests = 100000", pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
	return conn
}

// loadable returns the catalog's Stripe tables in an order where every parent-path table comes
// after the table its parent ids are read from.
func loadable(cat *catalog.Catalog) (plain, children []*catalog.Table) {
	for _, tb := range cat.Tables() {
		if tb.Schema != "public" || tb.List == nil || tb.Rows != nil {
			continue
		}
		if len(tb.List.Parents)+len(tb.List.Required) > 0 {
			children = append(children, tb)
		} else {
			plain = append(plain, tb)
		}
	}
	return plain, children
}

// load copies each table the emulator populates from stripesql into PostgreSQL.
func (f *fixture) load(t *testing.T, emu *emulator.Emulator) {
	t.Helper()
	ctx := context.Background()
	sess, err := f.eng.session(ctx, "SET stripesql.max_requests = 100000")
	if err != nil {
		t.Fatal(err)
	}
	plain, children := loadable(f.eng.cat)
	loaded := map[string]bool{}
	for _, tb := range plain {
		want := len(emu.Objects(tb.Name))
		if want == 0 {
			continue
		}
		f.loadTable(t, sess, tb, []string{"SELECT * FROM " + tb.Name}, want)
		loaded[tb.Name] = true
	}
	for _, tb := range children {
		want := len(emu.Objects(tb.Name))
		if want == 0 {
			continue
		}
		parentCols := append(append([]string{}, tb.List.Parents...), tb.List.Required...)
		if len(parentCols) != 1 {
			t.Logf("not loading %s: it needs %d parent columns %v", tb.Name, len(parentCols), parentCols)
			continue
		}
		pcol := parentCols[0]
		parent := pcol + "s"
		if !loaded[parent] {
			t.Logf("not loading %s: its parent column %s names no loaded table %s", tb.Name, pcol, parent)
			continue
		}
		ids, err := pgQuery(ctx, f.pg, "SELECT id FROM "+parent+" ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		// One IN list per batch of parents: stripesql lists each parent's children.
		var queries []string
		for i := 0; i < len(ids.Rows); i += 50 {
			var lits []string
			for _, r := range ids.Rows[i:min(i+50, len(ids.Rows))] {
				lits = append(lits, quoteLiteral(*r[0]))
			}
			queries = append(queries, fmt.Sprintf("SELECT * FROM %s WHERE %s IN (%s)", tb.Name, pcol, strings.Join(lits, ", ")))
		}
		f.loadTable(t, sess, tb, queries, want)
	}
}

// loadTable creates tb in PostgreSQL with the catalog's column names and types and copies in the
// rows stripesql answers to queries.
func (f *fixture) loadTable(t *testing.T, sess *planner.Session, tb *catalog.Table, queries []string, emulated int) {
	t.Helper()
	ctx := context.Background()
	var cols []catalog.Column
	for _, c := range tb.Columns {
		if !c.FilterOnly {
			cols = append(cols, c)
		}
	}
	var defs []string
	var wantCols []string
	for _, c := range cols {
		defs = append(defs, pgx.Identifier{c.Name}.Sanitize()+" "+sqltypes.FormatType(c.Type))
		wantCols = append(wantCols, c.Name+" "+sqltypes.FormatType(c.Type))
	}
	create := fmt.Sprintf("CREATE TABLE %s (%s)", pgx.Identifier{tb.Name}.Sanitize(), strings.Join(defs, ", "))
	if _, err := f.pg.Exec(ctx, create); err != nil {
		t.Fatalf("%s: %v", create, err)
	}
	var buf bytes.Buffer
	n := 0
	for _, q := range queries {
		res, err := f.eng.query(ctx, sess, q)
		if err != nil {
			t.Fatalf("reading %s through stripesql: %s: %v", tb.Name, q, err)
		}
		var gotCols []string
		for i, c := range res.Columns {
			gotCols = append(gotCols, c+" "+sqltypes.FormatType(sqltypes.Type(res.Types[i])))
		}
		if d := cmp.Diff(wantCols, gotCols); d != "" {
			t.Fatalf("SELECT * FROM %s answers other columns than the catalog lists (-catalog +select):\n%s", tb.Name, d)
		}
		for _, row := range res.Rows {
			writeCopyRow(&buf, row)
		}
		n += len(res.Rows)
	}
	copySQL := fmt.Sprintf("COPY %s FROM STDIN", pgx.Identifier{tb.Name}.Sanitize())
	if _, err := f.pg.PgConn().CopyFrom(ctx, &buf, copySQL); err != nil {
		t.Fatalf("copying %d rows of %s into postgresql (postgresql cannot read stripesql's text output): %v", n, tb.Name, err)
	}
	if n != emulated {
		t.Logf("%s: stripesql lists %d rows, the emulator holds %d objects", tb.Name, n, emulated)
	}
	f.tables = append(f.tables, fmt.Sprintf("%s (%d)", tb.Name, n))
}

// writeCopyRow writes one row in COPY's text format: tab-separated, \N for NULL, with
// backslash, tab, newline and carriage return escaped.
func writeCopyRow(buf *bytes.Buffer, row []*string) {
	for i, v := range row {
		if i > 0 {
			buf.WriteByte('\t')
		}
		if v == nil {
			buf.WriteString(`\N`)
			continue
		}
		for _, r := range *v {
			switch r {
			case '\\':
				buf.WriteString(`\\`)
			case '\t':
				buf.WriteString(`\t`)
			case '\n':
				buf.WriteString(`\n`)
			case '\r':
				buf.WriteString(`\r`)
			default:
				buf.WriteRune(r)
			}
		}
	}
	buf.WriteByte('\n')
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// placeholder is {table.column} or {table.column#n}: the n-th (from 0) smallest distinct non-null
// value of the column in the loaded data; or {table.column/key#n}: the column's value in the row
// with the n-th smallest key. The corpus names real ids, emails and times this way without
// hard-coding what the seed happens to generate.
var placeholder = regexp.MustCompile(`\{([a-z_]+)\.([a-z_]+)(?:/([a-z_]+))?(?:#([0-9]+))?\}`)

// fill replaces the placeholders of sql with values read from PostgreSQL.
func (f *fixture) fill(ctx context.Context, sql string) (string, error) {
	var ferr error
	out := placeholder.ReplaceAllStringFunc(sql, func(m string) string {
		g := placeholder.FindStringSubmatch(m)
		n, _ := strconv.Atoi(g[4])
		col, table := pgx.Identifier{g[2]}.Sanitize(), pgx.Identifier{g[1]}.Sanitize()
		q := fmt.Sprintf("SELECT DISTINCT %s::text FROM %s WHERE %s IS NOT NULL ORDER BY 1 OFFSET %d LIMIT 1",
			col, table, col, n)
		if g[3] != "" {
			key := pgx.Identifier{g[3]}.Sanitize()
			q = fmt.Sprintf("SELECT %s::text FROM %s WHERE %s IS NOT NULL ORDER BY %s OFFSET %d LIMIT 1",
				col, table, key, key, n)
		}
		res, err := pgQuery(ctx, f.pg, q)
		if err == nil && len(res.Rows) != 1 {
			err = fmt.Errorf("no value for %s in the loaded data", m)
		}
		if err != nil {
			ferr = err
			return m
		}
		return strings.ReplaceAll(*res.Rows[0][0], "'", "''")
	})
	return out, ferr
}

// tally counts outcomes for the summary line.
type tally struct {
	mu                         sync.Mutex
	queries, matched           int
	failed, empty, stale, bugs []string
	pending                    map[string]int
}

func (s *tally) add(f func(*tally)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *tally) String() string {
	var feats []string
	total := 0
	for k, v := range s.pending {
		feats = append(feats, fmt.Sprintf("%s %d", k, v))
		total += v
	}
	sort.Strings(feats)
	return fmt.Sprintf("difftest: %d queries, %d matched (%d of them with no rows %v, %d with a stale known-bug tag %v), %d pending (%s), %d known bugs %v, %d failed %v",
		s.queries, s.matched, len(s.empty), s.empty, len(s.stale), s.stale, total, strings.Join(feats, ", "), len(s.bugs), s.bugs, len(s.failed), s.failed)
}

// strict makes known-bug entries fail like any other mismatch (DIFFTEST_STRICT=1).
var strict = os.Getenv("DIFFTEST_STRICT") != ""

// TestDifferential loads the emulator's data into PostgreSQL through stripesql and requires every
// corpus query to answer the same on both: in process with pushdown on and off, and through the
// wire server. It ends with a summary line (go test -v shows it).
func TestDifferential(t *testing.T) {
	entries := readCorpus(t)
	f := startFixture(t)
	ctx := context.Background()
	on, err := f.eng.session(ctx, "SET stripesql.max_requests = 100000")
	if err != nil {
		t.Fatal(err)
	}
	off, err := f.eng.session(ctx, "SET stripesql.max_requests = 100000", "SET stripesql.pushdown = off")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("harness_detects_wrong_answers", func(t *testing.T) { f.selfTest(t, on) })
	sum := &tally{pending: map[string]int{}}
	start := time.Now()
	for _, e := range entries {
		t.Run(e.Name, func(t *testing.T) {
			outcome, msg := f.check(e, on, off)
			sum.add(func(s *tally) {
				s.queries++
				switch outcome {
				case matched:
					s.matched++
				case matchedEmpty:
					s.matched++
					s.empty = append(s.empty, e.Name)
				case staleTag:
					s.matched++
					s.stale = append(s.stale, e.Name)
				case pending:
					s.pending[e.Needs]++
				case knownBug:
					s.bugs = append(s.bugs, e.Name)
				default:
					s.failed = append(s.failed, e.Name)
				}
			})
			switch outcome {
			case pending, knownBug:
				t.Skip(msg)
			case failed:
				t.Error(msg)
			case staleTag:
				t.Log(msg)
			}
		})
	}
	t.Logf("ran %d queries in %v", len(entries), time.Since(start).Round(time.Millisecond))
	t.Log(sum)
}

// outcome is what one corpus entry came to.
type outcome int

const (
	matched      outcome = iota
	matchedEmpty         // matched, but both answered no rows: a weak proof, listed in the summary
	staleTag             // tagged known-bug but matches now
	pending
	knownBug
	failed
)

// sqlState is the SQLSTATE of an error from the engine (*sqlstate.Error) or from pgx (*pgconn.PgError).
func sqlState(err error) string {
	var se *sqlstate.Error
	if errors.As(err, &se) {
		return se.Code
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// check runs one entry on PostgreSQL and on stripesql (in process with pushdown on and off, and
// through the wire server) and returns its
// outcome with the message to report: pending only when stripesql answers 0A000 for an entry
// tagged with the feature it needs; known-bug only for a tagged entry that still mismatches.
func (f *fixture) check(e Entry, on, off *planner.Session) (outcome, string) {
	ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
	defer cancel()
	sql, err := f.fill(ctx, e.SQL)
	if err != nil {
		return failed, fmt.Sprintf("filling placeholders: %v", err)
	}
	want, err := pgQuery(ctx, f.pg, sql)
	if err != nil {
		return failed, fmt.Sprintf("postgresql refuses the corpus query (fix the corpus): %v\n%s", err, sql)
	}
	opt := Options{Ordered: e.Ordered, Names: true, Types: true}
	var report []string
	for _, side := range []struct {
		name string
		run  func() (Result, error)
	}{
		{"pushdown=on", func() (Result, error) { return f.eng.query(ctx, on, sql) }},
		{"pushdown=off", func() (Result, error) { return f.eng.query(ctx, off, sql) }},
		{"wire", func() (Result, error) { return pgQuery(ctx, f.wire, sql) }},
	} {
		got, err := side.run()
		if err != nil {
			// Only the first side decides "pending": once stripesql answers with pushdown on, the
			// same query refused with pushdown off or over the wire is a failure like any other.
			if sqlState(err) == sqlstate.FeatureNotSupported && e.Needs != "" && len(report) == 0 && side.name == "pushdown=on" {
				return pending, fmt.Sprintf("pending (%s): %v", e.Needs, err)
			}
			report = append(report, fmt.Sprintf("%s: stripesql error: %v", side.name, err))
			continue
		}
		if d := Compare(want, got, opt); d != "" {
			report = append(report, side.name+": "+d)
		}
	}
	if len(report) == 0 {
		if e.KnownBug != "" {
			// Another package's fix must not turn this test red; the summary lists stale tags,
			// and DIFFTEST_STRICT=1 fails on them.
			msg := fmt.Sprintf("known bug %q no longer reproduces: remove the known-bug tag", e.KnownBug)
			if strict {
				return failed, msg
			}
			return staleTag, msg
		}
		if len(want.Rows) == 0 {
			return matchedEmpty, ""
		}
		return matched, ""
	}
	msg := fmt.Sprintf("stripesql and postgresql disagree:\n%s\n%s", sql, strings.Join(report, "\n"))
	if e.KnownBug != "" && !strict {
		return knownBug, fmt.Sprintf("known bug (%s): %s", e.KnownBug, msg)
	}
	return failed, msg
}

// selfTest proves on the loaded data that the comparison can fail: deliberately wrong stripesql
// answers (a changed value, a missing row, reversed order, a renamed column) must each be
// reported, and the right answer must not be.
func (f *fixture) selfTest(t *testing.T, sess *planner.Session) {
	ctx := context.Background()
	tests := []struct {
		name       string
		pg, stripe string
		opt        Options
		wantEqual  bool
	}{
		{"same query matches", "SELECT id, amount FROM charges", "SELECT id, amount FROM charges", Options{Names: true, Types: true}, true},
		{"changed value", "SELECT id, amount FROM charges", "SELECT id, amount + 1 AS amount FROM charges", Options{}, false},
		{"missing rows", "SELECT id FROM charges", "SELECT id FROM charges WHERE amount > 1000", Options{}, false},
		{"reversed order", "SELECT id FROM charges ORDER BY id", "SELECT id FROM charges ORDER BY id DESC", Options{Ordered: true}, false},
		{"order ignored without order by", "SELECT id FROM charges ORDER BY id", "SELECT id FROM charges ORDER BY id DESC", Options{}, true},
		{"renamed column", "SELECT id FROM charges", "SELECT id AS charge FROM charges", Options{Names: true}, false},
		{"other type", "SELECT amount FROM charges", "SELECT amount::numeric AS amount FROM charges", Options{Types: true}, false},
		{"null versus value", "SELECT failure_code FROM charges", "SELECT coalesce(failure_code, '') AS failure_code FROM charges", Options{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := pgQuery(ctx, f.pg, tt.pg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.eng.query(ctx, sess, tt.stripe)
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Rows) == 0 {
				t.Fatal("the self-test needs rows to compare")
			}
			d := Compare(want, got, tt.opt)
			if tt.wantEqual && d != "" {
				t.Errorf("harness reports a difference for equal answers:\n%s", d)
			}
			if !tt.wantEqual && d == "" {
				t.Errorf("harness missed a deliberately wrong answer: pg %q vs stripesql %q", tt.pg, tt.stripe)
			}
		})
	}
}
