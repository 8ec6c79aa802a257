package exec_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/driver"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// one runs a statement that must succeed and returns its rows in text form and its tag.
func one(t *testing.T, env *testEnv, sess *planner.Session, sql string, args ...any) ([]string, string) {
	t.Helper()
	rows, rs, err := run(context.Background(), env.client, sess, sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, rowText(r))
	}
	return out, rs.Tag()
}

// TestWriteLifecycle is the proof of issue 6 over the emulator with the real stripe-go client:
// a customer, a payment method, a payment intent confirmed and captured, a quote accepted and its
// invoice finalized, cancel paths, UPDATE of metadata, DELETE of a customer and of a
// subscription, and every mutating request with an idempotency key.
func TestWriteLifecycle(t *testing.T) {
	env := startEnv(t, emulator.ScaleN(5))
	sess := env.session(nil)

	rows, tag := one(t, env, sess, `INSERT INTO customers (email, name, metadata) VALUES ('ann@example.com', 'Ann', '{"tier":"gold","old":"x"}') RETURNING id, email, metadata`)
	if tag != "INSERT 0 1" || len(rows) != 1 {
		t.Fatalf("insert: tag %q rows %v", tag, rows)
	}
	cus := strings.SplitN(rows[0], "|", 2)[0]
	if diff := cmp.Diff(cus+`|ann@example.com|{"old": "x", "tier": "gold"}`, rows[0]); diff != "" {
		t.Errorf("RETURNING (-want +got):\n%s", diff)
	}

	// The emulator attaches payment methods it holds, so the test card becomes one first.
	rows, _ = one(t, env, sess, `INSERT INTO payment_methods (type, card) VALUES ('card', '{"token":"pm_card_visa"}') RETURNING id`)
	pm := rows[0]
	rows, _ = one(t, env, sess, `CALL AttachPaymentMethodToCustomer($1, CustomerId => $2)`, pm, cus)
	if len(rows) != 1 || !strings.Contains(rows[0], cus) {
		t.Errorf("attach row %v does not name %s", rows, cus)
	}

	rows, _ = one(t, env, sess, `INSERT INTO payment_intents (amount, currency, customer, payment_method) VALUES ($1, 'usd', $2, $3) RETURNING id, status`, int64(4200), cus, pm)
	pi, status, _ := strings.Cut(rows[0], "|")
	if status != "requires_confirmation" {
		t.Errorf("new intent status %q", status)
	}
	one(t, env, sess, `CALL ConfirmPaymentIntent($1)`, pi)
	// Manual capture is not set, so confirm already captured in Stripe's default flow; capture
	// then answers an error that keeps its meaning (22023), or succeeds when the intent waits.
	got, _ := one(t, env, sess, `SELECT status, amount_received FROM payment_intents WHERE id = $1`, pi)
	if diff := cmp.Diff([]string{"succeeded|4200"}, got); diff != "" {
		t.Errorf("intent after confirm (-want +got):\n%s", diff)
	}
	got, _ = one(t, env, sess, `SELECT c.status FROM charges c WHERE c.payment_intent = $1`, pi)
	if diff := cmp.Diff([]string{"succeeded"}, got); diff != "" {
		t.Errorf("charge (-want +got):\n%s", diff)
	}
	got, _ = one(t, env, sess, `SELECT balance_transaction IS NOT NULL FROM charges WHERE payment_intent = $1`, pi)
	if diff := cmp.Diff([]string{"t"}, got); diff != "" {
		t.Errorf("charge balance transaction (-want +got):\n%s", diff)
	}

	// A manual-capture intent: confirm, then capture.
	rows, _ = one(t, env, sess, `INSERT INTO payment_intents (amount, currency, customer, payment_method, capture_method) VALUES (1500, 'usd', $1, $2, 'manual') RETURNING id`, cus, pm)
	pi2 := rows[0]
	one(t, env, sess, `CALL ConfirmPaymentIntent(PaymentIntentId => $1)`, pi2)
	rows, tag = one(t, env, sess, `SELECT * FROM CapturePaymentIntent($1)`, pi2)
	if tag != "SELECT 1" || len(rows) != 1 || !strings.HasPrefix(rows[0], "t|") {
		t.Errorf("SELECT * FROM CapturePaymentIntent: tag %q rows %v", tag, rows)
	}
	got, _ = one(t, env, sess, `SELECT status FROM payment_intents WHERE id = $1`, pi2)
	if diff := cmp.Diff([]string{"succeeded"}, got); diff != "" {
		t.Errorf("captured intent (-want +got):\n%s", diff)
	}

	// Cancel path.
	rows, _ = one(t, env, sess, `INSERT INTO payment_intents (amount, currency) VALUES (900, 'eur') RETURNING id`)
	one(t, env, sess, `CALL CancelPaymentIntent($1)`, rows[0])
	got, _ = one(t, env, sess, `SELECT status FROM payment_intents WHERE id = $1`, rows[0])
	if diff := cmp.Diff([]string{"canceled"}, got); diff != "" {
		t.Errorf("canceled intent (-want +got):\n%s", diff)
	}

	// UPDATE of metadata: keys merge, a JSON null removes one.
	_, tag = one(t, env, sess, `UPDATE customers SET metadata = '{"tier":"platinum","old":null}', name = 'Ann B' WHERE id = $1`, cus)
	if tag != "UPDATE 1" {
		t.Errorf("update tag %q", tag)
	}
	got, _ = one(t, env, sess, `SELECT name, metadata FROM customers WHERE id = $1`, cus)
	if diff := cmp.Diff([]string{`Ann B|{"tier": "platinum"}`}, got); diff != "" {
		t.Errorf("customer after update (-want +got):\n%s", diff)
	}
	// UPDATE through a non-id WHERE finds the rows with a read, then updates each.
	got, tag = one(t, env, sess, `UPDATE customers SET description = 'vip' WHERE email = 'ann@example.com' RETURNING id, description`)
	if diff := cmp.Diff([]string{cus + "|vip"}, got); diff != "" || tag != "UPDATE 1" {
		t.Errorf("update by email (-want +got):\n%s tag %q", diff, tag)
	}
	_, tag = one(t, env, sess, `UPDATE customers SET description = 'x' WHERE id = 'cus_missing'`)
	if tag != "UPDATE 0" {
		t.Errorf("update of a missing id: tag %q, want UPDATE 0", tag)
	}

	// Quote: create, finalize, accept (returns the invoice id), finalize its invoice.
	prices := env.emu.Objects("prices")
	if len(prices) == 0 {
		t.Fatal("emulator has no prices")
	}
	price, _ := prices[0]["id"].(string)
	rows, _ = one(t, env, sess, `INSERT INTO quotes (customer, line_items) VALUES ($1, $2::jsonb) RETURNING id, status`, cus, fmt.Sprintf(`[{"price":%q,"quantity":2}]`, price))
	quote, qs, _ := strings.Cut(rows[0], "|")
	if qs != "draft" {
		t.Errorf("new quote status %q", qs)
	}
	one(t, env, sess, `CALL FinalizeQuote($1)`, quote)
	rs, _, err := run(context.Background(), env.client, sess, `CALL AcceptQuote($1)`, quote)
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := rs[0][0].(string)
	if !strings.HasPrefix(inv, "in_") {
		t.Fatalf("AcceptQuote InvoiceId = %v", rs[0][0])
	}
	one(t, env, sess, `CALL FinalizeInvoice($1)`, inv)
	got, _ = one(t, env, sess, `SELECT status FROM invoices WHERE id = $1`, inv)
	if diff := cmp.Diff([]string{"open"}, got); diff != "" {
		t.Errorf("finalized invoice (-want +got):\n%s", diff)
	}
	rows, _ = one(t, env, sess, `INSERT INTO quotes (customer, line_items) VALUES ($1, $2::jsonb) RETURNING id`, cus, fmt.Sprintf(`[{"price":%q}]`, price))
	one(t, env, sess, `CALL CancelQuote($1)`, rows[0])
	got, _ = one(t, env, sess, `SELECT status FROM quotes WHERE id = $1`, rows[0])
	if diff := cmp.Diff([]string{"canceled"}, got); diff != "" {
		t.Errorf("canceled quote (-want +got):\n%s", diff)
	}

	// DELETE of a subscription cancels it; DELETE of a customer deletes it.
	recurring := ""
	for _, p := range prices {
		if p["recurring"] != nil {
			recurring, _ = p["id"].(string)
			break
		}
	}
	if recurring == "" {
		t.Fatal("emulator has no recurring price")
	}
	rows, _ = one(t, env, sess, `INSERT INTO subscriptions (customer, items) VALUES ($1, $2::jsonb) RETURNING id`, cus, fmt.Sprintf(`[{"price":%q}]`, recurring))
	sub := rows[0]
	got, tag = one(t, env, sess, `DELETE FROM subscriptions WHERE id = $1 RETURNING status`, sub)
	if diff := cmp.Diff([]string{"canceled"}, got); diff != "" || tag != "DELETE 1" {
		t.Errorf("delete subscription (-want +got):\n%s tag %q", diff, tag)
	}
	rows, _ = one(t, env, sess, `INSERT INTO customers (email) VALUES ('gone@example.com') RETURNING id`)
	_, tag = one(t, env, sess, `DELETE FROM customers WHERE id = $1`, rows[0])
	if tag != "DELETE 1" {
		t.Errorf("delete customer tag %q", tag)
	}
	got, _ = one(t, env, sess, `SELECT count(*) FROM customers WHERE id = $1`, rows[0])
	if diff := cmp.Diff([]string{"0"}, got); diff != "" {
		t.Errorf("deleted customer still read (-want +got):\n%s", diff)
	}

	// Every mutating request carried an idempotency key.
	mut := 0
	for _, r := range env.emu.Requests() {
		if r.Method == "POST" || r.Method == "DELETE" {
			mut++
			if r.IdempotencyKey == "" {
				t.Errorf("%s %s without an idempotency key", r.Method, r.Path)
			}
		}
	}
	if mut < 15 {
		t.Errorf("only %d mutating requests logged", mut)
	}
}

