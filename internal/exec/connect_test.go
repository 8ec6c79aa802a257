package exec_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/exec"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/planner"
)

// connectScales are the charges of the test's connected accounts, in creation order: one page,
// three pages (250 at 100 a page) and a few rows.
var connectScales = []emulator.Scale{30, 250, 5}

// startConnect is an emulator whose platform has len(connectScales) connected accounts.
func startConnect(t testing.TB) (*testEnv, []string) {
	t.Helper()
	e := startEnvConfig(t, emulator.Config{Seed: 7, Scale: 20, Now: func() time.Time { return emuNow },
		ConnectedAccounts: len(connectScales), AccountScale: func(i int) emulator.Scale { return connectScales[i] }})
	accts := e.emu.ConnectedAccounts()
	sort.Strings(accts)
	return e, accts
}

// accountTotals is what each account holds of charges: count and sum of amount, as the
// GROUP BY stripe_account query prints them.
func accountTotals(e *testEnv, accts []string) []string {
	var out []string
	for _, a := range accts {
		objs := e.emu.Account(a).Objects("charges")
		var sum int64
		for _, o := range objs {
			switch v := o["amount"].(type) {
			case int64:
				sum += v
			case float64:
				sum += int64(v)
			}
		}
		out = append(out, fmt.Sprintf("%s|%d|%d", a, len(objs), sum))
	}
	return out
}

// listsByAccount counts the list requests sent on path per Stripe-Account header, and the
// requests sent otherwise.
func listsByAccount(reqs []emulator.Request, path string) (map[string]int, []string) {
	lists := map[string]int{}
	var other []string
	for _, r := range reqs {
		if r.Method == "GET" && r.Path == path {
			lists[r.Account]++
			continue
		}
		other = append(other, r.Method+" "+r.Path+" as "+r.Account)
	}
	return lists, other
}

func quoted(accts []string) string {
	q := make([]string, len(accts))
	for i, a := range accts {
		q[i] = "'" + a + "'"
	}
	return strings.Join(q, ", ")
}

// TestConnectFanOut: per-account totals across connected accounts equal each account's own data,
// whether the accounts are named in an IN list, come from a subquery on accounts or from a join
// with accounts; each account's list is sent with its header and no more pages than it holds.
func TestConnectFanOut(t *testing.T) {
	exec.SequentialScans(t) // exact page counts; TestConnectPartitioned reads the same in windows
	e, accts := startConnect(t)
	want := accountTotals(e, accts)
	pages := map[string]int{}
	for _, a := range accts {
		pages[a] = max(1, (e.emu.Account(a).Count("charges")+99)/100)
	}
	for _, tc := range []struct{ name, sql string }{
		{"in list", "SELECT stripe_account, count(*), sum(amount) FROM charges WHERE stripe_account IN (" + quoted(accts) + ") GROUP BY stripe_account ORDER BY 1"},
		{"in subquery", "SELECT stripe_account, count(*), sum(amount) FROM charges WHERE stripe_account IN (SELECT id FROM accounts) GROUP BY stripe_account ORDER BY 1"},
		{"join", "SELECT a.id, count(*), sum(c.amount) FROM accounts a JOIN charges c ON c.stripe_account = a.id GROUP BY a.id ORDER BY 1"},
		{"join with accounts on the right", "SELECT a.id, count(*), sum(c.amount) FROM charges c JOIN accounts a ON c.stripe_account = a.id GROUP BY a.id ORDER BY 1"},
		{"join with accounts on the right, where", "SELECT a.id, count(*), sum(c.amount) FROM charges c, accounts a WHERE a.id = c.stripe_account GROUP BY a.id ORDER BY 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.emu.ResetRequests()
			rows, _, err := run(context.Background(), e.client, e.session(nil), tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, texts(rows)); d != "" {
				t.Errorf("totals (-each account's data +query):\n%s", d)
			}
			lists, other := listsByAccount(e.emu.Requests(), "/v1/charges")
			if d := cmp.Diff(pages, lists); d != "" {
				t.Errorf("charges list requests per account (-pages needed +sent):\n%s", d)
			}
			for _, o := range other {
				if o != "GET /v1/accounts as " {
					t.Errorf("unexpected request %s", o)
				}
			}
			t.Logf("%s: charges lists per account %v; other requests %v", tc.name, lists, other)
		})
	}
	t.Run("limit per account reads one page", func(t *testing.T) {
		e.emu.ResetRequests()
		rows, _, err := run(context.Background(), e.client, e.session(nil),
			"SELECT id, stripe_account FROM charges WHERE stripe_account IN ("+quoted(accts)+") LIMIT 3")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("got %d rows, want 3", len(rows))
		}
		lists, _ := listsByAccount(e.emu.Requests(), "/v1/charges")
		if d := cmp.Diff(map[string]int{accts[0]: 1}, lists); d != "" {
			t.Errorf("LIMIT 3 over accounts (-want +sent):\n%s", d)
		}
	})
	t.Run("retrieve by id in an account", func(t *testing.T) {
		id, _ := e.emu.Account(accts[1]).Objects("charges")[0]["id"].(string)
		e.emu.ResetRequests()
		rows, _, err := run(context.Background(), e.client, e.session(nil),
			"SELECT id, stripe_account FROM charges WHERE id = $1 AND stripe_account = $2", id, accts[1])
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]string{id + "|" + accts[1]}, texts(rows)); d != "" {
			t.Errorf("rows (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{"GET /v1/charges/" + id + " as " + accts[1]}, describeAccounts(e.emu.Requests())); d != "" {
			t.Errorf("requests (-want +got):\n%s", d)
		}
	})
}

