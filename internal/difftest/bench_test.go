package difftest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/pgtest"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// This file compares stripesql's executor with PostgreSQL 15 on the same rows already in memory
// (issue 5): BenchmarkExecutorVsPostgres measures, TestExecutorBenchAnswers proves at small scale
// that the measured queries answer the same on both sides. docs/benchmarks.md says how to run it
// and what it measured.
//
// stripesql's side reads its tables through catalog.Table.Rows, the in-process row source system
// tables (pg_catalog) use: the planner gives such a table a System scan, which hands the rows over
// without a Stripe request, JSON decoding or column-path lookup, so the time is the planner's and
// the executor's alone (iterators, expression evaluation, hashing, aggregation). The backend
// refuses every call, so a plan that tried to reach Stripe would fail rather than be measured.

// Sizes of the benchmark's data set, and of the small one the answers are checked on.
const (
	benchCharges   = 1_000_000
	benchCustomers = 100_000
	benchDistinct  = 10_000 // distinct customers the charges belong to

	checkCharges   = 5_000
	checkCustomers = 1_000
	checkDistinct  = 100
)

// benchQuery is one measured query and the input rows it reads, for rows per second.
type benchQuery struct {
	name string
	sql  string
	rows func(d *benchData) int
}

var benchQueries = []benchQuery{
	{
		name: "groupby",
		sql:  "SELECT customer, currency, count(*), sum(amount), avg(amount) FROM charges GROUP BY 1, 2",
		rows: func(d *benchData) int { return len(d.charges) },
	},
	{
		name: "hashjoin",
		sql: "SELECT cu.country, ch.currency, count(*), sum(ch.amount) " +
			"FROM charges ch JOIN customers cu ON ch.customer = cu.id GROUP BY 1, 2",
		rows: func(d *benchData) int { return len(d.charges) + len(d.customers) },
	},
}

// pgVariant is a PostgreSQL configuration the executor is compared with. work_mem is raised so
// neither side spills: stripesql holds its hash tables in memory (up to work_mem_rows).
type pgVariant struct {
	name   string
	set    string
	serial bool // no parallel workers: the backend's CPU time is the query's
}

var pgVariants = []pgVariant{
	{"pg=serial", "SET max_parallel_workers_per_gather = 0; SET jit = off; SET work_mem = '1GB'", true},
	{"pg=parallel2", "SET max_parallel_workers_per_gather = 2; SET jit = off; SET work_mem = '1GB'", false},
	{"pg=serial+jit", "SET max_parallel_workers_per_gather = 0; SET jit = on; SET work_mem = '1GB'", true},
}

// benchData holds the rows both sides read, in the catalog's value representations: charges
// (customer text, currency text, amount bigint, created timestamptz) and customers (id text,
// country text, created timestamptz).
type benchData struct {
	charges   [][]any
	customers [][]any
}

var (
	chargeColumns = []catalog.Column{
		{Name: "customer", Type: sqltypes.Text},
		{Name: "currency", Type: sqltypes.Text},
		{Name: "amount", Type: sqltypes.Int8},
		{Name: "created", Type: sqltypes.Timestamptz},
	}
	customerColumns = []catalog.Column{
		{Name: "id", Type: sqltypes.Text},
		{Name: "country", Type: sqltypes.Text},
		{Name: "created", Type: sqltypes.Timestamptz},
	}
)

