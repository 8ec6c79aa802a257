package exec_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/exec"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// TestConnectFairShare: a fan-out whose first account is large reads the small accounts beside
// it, not after it: each small account's list is received before the large account's third page
// is, where reading the accounts one after the other sends every small account's request after
// the large account's last page. Per-account totals and pages are those of a sequential read.
func TestConnectFairShare(t *testing.T) {
	exec.SequentialScans(t) // one request in flight per account: the share is the point
	scales := []emulator.Scale{1200, 5, 8, 3}
	e := startEnvConfig(t, emulator.Config{Seed: 11, Scale: 5, Now: func() time.Time { return emuNow }, Latency: 5 * time.Millisecond,
		ConnectedAccounts: len(scales), AccountScale: func(i int) emulator.Scale { return scales[i] }})
	accts := e.emu.ConnectedAccounts()
	sort.Slice(accts, func(i, j int) bool {
		return e.emu.Account(accts[i]).Count("charges") > e.emu.Account(accts[j]).Count("charges")
	})
	big := accts[0]
	bigPages := (e.emu.Account(big).Count("charges") + 99) / 100
	if bigPages < 10 {
		t.Fatalf("the large account holds %d pages, want at least 10", bigPages)
	}
	sql := "SELECT stripe_account, count(*), sum(amount) FROM charges WHERE stripe_account IN (" + quoted(accts) + ") GROUP BY 1 ORDER BY 1"
	sorted := append([]string(nil), accts...)
	sort.Strings(sorted)
	want := accountTotals(e, sorted)
	for _, tc := range []struct {
		name       string
		sequential bool
	}{{"concurrent", false}, {"sequential", true}} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.sequential {
				exec.SequentialFanOuts(t)
			}
			exec.EveryProgress(t)
			var mu sync.Mutex
			var events []planner.ProgressEvent
			sess := planner.NewSession(planner.SessionConfig{Catalog: e.cat, Rate: 10000, Stats: planner.NewStats(), Clock: func() time.Time { return emuNow },
				Progress: func(ev planner.ProgressEvent) { mu.Lock(); events = append(events, ev); mu.Unlock() }})
			e.emu.ResetRequests()
			start := time.Now()
			rows, _, err := run(context.Background(), e.client, sess, sql)
			if err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			if d := cmp.Diff(want, texts(rows)); d != "" {
				t.Errorf("totals (-each account's data +query):\n%s", d)
			}
			reqs := e.emu.Requests()
			sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].Received.Before(reqs[j].Received) })
			bigSeen, lastSmall, thirdBig := 0, -1, -1
			pages := map[string]int{}
			for i, r := range reqs {
				if r.Path != "/v1/charges" {
					continue
				}
				pages[r.Account]++
				if r.Account == big {
					bigSeen++
					if bigSeen == 3 {
						thirdBig = i
					}
					continue
				}
				lastSmall = i
			}
			wantPages := map[string]int{}
			for _, a := range accts {
				wantPages[a] = max(1, (e.emu.Account(a).Count("charges")+99)/100)
			}
			if d := cmp.Diff(wantPages, pages); d != "" {
				t.Errorf("pages per account (-needed +sent):\n%s", d)
			}
			fair := lastSmall < thirdBig
			if fair == tc.sequential {
				t.Errorf("last small account's request at %d, the large account's third at %d: fair=%v", lastSmall, thirdBig, fair)
			}
			mu.Lock()
			last := events[len(events)-1]
			mu.Unlock()
			if last.Accounts != len(accts) || !strings.HasPrefix(last.String(), fmt.Sprintf("accounts %d of %d, ", last.AccountsDone, len(accts))) {
				t.Errorf("progress %+v: %s", last, last.String())
			}
			t.Logf("%s: %d requests in %v; last progress: %s", tc.name, len(reqs), took.Round(time.Millisecond), last.String())
		})
	}
}

