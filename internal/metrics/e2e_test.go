package metrics

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/stripesql/stripesql/internal/emulator"
)

// TestNode runs a mix of statements over pgx against serve's pieces and a emulator that rate
// limits (429) and drops the answer of every write (retried with its idempotency key), then
// scrapes /metrics: the Stripe request counter equals the emulator's request log, series for
// series; queries, rows, sessions and budget waits add up; and no label value carries the key,
// an id or a literal of the queries.
func TestNode(t *testing.T) {
	n := startNode(t, emulator.Config{Seed: 7, Scale: emulator.ScaleN(150), RateLimit: 3, FailAfterApply: 1, FailMode: "drop"}, testKey)
	var ids []string
	for _, c := range n.emu.Objects("customers")[:6] {
		ids = append(ids, c["id"].(string))
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, n.pgURL)
	if err != nil {
		t.Fatal(err)
	}
	if got := values(n.scrape(t), "stripesql_sessions")[""]; got != 1 {
		t.Errorf("stripesql_sessions with one connection = %v, want 1", got)
	}
	stmts := workload(ids)
	run(t, conn, stmts)

	// A statement cancelled while it waits for the budget: the budget becomes one request an hour,
	// so the 200 ms statement_timeout passes first and no request is sent.
	limit := n.sched.Rate()
	n.sched.SetRate(1.0 / 3600)
	cancelled := []statement{
		{sql: "SET statement_timeout = '200ms'", simple: true, outcome: "ok"},
		{sql: "SELECT id FROM customers WHERE id = 'cus_waitsforbudget'", outcome: "cancelled"},
		{sql: "RESET statement_timeout", simple: true, outcome: "ok"},
	}
	run(t, conn, cancelled)
	n.sched.SetRate(limit)
	stmts = append(stmts, cancelled...)

	// /readyz checks once, however often it is polled, and its request is counted like any other.
	for i := 0; i < 5; i++ {
		if code, body := n.get(t, "/readyz"); code != http.StatusOK || body != "ok\n" {
			t.Errorf("GET /readyz = %d %q, want 200 ok", code, body)
		}
	}
	if code, body := n.get(t, "/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("GET /healthz = %d %q, want 200 ok", code, body)
	}
	conn.Close(ctx)
	waitFor(t, "the session to close", func() bool { return values(n.scrape(t), "stripesql_sessions")[""] == 0 })
	fams := n.scrape(t)

	t.Run("stripe requests equal what stripe received", func(t *testing.T) {
		got, want := values(fams, "stripesql_stripe_requests_total"), received(n.emu)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("stripesql_stripe_requests_total differs from the emulator's request log (-received +counted):\n%s", diff)
		}
		var tooMany, dropped, account float64
		for k, v := range want {
			switch {
			case strings.HasSuffix(k, " 429"):
				tooMany += v
			case strings.HasSuffix(k, " 0"):
				dropped += v
			}
			if strings.HasPrefix(k, readinessPath+" ") && !strings.HasSuffix(k, " 429") {
				account += v // a check's final answer; a 429 before it is retried within the check
			}
		}
		t.Logf("requests: counted %v, received %v (429: %v, dropped answers: %v, readiness checks: %v); series:", sum(got), sum(want), tooMany, dropped, account)
		for _, k := range sortedKeys(want) {
			t.Logf("  %-40s received %3v counted %3v", k, want[k], got[k])
		}
		if tooMany == 0 || dropped == 0 {
			t.Errorf("the workload met %v 429s and %v dropped answers; it must meet both to prove retries are counted", tooMany, dropped)
		}
		if account != 1 {
			t.Errorf("/readyz polled 5 times made %v checks, want 1", account)
		}
		if got := values(fams, "stripesql_stripe_429_total")[""]; got != tooMany {
			t.Errorf("stripesql_stripe_429_total = %v, want %v", got, tooMany)
		}
		if got := values(fams, "stripesql_budget_wait_seconds")[""]; got != sum(want) {
			t.Errorf("stripesql_budget_wait_seconds count = %v, want one per request (%v)", got, sum(want))
		}
		perEndpoint := map[string]float64{}
		for k, v := range want {
			perEndpoint[k[:strings.LastIndexByte(k, ' ')]] += v
		}
		if diff := cmp.Diff(perEndpoint, values(fams, "stripesql_stripe_request_seconds")); diff != "" {
			t.Errorf("stripesql_stripe_request_seconds counts (-received +observed):\n%s", diff)
		}
		if got := values(fams, "stripesql_budget_requests_per_second")[""]; got != nodeRate {
			t.Errorf("stripesql_budget_requests_per_second = %v, want %v", got, nodeRate)
		}
	})

	t.Run("queries", func(t *testing.T) {
		want := map[string]float64{}
		rows := 0
		for _, st := range stmts {
			want[st.outcome]++
			rows += st.rows
		}
		if diff := cmp.Diff(want, values(fams, "stripesql_queries_total")); diff != "" {
			t.Errorf("stripesql_queries_total (-want +got):\n%s", diff)
		}
		if got := values(fams, "stripesql_query_seconds")[""]; got != float64(len(stmts)) {
			t.Errorf("stripesql_query_seconds count = %v, want %d", got, len(stmts))
		}
		if got := values(fams, "stripesql_rows_returned_total")[""]; got != float64(rows) {
			t.Errorf("stripesql_rows_returned_total = %v, want %d", got, rows)
		}
	})

	t.Run("no secrets in labels", func(t *testing.T) {
		forbidden := []string{testKey, "sk_", "cus_", "hello_world", "doesnotexist", "waitsforbudget",
			"jane", "Jane", "Secretname", "example.com", "4242", "no_such_table", "not sql", "SELECT", "SELEC", "200ms"}
		forbidden = append(forbidden, ids...)
		for _, r := range n.emu.Requests() { // every id Stripe saw, the created customer's included
			for _, seg := range strings.Split(r.Path, "/") {
				if strings.Contains(seg, "_") && strings.IndexFunc(seg, func(c rune) bool { return c >= '0' && c <= '9' }) >= 0 {
					forbidden = append(forbidden, seg)
				}
			}
		}
		endpointShape := regexp.MustCompile(`^(/v1(/([a-z_]+|\{id\}))+|other)$`)
		seen := 0
		for name, mf := range fams {
			for _, m := range mf.GetMetric() {
				for _, l := range m.GetLabel() {
					v := l.GetValue()
					seen++
					for _, f := range forbidden {
						if strings.Contains(v, f) {
							t.Errorf("%s{%s=%q} contains %q", name, l.GetName(), v, f)
						}
					}
					if l.GetName() == "endpoint" && !endpointShape.MatchString(v) {
						t.Errorf("%s{endpoint=%q} is not an endpoint template", name, v)
					}
				}
			}
		}
		if seen == 0 {
			t.Fatal("no label values scraped")
		}
		if got := values(fams, "stripesql_stripe_requests_total"); got["/v1/customers/{id} GET 404"] == 0 {
			t.Errorf("the retrieves of unknown ids are not labelled /v1/customers/{id}; series: %v", sortedKeys(got))
		}
	})
}