// makeBenchData builds a deterministic data set: charges spread over distinct customers (spaced
// evenly through the customer ids, 1% with no customer), four currencies of uneven frequency,
// amounts from 50 to 100,000 cents; customers in twelve countries (2% with none).
func makeBenchData(charges, customers, distinct int) *benchData {
	rng := rand.New(rand.NewPCG(5, 2024))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := make([]string, customers)
	d := &benchData{customers: make([][]any, customers), charges: make([][]any, charges)}
	countries := []string{"US", "GB", "DE", "FR", "JP", "CA", "AU", "NL", "SE", "BR", "IN", "ES"}
	for i := range ids {
		ids[i] = fmt.Sprintf("cus_%07d", i)
		var country any = countries[rng.IntN(len(countries))]
		if rng.IntN(50) == 0 {
			country = nil
		}
		d.customers[i] = []any{ids[i], country, base.Add(time.Duration(i) * time.Minute)}
	}
	currencies := []string{"usd", "usd", "usd", "eur", "eur", "gbp", "jpy"}
	step := customers / distinct
	for i := range d.charges {
		var customer any = ids[rng.IntN(distinct)*step]
		if rng.IntN(100) == 0 {
			customer = nil
		}
		d.charges[i] = []any{customer, currencies[rng.IntN(len(currencies))], int64(50 + rng.IntN(99_951)),
			base.Add(time.Duration(i) * time.Second)}
	}
	return d
}

// catalog serves the data set as two in-process tables (see the comment at the top of the file).
func (d *benchData) catalog() *catalog.Catalog {
	return catalog.New(
		&catalog.Table{Name: "charges", Columns: chargeColumns, Rows: func(*catalog.Catalog) [][]any { return d.charges }},
		&catalog.Table{Name: "customers", Columns: customerColumns, Rows: func(*catalog.Catalog) [][]any { return d.customers }},
	)
}

// noStripe is a Backend that refuses every call: the benchmark's plans must not reach Stripe.
type noStripe struct{}

var _ stripeapi.Backend = noStripe{}

func (noStripe) refuse(path string) error {
	return sqlstate.New(sqlstate.InternalError, "benchmark plan sent a stripe request to %s", path)
}

func (n noStripe) List(_ context.Context, path string, _ url.Values) (*stripeapi.Page, error) {
	return nil, n.refuse(path)
}

func (n noStripe) Search(_ context.Context, path string, _ url.Values) (*stripeapi.Page, error) {
	return nil, n.refuse(path)
}

func (n noStripe) Retrieve(_ context.Context, path string, _ url.Values) (stripeapi.Object, error) {
	return nil, n.refuse(path)
}

func (n noStripe) Post(_ context.Context, path string, _ url.Values, _ string) (stripeapi.Object, error) {
	return nil, n.refuse(path)
}

func (n noStripe) Delete(_ context.Context, path string, _ url.Values, _ string) (stripeapi.Object, error) {
	return nil, n.refuse(path)
}

// benchSides is the same data set on both sides: stripesql's engine over the in-process tables,
// and a connection to a throwaway PostgreSQL holding the same rows, warmed into shared buffers.
type benchSides struct {
	data *benchData
	eng  *engine
	sess *planner.Session
	pg   *pgx.Conn
}

// startBenchSides starts PostgreSQL (skipping tb when it is not installed), copies the data set
// into it, vacuums and analyzes it (so no first read sets hint bits) and loads both tables into
// shared buffers with pg_prewarm.
func startBenchSides(tb testing.TB, d *benchData) *benchSides {
	tb.Helper()
	ctx := context.Background()
	srv := pgtest.Start(tb)
	conn, err := pgx.Connect(ctx, srv.URL())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	pgLoad(tb, conn, "charges", chargeColumns, d.charges)
	pgLoad(tb, conn, "customers", customerColumns, d.customers)
	for _, sql := range []string{"VACUUM ANALYZE charges", "VACUUM ANALYZE customers", "CREATE EXTENSION pg_prewarm",
		"SELECT pg_prewarm('charges'), pg_prewarm('customers')"} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			tb.Fatalf("%s: %v", sql, err)
		}
	}
	s := &benchSides{data: d, pg: conn, eng: &engine{backend: noStripe{}, cat: d.catalog(), stats: planner.NewStats()}}
	if s.sess, err = s.eng.session(ctx); err != nil {
		tb.Fatal(err)
	}
	return s
}

