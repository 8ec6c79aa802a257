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

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/exec"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// startUneven is an emulator at 5 ms of latency with one large connected account (1,200 charges,
// 12 pages) and three small ones; accts is largest first.
func startUneven(t *testing.T) (*testEnv, []string) {
	t.Helper()
	scales := []emulator.Scale{1200, 5, 8, 3}
	e := startEnvConfig(t, emulator.Config{Seed: 11, Scale: 5, Now: func() time.Time { return emuNow }, Latency: 5 * time.Millisecond,
		ConnectedAccounts: len(scales), AccountScale: func(i int) emulator.Scale { return scales[i] }})
	accts := e.emu.ConnectedAccounts()
	sort.Slice(accts, func(i, j int) bool {
		return e.emu.Account(accts[i]).Count("charges") > e.emu.Account(accts[j]).Count("charges")
	})
	return e, accts
}

// TestConnectFairShare: a fan-out whose first account is large reads the small accounts beside
// it, not after it: each small account's list is received before the large account's third page
// is, where reading the accounts one after the other sends every small account's request after
// the large account's last page. Per-account totals and pages are those of a sequential read.
func TestConnectFairShare(t *testing.T) {
	exec.SequentialScans(t) // one request in flight per account: the share is the point
	e, accts := startUneven(t)
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

// TestConnectFanOutEstimate: a fan-out over more accounts than the default budget (1,000
// requests) allows is refused
// before its charges are read, its 54000 saying accounts × pages: named in the query, before any
// request; from IN (SELECT id FROM accounts), after the listing only, and once the
// node has listed the accounts, before the listing too — the estimate counts the accounts known.
func TestConnectFanOutEstimate(t *testing.T) {
	const n = 1050 // more than an IN list of a subquery's rows holds, too: the accounts are pushed all the same
	start := time.Now()
	e := startEnvConfig(t, emulator.Config{Seed: 5, Scale: 5, Now: func() time.Time { return emuNow },
		ConnectedAccounts: n, AccountScale: func(int) emulator.Scale { return 1 }})
	t.Logf("seeding %d connected accounts took %v", n, time.Since(start).Round(time.Millisecond))
	accts := e.emu.ConnectedAccounts()
	e.stats = planner.NewStats()
	e.stats.LoadAccount("", planner.AccountFacts{ID: e.emu.AccountID()})
	sess := e.session(nil)
	// wantSent is the requests sent before the refusal; -1: only the accounts listing's.
	refused := func(t *testing.T, sql, wantDetail string, wantSent int) {
		t.Helper()
		e.emu.ResetRequests()
		_, _, err := run(context.Background(), e.client, sess, sql)
		if codeOf(err) != sqlstate.ProgramLimitExceeded {
			t.Fatalf("got %v, want 54000", err)
		}
		if d := errDetail(err); !strings.Contains(d, wantDetail) {
			t.Errorf("detail %q lacks %q", d, wantDetail)
		}
		sent := describeAccounts(e.emu.Requests())
		if wantSent < 0 {
			for _, r := range sent {
				if !strings.HasPrefix(r, "GET /v1/account") {
					t.Errorf("sent %s before the refusal", r)
				}
			}
		} else if len(sent) != wantSent {
			t.Errorf("sent %v before the refusal, want %d requests", sent, wantSent)
		}
		t.Logf("%v\n  %s", err, errDetail(err))
	}
	t.Run("named", func(t *testing.T) {
		refused(t, "SELECT stripe_account, count(*) FROM charges WHERE stripe_account IN ("+quoted(accts)+") GROUP BY 1",
			"list of charges: 1,050 requests for about 262,500,000 rows (1,050 accounts × at least 1 page each (none measured yet))", 0)
	})
	t.Run("in subquery, accounts never listed", func(t *testing.T) {
		refused(t, "SELECT stripe_account, count(*) FROM charges WHERE stripe_account IN (SELECT id FROM accounts) GROUP BY 1",
			"(1,050 accounts × at least 1 page each", -1)
	})
	t.Run("in subquery, accounts listed before", func(t *testing.T) {
		if st, ok := e.stats.Table("", "accounts"); !ok || st.Rows != n {
			t.Fatalf("accounts learned as %+v, want %d rows", st, n)
		}
		refused(t, "SELECT stripe_account, count(*) FROM charges WHERE stripe_account IN (SELECT id FROM accounts) GROUP BY 1",
			"1,050 accounts listed before", 0)
		est, err := estimate(e.session(map[string]string{"stripesql.max_requests": "100000"}), "SELECT stripe_account, count(*) FROM charges WHERE stripe_account IN (SELECT id FROM accounts) GROUP BY 1")
		if err != nil {
			t.Fatal(err)
		}
		if est < n {
			t.Errorf("estimate before the listing ran: %.0f requests, want at least one per account (%d)", est, n)
		}
	})
}

// TestConnectConcurrentTime: at 100 ms of Stripe latency and 30 requests/s, a fan-out over 24
// one-page accounts takes about a third of the time when its accounts are read concurrently; the
// requests are the same. (A ratio with a generous bound: the machine is shared.)
func TestConnectConcurrentTime(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 48 requests at 100 ms each")
	}
	const n = 24
	emu, base, stop, err := emulator.Start(emulator.Config{Seed: 9, Scale: 5, Now: func() time.Time { return emuNow }, Latency: 100 * time.Millisecond,
		ConnectedAccounts: n, AccountScale: func(int) emulator.Scale { return 3 }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_engine", BaseURL: base, Scheduler: stripeapi.NewScheduler(30)})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{emu: emu, client: client, cat: catalog.New(catalog.StripeTables()...), stats: planner.NewStats()}
	e.stats.LoadAccount("", planner.AccountFacts{ID: emu.AccountID()})
	accts := e.emu.ConnectedAccounts()
	sql := "SELECT stripe_account, count(*) FROM charges WHERE stripe_account IN (" + quoted(accts) + ") GROUP BY 1"
	timeIt := func(sequential bool) (time.Duration, int) {
		t.Helper()
		if sequential {
			exec.SequentialFanOuts(t)
		}
		sess := planner.NewSession(planner.SessionConfig{Catalog: e.cat, Rate: 30, Stats: e.stats, Clock: func() time.Time { return emuNow }})
		e.emu.ResetRequests()
		start := time.Now()
		rows, _, err := run(context.Background(), client, sess, sql)
		if err != nil || len(rows) != n {
			t.Fatalf("%d rows, %v", len(rows), err)
		}
		return time.Since(start), len(e.emu.Requests())
	}
	conc, concReqs := timeIt(false)
	seq, seqReqs := timeIt(true)
	t.Logf("fan-out over %d accounts at 100 ms, 30 requests/s: concurrent %v (%d requests), sequential %v (%d requests), ratio %.2f",
		n, conc.Round(time.Millisecond), concReqs, seq.Round(time.Millisecond), seqReqs, conc.Seconds()/seq.Seconds())
	if concReqs != seqReqs {
		t.Errorf("requests: concurrent %d, sequential %d", concReqs, seqReqs)
	}
	if conc.Seconds() > 0.8*seq.Seconds() {
		t.Errorf("concurrent %v is not clearly faster than sequential %v", conc, seq)
	}
}

// TestConnectStreamingFanOut: a fan-out whose rows stream to the client reads its first account
// alone, so a client that stops after 20 rows costs one request; one that reads on gets every
// account's rows exactly once, the accounts read concurrently from then on (each small account's
// list is received before the large account's last page).
func TestConnectStreamingFanOut(t *testing.T) {
	exec.SequentialScans(t)
	e, accts := startUneven(t)
	big := accts[0]
	sql := "SELECT id, stripe_account FROM charges WHERE stripe_account IN (" + quoted(accts) + ")"
	ctx := context.Background()
	t.Run("stops early", func(t *testing.T) {
		sts, err := planner.Parse(sql)
		if err != nil {
			t.Fatal(err)
		}
		sess := e.session(nil)
		p, err := planner.Plan(sess, sts[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		e.emu.ResetRequests()
		rows, err := exec.Run(ctx, e.client, sess, p)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 20; i++ {
			if _, err := rows.Next(ctx); err != nil {
				t.Fatal(err)
			}
		}
		rows.Close()
		if d := cmp.Diff([]string{"GET /v1/charges as " + big}, describeAccounts(e.emu.Requests())); d != "" {
			t.Errorf("requests of 20 rows (-want +got):\n%s", d)
		}
	})
	t.Run("reads on", func(t *testing.T) {
		e.emu.ResetRequests()
		rows, _, err := run(ctx, e.client, e.session(nil), sql)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		seen := map[string]bool{}
		for _, r := range rows {
			id, _ := r[0].(string)
			if seen[id] {
				t.Errorf("row %s twice", id)
			}
			seen[id] = true
			got[r[1].(string)]++
		}
		want := map[string]int{}
		for _, a := range accts {
			want[a] = e.emu.Account(a).Count("charges")
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("rows per account (-data +query):\n%s", d)
		}
		reqs := e.emu.Requests()
		sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].Received.Before(reqs[j].Received) })
		lastBig, lastSmall := -1, -1
		for i, r := range reqs {
			if r.Account == big {
				lastBig = i
			} else {
				lastSmall = i
			}
		}
		if lastSmall > lastBig {
			t.Errorf("the small accounts' last request (%d) came after the large account's last page (%d)", lastSmall, lastBig)
		}
	})
}

// TestConnectPendingEstimateLearned: once a fan-out has measured its accounts, the estimate of
// IN (SELECT id FROM accounts …), made before the listing runs, is the mean of the accounts
// measured times the accounts listed — close to what the fan-out then sends — and not the
// session's own account (here 2,000 charges, 20 pages) times every account.
func TestConnectPendingEstimateLearned(t *testing.T) {
	const n = 12
	e := startEnvConfig(t, emulator.Config{Seed: 6, Scale: 2000, Now: func() time.Time { return emuNow },
		ConnectedAccounts: n, AccountScale: func(i int) emulator.Scale { return emulator.Scale(50 + 60*i) }})
	sess := e.session(map[string]string{"stripesql.max_requests": "100000"})
	const sql = "SELECT stripe_account, count(*) FROM charges WHERE stripe_account IN (SELECT id FROM accounts) GROUP BY 1"
	e.emu.ResetRequests()
	rows, _, err := run(context.Background(), e.client, sess, sql)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n {
		t.Fatalf("%d accounts in the result, want %d", len(rows), n)
	}
	var sent int
	for _, r := range e.emu.Requests() {
		if r.Path == "/v1/charges" {
			sent++
		}
	}
	if got := len(e.stats.ConnectedAccounts("charges")); got != n {
		t.Fatalf("sizes learned for %d accounts, want %d", got, n)
	}
	sts, err := planner.Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	p, err := planner.Plan(sess, sts[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	est := p.Estimate.Requests - 1 // less the accounts listing's one page
	t.Logf("estimated %.1f charges requests before the listing ran, the fan-out sent %d", est, sent)
	if est < float64(sent)/2 || est > float64(sent)*2 {
		t.Errorf("estimated %.1f charges requests, the fan-out sent %d: want within a factor of 2", est, sent)
	}
	var note string
	planner.Walk(p.Root, func(n planner.Node) {
		if s, ok := n.(*planner.Scan); ok && s.Table != nil && s.Table.Name == "charges" {
			note = s.SizeNote
		}
	})
	if !strings.Contains(note, "the mean of 12 accounts measured before") {
		t.Errorf("the estimate does not say what it is made of: %q", note)
	}
	// Every listed account measured: the budget charges the estimate, before the listing runs.
	e.emu.ResetRequests()
	_, _, err = run(context.Background(), e.client, e.session(map[string]string{"stripesql.max_requests": fmt.Sprint(sent / 2)}), sql)
	if codeOf(err) != sqlstate.ProgramLimitExceeded {
		t.Fatalf("with a budget of %d: got %v, want 54000", sent/2, err)
	}
	if reqs := e.emu.Requests(); len(reqs) != 0 {
		t.Errorf("refused after %v, want no request", describeAccounts(reqs))
	}
}

// TestConnectFanOutMeasured: a fan-out the planner could charge only a page per account (their
// sizes unknown) is refused as soon as its first accounts show it will pass the budget, not
// after it has spent the budget; one that fits runs to its end.
func TestConnectFanOutMeasured(t *testing.T) {
	const n = 200 // 150 charges each: two pages per account, 400 requests in all
	e := startEnvConfig(t, emulator.Config{Seed: 8, Scale: 5, Now: func() time.Time { return emuNow },
		ConnectedAccounts: n, AccountScale: func(int) emulator.Scale { return 150 }})
	const sql = "SELECT stripe_account, count(*) FROM charges WHERE stripe_account IN (SELECT id FROM accounts) GROUP BY 1"
	t.Run("refused once measured", func(t *testing.T) {
		e.emu.ResetRequests()
		_, _, err := run(context.Background(), e.client, e.session(map[string]string{"stripesql.max_requests": "300"}), sql)
		if codeOf(err) != sqlstate.ProgramLimitExceeded {
			t.Fatalf("got %v, want 54000", err)
		}
		sent := len(e.emu.Requests())
		t.Logf("%v (after %d requests)\n  %s", err, sent, errDetail(err))
		if !strings.Contains(errDetail(err), "200 accounts × about 2.") {
			t.Errorf("detail %q does not give the measured requests per account", errDetail(err))
		}
		if sent > 200 {
			t.Errorf("refused after %d requests, want it refused once 50 accounts were read (about 110)", sent)
		}
	})
	t.Run("refused before, most accounts measured", func(t *testing.T) {
		accts := e.emu.ConnectedAccounts()
		byName := func(accts []string) string {
			return "SELECT stripe_account, count(*) FROM charges WHERE stripe_account IN (" + quoted(accts) + ") GROUP BY 1"
		}
		if _, _, err := run(context.Background(), e.client, e.session(map[string]string{"stripesql.max_requests": "1000"}), byName(accts[:150])); err != nil {
			t.Fatal(err)
		}
		e.emu.ResetRequests()
		// 150 accounts of 2 pages and 50 never measured: at least 350 requests, over 300.
		_, _, err := run(context.Background(), e.client, e.session(map[string]string{"stripesql.max_requests": "300"}), byName(accts))
		if codeOf(err) != sqlstate.ProgramLimitExceeded {
			t.Fatalf("got %v, want 54000", err)
		}
		t.Logf("%v\n  %s", err, errDetail(err))
		if sent := len(e.emu.Requests()); sent != 0 {
			t.Errorf("refused after %d requests, want 0", sent)
		}
		if d := errDetail(err); !strings.Contains(d, "150 measured, about 2.0 pages each, and 50 never measured") {
			t.Errorf("detail %q does not say what the charge is made of", d)
		}
	})
	t.Run("fits", func(t *testing.T) {
		rows, _, err := run(context.Background(), e.client, e.session(map[string]string{"stripesql.max_requests": "450"}), sql)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != n {
			t.Errorf("%d accounts, want %d", len(rows), n)
		}
	})
}

// TestConnectFanOutOverBudget: when a fan-out too small to be re-estimated early runs out of its
// budget, the error gives the estimate its accounts measured, not the planner's default size.
func TestConnectFanOutOverBudget(t *testing.T) {
	const n = 20 // 300 charges each: three pages per account
	e := startEnvConfig(t, emulator.Config{Seed: 8, Scale: 5, Now: func() time.Time { return emuNow },
		ConnectedAccounts: n, AccountScale: func(int) emulator.Scale { return 300 }})
	_, _, err := run(context.Background(), e.client, e.session(map[string]string{"stripesql.max_requests": "55"}),
		"SELECT stripe_account, count(*) FROM charges WHERE stripe_account IN (SELECT id FROM accounts) GROUP BY 1")
	if codeOf(err) != sqlstate.ProgramLimitExceeded {
		t.Fatalf("got %v, want 54000", err)
	}
	t.Logf("%v\n  %s", err, errDetail(err))
	if d := errDetail(err); !strings.Contains(d, "as measured so far: 20 accounts × about 3.") {
		t.Errorf("detail %q does not give the accounts' measured requests", d)
	}
}
