package exec_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// newNode is a node that has never seen the account: an emulator with the given data and
// latency, the real client at the node's default rate of 6 requests per second, fresh Stats.
func newNode(t *testing.T, scale emulator.Scale, latency time.Duration) (*emulator.Emulator, *stripeapi.Client, func(map[string]string) *planner.Session) {
	t.Helper()
	emu, base, stop, err := emulator.Start(emulator.Config{Seed: 11, Scale: scale, Latency: latency, Now: func() time.Time { return emuNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_scale", BaseURL: base, Scheduler: stripeapi.NewScheduler(stripeapi.DefaultRate)})
	if err != nil {
		t.Fatal(err)
	}
	cat, stats := catalog.New(catalog.StripeTables()...), planner.NewStats()
	return emu, client, func(settings map[string]string) *planner.Session {
		return planner.NewSession(planner.SessionConfig{Catalog: cat, Rate: stripeapi.DefaultRate, Stats: stats, Settings: settings,
			Clock: func() time.Time { return emuNow }})
	}
}

// budgetShare is the share of the node's budget a run of requests kept: requests started per
// second between the first start and the last, over the node's rate. (Starts, not answers: the
// budget counts requests as they start.)
func budgetShare(reqs []emulator.Request, rate float64) float64 {
	if len(reqs) < 2 {
		return 0
	}
	first, last := reqs[0].Received, reqs[0].Received
	for _, r := range reqs {
		if r.Received.Before(first) {
			first = r.Received
		}
		if r.Received.After(last) {
			last = r.Received
		}
	}
	return float64(len(reqs)-1) / last.Sub(first).Seconds() / rate
}

func longTests(t *testing.T) {
	if testing.Short() || os.Getenv("STRIPESQL_LONG_TESTS") == "" {
		t.Skip("set STRIPESQL_LONG_TESTS=1 for the scale proofs (they take a minute and seed up to 150,000 charges)")
	}
}

// TestScanAtNodeBudget is issue 11's proof of the budget spent fully: a new node counts 6,000
// charges behind 300 ms of latency at the default budget (6 requests/s) — answered, with about 60
// requests, at 0.90 of the budget or more. A sequential scan reaches about 0.55 here: one request
// in flight, and each waits 300 ms for its answer.
func TestScanAtNodeBudget(t *testing.T) {
	longTests(t)
	emu, client, session := newNode(t, emulator.ScaleN(6000), 300*time.Millisecond)
	rows, _, err := run(context.Background(), client, session(nil), "SELECT count(*) FROM charges")
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != int64(6000) {
		t.Errorf("count = %v, want 6000", rows[0][0])
	}
	reqs := emu.Requests()
	share := budgetShare(reqs, stripeapi.DefaultRate)
	t.Logf("%d requests, %.3f of the node's budget", len(reqs), share)
	if len(reqs) < 60 || len(reqs) > 70 {
		t.Errorf("%d requests; want about 60", len(reqs))
	}
	if share < 0.90 {
		t.Errorf("the scan used %.3f of the node's budget; want at least 0.90", share)
	}
}

// TestRefusedAtScale is the proof of the refusal: a count of 150,000 charges on a new node at
// the default budget of 1,000 is refused after at most five requests, with the measured estimate.
func TestRefusedAtScale(t *testing.T) {
	longTests(t)
	emu, client, session := newNode(t, emulator.ScaleN(150_000), 0)
	_, _, err := run(context.Background(), client, session(nil), "SELECT count(*) FROM charges")
	se, ok := sqlstate.As(err)
	if !ok || se.Code != sqlstate.ProgramLimitExceeded {
		t.Fatalf("err = %v; want 54000", err)
	}
	if n := len(emu.Requests()); n > 5 {
		t.Errorf("refused after %d requests; want at most 5", n)
	}
	if !strings.Contains(se.Detail, "measured by") {
		t.Errorf("detail %q does not give the measured estimate", se.Detail)
	}
	t.Logf("refused after %d requests: %s / %s", len(emu.Requests()), se.Detail, se.Hint)
}

// TestEventTypeWildcard: type LIKE 'customer.%' reaches Stripe as type=customer.* and returns
// the same events as the engine's own filter with pushdown off.
func TestEventTypeWildcard(t *testing.T) {
	e := startEnv(t, emulator.ScaleN(300))
	ctx := context.Background()
	for _, sql := range []string{"INSERT INTO customers (email) VALUES ('w1@example.com')", "INSERT INTO customers (email) VALUES ('w2@example.com')"} {
		if _, _, err := run(ctx, e.client, e.session(nil), sql); err != nil {
			t.Fatal(err)
		}
	}
	const q = "SELECT id, type FROM events WHERE type LIKE 'customer.%' ORDER BY id"
	e.emu.ResetRequests()
	on, _, err := run(ctx, e.client, e.session(nil), q)
	if err != nil {
		t.Fatal(err)
	}
	sent := e.emu.Requests()
	off, _, err := run(ctx, e.client, e.session(map[string]string{"stripesql.pushdown": "off"}), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(on) < 2 || fmt.Sprint(on) != fmt.Sprint(off) {
		t.Errorf("pushdown on: %v\npushdown off: %v", on, off)
	}
	if len(sent) == 0 || sent[0].Query.Get("type") != "customer.*" {
		t.Errorf("first request %v; want type=customer.*", sent)
	}
}