// pgLoad creates table name with cols in PostgreSQL and copies rows into it in COPY's text format,
// each value in the text form stripesql itself prints.
func pgLoad(tb testing.TB, conn *pgx.Conn, name string, cols []catalog.Column, rows [][]any) {
	tb.Helper()
	var defs []string
	for _, c := range cols {
		defs = append(defs, c.Name+" "+sqltypes.FormatType(c.Type))
	}
	ctx := context.Background()
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", name, strings.Join(defs, ", "))); err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	text := make([]*string, len(cols))
	for _, row := range rows {
		for i, v := range row {
			text[i] = nil
			if v != nil {
				s := sqltypes.FormatText(v, cols[i].Type)
				text[i] = &s
			}
		}
		writeCopyRow(&buf, text)
	}
	tag, err := conn.PgConn().CopyFrom(ctx, &buf, "COPY "+name+" FROM STDIN")
	if err != nil {
		tb.Fatalf("copying %s into postgresql: %v", name, err)
	}
	if tag.RowsAffected() != int64(len(rows)) {
		tb.Fatalf("copied %d rows of %s into postgresql; want %d", tag.RowsAffected(), name, len(rows))
	}
}

// cost is what one side spent on one query: wall time, and CPU time when it could be measured.
type cost struct {
	wall, cpu time.Duration
	cpuOK     bool
}

// add sums o into c; the sum has a CPU time only when every part had one.
func (c *cost) add(o cost) {
	c.wall += o.wall
	c.cpu += o.cpu
	c.cpuOK = c.cpuOK && o.cpuOK
}

// measure runs f and returns its wall time and the growth of cpu across it.
func measure(f func() error, cpu func() (time.Duration, bool)) (cost, error) {
	c0, ok0 := cpu()
	start := time.Now()
	err := f()
	wall := time.Since(start)
	c1, ok1 := cpu()
	return cost{wall: wall, cpu: c1 - c0, cpuOK: ok0 && ok1}, err
}

// answers runs sql on both sides, PostgreSQL first when pgFirst, and returns each answer in
// PostgreSQL's text form and each side's cost: stripesql's planner and executor in process,
// PostgreSQL over loopback TCP with the simple protocol (its CPU is its backend process's).
func (s *benchSides) answers(ctx context.Context, sql string, pgFirst bool) (pg, ours Result, pgCost, ourCost cost, err error) {
	pid := s.pg.PgConn().PID()
	runPG := func() (err error) {
		pgCost, err = measure(func() (err error) {
			pg, err = pgQuery(ctx, s.pg, sql)
			return err
		}, func() (time.Duration, bool) { return backendCPU(pid) })
		if err != nil {
			return fmt.Errorf("postgresql: %w", err)
		}
		return nil
	}
	runOurs := func() (err error) {
		ourCost, err = measure(func() (err error) {
			ours, err = s.eng.query(ctx, s.sess, sql)
			return err
		}, processCPU)
		if err != nil {
			return fmt.Errorf("stripesql: %w", err)
		}
		return nil
	}
	first, second := runOurs, runPG
	if pgFirst {
		first, second = runPG, runOurs
	}
	if err = first(); err == nil {
		err = second()
	}
	return pg, ours, pgCost, ourCost, err
}

// pgWarmth describes PostgreSQL's side for the benchmark's log: the table's size against
// shared_buffers, whether JIT is available, and the buffers a full read of charges touches
// (all "hit", none "read", when the prewarm kept the table in shared buffers).
func pgWarmth(tb testing.TB, conn *pgx.Conn) string {
	tb.Helper()
	ctx := context.Background()
	var size, buffers string
	var jit bool
	if err := conn.QueryRow(ctx, "SELECT pg_size_pretty(pg_table_size('charges')), current_setting('shared_buffers'), pg_jit_available()").
		Scan(&size, &buffers, &jit); err != nil {
		tb.Fatal(err)
	}
	var top string // the top plan node's Buffers line: the whole query's
	rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) SELECT count(*) FROM charges")
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			tb.Fatal(err)
		}
		if strings.Contains(line, "Buffers:") && top == "" {
			top = strings.TrimSpace(line)
		}
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return fmt.Sprintf("postgresql: charges %s, shared_buffers %s, jit available %v; count(*) over charges: %s",
		size, buffers, jit, top)
}