// TestConnectPartitioned: with partitioned scans on, each account's scan is split on its own
// (its windows and its GET /v1/account sent with its header) and the totals still match.
func TestConnectPartitioned(t *testing.T) {
	e, accts := startConnect(t)
	rows, _, err := run(context.Background(), e.client, e.session(nil),
		"SELECT stripe_account, count(*), sum(amount) FROM charges WHERE stripe_account IN ("+quoted(accts)+") GROUP BY stripe_account ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(accountTotals(e, accts), texts(rows)); d != "" {
		t.Errorf("totals (-each account's data +query):\n%s", d)
	}
	in := map[string]bool{}
	for _, a := range accts {
		in[a] = true
	}
	lists := map[string]int{}
	for _, r := range e.emu.Requests() {
		if !in[r.Account] {
			t.Errorf("request %s %s sent without a connected account", r.Method, r.Path)
		}
		if r.Path == "/v1/charges" {
			lists[r.Account]++
		}
	}
	t.Logf("charges list requests per account, partitioned: %v", lists)
}

func describeAccounts(reqs []emulator.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Method + " " + r.Path + " as " + r.Account
	}
	return out
}

// TestConnectSessionAccount: SET stripesql.account switches the account unfiltered queries read,
// RESET returns to the key's own, whose rows carry the platform's id (read once from GET
// /v1/account).
func TestConnectSessionAccount(t *testing.T) {
	e, accts := startConnect(t)
	e.stats = planner.NewStats() // a node that has not read its own account yet
	ctx := context.Background()
	sess := e.session(nil)
	e.emu.ResetRequests()
	count := func() string {
		t.Helper()
		rows, _, err := run(ctx, e.client, sess, "SELECT stripe_account, count(*) FROM customers GROUP BY 1")
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(texts(rows), ",")
	}
	platform := e.emu.AccountID()
	if got, want := count(), fmt.Sprintf("%s|%d", platform, e.emu.Count("customers")); got != want {
		t.Errorf("own account: got %s, want %s", got, want)
	}
	if d := cmp.Diff([]string{"GET /v1/customers as ", "GET /v1/account as "}, describeAccounts(e.emu.Requests())); d != "" {
		t.Errorf("the first read of the own account asks for its id (-want +got):\n%s", d)
	}
	for _, a := range accts {
		if _, _, err := run(ctx, e.client, sess, "SET stripesql.account = '"+a+"'"); err != nil {
			t.Fatal(err)
		}
		if got, want := count(), fmt.Sprintf("%s|%d", a, e.emu.Account(a).Count("customers")); got != want {
			t.Errorf("after SET %s: got %s, want %s", a, got, want)
		}
	}
	if _, _, err := run(ctx, e.client, sess, "RESET stripesql.account"); err != nil {
		t.Fatal(err)
	}
	e.emu.ResetRequests()
	if got, want := count(), fmt.Sprintf("%s|%d", platform, e.emu.Count("customers")); got != want {
		t.Errorf("after RESET: got %s, want %s", got, want)
	}
	if d := cmp.Diff([]string{"GET /v1/customers as "}, describeAccounts(e.emu.Requests())); d != "" {
		t.Errorf("after RESET the platform id is cached (-want +got):\n%s", d)
	}
	if _, _, err := run(ctx, e.client, sess, "SET stripesql.account = 'cus_123'"); codeOf(err) != sqlstate.InvalidParameterValue {
		t.Errorf("SET to a non-account id: %v, want 22023", err)
	}
	// A startup setting is the session's default: RESET returns to it.
	start := e.session(map[string]string{planner.SettingAccount: accts[2]})
	for _, sql := range []string{"SET stripesql.account = '" + accts[0] + "'", "RESET stripesql.account"} {
		if _, _, err := run(ctx, e.client, start, sql); err != nil {
			t.Fatal(err)
		}
	}
	if got := start.Account(); got != accts[2] {
		t.Errorf("RESET after a startup account: %q, want %q", got, accts[2])
	}
}

