package exec_test

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/exec"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// testEnv is an emulator on 127.0.0.1, the real stripe-go client talking to it, and the Stripe
// catalog: the whole engine path a user's query takes, with the emulator's request log to count
// what was sent.
type testEnv struct {
	emu    *emulator.Emulator
	client *stripeapi.Client
	cat    *catalog.Catalog
	stats  *planner.Stats
	ids    *strings.Replacer // suite placeholders, filled once
}

var emuNow = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

func startEnv(t testing.TB, scale emulator.Scale) *testEnv {
	t.Helper()
	return startEnvConfig(t, emulator.Config{Seed: 7, Scale: scale, Now: func() time.Time { return emuNow }})
}

// startEnvConfig is startEnv with an emulator configuration of the test's own.
func startEnvConfig(t testing.TB, cfg emulator.Config) *testEnv {
	t.Helper()
	emu, base, stop, err := emulator.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_engine", BaseURL: base, Scheduler: stripeapi.NewScheduler(10000)})
	if err != nil {
		t.Fatal(err)
	}
	// The node knows its own account's id from the start, as serve reads it when it starts
	// (cmd/stripesql/learned.go), so stripe_account costs no request; its creation time is
	// still read when a partitioned scan needs it.
	stats := planner.NewStats()
	stats.LoadAccount("", planner.AccountFacts{ID: emu.AccountID()})
	return &testEnv{emu: emu, client: client, cat: catalog.New(catalog.StripeTables()...), stats: stats}
}

func (e *testEnv) session(settings map[string]string) *planner.Session {
	return planner.NewSession(planner.SessionConfig{Catalog: e.cat, Rate: 10000, Stats: e.stats, Settings: settings,
		Clock: func() time.Time { return emuNow }})
}

// run plans and runs one statement and returns every row.
func run(ctx context.Context, b stripeapi.Backend, sess *planner.Session, sql string, args ...any) ([][]any, exec.Rows, error) {
	sts, err := planner.Parse(sql)
	if err != nil {
		return nil, nil, err
	}
	if len(sts) != 1 {
		return nil, nil, fmt.Errorf("want one statement, got %d", len(sts))
	}
	p, err := planner.Plan(sess, sts[0], args)
	if err != nil {
		return nil, nil, err
	}
	rows, err := exec.Run(ctx, b, sess, p)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out [][]any
	for {
		r, err := rows.Next(ctx)
		if err == io.EOF {
			return out, rows, nil
		}
		if err != nil {
			return out, rows, err
		}
		out = append(out, r)
	}
}

// rowText renders a row in PostgreSQL text form, for comparisons.
func rowText(r []any) string {
	cells := make([]string, len(r))
	for i, v := range r {
		if v == nil {
			cells[i] = "NULL"
			continue
		}
		cells[i] = sqltypes.FormatText(v, typeOf(v))
	}
	return strings.Join(cells, "|")
}

func typeOf(v any) sqltypes.Type {
	switch x := v.(type) {
	case bool:
		return sqltypes.Bool
	case int64:
		return sqltypes.Int8
	case float64:
		return sqltypes.Float8
	case sqltypes.Decimal:
		return sqltypes.Numeric
	case time.Time:
		return sqltypes.Timestamptz
	case sqltypes.JSONValue:
		return sqltypes.JSONB
	case sqltypes.IntervalValue:
		return sqltypes.Interval
	case sqltypes.Array:
		return sqltypes.ArrayOf(x.Elem)
	}
	return sqltypes.Text
}

func texts(rows [][]any) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = rowText(r)
	}
	return out
}

func sorted(rows [][]any) []string {
	out := texts(rows)
	sort.Strings(out)
	return out
}

// matchOracle runs sql with pushdown off (the oracle: full lists, filters applied locally), clears
// the emulator's request log, runs it again with pushdown on and reports an error unless both give
// the same rows as a set. It returns the pushdown run's rows; its requests stay in e.emu.
func matchOracle(t *testing.T, e *testEnv, sql string) [][]any {
	t.Helper()
	ctx := context.Background()
	oracle, _, err := run(ctx, e.client, e.session(map[string]string{"stripesql.pushdown": "off"}), sql)
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	e.emu.ResetRequests()
	got, _, err := run(ctx, e.client, e.session(nil), sql)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sorted(oracle), sorted(got)); diff != "" {
		t.Errorf("pushdown changed the answer (-oracle +pushdown):\n%s", diff)
	}
	return got
}

// pick returns a field of the n-th seeded object of a resource (newest first) that has it set.
func pick(t testing.TB, e *testEnv, resource, field string, n int) string {
	t.Helper()
	seen := 0
	for _, o := range e.emu.Objects(resource) {
		v, ok := o[field]
		if !ok || v == nil {
			continue
		}
		if m, ok := v.(map[string]any); ok {
			v = m["id"]
		}
		s, ok := v.(string)
		if !ok || s == "" {
			continue
		}
		if seen == n {
			return s
		}
		seen++
	}
	t.Fatalf("no %s with %s", resource, field)
	return ""
}