// TestExecutorBenchAnswers runs the benchmark's queries on a small copy of its data set on both
// sides and requires the same answers, so the benchmark cannot measure a wrong one.
func TestExecutorBenchAnswers(t *testing.T) {
	start := time.Now()
	s := startBenchSides(t, makeBenchData(checkCharges, checkCustomers, checkDistinct))
	t.Logf("postgresql started and loaded in %v", time.Since(start).Round(time.Millisecond))
	ctx := context.Background()
	if _, err := s.pg.Exec(ctx, pgVariants[0].set); err != nil {
		t.Fatal(err)
	}
	for _, q := range benchQueries {
		t.Run(q.name, func(t *testing.T) {
			pg, ours, _, _, err := s.answers(ctx, q.sql, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(pg.Rows) < 10 {
				t.Fatalf("postgresql answers %d rows: the data set is too small to check anything", len(pg.Rows))
			}
			if d := Compare(pg, ours, Options{Names: true, Types: true}); d != "" {
				t.Errorf("%s\n%s", q.sql, d)
			}
		})
	}
}

// BenchmarkExecutorVsPostgres runs each query on 1,000,000 charges (and 100,000 customers)
// alternately on stripesql's executor and on PostgreSQL 15, and reports each side's input rows
// per second and the ratio of their times (stripesql ÷ PostgreSQL: 2 means stripesql takes twice
// as long). Both timings include planning and handing the whole answer to Go as text; PostgreSQL's
// also includes the loopback round trip. Every iteration's answers are compared, outside the
// timings. Run it with a fixed count, one iteration takes seconds:
//
//	go test ./internal/difftest -run '^$' -bench ExecutorVsPostgres -benchtime 5x
func BenchmarkExecutorVsPostgres(b *testing.B) {
	start := time.Now()
	s := startBenchSides(b, makeBenchData(benchCharges, benchCustomers, benchDistinct))
	b.Logf("loaded %d charges and %d customers on both sides in %v", len(s.data.charges), len(s.data.customers),
		time.Since(start).Round(time.Millisecond))
	ctx := context.Background()
	b.Log(pgWarmth(b, s.pg))
	for _, q := range benchQueries {
		for _, v := range pgVariants {
			b.Run(q.name+"/"+v.name, func(b *testing.B) {
				if _, err := s.pg.Exec(ctx, v.set); err != nil {
					b.Fatal(err)
				}
				var ours, theirs cost
				ours.cpuOK, theirs.cpuOK = true, true
				n, answered := 0, 0
				for b.Loop() {
					// Alternating which side runs first evens out caches and the Go heap's state.
					pg, got, pgCost, ourCost, err := s.answers(ctx, q.sql, n%2 == 1)
					if err != nil {
						b.Fatal(err)
					}
					n, answered = n+1, len(pg.Rows)
					ours.add(ourCost)
					theirs.add(pgCost)
					b.StopTimer()
					if d := Compare(pg, got, Options{}); d != "" {
						b.Fatalf("answers differ:\n%s", d)
					}
					b.StartTimer()
				}
				rows := float64(q.rows(s.data) * n)
				b.ReportMetric(rows/ours.wall.Seconds(), "stripesql-rows/s")
				b.ReportMetric(rows/theirs.wall.Seconds(), "postgres-rows/s")
				b.ReportMetric(ours.wall.Seconds()/theirs.wall.Seconds(), "time-ratio")
				b.ReportMetric(float64(answered), "result-rows")
				// A parallel plan's workers are processes whose CPU the backend's figure leaves out.
				if v.serial && ours.cpuOK && theirs.cpuOK && theirs.cpu > 0 {
					b.ReportMetric(ours.cpu.Seconds()/theirs.cpu.Seconds(), "cpu-ratio")
				}
			})
		}
	}
}
