package exec_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/emulator"
)

// suiteQuery is one query of the pushdown suite. {cus}, {cus2}, {email}, {charge}, {pi} and
// {chcus} are replaced by ids from the seeded data. minRequests is the fewest Stripe requests
// the query can cost, for the benchmark's ratio.
type suiteQuery struct {
	sql         string
	minRequests int
}

var pushdownSuite = []suiteQuery{
	{"SELECT id, email, name FROM customers WHERE id = '{cus}'", 1},
	{"SELECT id FROM customers WHERE id IN ('{cus}', '{cus2}', 'cus_missing')", 1},
	{"SELECT id FROM customers WHERE id = '{cus}' AND email = '{email}'", 1},
	{"SELECT id, email FROM customers WHERE email = '{email}'", 1},
	{"SELECT id, amount FROM charges WHERE customer = '{chcus}'", 1},
	{"SELECT id, amount, created FROM charges WHERE customer = '{chcus}' AND created >= '2023-06-01'", 1},
	{"SELECT id FROM charges WHERE created >= '2024-01-01' AND created < '2024-03-01'", 1},
	{"SELECT id FROM charges WHERE created BETWEEN '2023-01-01' AND '2023-12-31 23:59:59'", 1},
	{"SELECT id FROM charges WHERE created > now() - interval '30 days'", 1},
	{"SELECT id FROM charges WHERE created >= to_timestamp(1704067200) AND created <= to_timestamp(1709251200)", 1},
	{"SELECT id FROM charges WHERE created > '2024-01-01 00:00:00.5+00'", 2},
	{"SELECT id FROM charges WHERE '2024-02-01' <= created", 1},
	{"SELECT id, customer FROM charges WHERE customer IN ('{chcus}', '{cus2}')", 2},
	{"SELECT id FROM charges WHERE payment_intent = '{pi}'", 1},
	{"SELECT id FROM charges WHERE customer = '{chcus}' AND customer = '{cus2}'", 1},
	{"SELECT id FROM charges WHERE customer = NULL", 0},
	{"SELECT id FROM charges WHERE customer IS NULL", 2},
	{"SELECT id FROM charges WHERE amount > 5000", 1},
	{"SELECT id FROM charges WHERE amount > 5000 AND status = 'succeeded'", 1},
	{"SELECT id FROM charges WHERE status = 'failed' OR amount < 1000", 1},
	{"SELECT id FROM charges WHERE refunded = true", 1},
	{"SELECT id FROM charges WHERE metadata->>'order_id' IS NOT NULL", 2},
	{"SELECT id FROM customers WHERE name ILIKE '%hopper%'", 1},
	{"SELECT id FROM customers WHERE name ILIKE '%ada%' OR email ILIKE '%grace%'", 1},
	{"SELECT id FROM customers WHERE email LIKE '%example%'", 1},
	{"SELECT id FROM customers WHERE name = 'Ada Lovelace'", 1},
	{"SELECT id FROM customers WHERE name ILIKE 'ada%'", 1},
	{"SELECT id FROM customers WHERE metadata->>'plan' = 'pro'", 1},
	{"SELECT id, status FROM subscriptions WHERE status = 'active'", 1},
	{"SELECT id, status FROM subscriptions", 1},
	{"SELECT id FROM subscriptions WHERE status = 'canceled' AND created > '2023-01-01'", 1},
	{"SELECT id, amount, status FROM payment_intents WHERE customer = '{chcus}'", 1},
	{"SELECT id FROM payment_intents WHERE amount >= 2000 AND currency = 'usd'", 1},
	{"SELECT id, active FROM products WHERE active = true", 1},
	{"SELECT id FROM prices WHERE active AND type = 'recurring'", 1},
	{"SELECT id FROM invoices WHERE status = 'paid' AND customer = '{chcus}'", 1},
	{"SELECT id FROM refunds WHERE charge = '{charge}'", 1},
	{"SELECT id FROM charges ORDER BY created DESC LIMIT 5", 1},
	{"SELECT id, created FROM charges WHERE customer = '{chcus}' ORDER BY created DESC LIMIT 2", 1},
	{"SELECT id FROM customers ORDER BY created DESC LIMIT 3 OFFSET 2", 1},
	{"SELECT id FROM charges ORDER BY amount DESC, id LIMIT 7", 2},
	{"SELECT count(*) FROM charges", 2},
	{"SELECT count(*), sum(amount), min(created), max(created) FROM charges WHERE customer = '{chcus}'", 1},
	{"SELECT currency, count(*), sum(amount) FROM charges GROUP BY currency", 2},
	{"SELECT status, count(*) FROM charges GROUP BY 1 HAVING count(*) > 1", 2},
	{"SELECT customer, count(*) FILTER (WHERE refunded), bool_or(paid) FROM charges GROUP BY customer", 2},
	{"SELECT count(DISTINCT customer) FROM charges WHERE created >= '2023-01-01'", 1},
	{"SELECT DISTINCT currency FROM charges", 2},
	{"SELECT DISTINCT ON (customer) customer, id FROM charges ORDER BY customer, created DESC, id", 2},
	{"SELECT upper(currency) AS cur, max(amount) FROM charges GROUP BY cur", 2},
	{"SELECT id, CASE WHEN amount > 2000 THEN 'big' ELSE 'small' END, coalesce(description, '-') FROM charges WHERE customer = '{chcus}'", 1},
	{"SELECT id, amount::numeric / 100 AS dollars FROM charges WHERE id = '{charge}'", 1},
	{"SELECT id FROM charges WHERE customer NOT IN ('{chcus}') LIMIT 10", 1},
	{"SELECT id, metadata FROM customers WHERE created > '2023-01-01' AND created < '2023-07-01'", 1},
	{"SELECT 1 + 1 AS two, 'x' || 'y'", 0},
	{"SELECT c.id, c.email, ch.id, ch.amount FROM customers c JOIN charges ch ON ch.customer = c.id WHERE c.id = '{chcus}'", 2},
	{"SELECT c.id, count(ch.id) FROM customers c LEFT JOIN charges ch ON ch.customer = c.id AND ch.amount > 2000 WHERE c.created > '2023-01-01' GROUP BY c.id", 2},
	{"SELECT p.id, pr.id FROM products p, prices pr WHERE pr.product = p.id AND p.active", 2},
	{"SELECT ch.id, c.email FROM charges ch JOIN customers c ON c.id = ch.customer WHERE ch.id IN ('{charge}', '{charge2}')", 3},
	{"SELECT ch.id, c.email FROM charges ch LEFT JOIN customers c ON c.id = ch.customer AND c.email LIKE '%e%' WHERE ch.customer = '{chcus}'", 2},
	{"SELECT count(*) FROM (SELECT id, amount FROM charges WHERE customer = '{chcus}') s WHERE s.amount > 1000", 1},
	{"SELECT * FROM (SELECT id, email FROM customers WHERE created > '2023-06-01') AS virtual_table LIMIT 1000", 1},
	{"SELECT ch.id, r.id FROM charges ch JOIN refunds r ON r.charge = ch.id WHERE ch.customer = '{chcus}'", 2},
	{`SELECT id FROM customers WHERE name = 'O"Brien\ OR email:"x'`, 1},
	{"SELECT id FROM customers WHERE name ILIKE '%o''bri%'", 1},
	{"SELECT id FROM customers WHERE metadata->>'it''s' = 'a\\b'", 1},
}

