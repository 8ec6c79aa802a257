package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestServeMetricsHelp(t *testing.T) {
	code, out, _ := runCmd(t, "serve", "--help")
	if code != 0 {
		t.Fatalf("serve --help exited %d", code)
	}
	for _, w := range []string{"--metrics-listen ADDR", "/metrics", "/healthz", "/readyz", "carry no keys, customer data", "metrics carry no secrets", "at most once a minute"} {
		if !strings.Contains(out, w) {
			t.Errorf("serve --help does not say %q", w)
		}
	}
}

func TestServeMetricsListenErrors(t *testing.T) {
	demoEnv(t)
	tests := []struct {
		name     string
		addr     string
		wantCode int
		want     string
	}{
		{"not host:port", "nonsense", 2, `invalid --metrics-listen "nonsense": want host:port`},
		{"port out of range", "127.0.0.1:99999", 1, "cannot listen on 127.0.0.1:99999 for metrics"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, "serve", "--listen", "127.0.0.1:0", "--metrics-listen", tt.addr)
			if code != tt.wantCode || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.wantCode, tt.want)
			}
		})
	}
}

// TestServeMetricsListener runs serve with --metrics-listen on the demo emulator: the listener
// answers /healthz, /readyz and /metrics, and a query over the wire shows up in the counters.
func TestServeMetricsListener(t *testing.T) {
	demoEnv(t)
	both, stop := startCmd(t, `(?s)(metrics on http://\S+/metrics.*serving on \S+);`,
		"serve", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--rate", "100")
	m := regexp.MustCompile(`(?s)metrics on (http://\S+)/metrics.*serving on (\S+)`).FindStringSubmatch(both)
	base, pgAddr := m[1], m[2]
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	host, port, _ := strings.Cut(pgAddr, ":")
	conn, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s dbname=stripe user=tester sslmode=disable", host, port))
	if err != nil {
		stop()
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM customers WHERE id = 'cus_missing'").Scan(&n); err != nil {
		t.Errorf("query: %v", err)
	}
	conn.Close(ctx)
	for _, tt := range []struct {
		path, body string
	}{
		{"/healthz", "ok\n"},
		{"/readyz", "ok\n"},
	} {
		if code, body := get(tt.path); code != http.StatusOK || body != tt.body {
			t.Errorf("GET %s = %d %q, want 200 %q", tt.path, code, body, tt.body)
		}
	}
	code, body := get("/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", code)
	}
	for _, w := range []string{
		"stripesql_budget_requests_per_second 100",
		`stripesql_queries_total{outcome="ok"} 1`,
		`stripesql_stripe_requests_total{endpoint="/v1/customers/{id}",method="GET",status="404"} 1`,
		`stripesql_stripe_requests_total{endpoint="/v1/account",method="GET"`,
	} {
		if !strings.Contains(body, w) {
			t.Errorf("/metrics does not hold %q", w)
		}
	}
	if err, errOut := stop(); err != nil {
		t.Errorf("serve exited with %v\n%s", err, errOut)
	}
}