// TestConnectWrites: an INSERT lands in the account its row names and nowhere else, with the
// account in its idempotency key; UPDATE and DELETE write in the account their rows were read
// from; CALL takes stripe_account =>.
func TestConnectWrites(t *testing.T) {
	e, accts := startConnect(t)
	ctx := context.Background()
	sess := e.session(nil)
	before := map[string]int{"": e.emu.Count("customers")}
	for _, a := range accts {
		before[a] = e.emu.Account(a).Count("customers")
	}
	e.emu.ResetRequests()
	rows, _, err := run(ctx, e.client, sess, "INSERT INTO customers (stripe_account, email) VALUES ($1, 'a@example.com'), ($2, 'b@example.com') RETURNING email, stripe_account", accts[1], accts[2])
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"a@example.com|" + accts[1], "b@example.com|" + accts[2]}, texts(rows)); d != "" {
		t.Errorf("RETURNING (-want +got):\n%s", d)
	}
	after := map[string]int{"": e.emu.Count("customers")}
	for _, a := range accts {
		after[a] = e.emu.Account(a).Count("customers")
	}
	before[accts[1]]++
	before[accts[2]]++
	if d := cmp.Diff(before, after); d != "" {
		t.Errorf("customers per account after the insert (-want +got):\n%s", d)
	}
	reqs := e.emu.Requests()
	if d := cmp.Diff([]string{"POST /v1/customers as " + accts[1], "POST /v1/customers as " + accts[2]}, describeAccounts(reqs)); d != "" {
		t.Errorf("insert requests (-want +got):\n%s", d)
	}
	// The same statement for two accounts: different idempotency keys.
	e.emu.ResetRequests()
	sess2 := e.session(map[string]string{planner.SettingIdempotencyKey: "fixed"})
	for _, a := range accts[:2] {
		if _, _, err := run(ctx, e.client, sess2, "INSERT INTO customers (stripe_account, email) VALUES ($1, 'k@example.com')", a); err != nil {
			t.Fatal(err)
		}
	}
	if r := e.emu.Requests(); len(r) != 2 || r[0].IdempotencyKey == r[1].IdempotencyKey {
		t.Errorf("idempotency keys of one statement in two accounts: %+v", r)
	}

	// UPDATE by WHERE stripe_account: the update goes to that account.
	e.emu.ResetRequests()
	if _, _, err := run(ctx, e.client, sess, "UPDATE customers SET description = 'vip' WHERE stripe_account = $1 AND email = 'a@example.com'", accts[1]); err != nil {
		t.Fatal(err)
	}
	var posted []string
	for _, r := range e.emu.Requests() {
		if r.Method == "POST" {
			posted = append(posted, r.Account)
		}
	}
	if d := cmp.Diff([]string{accts[1]}, posted); d != "" {
		t.Errorf("update accounts (-want +got):\n%s", d)
	}
	rows, _, err = run(ctx, e.client, sess, "SELECT description FROM customers WHERE stripe_account = $1 AND email = 'a@example.com'", accts[1])
	if err != nil || len(rows) != 1 || rows[0][0] != "vip" {
		t.Errorf("updated row: %v %v", rows, err)
	}
	// DELETE by the row's account, found by a fan-out.
	e.emu.ResetRequests()
	if _, _, err := run(ctx, e.client, sess, "DELETE FROM customers WHERE stripe_account IN ("+quoted(accts)+") AND email = 'b@example.com'"); err != nil {
		t.Fatal(err)
	}
	if got := e.emu.Account(accts[2]).Count("customers"); got != after[accts[2]]-1 {
		t.Errorf("after delete %s holds %d customers, want %d", accts[2], got, after[accts[2]]-1)
	}
	// CALL with stripe_account =>: a payment intent created in the account, then cancelled there.
	cus, _ := e.emu.Account(accts[0]).Objects("customers")[0]["id"].(string)
	rows, _, err = run(ctx, e.client, sess, "INSERT INTO payment_intents (stripe_account, amount, currency, customer) VALUES ($1, 1200, 'usd', $2) RETURNING id", accts[0], cus)
	if err != nil {
		t.Fatal(err)
	}
	pi, _ := rows[0][0].(string)
	e.emu.ResetRequests()
	if _, _, err = run(ctx, e.client, sess, "CALL CancelPaymentIntent($1, stripe_account => $2)", pi, accts[0]); err != nil {
		t.Fatal(err)
	}
	rows, _, err = run(ctx, e.client, sess, "SELECT status FROM payment_intents WHERE id = $1 AND stripe_account = $2", pi, accts[0])
	if err != nil || len(rows) != 1 || rows[0][0] != "canceled" {
		t.Errorf("payment intent after CALL: %v %v", rows, err)
	}
	if d := cmp.Diff([]string{"POST /v1/payment_intents/" + pi + "/cancel as " + accts[0], "GET /v1/payment_intents/" + pi + " as " + accts[0]}, describeAccounts(e.emu.Requests())); d != "" {
		t.Errorf("call requests (-want +got):\n%s", d)
	}
}

