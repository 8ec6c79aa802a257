package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/duckdbtest"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/ingest"
	"github.com/stripesql/stripesql/internal/lake"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

func TestSyncCommand(t *testing.T) {
	emu, base, stop, err := emulator.Start(emulator.Config{Seed: 2, Scale: emulator.ScaleN(200)})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	t.Setenv("STRIPE_API_KEY", "sk_test_cli")
	dir := t.TempDir()
	args := []string{"sync", "--to", dir, "--tables", "customers,invoice_line_items", "--api-base", base, "--rate", "1000",
		"--query", "emails=SELECT id, email, created FROM customers"}
	code, out, errOut := runCmd(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, w := range []string{"customers", "invoice_line_items", "emails", "backfill", "committed to"} {
		if !strings.Contains(out, w) {
			t.Errorf("summary does not mention %q:\n%s", w, out)
		}
	}
	code, out, _ = runCmd(t, args...)
	if code != 0 || !strings.Contains(out, "incremental") {
		t.Errorf("second run: exit %d\n%s", code, out)
	}
	m, err := lake.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Tables["customers"].Rows, int64(emu.Count("customers")); got != want {
		t.Errorf("customers: %d rows in the lake, %d in stripe", got, want)
	}

	t.Run("a failed table makes the exit status 1 while the others commit", func(t *testing.T) {
		code, _, errOut := runCmd(t, "sync", "--to", dir, "--tables", "customers", "--api-base", base, "--rate", "1000",
			"--query", "broken=SELECT id, created, 1/(amount - amount) AS boom FROM charges")
		if code != 1 || !strings.Contains(errOut, "table broken") || !strings.Contains(errOut, "division by zero") {
			t.Errorf("exit %d, stderr:\n%s", code, errOut)
		}
	})
	t.Run("bad usage", func(t *testing.T) {
		for _, a := range [][]string{{"sync", "--tables", "charges"}, {"sync", "--to", dir}, {"sync", "--to", dir, "--query", "x"}} {
			if code, _, _ := runCmd(t, a...); code != 2 {
				t.Errorf("%v: exit %d, want 2", a, code)
			}
		}
		code, _, errOut := runCmd(t, "sync", "--to", dir, "--tables", "chargse", "--api-base", base)
		if code != 1 || !strings.Contains(errOut, `stripe table "chargse" does not exist`) || !strings.Contains(errOut, "charges") {
			t.Errorf("unknown table: exit %d: %s", code, errOut)
		}
	})
}

func TestSyncList(t *testing.T) {
	code, out, _ := runCmd(t, "sync", "--list")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	got := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Split(line, "|"); len(f) == 3 {
			got[strings.TrimSpace(f[0])] = strings.TrimSpace(f[1]) + " " + strings.TrimSpace(f[2])
		}
	}
	want := map[string]string{
		"charges":              "events partitioned by created month",
		"events":               "append partitioned by created month",
		"invoice_line_items":   "children through invoices (invoice)",
		"subscription_items":   "children through subscriptions (subscription)",
		"balance_transactions": "small partitioned by created month",
	}
	for table, w := range want {
		if got[table] != w {
			t.Errorf("%s: %q, want %q", table, got[table], w)
		}
	}
}