// disconnecting is a backend that disconnects an account (DELETE /v1/accounts/{id}) as soon as the
// accounts listing has been answered, so the account is listed and then refused, as when a
// platform's account disconnects in the middle of a fan-out.
type disconnecting struct {
	*stripeapi.Client
	victim string
	once   sync.Once
	err    error
}

func (d *disconnecting) List(ctx context.Context, path string, params url.Values) (*stripeapi.Page, error) {
	pg, err := d.Client.List(ctx, path, params)
	if path == "/v1/accounts" && err == nil {
		d.once.Do(func() {
			_, d.err = d.Client.Delete(context.Background(), "/v1/accounts/"+d.victim, nil, "disconnect-"+d.victim)
		})
	}
	return pg, err
}

// TestConnectSkipsRefused: an account the accounts listing gave that Stripe refuses (disconnected
// since) is skipped with a NOTICE naming it and Stripe's message, and a final NOTICE counts it;
// the other accounts' totals are exact. Named in the query, the same account fails the statement.
func TestConnectSkipsRefused(t *testing.T) {
	for _, tc := range []struct{ name, sql string }{
		{"in subquery", "SELECT stripe_account, count(*), sum(amount) FROM charges WHERE stripe_account IN (SELECT id FROM accounts) GROUP BY 1 ORDER BY 1"},
		{"join accounts first", "SELECT a.id, count(*), sum(c.amount) FROM accounts a JOIN charges c ON c.stripe_account = a.id GROUP BY 1 ORDER BY 1"},
		{"join accounts second", "SELECT a.id, count(*), sum(c.amount) FROM charges c JOIN accounts a ON c.stripe_account = a.id GROUP BY 1 ORDER BY 1"},
		{"explain analyze", "EXPLAIN ANALYZE SELECT stripe_account, count(*) FROM charges WHERE stripe_account IN (SELECT id FROM accounts) GROUP BY 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, accts := startConnect(t)
			victim := accts[1]
			rest := []string{accts[0], accts[2]}
			want := accountTotals(e, rest)
			var mu sync.Mutex
			var notices []string
			sess := planner.NewSession(planner.SessionConfig{Catalog: e.cat, Rate: 10000, Stats: e.stats, Clock: func() time.Time { return emuNow },
				Notice: func(m string) { mu.Lock(); notices = append(notices, m); mu.Unlock() }})
			b := &disconnecting{Client: e.client, victim: victim}
			rows, _, err := run(context.Background(), b, sess, tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			if b.err != nil {
				t.Fatalf("disconnecting %s: %v", victim, b.err)
			}
			text := strings.Join(texts(rows), "\n")
			if strings.HasPrefix(tc.name, "explain") {
				if !strings.Contains(text, "accounts=3 skipped=1") {
					t.Errorf("EXPLAIN ANALYZE does not count the skipped account:\n%s", text)
				}
			} else if d := cmp.Diff(want, texts(rows)); d != "" {
				t.Errorf("totals (-the accounts still connected +query):\n%s", d)
			}
			mu.Lock()
			defer mu.Unlock()
			wantNotices := []string{
				"stripesql: skipped stripe account " + victim + ", listed by accounts but refused by stripe: the provided key 'sk_test_…' does not have access to account '" + victim + "' (or that account does not exist). Application access may have been revoked",
				"stripesql: 1 of 3 stripe accounts skipped (refused by stripe since they were listed); the result leaves out their rows",
			}
			if d := cmp.Diff(wantNotices, notices); d != "" {
				t.Errorf("notices (-want +got):\n%s", d)
			}
			// Named by the query, the disconnected account fails the statement by its id.
			_, _, err = run(context.Background(), e.client, sess, "SELECT count(*) FROM charges WHERE stripe_account IN ("+quoted(accts)+")")
			if err == nil || !strings.Contains(err.Error()+" "+errDetail(err), victim) {
				t.Errorf("a named account refused: %v, want an error naming %s", err, victim)
			}
		})
	}
}

func errDetail(err error) string {
	var se *sqlstate.Error
	if errors.As(err, &se) {
		return se.Detail
	}
	return ""
}
