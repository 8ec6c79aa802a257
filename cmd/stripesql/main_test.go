package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/stripesql/stripesql/internal/emulator"
)

// runCmd runs the command in process and returns its exit code, stdout and stderr.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := runContext(context.Background(), args, &stdout, &stderr)
	return exitCode(err), stdout.String(), stderr.String()
}

// demoEnv makes the command use the built-in emulator: no key in the environment.
func demoEnv(t *testing.T) {
	t.Setenv("STRIPE_API_KEY", "")
}

func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		// every flag of the subcommand must be explained, each with an example somewhere
		want []string
	}{
		{[]string{"--help"}, []string{"serve", "query", "emulator", "sync", "schema", "--version"}},
		{[]string{"sync", "--help"}, []string{"--to", "--tables", "--query", "--parallel", "--list", "--progress", "--api-base", "--rate", "--account", "--verbosity", "--proxy", "--api-key", "Examples:", "stripesql sync --to ./lake --tables all", "Strategies:", "children", "30 days"}},
		{[]string{"schema", "--help"}, []string{"--format", "json-schema", "Examples:", "stripesql schema charges --format arrow"}},
		{[]string{"emulator", "--help"}, []string{"--listen", "--seed", "--scale", "--latency", "--rate-limit", "Examples:", "stripesql emulator --listen 127.0.0.1:12111"}},
		{[]string{"serve", "--help"}, []string{"--listen", "--api-base", "--rate", "--account", "--read-only", "--verbosity", "--proxy", "--api-key", "--tls", "--tls-required", "--user", "--users-file", "--data-dir", "--state", "STRIPESQL_PASSWORD_NAME", "STRIPE_API_KEY", "psql \"host=127.0.0.1 port=5433 dbname=stripe user=$USER\""}},
		{[]string{"query", "--help"}, []string{"--format", "--progress", "--max-requests", "--api-base", "--rate", "--account", "--read-only", "--verbosity", "--proxy", "--api-key", "--data-dir", "--state", "Examples:", "stripesql query --format csv"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runCmd(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("help does not mention %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCmd(t, "--version")
	if diff := cmp.Diff("0 stripesql dev\n", fmt.Sprintf("%d %s", code, out)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestBadUsage(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no subcommand", nil, "stripesql <subcommand>"},
		{"unknown subcommand", []string{"frobnicate"}, `unknown subcommand "frobnicate"`},
		{"unknown flag", []string{"query", "--bogus", "SELECT 1"}, "flag provided but not defined: -bogus"},
		{"bad flag value", []string{"emulator", "--seed", "x"}, `invalid value "x" for flag -seed`},
		{"bad scale", []string{"emulator", "--scale", "huge"}, "invalid scale"},
		{"bad format", []string{"query", "--format", "xml", "SELECT 1"}, `unknown --format "xml"`},
		{"no sql", []string{"query"}, "no SQL given"},
		{"two sql", []string{"query", "SELECT 1", "SELECT 2"}, "expected one SQL argument"},
		{"bad tls", []string{"serve", "--tls", "maybe"}, "invalid --tls"},
		{"serve argument", []string{"serve", "extra"}, "unexpected argument"},
		// 0 and negative numbers used to mean "the default" silently.
		{"zero max-requests", []string{"query", "--max-requests", "0", "SELECT 1"}, "--max-requests must be between 1 and 1073741824, not 0"},
		{"negative max-requests", []string{"query", "--max-requests", "-5", "SELECT 1"}, "--max-requests must be between 1 and 1073741824, not -5"},
		{"max-requests over the setting's range", []string{"query", "--max-requests", "2000000000", "SELECT 1"}, "--max-requests must be between 1 and 1073741824"},
		{"zero rate", []string{"query", "--rate", "0", "SELECT 1"}, "--rate must be a number of Stripe requests per second above 0 and at most 10000, not 0"},
		{"negative rate", []string{"serve", "--rate", "-1"}, "--rate must be a number of Stripe requests per second above 0"},
		{"NaN rate", []string{"query", "--rate", "NaN", "SELECT 1"}, "--rate must be"},
		{"rate over the driver's bound", []string{"serve", "--rate", "20000"}, "at most 10000, not 20000"},
		{"bad verbosity", []string{"serve", "--verbosity", "9"}, "--verbosity must be 0 (silent) to 5, not 9"},
		{"negative latency", []string{"emulator", "--latency", "-1s"}, "--latency and --rate-limit cannot be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if !strings.Contains(errOut, tt.wantErr) || !strings.Contains(errOut, "Usage:") {
				t.Errorf("stderr does not hold %q and the usage:\n%s", tt.wantErr, errOut)
			}
		})
	}
}

func TestQueryFormats(t *testing.T) {
	demoEnv(t)
	emu, err := emulator.New(emulator.Config{Seed: demoSeed, Scale: demoScale})
	if err != nil {
		t.Fatal(err)
	}
	var want [][]string
	for _, c := range emu.Objects("customers")[:3] {
		want = append(want, []string{c["id"].(string), fmt.Sprint(c["email"])})
	}
	const q = "SELECT id, email FROM customers ORDER BY created DESC LIMIT 3"

	t.Run("table", func(t *testing.T) {
		code, out, errOut := runCmd(t, "query", "--rate", "100", q)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if !strings.Contains(errOut, "built-in emulator") {
			t.Errorf("stderr does not say the emulator is used: %q", errOut)
		}
		idW, emailW := len("id"), len("email")
		for _, r := range want {
			idW, emailW = max(idW, len(r[0])), max(emailW, len(r[1]))
		}
		center := func(s string, w int) string {
			l := (w - len(s)) / 2
			return strings.Repeat(" ", l) + s + strings.Repeat(" ", w-len(s)-l)
		}
		exp := " " + center("id", idW) + " | " + center("email", emailW) + " \n" +
			strings.Repeat("-", idW+2) + "+" + strings.Repeat("-", emailW+2) + "\n"
		for _, r := range want {
			exp += " " + r[0] + strings.Repeat(" ", idW-len(r[0])) + " | " + r[1] + "\n"
		}
		exp += "(3 rows)\n"
		if diff := cmp.Diff(exp, out); diff != "" {
			t.Errorf("table mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("csv", func(t *testing.T) {
		code, out, errOut := runCmd(t, "query", q, "--format", "csv", "--rate", "100")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(append([][]string{{"id", "email"}}, want...), recs); diff != "" {
			t.Errorf("csv mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("json", func(t *testing.T) {
		code, out, errOut := runCmd(t, "query", "--format", "json", "--rate", "100", q)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var got []map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out)
		}
		var ids [][]string
		for _, o := range got {
			ids = append(ids, []string{fmt.Sprint(o["id"]), fmt.Sprint(o["email"])})
		}
		if diff := cmp.Diff(want, ids); diff != "" {
			t.Errorf("json mismatch (-want +got):\n%s", diff)
		}
	})
	jsonTests := []struct{ name, sql, want string }{
		{"json types", "SELECT 1 AS i, 2.50 AS n, true AS b, NULL::text AS z, '{\"a\":[1]}'::jsonb AS j, 'x<y' AS s",
			"[\n  {\"i\": 1, \"n\": 2.50, \"b\": true, \"z\": null, \"j\": {\"a\": [1]}, \"s\": \"x<y\"}\n]\n"},
		// JSON parsers keep one of two equal keys, so a repeated column name gets a suffix.
		{"json duplicate column names", "SELECT 1 AS a, 2 AS a, 1 + 1, 2 + 2",
			"[\n  {\"a\": 1, \"a_2\": 2, \"?column?\": 2, \"?column?_2\": 4}\n]\n"},
	}
	for _, tt := range jsonTests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "query", "--format", "json", tt.sql)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if diff := cmp.Diff(tt.want, out); diff != "" {
				t.Errorf("json mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("count", func(t *testing.T) {
		code, out, errOut := runCmd(t, "query", "--rate", "100", "SELECT count(*) FROM customers")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		n := strconv.Itoa(len(emu.Objects("customers")))
		w := max(len(n), len("count"))
		pad := w - len("count")
		exp := " " + strings.Repeat(" ", pad/2) + "count" + strings.Repeat(" ", pad-pad/2) + " \n" +
			strings.Repeat("-", w+2) + "\n" + " " + strings.Repeat(" ", w-len(n)) + n + "\n(1 row)\n"
		if diff := cmp.Diff(exp, out); diff != "" {
			t.Errorf("count mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("utility statement prints its tag", func(t *testing.T) {
		code, out, errOut := runCmd(t, "query", "SET stripesql.max_requests = 5")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if diff := cmp.Diff("SET\n", out); diff != "" {
			t.Errorf("mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestQueryErrorsPrintLikePsql(t *testing.T) {
	demoEnv(t)
	tests := []struct {
		name string
		args []string
		want *regexp.Regexp
	}{
		{"unknown table", []string{"query", "SELECT * FROM custmers"}, regexp.MustCompile(`(?m)^ERROR:  relation "custmers" does not exist\n(HINT:  .*customers.*\n)?`)},
		{"over budget", []string{"query", "--max-requests", "1", "SELECT count(*) FROM charges"}, regexp.MustCompile(`(?m)^ERROR:  .*budget.*\nDETAIL:  .+\n`)},
		{"syntax", []string{"query", "SELEC 1"}, regexp.MustCompile(`(?m)^ERROR:  syntax error at or near "SELEC"\n`)},
		{"bad key", []string{"query", "--api-key", "pk_test_SECRETpub", "SELECT 1"}, regexp.MustCompile(`(?m)^ERROR:  a publishable stripe key cannot read or change data\nHINT:  .+\n`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, tt.args...)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if !tt.want.MatchString(errOut) {
				t.Errorf("stderr does not match %v:\n%s", tt.want, errOut)
			}
			if strings.Contains(errOut, "SECRETpub") {
				t.Errorf("stderr repeats the key: %s", errOut)
			}
		})
	}
}

// TestQueryProgress runs a query slow enough (emulator latency) for the progress line to appear
// on stderr with --progress: 8 pages of 300 ms, the line drawn every second once the executor's
// first report has come.
func TestQueryProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 4 s")
	}
	// 2,000 charges at the default 6 requests/s: about 4 s, well past the first progress line.
	_, url, stop, err := emulator.Start(emulator.Config{Seed: 1, Scale: emulator.ScaleN(2000), Latency: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	t.Setenv("STRIPE_API_KEY", "")
	code, out, errOut := runCmd(t, "query", "--progress", "--max-requests", "5000", "--api-base", url, "--format", "csv", "SELECT id FROM charges")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := strings.Count(out, "\n"); n != 2001 {
		t.Errorf("csv has %d lines, want 2001", n)
	}
	// Against --api-base the size of charges is unknown: the estimate is the planner's default
	// until the first pages have measured the table, then what they measured.
	if !regexp.MustCompile(`(?m)^\d+ rows read from stripe, \d+ returned, \d+ of about \d+ stripe requests, \d s, (about \d+ s|less than 1 s) left$`).MatchString(errOut) {
		t.Errorf("no progress line on stderr:\n%s", errOut)
	}
	if strings.Contains(errOut, "built-in emulator") {
		t.Errorf("--api-base given, yet stderr says the built-in emulator is used:\n%s", errOut)
	}
}

// syncBuffer is a bytes.Buffer safe for the command's goroutine and the test's.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startCmd runs a long-running subcommand until the returned stop is called, and waits for
// pattern to appear on its stderr, returning the first submatch.
func startCmd(t *testing.T, pattern string, args ...string) (string, func() (error, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- runContext(ctx, args, &stdout, &stderr) }()
	re := regexp.MustCompile(pattern)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], func() (error, string) {
				cancel()
				select {
				case err := <-done:
					return err, stderr.String()
				case <-time.After(10 * time.Second):
					t.Fatal("command did not stop")
				}
				return nil, ""
			}
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("command ended early: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no %q on stderr:\n%s", pattern, stderr.String())
		}
	}
}

func TestEmulatorCommand(t *testing.T) {
	base, stop := startCmd(t, `listening on (http://\S+)`, "emulator", "--listen", "127.0.0.1:0", "--seed", "3", "--scale", "40")
	req, err := http.NewRequest("GET", base+"/v1/charges?limit=100", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("sk_test_cmd", "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var page struct {
		Object string           `json:"object"`
		Data   []map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, body)
	}
	if diff := cmp.Diff([]any{200, "list", 40}, []any{resp.StatusCode, page.Object, len(page.Data)}); diff != "" {
		t.Errorf("list answer mismatch (-want +got):\n%s", diff)
	}
	err, errOut := stop()
	if err != nil {
		t.Errorf("emulator exited with %v", err)
	}
	if !strings.Contains(errOut, "stopped") {
		t.Errorf("stderr does not say the emulator stopped:\n%s", errOut)
	}
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Error("emulator still answers after stopping")
	}
}

func TestEmulatorListenError(t *testing.T) {
	code, _, errOut := runCmd(t, "emulator", "--listen", "256.0.0.1:1")
	if code != 1 || !strings.HasPrefix(errOut, "ERROR:  cannot listen on 256.0.0.1:1") {
		t.Errorf("exit %d, stderr %q; want 1 and a psql-style error", code, errOut)
	}
}

// TestServeCommand starts `serve` with no key (the built-in emulator), connects with pgx as psql
// would, runs a query, and stops the server.
func TestServeCommand(t *testing.T) {
	demoEnv(t)
	addr, stop := startCmd(t, `serving on (\S+);`, "serve", "--listen", "127.0.0.1:0", "--rate", "100")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	host, port, _ := strings.Cut(addr, ":")
	conn, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s dbname=stripe user=tester sslmode=disable", host, port))
	if err != nil {
		stop()
		t.Fatalf("pgx.Connect: %v", err)
	}
	var n int64
	err = conn.QueryRow(ctx, "SELECT count(*) FROM customers WHERE id = $1", "cus_missing").Scan(&n)
	conn.Close(ctx)
	if err != nil {
		t.Errorf("query over the wire: %v", err)
	}
	if n != 0 {
		t.Errorf("count of a missing customer = %d, want 0", n)
	}
	err, errOut := stop()
	if err != nil {
		t.Errorf("serve exited with %v", err)
	}
	for _, w := range []string{"built-in emulator", `psql "host=127.0.0.1 port=` + port + ` dbname=stripe user=$USER"`, "stopped"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr does not hold %q:\n%s", w, errOut)
		}
	}
}

func TestServeWithPassword(t *testing.T) {
	demoEnv(t)
	t.Setenv("STRIPESQL_PASSWORD", "s3cret pass")
	addr, stop := startCmd(t, `serving on (\S+);`, "serve", "--listen", "127.0.0.1:0", "--user", "analyst", "--tls", "auto")
	defer stop()
	host, port, _ := strings.Cut(addr, ":")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tests := []struct {
		name, dsn string
		ok        bool
	}{
		{"right password over tls", fmt.Sprintf("host=%s port=%s dbname=stripe user=analyst password='s3cret pass' sslmode=require", host, port), true},
		{"wrong password", fmt.Sprintf("host=%s port=%s dbname=stripe user=analyst password=nope sslmode=disable", host, port), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := pgx.Connect(ctx, tt.dsn)
			if (err == nil) != tt.ok {
				t.Fatalf("pgx.Connect err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				return
			}
			defer conn.Close(ctx)
			var one int
			if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
				t.Errorf("SELECT 1 = %d, %v", one, err)
			}
		})
	}
}

func TestServeRefusals(t *testing.T) {
	demoEnv(t)
	t.Setenv("STRIPESQL_PASSWORD", "")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"non-loopback without users", []string{"serve", "--listen", "0.0.0.0:0"}, "ERROR:  refusing to serve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, tt.args...)
			if code != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, errOut, tt.want)
			}
		})
	}
}

// TestDemoCountsAreKnown shows that the demo starts with the emulator's table sizes: counting every
// demo charge fits the default request budget and costs exactly the pages it needs, where an
// unmeasured account would be refused until its size is learned.
func TestDemoCountsAreKnown(t *testing.T) {
	demoEnv(t)
	emu, err := emulator.New(emulator.Config{Seed: demoSeed, Scale: demoScale})
	if err != nil {
		t.Fatal(err)
	}
	charges := emu.Count("charges")
	code, out, errOut := runCmd(t, "query", "--rate", "1000", "--format", "csv", "SELECT count(*) FROM charges")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if diff := cmp.Diff(fmt.Sprintf("count\n%d\n", charges), out); diff != "" {
		t.Errorf("count mismatch (-want +got):\n%s", diff)
	}
	pages := (charges + 99) / 100
	code, out, errOut = runCmd(t, "query", "EXPLAIN SELECT count(*) FROM charges")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := fmt.Sprintf("Estimated Stripe requests: %d ", pages); !strings.Contains(out, want) {
		t.Errorf("EXPLAIN does not estimate %d pages from the learned size:\n%s", pages, out)
	}
}