// TestProofRequests runs the proof queries through Client + emulator and asserts the exact
// Stripe requests each one sent, counted in the emulator's request log.
func TestProofRequests(t *testing.T) {
	e := startEnv(t, emulator.ScaleSmall)
	ctx := context.Background()
	cus := pick(t, e, "customers", "id", 0)
	email := pick(t, e, "customers", "email", 0)
	chargeCus := pick(t, e, "charges", "customer", 0)

	tests := []struct {
		name   string
		sql    string
		check  func(t *testing.T, reqs []emulator.Request, rows [][]any)
		minRow int
	}{
		{
			name: "retrieve by id is one request",
			sql:  fmt.Sprintf("SELECT * FROM customers WHERE id = '%s'", cus),
			check: func(t *testing.T, reqs []emulator.Request, rows [][]any) {
				want := []string{"GET /v1/customers/" + cus}
				if diff := cmp.Diff(want, paths(reqs)); diff != "" {
					t.Errorf("requests (-want +got):\n%s", diff)
				}
				if len(rows) != 1 || rows[0][0] != cus {
					t.Errorf("rows = %v; want the one customer", texts(rows))
				}
			},
		},
		{
			name: "email is one list request with email",
			sql:  fmt.Sprintf("SELECT id, email FROM customers WHERE email = '%s'", email),
			check: func(t *testing.T, reqs []emulator.Request, rows [][]any) {
				if len(reqs) != 1 || reqs[0].Path != "/v1/customers" || reqs[0].Query.Get("email") != email {
					t.Errorf("requests = %v; want one list with email", describe(reqs))
				}
				for _, r := range rows {
					if r[1] != email {
						t.Errorf("row %v has another email", r)
					}
				}
			},
			minRow: 1,
		},
		{
			name: "customer and created become list params",
			sql:  fmt.Sprintf("SELECT * FROM charges WHERE customer = '%s' AND created >= '2023-01-01'", chargeCus),
			check: func(t *testing.T, reqs []emulator.Request, rows [][]any) {
				if len(reqs) < 1 || reqs[0].Path != "/v1/charges" || reqs[0].Query.Get("customer") != chargeCus || reqs[0].Query.Get("created[gte]") != "1672531200" {
					t.Errorf("requests = %v; want a list with customer and created[gte]", describe(reqs))
				}
			},
			minRow: 1,
		},
		{
			name: "order by created desc limit 5 is one request with limit=5",
			sql:  "SELECT id FROM charges ORDER BY created DESC LIMIT 5",
			check: func(t *testing.T, reqs []emulator.Request, rows [][]any) {
				if len(reqs) != 1 || reqs[0].Query.Get("limit") != "5" {
					t.Errorf("requests = %v; want one with limit=5", describe(reqs))
				}
				var want []string
				for _, o := range e.emu.Objects("charges")[:5] {
					want = append(want, o["id"].(string))
				}
				if diff := cmp.Diff(want, texts(rows)); diff != "" {
					t.Errorf("rows (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "ilike uses search",
			sql:  "SELECT id, name FROM customers WHERE name ILIKE '%hopper%'",
			check: func(t *testing.T, reqs []emulator.Request, rows [][]any) {
				if len(reqs) < 1 || reqs[0].Path != "/v1/customers/search" || reqs[0].Query.Get("query") != `name~"hopper"` {
					t.Errorf("requests = %v; want a search for name~\"hopper\"", describe(reqs))
				}
				for _, r := range rows {
					if !strings.Contains(strings.ToLower(r[1].(string)), "hopper") {
						t.Errorf("row %v does not match", r)
					}
				}
			},
			minRow: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.emu.ResetRequests()
			rows, _, err := run(ctx, e.client, e.session(nil), tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) < tt.minRow {
				t.Errorf("got %d rows; want at least %d", len(rows), tt.minRow)
			}
			tt.check(t, e.emu.Requests(), rows)
		})
	}
}

func paths(reqs []emulator.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Method + " " + r.Path
	}
	return out
}

func describe(reqs []emulator.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Method + " " + r.Path + "?" + r.Query.Encode()
	}
	return out
}

func codeOf(err error) string {
	if e, ok := sqlstate.As(err); ok {
		return e.Code
	}
	return ""
}

// TestSearchEscaping creates a customer whose name holds a quote and a backslash, then finds it by
// name through Stripe Search: the value reaches Stripe as one quoted string and matches exactly.
func TestSearchEscaping(t *testing.T) {
	e := startEnv(t, emulator.ScaleN(20))
	ctx := context.Background()
	name := `O"Brien\ OR email:"x`
	created, err := e.client.Post(ctx, "/v1/customers", url.Values{"name": {name}}, "idem-escaping-1")
	if err != nil {
		t.Fatal(err)
	}
	e.emu.ResetRequests()
	rows, _, err := run(ctx, e.client, e.session(nil), `SELECT id, name FROM customers WHERE name = 'O"Brien\ OR email:"x'`)
	if err != nil {
		t.Fatal(err)
	}
	reqs := e.emu.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/v1/customers/search" || reqs[0].Status != 200 {
		t.Fatalf("requests = %v; want one accepted search", describe(reqs))
	}
	if got, want := reqs[0].Query.Get("query"), `name:"O\"Brien\\ OR email:\"x"`; got != want {
		t.Errorf("query = %s; want %s", got, want)
	}
	if diff := cmp.Diff([]string{created["id"].(string) + "|" + name}, texts(rows)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