// TestWriteFaultInjection proves exactly-once writes: the emulator applies 30% of mutating
// requests and then answers 500 or drops the connection. The client retries with the same
// idempotency key (a dropped answer is then replayed), a statement whose stored answer is a 500
// reports the failure, and a statement re-run after a failure with the same
// stripesql.idempotency_key replays instead of writing again. 200 creates and 200 actions must
// leave exactly 200 new objects and 200 applied actions, and every failed statement must be one
// whose request Stripe answered 500.
func TestWriteFaultInjection(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 40
	}
	emu, base, stop, err := emulator.Start(emulator.Config{Seed: 11, Scale: emulator.ScaleN(1), FailAfterApply: 0.3, FailMode: "mixed",
		Now: func() time.Time { return emuNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_faults", BaseURL: base, Scheduler: stripeapi.NewScheduler(10000), MaxRetryTime: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	env := &testEnv{emu: emu, client: client, cat: catalog.New(catalog.StripeTables()...), stats: planner.NewStats()}
	before := len(emu.Objects("payment_intents"))

	// exec runs one statement per worker session, re-running it (same key prefix) while it fails
	// in a way a re-run can fix; it returns the reported failures.
	type outcome struct {
		failures []error
		rows     []string
	}
	runAll := func(kind string, sql func(i int) (string, []any)) []outcome {
		out := make([]outcome, n)
		var wg sync.WaitGroup
		work := make(chan int)
		for g := 0; g < 32; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					sess := env.session(map[string]string{planner.SettingIdempotencyKey: fmt.Sprintf("fault-%s-%d", kind, i)})
					q, args := sql(i)
					for attempt := 0; attempt < 2; attempt++ {
						rows, _, err := run(context.Background(), client, sess, q, args...)
						if err == nil {
							out[i].rows = []string{}
							for _, r := range rows {
								out[i].rows = append(out[i].rows, rowText(r))
							}
							break
						}
						out[i].failures = append(out[i].failures, err)
					}
				}
			}()
		}
		for i := 0; i < n; i++ {
			work <- i
		}
		close(work)
		wg.Wait()
		return out
	}
	checkFailures := func(kind string, out []outcome, keys map[string]bool) {
		t.Helper()
		stored, recovered := 0, 0
		for i, o := range out {
			for _, err := range o.failures {
				if codeOf(err) != sqlstate.SystemError {
					t.Errorf("%s %d: failure %v, want 58000", kind, i, err)
				}
			}
			key := fmt.Sprintf("fault-%s-%d", kind, i)
			switch {
			case keys[key] && o.rows != nil:
				t.Errorf("%s %d: stripe stored a 500 for its key, yet the statement reported success", kind, i)
			case keys[key]:
				stored++ // every run reports the stored failure
			case o.rows == nil:
				t.Errorf("%s %d: failed on every run without a stored 500: %v", kind, i, o.failures)
			case len(o.failures) > 0:
				recovered++ // the client gave up on a dropped answer; the re-run replayed it
			}
		}
		if stored != len(keys) {
			t.Errorf("%s: %d statements reported stored failures, stripe stored %d answers of 500", kind, stored, len(keys))
		}
		t.Logf("%s: %d statements, %d reported stripe's stored 500, %d failed once and a re-run with the same key replayed the result", kind, n, stored, recovered)
	}
	failedKeys := func(pathPart string) map[string]bool {
		keys := map[string]bool{}
		for _, r := range emu.Requests() {
			if r.Status == 500 && strings.Contains(r.Path, pathPart) {
				k := r.IdempotencyKey
				if i := strings.LastIndexByte(k, '-'); i > 0 {
					k = k[:i]
				}
				keys[k] = true
			}
		}
		return keys
	}

	creates := runAll("create", func(i int) (string, []any) {
		return `INSERT INTO payment_intents (amount, currency, metadata) VALUES ($1, 'usd', $2::jsonb) RETURNING id`,
			[]any{int64(100 + i), fmt.Sprintf(`{"fault_n":"%d"}`, i)}
	})
	checkFailures("create", creates, failedKeys("/v1/payment_intents"))

	byN := map[string][]string{}
	for _, o := range emu.Objects("payment_intents") {
		md, _ := o["metadata"].(map[string]any)
		if k, ok := md["fault_n"].(string); ok {
			id, _ := o["id"].(string)
			byN[k] = append(byN[k], id)
		}
	}
	if got := len(emu.Objects("payment_intents")) - before; got != n {
		t.Errorf("%d new payment intents, want exactly %d", got, n)
	}
	ids := make([]string, n)
	for i := 0; i < n; i++ {
		got := byN[fmt.Sprint(i)]
		if len(got) != 1 {
			t.Fatalf("create %d left %d objects, want 1", i, len(got))
		}
		ids[i] = got[0]
		if len(creates[i].rows) == 1 && creates[i].rows[0] != ids[i] {
			t.Errorf("create %d reported id %s, stripe holds %s", i, creates[i].rows[0], ids[i])
		}
	}

	emu.ResetRequests()
	actions := runAll("cancel", func(i int) (string, []any) {
		return `CALL CancelPaymentIntent($1)`, []any{ids[i]}
	})
	checkFailures("cancel", actions, failedKeys("/cancel"))
	canceled := 0
	for _, o := range emu.Objects("payment_intents") {
		md, _ := o["metadata"].(map[string]any)
		if _, ok := md["fault_n"]; ok && o["status"] == "canceled" {
			canceled++
		}
	}
	if canceled != n {
		t.Errorf("%d intents canceled, want exactly %d", canceled, n)
	}
	for _, r := range emu.Requests() {
		if r.IdempotencyKey == "" {
			t.Errorf("%s %s without an idempotency key", r.Method, r.Path)
		}
	}
}

