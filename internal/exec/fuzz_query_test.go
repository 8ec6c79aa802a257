package exec_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/difftest"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/exec"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// FuzzQuery runs arbitrary SQL through the whole engine (planner.Parse → planner.Plan → exec.Run
// → Rows.Next) over the Stripe emulator and fails when the engine panics, keeps running after the
// input is cancelled (see fuzzQueryLimit), or fails with an error a user must not see: one that
// is not a *sqlstate.Error, an internal error (XX000: a bug, not bad input), an empty message, or
// one that repeats the API key. Every answered row must have as many values as the statement has
// columns.
//
// Inputs run with a small request budget (fuzzBudget), so an input costs milliseconds; an input
// that writes (INSERT, UPDATE, DELETE, CALL) gets a fresh emulator afterwards, so every input
// starts from the same data and a failure reproduces from its input alone.
//
// The seeds are every query of internal/difftest/testdata/corpus*.sql (placeholders filled from
// the emulator's data) with broken variants of some, and statements the corpus does not reach:
// writes, CALL, SET, EXPLAIN and malformed text.
func FuzzQuery(f *testing.F) {
	env := newFuzzEnv(f)
	for _, s := range fuzzSeeds(f, env) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		env.check(t, sql)
	})
}

// fuzzBudget is the request budget of every fuzzed statement: enough for a corpus query over the
// small emulator, little enough that no input spends long on requests.
const fuzzBudget = "40"

// fuzzQueryLimit is how long one input may run before it is cancelled, and fuzzCancelGrace how
// soon after that it must stop: an input may be expensive (generate_series over 2^63 values is
// PostgreSQL's work too), but one that keeps running after its cancellation is a hang. The race
// detector slows the engine several times over, and the seed corpus runs under it in CI.
func fuzzQueryLimit() (limit, grace time.Duration) {
	if raceDetector {
		return 10 * time.Second, 5 * time.Second
	}
	return 2 * time.Second, time.Second
}

// fuzzKey is the API key of the fuzzed client; no error may repeat it.
const fuzzKey = "sk_test_fuzzquery_secret_4242"

// fuzzEnv is the engine over an in-process emulator: the client's HTTP requests go straight to
// the emulator's handler, with no listener, so inputs are fast and the test is hermetic.
type fuzzEnv struct {
	tb      testing.TB
	cat     *catalog.Catalog
	stats   *planner.Stats
	backend *writeWatch
}

func newFuzzEnv(tb testing.TB) *fuzzEnv {
	e := &fuzzEnv{tb: tb, cat: catalog.Default(), stats: planner.NewStats()}
	e.reset()
	// Learn the size of every table once, as a node that has served queries knows them, so the
	// small budget refuses only what is really expensive.
	sess := e.session("100000")
	for _, tb := range e.cat.Tables() {
		if tb.Schema != "public" || tb.List == nil || len(tb.List.Required)+len(tb.List.Parents) > 0 {
			continue
		}
		_ = runStatements(context.Background(), e.backend, sess, "SELECT count(*) FROM "+tb.Name)
	}
	return e
}

// reset replaces the emulator and client with freshly seeded ones.
func (e *fuzzEnv) reset() {
	emu, err := emulator.New(emulator.Config{Seed: 11, Scale: emulator.ScaleN(10), Now: func() time.Time { return emuNow }})
	if err != nil {
		e.tb.Fatal(err)
	}
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: fuzzKey, BaseURL: "http://emulator.invalid",
		Scheduler: stripeapi.NewScheduler(1e6), MaxRetryTime: 200 * time.Millisecond,
		HTTPClient: &http.Client{Transport: handlerTransport{emu}}})
	if err != nil {
		e.tb.Fatal(err)
	}
	e.backend = &writeWatch{Backend: client}
}

func (e *fuzzEnv) session(budget string) *planner.Session {
	return planner.NewSession(planner.SessionConfig{Catalog: e.cat, Rate: 1e6, Stats: e.stats, User: "fuzz",
		Settings: map[string]string{"stripesql.max_requests": budget}, Clock: func() time.Time { return emuNow }})
}

