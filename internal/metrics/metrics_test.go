package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

func TestEndpointLabel(t *testing.T) {
	tests := []struct{ endpoint, want string }{
		{"/v1/customers", "/v1/customers"},
		{"/v1/customers/{id}", "/v1/customers/{id}"},
		{"/v1/customers/search", "/v1/customers/search"},
		{"/v1/customers/{id}/tax_ids/{id}", "/v1/customers/{id}/tax_ids/{id}"},
		{"/v1/payment_intents/{id}/confirm", "/v1/payment_intents/{id}/confirm"},
		{"/v1/customers/{id}/sources/{id}/verify", "/v1/customers/{id}/sources/{id}/verify"},
		{"/v1/test_helpers/test_clocks/{id}/advance", "/v1/test_helpers/test_clocks/{id}/advance"},
		{"/v1/account", "/v1/account"},
		// Values a query put into a path that Endpoint could not tell from words.
		{"/v1/customers/hello_world", "/v1/customers/{id}"},
		{"/v1/customers/jane", "/v1/customers/{id}"},
		{"/v1/customers/{id}/tax_ids/secret", "/v1/customers/{id}/tax_ids/{id}"},
		{"/v1/customers/", "/v1/customers/{id}"},
		{"/v2/customers", "other"},
		{"customers", "other"},
		{"/v1", "other"},
		{"/v1/a/b/c/d/e/f/g/h", "other"},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			if got := endpointLabel(tt.endpoint); got != tt.want {
				t.Errorf("endpointLabel(%q) = %q, want %q", tt.endpoint, got, tt.want)
			}
		})
	}
}

func TestOutcome(t *testing.T) {
	tests := []struct{ code, want string }{
		{"", "ok"},
		{"54000", "refused"},
		{"57014", "cancelled"},
		{"57P01", "57"},
		{"42601", "42"},
		{"42P01", "42"},
		{"22023", "22"},
		{"58000", "58"},
		{"XX000", "XX"},
		{"4260", "XX"},
		{"42p01", "XX"},
		{"cus_1", "XX"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := Outcome(tt.code); got != tt.want {
				t.Errorf("Outcome(%q) = %q, want %q", tt.code, got, tt.want)
			}
		})
	}
}

// TestObserverCalls drives both observer interfaces directly and reads the collectors back.
func TestObserverCalls(t *testing.T) {
	m := New(6)
	m.Request("GET", "/v1/customers/{id}", 200, 30*time.Millisecond)
	m.Request("GET", "/v1/customers/someone", 404, 30*time.Millisecond)
	m.Request("GET", "/v1/charges", 429, 10*time.Millisecond)
	m.Request("POST", "/v1/customers", 0, time.Second)
	m.Request("PATCH", "/v1/customers", 200, time.Millisecond)
	m.BudgetWait(0)
	m.BudgetWait(2 * time.Second)
	m.CacheHit("/v1/charges")
	m.CacheHit("/v1/charges")
	m.Coalesced("/v1/customers/ghost")
	m.SessionOpened()
	m.SessionOpened()
	m.SessionClosed()
	m.QueryDone("", 10*time.Millisecond, 7)
	m.QueryDone("54000", time.Millisecond, 0)
	m.QueryDone("42P01", time.Millisecond, 0)

	got := map[string]float64{
		"requests GET /v1/customers/{id} 200": testutil.ToFloat64(m.requests.WithLabelValues("GET", "/v1/customers/{id}", "200")),
		"requests GET /v1/customers/{id} 404": testutil.ToFloat64(m.requests.WithLabelValues("GET", "/v1/customers/{id}", "404")),
		"requests POST /v1/customers 0":       testutil.ToFloat64(m.requests.WithLabelValues("POST", "/v1/customers", "0")),
		"requests other /v1/customers 200":    testutil.ToFloat64(m.requests.WithLabelValues("other", "/v1/customers", "200")),
		"request series":                      float64(testutil.CollectAndCount(m.requests)),
		"429":                                 testutil.ToFloat64(m.rateLimited),
		"cache hits /v1/charges":              testutil.ToFloat64(m.cacheHits.WithLabelValues("/v1/charges")),
		"coalesced /v1/customers/{id}":        testutil.ToFloat64(m.coalesced.WithLabelValues("/v1/customers/{id}")),
		"sessions":                            testutil.ToFloat64(m.sessions),
		"queries ok":                          testutil.ToFloat64(m.queries.WithLabelValues("ok")),
		"queries refused":                     testutil.ToFloat64(m.queries.WithLabelValues("refused")),
		"queries 42":                          testutil.ToFloat64(m.queries.WithLabelValues("42")),
		"rows":                                testutil.ToFloat64(m.rowsReturned),
	}
	want := map[string]float64{
		"requests GET /v1/customers/{id} 200": 1,
		"requests GET /v1/customers/{id} 404": 1,
		"requests POST /v1/customers 0":       1,
		"requests other /v1/customers 200":    1,
		"request series":                      5,
		"429":                                 1,
		"cache hits /v1/charges":              2,
		"coalesced /v1/customers/{id}":        1,
		"sessions":                            1,
		"queries ok":                          1,
		"queries refused":                     1,
		"queries 42":                          1,
		"rows":                                7,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("collectors (-want +got):\n%s", diff)
	}
	budget := `# HELP stripesql_budget_requests_per_second The node's request budget: Stripe requests per second it may start (--rate).
# TYPE stripesql_budget_requests_per_second gauge
stripesql_budget_requests_per_second 6
`
	if err := testutil.GatherAndCompare(m.Gatherer(), strings.NewReader(budget), "stripesql_budget_requests_per_second"); err != nil {
		t.Error(err)
	}
}

// TestLint checks every stripesql metric against Prometheus' naming conventions.
func TestLint(t *testing.T) {
	m := New(6)
	m.Request("GET", "/v1/customers", 200, time.Millisecond)
	m.CacheHit("/v1/customers")
	m.Coalesced("/v1/customers")
	m.QueryDone("", time.Millisecond, 1)
	problems, err := testutil.GatherAndLint(m.Gatherer())
	if err != nil {
		t.Fatal(err)
	}
	var ours []promlint.Problem
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "stripesql_") {
			ours = append(ours, p)
		}
	}
	if len(ours) > 0 {
		t.Errorf("lint problems: %+v", ours)
	}
}

// TestRegister is the seam for collectors other parts of the node own (flow runs): they are
// served with the rest, and a clash is refused.
func TestRegister(t *testing.T) {
	m := New(6)
	runs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "stripesql_flow_runs_total", Help: "Flow runs by outcome."}, []string{"outcome"})
	if err := m.Register(runs); err != nil {
		t.Fatal(err)
	}
	runs.WithLabelValues("ok").Inc()
	n, err := testutil.GatherAndCount(m.Gatherer(), "stripesql_flow_runs_total")
	if err != nil || n != 1 {
		t.Errorf("GatherAndCount = %d, %v; want 1 series", n, err)
	}
	clash := prometheus.NewCounter(prometheus.CounterOpts{Name: "stripesql_sessions", Help: "again"})
	if err := m.Register(clash); err == nil {
		t.Error("registering a second stripesql_sessions succeeded")
	}
}