// fillSuite replaces the placeholders of a suite query with ids from the emulator's data.
func fillSuite(t testing.TB, e *testEnv, sql string) string {
	t.Helper()
	if e.ids != nil {
		return e.ids.Replace(sql)
	}
	e.ids = strings.NewReplacer(
		"{cus}", pick(t, e, "customers", "id", 0),
		"{cus2}", pick(t, e, "charges", "customer", 3),
		"{email}", pick(t, e, "customers", "email", 0),
		"{charge}", pick(t, e, "charges", "id", 1),
		"{charge2}", pick(t, e, "charges", "id", 7),
		"{pi}", pick(t, e, "charges", "payment_intent", 0),
		"{chcus}", pick(t, e, "charges", "customer", 0),
	)
	return e.ids.Replace(sql)
}

// learnSizes scans the tables the suite reads once, so the node knows their sizes the way a node
// that has served queries does (a fresh node refuses full scans of the high-volume tables at the
// default budget).
func learnSizes(t testing.TB, e *testEnv) {
	t.Helper()
	sess := e.session(map[string]string{"stripesql.max_requests": "100000"})
	for _, tb := range []string{"charges", "customers", "payment_intents", "subscriptions", "products", "prices", "invoices", "refunds"} {
		if _, _, err := run(context.Background(), e.client, sess, "SELECT count(*) FROM "+tb); err != nil {
			t.Fatalf("learning the size of %s: %v", tb, err)
		}
	}
}

// TestPushdownOracle runs every suite query with pushdown on and off and requires the same rows
// (as multisets; in order where the query orders them), so pushdown can only ever save requests.
func TestPushdownOracle(t *testing.T) {
	e := startEnv(t, emulator.ScaleN(200))
	ctx := context.Background()
	learnSizes(t, e)
	for _, q := range pushdownSuite {
		sql := fillSuite(t, e, q.sql)
		t.Run(sql, func(t *testing.T) {
			e.emu.ResetRequests()
			on, _, err := run(ctx, e.client, e.session(nil), sql)
			if err != nil {
				t.Fatalf("pushdown on: %v", err)
			}
			onReqs := len(e.emu.Requests())
			e.emu.ResetRequests()
			off, _, err := run(ctx, e.client, e.session(map[string]string{"stripesql.pushdown": "off"}), sql)
			if err != nil {
				t.Fatalf("pushdown off: %v", err)
			}
			offReqs := len(e.emu.Requests())
			ordered := strings.Contains(sql, "ORDER BY")
			if ordered && !strings.Contains(sql, "DISTINCT ON") {
				if diff := cmp.Diff(texts(off), texts(on)); diff != "" {
					t.Errorf("rows differ (-off +on):\n%s", diff)
				}
			} else if diff := cmp.Diff(sorted(off), sorted(on)); diff != "" {
				t.Errorf("rows differ (-off +on):\n%s", diff)
			}
			if onReqs > offReqs {
				t.Errorf("pushdown sent %d requests, more than the %d of a full scan", onReqs, offReqs)
			}
			if onReqs > q.minRequests {
				t.Logf("pushdown sent %d requests; the minimum is %d", onReqs, q.minRequests)
			}
			if onReqs < q.minRequests {
				t.Errorf("pushdown sent %d requests, fewer than the stated minimum %d", onReqs, q.minRequests)
			}
		})
	}
}