// check runs one input and reports what the engine must never do.
func (e *fuzzEnv) check(t *testing.T, sql string) {
	limit, grace := fuzzQueryLimit()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	type result struct {
		err   error
		panic string
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{panic: fmt.Sprintf("%v\n%s", r, debug.Stack())}
			}
		}()
		err := runStatements(ctx, e.backend, e.session(fuzzBudget), sql)
		done <- result{err: err}
	}()
	var res result
	select {
	case res = <-done:
	case <-time.After(limit + grace):
		t.Fatalf("%q still running %v after it was cancelled at %v", sql, grace, limit)
	}
	if e.backend.wrote.Swap(false) {
		e.reset()
	}
	if res.panic != "" {
		t.Fatalf("panic running %q: %s", sql, res.panic)
	}
	if res.err != nil {
		if msg := userErrorProblem(res.err); msg != "" {
			t.Fatalf("%q: %s", sql, msg)
		}
	}
}

// userErrorProblem says what is wrong with err as an error a user sees, or "" when nothing is.
func userErrorProblem(err error) string {
	e, ok := sqlstate.As(err)
	switch {
	case !ok:
		return fmt.Sprintf("error %T %q carries no SQLSTATE", err, err)
	case e.Code == sqlstate.InternalError:
		return fmt.Sprintf("internal error (XX000): %s", e.Message)
	case len(e.Code) != 5:
		return fmt.Sprintf("SQLSTATE %q is not five characters (message %q)", e.Code, e.Message)
	case e.Message == "":
		return fmt.Sprintf("error %s has no message", e.Code)
	case strings.Contains(e.Message+e.Detail+e.Hint, fuzzKey):
		return fmt.Sprintf("error %s repeats the API key: %q", e.Code, e.Message+" / "+e.Detail+" / "+e.Hint)
	}
	return ""
}

// runStatements plans and runs every statement of sql in order, reading every row, and stops at the
// first error, as a simple query does. A row whose width is not the statement's is an error.
func runStatements(ctx context.Context, b stripeapi.Backend, sess *planner.Session, sql string) error {
	sts, err := planner.Parse(sql)
	if err != nil {
		return err
	}
	for _, st := range sts {
		p, err := planner.Plan(sess, st, nil)
		if err != nil {
			return err
		}
		rows, err := exec.Run(ctx, b, sess, p)
		if err != nil {
			return err
		}
		err = drain(ctx, rows)
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func drain(ctx context.Context, rows exec.Rows) error {
	width := len(rows.Columns())
	for {
		r, err := rows.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(r) != width {
			return fmt.Errorf("row of %d values for %d columns", len(r), width)
		}
	}
}

// handlerTransport answers HTTP requests by calling a handler in process.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// writeWatch is a Backend that remembers whether a statement sent a create, update, action or
// delete, so the fuzz target can restore the emulator's data after it.
type writeWatch struct {
	stripeapi.Backend
	wrote atomic.Bool
}

func (w *writeWatch) Post(ctx context.Context, path string, p url.Values, key string) (stripeapi.Object, error) {
	w.wrote.Store(true)
	return w.Backend.Post(ctx, path, p, key)
}

func (w *writeWatch) Delete(ctx context.Context, path string, p url.Values, key string) (stripeapi.Object, error) {
	w.wrote.Store(true)
	return w.Backend.Delete(ctx, path, p, key)
}

// extraFuzzSeeds reach what the differential corpus does not: writes, procedures, settings,
// EXPLAIN, parameters without values, and malformed text.
var extraFuzzSeeds = []string{
	"INSERT INTO customers (email, name) VALUES ('fuzz@example.com', 'Fuzz') RETURNING id, email",
	"UPDATE customers SET name = 'x' WHERE id = 'cus_missing'",
	"DELETE FROM customers WHERE id = 'cus_missing'",
	"CALL ConfirmPaymentIntent('pi_missing')",
	"SET stripesql.dry_run = on; INSERT INTO products (name) VALUES ('p')",
	"SET stripesql.pushdown = off; SELECT count(*) FROM charges WHERE amount > 1000",
	"SET stripesql.work_mem_rows = 3; SELECT DISTINCT currency FROM charges",
	"SET TIME ZONE 'America/New_York'; SELECT created::date FROM charges ORDER BY id LIMIT 2",
	"EXPLAIN ANALYZE SELECT c.id, count(*) FROM customers c JOIN charges ch ON ch.customer = c.id GROUP BY c.id",
	"EXPLAIN SELECT * FROM invoices WHERE customer = 'cus_x'",
	"SELECT $1::int",
	"SELECT * FROM generate_series(1, 100000000) LIMIT 3",
	"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r LIMIT 5",
	"SELECT id FROM charges WHERE id = ANY(ARRAY['ch_a', NULL]) AND amount / 0 > 1",
	"SELECT (SELECT id FROM customers ORDER BY id LIMIT 1), '1 day'::interval * 1e300",
	"SELECT lower(NULL), ''::jsonb, 'x'::int, 1/0",
	"SELECT metadata->'a'->>0, payment_method_details #>> '{card,brand}' FROM charges ORDER BY id",
	"SELECT * FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid WHERE c.relname = 'charges'",
	"SELECT",
	"SELECT (",
	"SELECT 'unterminated",
	"\x00",
	";;;",
	"COMMIT; ROLLBACK; BEGIN",
}

// placeholder is a corpus placeholder: {table.column}, {table.column#n} or {table.column/key#n}
// (see internal/difftest/testdata/corpus.sql).
var placeholder = regexp.MustCompile(`\{([a-z_]+)\.([a-z_]+)(?:/([a-z_]+))?(?:#([0-9]+))?\}`)

// fuzzSeeds returns the corpus queries with their placeholders filled (a third of them under the
// race detector), broken variants of every fourth, and extraFuzzSeeds.
func fuzzSeeds(tb testing.TB, env *fuzzEnv) []string {
	files, err := filepath.Glob("../difftest/testdata/corpus*.sql")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no differential corpus found (%v)", err)
	}
	fill := env.placeholderFiller()
	var seeds []string
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		entries, err := difftest.ParseCorpus(string(text))
		if err != nil {
			tb.Fatalf("%s: %v", file, err)
		}
		for i, en := range entries {
			if raceDetector && i%3 != 0 {
				continue // a third of the corpus keeps the package's -race run short
			}
			sql := placeholder.ReplaceAllStringFunc(en.SQL, fill)
			seeds = append(seeds, sql)
			if i%4 == 0 {
				seeds = append(seeds, brokenVariant(sql, i/4))
			}
		}
	}
	return append(seeds, extraFuzzSeeds...)
}

