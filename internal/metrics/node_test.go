package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
	"github.com/stripesql/stripesql/server"
)

// testKey is the node's key in these tests; no label value may contain it.
const testKey = "sk_test_metricsnodekey4242"

// node is serve's pieces, wired the way `stripesql serve --metrics-listen` wires them: an
// emulator as Stripe, the Client with the Metrics as its Observer, the wire server with the same
// Metrics as its Observer, and the metrics listener, each on 127.0.0.1:0.
type node struct {
	emu     *emulator.Emulator
	m       *Metrics
	sched   *stripeapi.Scheduler
	pgURL   string
	httpURL string
}

// nodeRate is the test node's request budget: fast enough to run the tests quickly and to run
// into an emulator limit of a few requests per second.
const nodeRate = 50

func startNode(t *testing.T, emuCfg emulator.Config, key string) *node {
	t.Helper()
	emu, stripeURL := startEmulator(t, emuCfg)
	n := &node{emu: emu, m: New(nodeRate), sched: stripeapi.NewScheduler(nodeRate)}
	client, err := stripeapi.NewClient(stripeapi.Config{
		APIKey:    key,
		BaseURL:   stripeURL,
		Rate:      nodeRate,
		Scheduler: n.sched,
		Observer:  n.m,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The node knows its own account's id from the start, as serve reads it when it starts, so
	// the rows' stripe_account costs no GET /v1/account beside the readiness checks.
	stats := planner.NewStats()
	stats.LoadAccount("", planner.AccountFacts{ID: emu.AccountID()})
	srv, err := server.New(server.Config{Backend: client, Rate: nodeRate, Observer: n.m, AuthFailureDelay: -1, Stats: stats})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pgLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pgDone, mDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(pgDone); _ = srv.Serve(ctx, pgLn) }()
	ready := NewReadiness(ReadinessConfig{Backend: client})
	go func() { defer close(mDone); _ = Serve(ctx, mLn, Handler(n.m, ready)) }()
	t.Cleanup(func() {
		cancel()
		<-pgDone
		<-mDone
	})
	host, port, _ := net.SplitHostPort(pgLn.Addr().String())
	n.pgURL = fmt.Sprintf("host=%s port=%s dbname=stripe user=tester sslmode=disable", host, port)
	n.httpURL = "http://" + mLn.Addr().String()
	return n
}

// startEmulator serves an emulator on 127.0.0.1 until the test ends and returns it with its URL.
func startEmulator(t *testing.T, cfg emulator.Config) (*emulator.Emulator, string) {
	t.Helper()
	emu, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return emu, "http://" + ln.Addr().String()
}

// get fetches a path of the metrics listener and returns the status and body.
func (n *node) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(n.httpURL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// scrape reads /metrics in the text format, as Prometheus would.
func (n *node) scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := n.get(t, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d:\n%s", code, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

// values maps each series of a family (its label values joined by spaces, in label-name order)
// to its value: a counter's or gauge's value, a histogram's sample count.
func values(fams map[string]*dto.MetricFamily, name string) map[string]float64 {
	out := map[string]float64{}
	mf := fams[name]
	if mf == nil {
		return out
	}
	for _, m := range mf.GetMetric() {
		var parts []string
		for _, l := range m.GetLabel() {
			parts = append(parts, l.GetValue())
		}
		key := strings.Join(parts, " ")
		switch {
		case m.Counter != nil:
			out[key] = m.GetCounter().GetValue()
		case m.Gauge != nil:
			out[key] = m.GetGauge().GetValue()
		case m.Histogram != nil:
			out[key] = float64(m.GetHistogram().GetSampleCount())
		}
	}
	return out
}

// received is what the emulator's request log says Stripe received, in the shape of
// stripesql_stripe_requests_total: "endpoint method status" (labels in name order) → requests.
func received(emu *emulator.Emulator) map[string]float64 {
	out := map[string]float64{}
	for _, r := range emu.Requests() {
		out[fmt.Sprintf("%s %s %d", endpointLabel(stripeapi.Endpoint(r.Path)), r.Method, r.Status)]++
	}
	return out
}

func sum(m map[string]float64) float64 {
	var s float64
	for _, v := range m {
		s += v
	}
	return s
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sortedKeys lists a map's keys, for readable failure messages and logs.
func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// workload is the mix of statements the end-to-end tests run: reads that succeed, a retrieve of
// an id Stripe does not know (404), reads fast enough to meet the emulator's rate limit (429 and
// retries), a write whose answer the emulator drops (retried with its idempotency key), errors
// of class 42, a plan over the request budget (refused) and a statement cancelled while it waits
// for the budget. Each statement carries literals no label may repeat.
type statement struct {
	sql     string
	simple  bool   // simple query protocol instead of pgx's extended one
	outcome string // want: the outcome label of stripesql_queries_total
	rows    int    // want: rows returned
}

func workload(customerIDs []string) []statement {
	quoted := make([]string, len(customerIDs))
	for i, id := range customerIDs {
		quoted[i] = "'" + id + "'"
	}
	return []statement{
		{sql: "SELECT id, email FROM customers LIMIT 5", outcome: "ok", rows: 5},
		{sql: "SELECT id FROM customers WHERE id = 'hello_world'", outcome: "ok", rows: 0},
		{sql: "SELECT id FROM customers WHERE id = 'cus_doesnotexist123'", simple: true, outcome: "ok", rows: 0},
		{sql: "SELECT id FROM customers WHERE id IN (" + strings.Join(quoted, ", ") + ")", outcome: "ok", rows: len(customerIDs)},
		{sql: "SELECT id FROM charges LIMIT 3", simple: true, outcome: "ok", rows: 3},
		{sql: "INSERT INTO customers (email, name) VALUES ('jane.doe@example.com', 'Jane Secretname') RETURNING id", outcome: "ok", rows: 1},
		{sql: "SELEC 'not sql'", simple: true, outcome: "42"},
		{sql: "SELECT * FROM no_such_table_xyz", outcome: "42"},
		{sql: "SELECT * FROM no_such_table_abc", simple: true, outcome: "42"},
		{sql: "SET stripesql.max_requests = 1", simple: true, outcome: "ok"},
		{sql: "SELECT * FROM charges WHERE amount > 4242", simple: true, outcome: "refused"},
		{sql: "RESET stripesql.max_requests", simple: true, outcome: "ok"},
	}
}

// run runs the statements on conn and checks the outcome and rows of each.
func run(t *testing.T, conn *pgx.Conn, stmts []statement) {
	t.Helper()
	ctx := context.Background()
	for _, st := range stmts {
		var args []any
		if st.simple {
			args = append(args, pgx.QueryExecModeSimpleProtocol)
		}
		rows, err := conn.Query(ctx, st.sql, args...)
		n := 0
		if err == nil {
			for rows.Next() {
				n++
			}
			rows.Close()
			err = rows.Err()
		}
		got := Outcome(codeOf(err))
		if got != st.outcome || (err == nil && n != st.rows) {
			t.Errorf("%s: outcome %s (%v), %d rows; want %s, %d rows", st.sql, got, err, n, st.outcome, st.rows)
		}
	}
}

// codeOf is the SQLSTATE of a pgx error, "" for none.
func codeOf(err error) string {
	if err == nil {
		return ""
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return "XX000"
}
