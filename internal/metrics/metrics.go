package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/server"
)

// Metrics holds the node's registry and collectors. It implements stripeapi.Observer (the
// Stripe side) and server.Observer (the SQL side); every method is safe for concurrent use and
// costs a few atomic operations. Build one with New.
type Metrics struct {
	reg *prometheus.Registry

	requests     *prometheus.CounterVec
	requestTime  *prometheus.HistogramVec
	rateLimited  prometheus.Counter
	budgetWait   prometheus.Histogram
	cacheHits    *prometheus.CounterVec
	coalesced    *prometheus.CounterVec
	queries      *prometheus.CounterVec
	queryTime    prometheus.Histogram
	sessions     prometheus.Gauge
	rowsReturned prometheus.Counter
}

var (
	_ stripeapi.Observer = (*Metrics)(nil)
	_ server.Observer    = (*Metrics)(nil)
)

// Buckets of the histograms, in seconds. A Stripe request takes tens to hundreds of
// milliseconds; waits for the budget and whole queries reach minutes on large scans.
var (
	requestBuckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 80}
	waitBuckets    = []float64{0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}
	queryBuckets   = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800}
)

// New builds the collectors and registers them, with the Go runtime's and the process's own,
// in a fresh registry. rate is the node's request budget in requests per second (--rate), exported
// as stripesql_budget_requests_per_second so that the share of the budget in use is computable.
func New(rate float64) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "stripesql_stripe_requests_total",
		Help: "HTTP requests sent to Stripe, first tries and retries alike, by method, endpoint template and HTTP status (0 when no answer came).",
	}, []string{"method", "endpoint", "status"})
	m.requestTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "stripesql_stripe_request_seconds",
		Help:    "Time from sending a request to Stripe to its answer (or its network failure), by method and endpoint template.",
		Buckets: requestBuckets,
	}, []string{"method", "endpoint"})
	m.rateLimited = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "stripesql_stripe_429_total",
		Help: "Requests Stripe answered with 429 (rate limited); each is retried after a back-off.",
	})
	m.budgetWait = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "stripesql_budget_wait_seconds",
		Help:    "Time each request waited for the node's request budget (token bucket) before it was sent.",
		Buckets: waitBuckets,
	})
	budget := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "stripesql_budget_requests_per_second",
		Help: "The node's request budget: Stripe requests per second it may start (--rate).",
	})
	budget.Set(rate)
	m.cacheHits = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "stripesql_cache_hits_total",
		Help: "GETs answered from the node's page cache without a request to Stripe, by endpoint template.",
	}, []string{"endpoint"})
	m.coalesced = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "stripesql_coalesced_requests_total",
		Help: "GETs that shared the answer of an identical one in flight instead of sending their own, by endpoint template.",
	}, []string{"endpoint"})
	m.queries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "stripesql_queries_total",
		Help: "SQL statements answered over the wire, by outcome: ok, refused (54000, over the request budget), cancelled (57014), or the SQLSTATE class of the error (42, 22, 58, …).",
	}, []string{"outcome"})
	m.queryTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "stripesql_query_seconds",
		Help:    "Time from planning a statement to its last row (or its error).",
		Buckets: queryBuckets,
	})
	m.sessions = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "stripesql_sessions",
		Help: "Open client sessions (authenticated connections).",
	})
	m.rowsReturned = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "stripesql_rows_returned_total",
		Help: "Rows returned to clients.",
	})
	m.reg.MustRegister(m.requests, m.requestTime, m.rateLimited, m.budgetWait, budget, m.cacheHits,
		m.coalesced, m.queries, m.queryTime, m.sessions, m.rowsReturned,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Register adds collectors that other parts of the node own to the node's registry, so /metrics
// serves them with the rest. This is where flow runs are to be counted once flows exist: the flows
// package builds its collectors (named stripesql_flow_…) and registers them here when serve
// starts them. It fails, as prometheus.Registerer does, for a collector whose metrics clash with
// one already registered.
func (m *Metrics) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := m.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Gatherer returns the registry, for serving it (Handler) and for reading it in tests.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// Request implements stripeapi.Observer: one HTTP attempt sent to Stripe.
func (m *Metrics) Request(method, endpoint string, status int, d time.Duration) {
	meth, ep := methodLabel(method), endpointLabel(endpoint)
	m.requests.WithLabelValues(meth, ep, statusLabel(status)).Inc()
	m.requestTime.WithLabelValues(meth, ep).Observe(d.Seconds())
	if status == 429 {
		m.rateLimited.Inc()
	}
}

// BudgetWait implements stripeapi.Observer: the time one attempt waited for the budget.
func (m *Metrics) BudgetWait(d time.Duration) { m.budgetWait.Observe(d.Seconds()) }

// CacheHit implements stripeapi.Observer: a GET answered from the page cache.
func (m *Metrics) CacheHit(endpoint string) {
	m.cacheHits.WithLabelValues(endpointLabel(endpoint)).Inc()
}

// Coalesced implements stripeapi.Observer: a GET that shared another's answer.
func (m *Metrics) Coalesced(endpoint string) {
	m.coalesced.WithLabelValues(endpointLabel(endpoint)).Inc()
}

// SessionOpened implements server.Observer.
func (m *Metrics) SessionOpened() { m.sessions.Inc() }

// SessionClosed implements server.Observer.
func (m *Metrics) SessionClosed() { m.sessions.Dec() }

// QueryDone implements server.Observer: one statement's outcome, duration and rows.
func (m *Metrics) QueryDone(code string, d time.Duration, rows int64) {
	m.queries.WithLabelValues(Outcome(code)).Inc()
	m.queryTime.Observe(d.Seconds())
	if rows > 0 {
		m.rowsReturned.Add(float64(rows))
	}
}

// Outcome is the outcome label of a statement that ended with SQLSTATE code ("" for success):
// ok, refused (54000: the plan was over the request budget), cancelled (57014), or the code's
// two-character class ("42" for a syntax error or an unknown table, "22" for a bad value, "58"
// for Stripe failing). A code that is not five letters and digits is "XX" (internal).
func Outcome(code string) string {
	switch code {
	case "":
		return "ok"
	case sqlstate.ProgramLimitExceeded:
		return "refused"
	case sqlstate.QueryCanceled:
		return "cancelled"
	}
	if len(code) != 5 {
		return "XX"
	}
	for _, r := range code {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
			return "XX"
		}
	}
	return code[:2]
}

// methodLabel keeps the methods the Client sends and folds anything else into "other".
func methodLabel(method string) string {
	switch method {
	case "GET", "POST", "DELETE":
		return method
	}
	return "other"
}

// statusLabel is the HTTP status as a label: "0" when no answer came (a network failure or a
// dropped connection), the three digits otherwise.
func statusLabel(status int) string {
	if status < 0 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status)
}