// brokenVariant damages sql in one of a few ways a user's typing does, chosen by n.
func brokenVariant(sql string, n int) string {
	switch n % 5 {
	case 0:
		return sql[:len(sql)*2/3]
	case 1:
		return strings.Replace(sql, ")", "", 1)
	case 2:
		return strings.Replace(sql, "'", "", 1)
	case 3:
		return strings.Replace(sql, " FROM ", " FROM nosuch, ", 1)
	default:
		return "EXPLAIN ANALYZE " + sql
	}
}

// placeholderFiller returns a function that replaces one placeholder with a value read through
// the engine, as the differential harness reads it from PostgreSQL: {t.c#n} is the n-th smallest
// distinct non-null value of t.c, {t.c/k#n} the value of c in the row with the n-th smallest k.
// A placeholder the engine cannot fill becomes "none", which matches no row.
func (e *fuzzEnv) placeholderFiller() func(string) string {
	cache := map[string]string{}
	sess := e.session("100000")
	return func(m string) string {
		if v, ok := cache[m]; ok {
			return v
		}
		g := placeholder.FindStringSubmatch(m)
		table, col, key, n := g[1], g[2], g[3], g[4]
		if n == "" {
			n = "0"
		}
		q := fmt.Sprintf("SELECT DISTINCT %s::text FROM %s WHERE %s IS NOT NULL ORDER BY 1 OFFSET %s LIMIT 1", col, table, col, n)
		if key != "" {
			q = fmt.Sprintf("SELECT %s::text FROM %s ORDER BY %s OFFSET %s LIMIT 1", col, table, key, n)
		}
		v := "none"
		if rows, _, err := run(context.Background(), e.backend, sess, q); err == nil && len(rows) == 1 && rows[0][0] != nil {
			v = rows[0][0].(string)
		}
		cache[m] = v
		return v
	}
}

// TestPushdownOfUnknownStatus is a reproducer for the lead, found by the server's corpus survival
// test: a filter on an enumerated list parameter with a value Stripe does not know is pushed as
// is, and Stripe (as the emulator) refuses the list with 400, so the query fails with 22023, while
// the same query with pushdown off returns no rows, as PostgreSQL would. Pushdown must never change
// the answer: a value outside the parameter's enumeration should match nothing without a request.
func TestPushdownOfUnknownStatus(t *testing.T) {
	t.Skip("open: the catalog does not record the values an enumerated list parameter accepts (planner/access.go, catalog overrides)")
	env := newFuzzEnv(t)
	for _, pushdown := range []string{"on", "off"} {
		sess := env.session("100")
		sql := "SET stripesql.pushdown = " + pushdown + "; SELECT id FROM subscriptions WHERE status = 'bogus'"
		if err := runStatements(context.Background(), env.backend, sess, sql); err != nil {
			t.Errorf("pushdown %s: %v; want no rows", pushdown, err)
		}
	}
}