func TestSchemaCommand(t *testing.T) {
	t.Run("json-schema", func(t *testing.T) {
		code, out, errOut := runCmd(t, "schema", "customers")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var doc struct {
			Schema     string                    `json:"$schema"`
			Title      string                    `json:"title"`
			Properties map[string]map[string]any `json:"properties"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		got := []any{doc.Title, doc.Properties["created"]["format"], doc.Properties["balance"]["type"], doc.Properties["email"]["description"] != nil}
		want := []any{"customers", "date-time", []any{"integer", "null"}, true}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("json schema (-want +got):\n%s", diff)
		}
	})
	t.Run("sql", func(t *testing.T) {
		_, out, _ := runCmd(t, "schema", "invoice_line_items", "--format", "sql")
		for _, w := range []string{"CREATE TABLE public.invoice_line_items (", "  id text PRIMARY KEY,", "  amount bigint,", "COMMENT ON COLUMN public.invoice_line_items.amount IS"} {
			if !strings.Contains(out, w) {
				t.Errorf("sql does not hold %q:\n%s", w, out)
			}
		}
	})
	t.Run("arrow", func(t *testing.T) {
		_, out, _ := runCmd(t, "schema", "charges", "--format", "arrow")
		for _, w := range []string{"created_month=YYYY-MM", "timestamp[us, tz=UTC]", "extension<arrow.json>", "(JSON)", "Int(bitWidth=64, isSigned=true)"} {
			if !strings.Contains(out, w) {
				t.Errorf("arrow does not hold %q:\n%s", w, out)
			}
		}
	})
	t.Run("unknown table", func(t *testing.T) {
		if code, _, errOut := runCmd(t, "schema", "nope"); code != 1 || !strings.Contains(errOut, `"nope" does not exist`) {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
}

// TestSyncKilledSubprocessResumes kills a real `stripesql sync` with SIGKILL while it writes,
// then runs it again: the lake is exactly Stripe's objects, and every object's insert is in the
// history once.
func TestSyncKilledSubprocessResumes(t *testing.T) {
	duckdbtest.Need(t)
	emu, base, stop, err := emulator.Start(emulator.Config{Seed: 4, Scale: emulator.ScaleN(1200), Latency: 3 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	dir := t.TempDir()
	tables := "customers,charges,invoices,invoice_line_items"
	sync := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "sync", "--to", dir, "--tables", tables, "--api-base", base, "--rate", "10000", "--parallel", "2")
		cmd.Env = append(os.Environ(), "STRIPESQL_TEST_MAIN=1", "STRIPE_API_KEY=sk_test_kill")
		return cmd
	}
	// A first commit of customers alone, so the killed run has committed state to keep.
	cmdFirst := sync()
	cmdFirst.Args = []string{os.Args[0], "sync", "--to", dir, "--tables", "customers", "--api-base", base, "--rate", "10000"}
	if out, err := cmdFirst.CombinedOutput(); err != nil {
		t.Fatalf("first run: %v\n%s", err, out)
	}
	before, err := lake.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_kill", BaseURL: base, Scheduler: stripeapi.NewScheduler(10000)})
	if err != nil {
		t.Fatal(err)
	}
	cust := emu.Objects("customers")[0]["id"].(string)
	if _, err := client.Post(context.Background(), "/v1/customers/"+cust, map[string][]string{"name": {"Killed Midway"}}, "k1"); err != nil {
		t.Fatal(err)
	}

	cmd := sync()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		parts, _ := filepath.Glob(filepath.Join(dir, "_stripesql", "tmp", "*", "part-*.parquet"))
		if len(parts) > 0 {
			_ = cmd.Process.Kill()
			killed = true
			break
		}
		time.Sleep(time.Millisecond)
	}
	err = cmd.Wait()
	if !killed || err == nil {
		t.Fatalf("the run ended before it could be killed (killed %v, %v)", killed, err)
	}
	after, err := lake.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if after.Run != before.Run {
		t.Fatalf("the killed run committed (%s)", after.Run)
	}

	out, err := sync().CombinedOutput()
	if err != nil {
		t.Fatalf("resumed run: %v\n%s", err, out)
	}
	m, err := lake.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range strings.Split(tables, ",") {
		glob := filepath.ToSlash(dir) + "/" + table + "/**/*.parquet"
		hist := filepath.ToSlash(dir) + "/_history/" + table + "/**/*.parquet"
		res := duckdbtest.Query(t, "SELECT (SELECT count(*) FROM read_parquet('"+glob+"')), (SELECT count(DISTINCT id) FROM read_parquet('"+glob+"')), "+
			"(SELECT count(*) FROM read_parquet('"+hist+"') WHERE _op = 'insert'), (SELECT count(DISTINCT id) FROM read_parquet('"+hist+"') WHERE _op = 'insert')")
		got := []string{}
		for _, v := range res.Rows[0] {
			got = append(got, toText(v))
		}
		n := toText(m.Tables[table].Rows)
		if table != "invoice_line_items" {
			n = toText(int64(emu.Count(table)))
		}
		if diff := cmp.Diff([]string{n, n, n, n}, got); diff != "" {
			t.Errorf("%s: rows, distinct ids, history inserts, distinct inserted ids (-want +got):\n%s", table, diff)
		}
	}
	res := duckdbtest.Query(t, "SELECT name FROM read_parquet('"+filepath.ToSlash(dir)+"/customers/**/*.parquet') WHERE id = '"+cust+"'")
	if len(res.Rows) != 1 || res.Rows[0][0] != "Killed Midway" {
		t.Errorf("the change made before the killed run is not in the lake: %v", res.Rows)
	}
	res = duckdbtest.Query(t, "SELECT count(*) FROM read_parquet('"+filepath.ToSlash(dir)+"/_history/customers/**/*.parquet') WHERE id = '"+cust+"' AND _op = 'update'")
	if toText(res.Rows[0][0]) != "1" {
		t.Errorf("the change is in the history %v times, want once", res.Rows[0][0])
	}
}

func toText(v any) string {
	switch x := v.(type) {
	case interface{ String() string }:
		return x.String()
	case int64:
		return strconv.FormatInt(x, 10)
	}
	s, _ := v.(string)
	return s
}

func TestSyncProgressLines(t *testing.T) {
	running := ingest.Progress{Table: "charges", Phase: "backfill", Rows: 4200, Requests: 42, RequestsLeft: 58, SecondsLeft: 9.6}
	done := ingest.Progress{Table: "charges", Phase: "done", Report: &ingest.TableReport{Mode: "backfill", Inserted: 10000, Rows: 10000, Requests: 100, Elapsed: 16 * time.Second}}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"plain running", progressText(running), "charges: backfill: 4200 rows read, 42 requests of about 100, about 10 s left"},
		{"plain done", progressText(done), "charges: backfill done: 10000 inserted, 0 updated, 0 deleted, 10000 rows, 100 requests, 16.0 s"},
		{"bar running", progressBar(running), "charges                  [##########..............]  42%  backfill         4200 rows     42 requests  about 10 s left"},
		{"bar done", progressBar(done), "charges                  [########################] 100%  backfill        10000 rows    100 requests  +10000 ~0 -0  16.0 s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