// TestWriteKeysDryRunErrors checks idempotency keys (deterministic under a client prefix, fresh
// otherwise), that dry runs and EXPLAIN send nothing, and that Stripe's errors keep their meaning.
func TestWriteKeysDryRunErrors(t *testing.T) {
	env := startEnv(t, emulator.ScaleN(3))
	ctx := context.Background()
	posts := func() []emulator.Request {
		var out []emulator.Request
		for _, r := range env.emu.Requests() {
			if r.Method != "GET" {
				out = append(out, r)
			}
		}
		return out
	}

	t.Run("dry run and explain send nothing", func(t *testing.T) {
		env.emu.ResetRequests()
		sess := env.session(map[string]string{planner.SettingDryRun: "on"})
		for _, q := range []string{
			`INSERT INTO customers (email) VALUES ('dry@example.com')`,
			`UPDATE customers SET name = 'x' WHERE id = 'cus_1'`,
			`DELETE FROM customers WHERE id = 'cus_1'`,
			`CALL CancelPaymentIntent('pi_1')`,
		} {
			rows, _, err := run(ctx, env.client, sess, q)
			if err != nil || len(rows) == 0 {
				t.Errorf("%s: rows %d err %v", q, len(rows), err)
			}
		}
		if _, _, err := run(ctx, env.client, env.session(nil), `EXPLAIN UPDATE customers SET name = 'x' WHERE email = 'a@b.c'`); err != nil {
			t.Error(err)
		}
		if got := len(env.emu.Requests()); got != 0 {
			t.Errorf("%d requests sent, want 0", got)
		}
	})

	t.Run("client prefix gives the same keys on a re-run", func(t *testing.T) {
		env.emu.ResetRequests()
		sess := env.session(map[string]string{planner.SettingIdempotencyKey: "order-4711"})
		q := `INSERT INTO customers (email) VALUES ($1), ($1) RETURNING id`
		first, _, err := run(ctx, env.client, sess, q, "twice@example.com")
		if err != nil {
			t.Fatal(err)
		}
		again, _, err := run(ctx, env.client, sess, q, "twice@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first, again); diff != "" {
			t.Errorf("re-run with the same prefix created new objects (-first +again):\n%s", diff)
		}
		if first[0][0] == first[1][0] {
			t.Errorf("two rows of one statement share the id %v", first[0][0])
		}
		reqs := posts()
		if len(reqs) != 4 || reqs[0].IdempotencyKey != reqs[2].IdempotencyKey || reqs[1].IdempotencyKey != reqs[3].IdempotencyKey || reqs[0].IdempotencyKey == reqs[1].IdempotencyKey {
			t.Errorf("keys %v", reqs)
		}
		if !strings.HasPrefix(reqs[0].IdempotencyKey, "order-4711-") {
			t.Errorf("key %q does not start with the client prefix", reqs[0].IdempotencyKey)
		}
		// Without a prefix every execution is new.
		env.emu.ResetRequests()
		plain := env.session(nil)
		for i := 0; i < 2; i++ {
			if _, _, err := run(ctx, env.client, plain, `INSERT INTO customers (email) VALUES ('fresh@example.com')`); err != nil {
				t.Fatal(err)
			}
		}
		reqs = posts()
		if len(reqs) != 2 || reqs[0].IdempotencyKey == reqs[1].IdempotencyKey || reqs[0].IdempotencyKey == "" {
			t.Errorf("keys without a prefix: %v", reqs)
		}
	})

	t.Run("stripe errors keep their meaning", func(t *testing.T) {
		sess := env.session(nil)
		rows, _, err := run(ctx, env.client, sess, `INSERT INTO payment_intents (amount, currency) VALUES (500, 'usd') RETURNING id`)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = run(ctx, env.client, sess, `CALL ConfirmPaymentIntent($1, payment_method => 'pm_card_chargeDeclined')`, rows[0][0])
		e, _ := sqlstate.As(err)
		if e == nil || e.Code != sqlstate.ExternalRoutineException || !strings.Contains(e.Detail, "decline_code=") {
			t.Errorf("decline: %v (detail %v), want 38000 with decline_code in DETAIL", err, e)
		}
		_, _, err = run(ctx, env.client, sess, `CALL CapturePaymentIntent('pi_missing')`)
		if codeOf(err) != sqlstate.UndefinedObject {
			t.Errorf("missing object: %v, want 42704", err)
		}
		_, _, err = run(ctx, env.client, sess, `INSERT INTO payment_intents (amount, currency) VALUES (-5, 'usd')`)
		if codeOf(err) != sqlstate.InvalidParameterValue {
			t.Errorf("invalid amount: %v, want 22023", err)
		}
		ro := planner.NewSession(planner.SessionConfig{Catalog: env.cat, ReadOnly: true})
		env.emu.ResetRequests()
		_, _, err = run(ctx, env.client, ro, `INSERT INTO customers (email) VALUES ('ro@example.com')`)
		if codeOf(err) != sqlstate.ReadOnlySQLTransaction || len(env.emu.Requests()) != 0 {
			t.Errorf("read-only: %v with %d requests, want 25006 and none", err, len(env.emu.Requests()))
		}
	})
}