// TestConnectRestricted: a session limited to one account is refused any other (and the
// platform's own) with 42501 before anything is sent.
func TestConnectRestricted(t *testing.T) {
	e, accts := startConnect(t)
	ctx := context.Background()
	sess := planner.NewSession(planner.SessionConfig{Catalog: e.cat, Rate: 10000, Stats: e.stats, User: "tenant",
		Accounts: []string{accts[0]}, Clock: func() time.Time { return emuNow }})
	if got := sess.Account(); got != accts[0] {
		t.Fatalf("restricted session's default account %q, want %q", got, accts[0])
	}
	e.emu.ResetRequests()
	for _, sql := range []string{
		"SELECT count(*) FROM charges WHERE stripe_account = '" + accts[1] + "'",
		"SELECT count(*) FROM charges WHERE stripe_account IN ('" + accts[0] + "', '" + accts[1] + "')",
		"SELECT count(*) FROM charges WHERE stripe_account = '" + e.emu.AccountID() + "'",
		"SET stripesql.account = '" + accts[1] + "'",
		"SET stripesql.account = ''",
		"INSERT INTO customers (stripe_account, email) VALUES ('" + accts[1] + "', 'x@example.com')",
		"UPDATE customers SET description = 'x' WHERE stripe_account = '" + accts[1] + "' AND id = 'cus_1'",
		"CALL CancelPaymentIntent('pi_1', stripe_account => '" + accts[2] + "')",
	} {
		t.Run(sql, func(t *testing.T) {
			_, _, err := run(ctx, e.client, sess, sql)
			if codeOf(err) != sqlstate.InsufficientPrivilege {
				t.Fatalf("got %v, want 42501", err)
			}
			if !strings.Contains(err.Error(), "permission denied for stripe account") {
				t.Errorf("message %q", err.Error())
			}
		})
	}
	if r := e.emu.Requests(); len(r) != 0 {
		t.Errorf("refused statements sent %v", describeAccounts(r))
	}
	rows, _, err := run(ctx, e.client, sess, "SELECT count(*) FROM charges")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rows[0][0], int64(e.emu.Account(accts[0]).Count("charges")); got != want {
		t.Errorf("own account count %v, want %v", got, want)
	}
}

// TestConnectUnknownAccount: an account Stripe refuses is named in the error, never skipped.
func TestConnectUnknownAccount(t *testing.T) {
	e, accts := startConnect(t)
	const bad = "acct_1NoSuchAccount00"
	for _, sql := range []string{
		"SELECT count(*) FROM charges WHERE stripe_account = '" + bad + "'",
		"SELECT count(*) FROM charges WHERE stripe_account IN ('" + accts[0] + "', '" + bad + "')",
	} {
		t.Run(sql, func(t *testing.T) {
			_, _, err := run(context.Background(), e.client, e.session(nil), sql)
			if err == nil {
				t.Fatal("no error for an unknown account")
			}
			var se *sqlstate.Error
			if !errors.As(err, &se) || !strings.Contains(se.Message+" "+se.Detail, bad) {
				t.Errorf("error %v does not name %s", err, bad)
			}
		})
	}
}