// TestWriteThroughDriver runs prepared, parameterised writes through database/sql and the
// stripesql driver over the emulator: RowsAffected counts written rows, LastInsertId points to
// RETURNING, CALL returns the procedure's row, and a read-only connector sends nothing.
func TestWriteThroughDriver(t *testing.T) {
	env := startEnv(t, emulator.ScaleN(3))
	conn, err := driver.NewConnector(driver.Config{Backend: env.client, Rate: 10000})
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	ctx := context.Background()

	stmt, err := db.PrepareContext(ctx, `INSERT INTO customers (email, metadata) VALUES ($1, $2)`)
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	for i := 0; i < 3; i++ {
		res, err := stmt.ExecContext(ctx, fmt.Sprintf("drv%d@example.com", i), `{"batch":"drv"}`)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			t.Errorf("RowsAffected = %d, %v; want 1", n, err)
		}
		if _, err := res.LastInsertId(); codeOf(err) != sqlstate.FeatureNotSupported {
			t.Errorf("LastInsertId err = %v, want 0A000 pointing to RETURNING", err)
		}
	}
	var id string
	if err := db.QueryRowContext(ctx, `INSERT INTO customers (email) VALUES ($1) RETURNING id`, "ret@example.com").Scan(&id); err != nil || !strings.HasPrefix(id, "cus_") {
		t.Fatalf("RETURNING id = %q, %v", id, err)
	}
	res, err := db.ExecContext(ctx, `UPDATE customers SET description = $1 WHERE email LIKE 'drv%'`, "batch")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 3 {
		t.Errorf("UPDATE RowsAffected = %d, want 3", n)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM customers WHERE description = 'batch'`).Scan(&n); err != nil || n != 3 {
		t.Errorf("updated customers read back: %d, %v; want 3", n, err)
	}
	var success bool
	var name sql.NullString
	err = db.QueryRowContext(ctx, `SELECT "Success", "status" FROM CancelPaymentIntent($1)`, "pi_missing").Scan(&success, &name)
	if codeOf(err) != sqlstate.FeatureNotSupported {
		t.Errorf("SELECT columns FROM procedure: %v, want 0A000 (only SELECT * is supported)", err)
	}
	rows, err := db.QueryContext(ctx, `CALL CancelPaymentIntent(PaymentIntentId => $1)`, "pi_missing")
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
	}
	if codeOf(err) != sqlstate.UndefinedObject {
		t.Errorf("CALL on a missing intent: %v, want 42704", err)
	}

	roConn, err := driver.NewConnector(driver.Config{Backend: env.client, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	ro := sql.OpenDB(roConn)
	defer ro.Close()
	env.emu.ResetRequests()
	if _, err := ro.ExecContext(ctx, `DELETE FROM customers WHERE id = $1`, id); codeOf(err) != sqlstate.ReadOnlySQLTransaction {
		t.Errorf("read-only delete: %v, want 25006", err)
	}
	if got := len(env.emu.Requests()); got != 0 {
		t.Errorf("read-only connector sent %d requests", got)
	}
}

// TestWriteRowsAndFailures covers INSERT … SELECT, an UPDATE that reads the row (metadata ||
// jsonb with a null removing a key), and a multi-row INSERT that fails midway: the error keeps
// Stripe's code and DETAIL says which rows were already written.
func TestWriteRowsAndFailures(t *testing.T) {
	env := startEnv(t, emulator.ScaleN(3))
	sess := env.session(nil)
	rows, _ := one(t, env, sess, `INSERT INTO customers (email, metadata) VALUES ('src1@example.com', '{"a":"1","b":"2"}'), ('src2@example.com', '{"a":"1","b":"2"}') RETURNING id`)
	if len(rows) != 2 {
		t.Fatalf("rows %v", rows)
	}
	got, tag := one(t, env, sess, `INSERT INTO customers (email, description) SELECT 'copy-' || email, id FROM customers WHERE email = 'src1@example.com' RETURNING email, description`)
	if diff := cmp.Diff([]string{"copy-src1@example.com|" + rows[0]}, got); diff != "" || tag != "INSERT 0 1" {
		t.Errorf("INSERT … SELECT (-want +got):\n%s tag %q", diff, tag)
	}
	got, tag = one(t, env, sess, `UPDATE customers SET metadata = metadata || '{"b":null,"c":"3"}' WHERE id = $1 RETURNING metadata`, rows[1])
	if diff := cmp.Diff([]string{`{"a": "1", "c": "3"}`}, got); diff != "" || tag != "UPDATE 1" {
		t.Errorf("metadata merge (-want +got):\n%s tag %q", diff, tag)
	}

	_, _, err := run(context.Background(), env.client, sess, `INSERT INTO payment_intents (amount, currency) VALUES (100, 'usd'), (-1, 'usd'), (300, 'usd')`)
	e, _ := sqlstate.As(err)
	if e == nil || e.Code != sqlstate.InvalidParameterValue || !strings.Contains(e.Detail, "1 row(s) were written before the failure") {
		t.Errorf("midway failure: %v (detail %q)", err, func() string {
			if e != nil {
				return e.Detail
			}
			return ""
		}())
	}
	// Writes over the request budget are refused after the read, before the first write.
	one(t, env, sess, `SELECT id FROM customers`) // a complete scan teaches the planner the table's size
	env.emu.ResetRequests()
	small := env.session(map[string]string{"stripesql.max_requests": "3"})
	_, _, err = run(context.Background(), env.client, small, `UPDATE customers SET description = 'x' WHERE email LIKE '%@example.com'`)
	e, _ = sqlstate.As(err)
	if e == nil || e.Code != sqlstate.ProgramLimitExceeded || e.Detail != "nothing was written" {
		t.Errorf("over budget: %v", err)
	}
	for _, r := range env.emu.Requests() {
		if r.Method != "GET" {
			t.Errorf("over-budget update sent %s %s", r.Method, r.Path)
		}
	}

	// A NULL in a required parameter fails before any request.
	env.emu.ResetRequests()
	_, _, err = run(context.Background(), env.client, sess, `INSERT INTO payment_intents (amount, currency) VALUES (100, 'usd'), (NULL, 'usd')`)
	if codeOf(err) != sqlstate.NotNullViolation || len(env.emu.Requests()) != 0 {
		t.Errorf("NULL amount: %v with %d requests, want 23502 and none", err, len(env.emu.Requests()))
	}
}