// TestConnectExplain: EXPLAIN names the accounts of a fan-out and counts every account's requests.
func TestConnectExplain(t *testing.T) {
	e, accts := startConnect(t)
	sess := e.session(nil)
	rows, _, err := run(context.Background(), e.client, sess, "EXPLAIN SELECT count(*) FROM charges WHERE stripe_account IN ("+quoted(accts)+")")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(texts(rows), "\n")
	for _, want := range []string{"Accounts: " + strings.Join(accts, ", ") + " (fan-out over 3 accounts)", "as " + accts[0], "as " + accts[2]} {
		if !strings.Contains(text, want) {
			t.Errorf("EXPLAIN lacks %q:\n%s", want, text)
		}
	}
	// Unknown sizes are charged per account like unknown tables: the estimate grows with accounts.
	one, err := estimate(sess, "SELECT count(*) FROM charges WHERE stripe_account = '"+accts[0]+"'")
	if err != nil {
		t.Fatal(err)
	}
	three, err := estimate(sess, "SELECT count(*) FROM charges WHERE stripe_account IN ("+quoted(accts)+")")
	if err != nil {
		t.Fatal(err)
	}
	if three < 3*one-0.001 {
		t.Errorf("fan-out over 3 accounts estimated %.1f requests, one account %.1f", three, one)
	}
	// Over the budget: refused with 54000 before a request.
	e.emu.ResetRequests()
	tight := e.session(map[string]string{"stripesql.max_requests": "2"})
	if _, _, err := run(context.Background(), e.client, tight, "SELECT * FROM charges WHERE stripe_account IN ("+quoted(accts)+") ORDER BY amount"); codeOf(err) != sqlstate.ProgramLimitExceeded {
		t.Errorf("fan-out over budget: %v, want 54000", err)
	}
	t.Logf("requests sent by the refused fan-out: %d", len(e.emu.Requests()))
}

func estimate(sess *planner.Session, sql string) (float64, error) {
	sts, err := planner.Parse(sql)
	if err != nil {
		return 0, err
	}
	p, err := planner.Plan(sess, sts[0], nil)
	if err != nil {
		return 0, err
	}
	return p.Estimate.Requests, nil
}

// TestConnectOwnAccount: the account table is the account a query acts as, one GET /v1/account
// per account: the platform's own, or each connected account's.
func TestConnectOwnAccount(t *testing.T) {
	e, accts := startConnect(t)
	ctx := context.Background()
	e.emu.ResetRequests()
	rows, _, err := run(ctx, e.client, e.session(nil), "SELECT id, stripe_account FROM account")
	if err != nil {
		t.Fatal(err)
	}
	own := e.emu.AccountID()
	if d := cmp.Diff([]string{own + "|" + own}, texts(rows)); d != "" {
		t.Errorf("platform (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"GET /v1/account as "}, describeAccounts(e.emu.Requests())); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
	rows, _, err = run(ctx, e.client, e.session(nil), "SELECT id, stripe_account FROM account WHERE stripe_account IN ("+quoted(accts)+") ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, a := range accts {
		want = append(want, a+"|"+a)
	}
	if d := cmp.Diff(want, texts(rows)); d != "" {
		t.Errorf("connected accounts (-want +got):\n%s", d)
	}
}

// TestConnectExplainWrites: EXPLAIN of writes names the account each request goes to.
func TestConnectExplainWrites(t *testing.T) {
	e, accts := startConnect(t)
	sess := e.session(nil)
	for _, tc := range []struct{ sql, want string }{
		{"EXPLAIN INSERT INTO customers (stripe_account, email) VALUES ('" + accts[1] + "', 'x@example.com')", "POST /v1/customers email=x@example.com as " + accts[1]},
		{"EXPLAIN CALL CancelPaymentIntent('pi_1', stripe_account => '" + accts[0] + "')", "Stripe-Account: " + accts[0]},
		{"EXPLAIN DELETE FROM customers WHERE id = 'cus_1' AND stripe_account = '" + accts[2] + "'", "Stripe-Account: " + accts[2]},
	} {
		rows, _, err := run(context.Background(), e.client, sess, tc.sql)
		if err != nil {
			t.Fatal(err)
		}
		if text := strings.Join(texts(rows), "\n"); !strings.Contains(text, tc.want) {
			t.Errorf("%s lacks %q:\n%s", tc.sql, tc.want, text)
		}
	}
	if r := e.emu.Requests(); len(r) != 0 {
		t.Errorf("EXPLAIN sent %v", describeAccounts(r))
	}
}
