package exec_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/emulator"
)

// TestSubqueryPushdownMatchesOracle runs each subquery with pushdown on and off (the oracle: full
// lists and filters) and expects the same rows; it also checks the Stripe calls pushdown sends.
func TestSubqueryPushdownMatchesOracle(t *testing.T) {
	e := startEnv(t, emulator.ScaleN(20))
	learnSizes(t, e)
	tests := []struct {
		name string
		sql  string
		// check inspects the requests of the pushdown run.
		check func(t *testing.T, reqs []string)
	}{
		{"scalar subquery pushed as a literal",
			`SELECT id, customer FROM charges WHERE customer = (SELECT min(id) FROM customers)`,
			func(t *testing.T, reqs []string) {
				if len(reqs) != 2 || !strings.HasPrefix(reqs[0], "GET /v1/customers?") || !strings.Contains(reqs[1], "/v1/charges?customer=cus_") {
					t.Errorf("want one customers list then one charges list by customer, got %v", reqs)
				}
			}},
		{"in subquery", `SELECT id FROM charges WHERE customer IN (SELECT id FROM customers WHERE email LIKE '%a%')`, nil},
		{"not in subquery", `SELECT id FROM customers WHERE id NOT IN (SELECT customer FROM subscriptions)`, nil},
		{"correlated exists", `SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM charges ch WHERE ch.customer = c.id AND ch.status = 'succeeded')`, nil},
		{"correlated not exists", `SELECT ch.id FROM charges ch WHERE NOT EXISTS (SELECT 1 FROM refunds r WHERE r.charge = ch.id)`, nil},
		{"correlated scalar in select list", `SELECT c.id, (SELECT count(*) FROM charges ch WHERE ch.customer = c.id) FROM customers c`, nil},
		{"correlated scalar in where", `SELECT ch.id FROM charges ch WHERE ch.amount >= (SELECT max(x.amount) FROM charges x WHERE x.customer = ch.customer)`, nil},
		{"uncorrelated scalar in select list", `SELECT id, (SELECT max(amount) FROM charges) AS biggest FROM refunds`, nil},
		{"any and all", `SELECT id FROM charges WHERE amount > ALL (SELECT amount FROM refunds) OR amount < ANY (SELECT amount / 2 FROM refunds)`, nil},
		{"nested subqueries", `SELECT id FROM charges WHERE customer IN (SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM subscriptions s WHERE s.customer = c.id))`, nil},
		{"subquery in having", `SELECT customer, count(*) FROM charges GROUP BY customer HAVING count(*) > (SELECT count(*) / 10 FROM charges)`, nil},
		{"correlated array", `SELECT c.id, ARRAY(SELECT ch.id FROM charges ch WHERE ch.customer = c.id ORDER BY ch.id) FROM customers c`, nil},
		{"subquery in derived table", `SELECT t.id FROM (SELECT id FROM customers WHERE id IN (SELECT customer FROM charges WHERE refunded)) t`, nil},
		{"scalar subquery in a derived table pushed as a literal",
			`SELECT t.id FROM (SELECT id FROM charges WHERE customer = (SELECT min(id) FROM customers)) t`,
			func(t *testing.T, reqs []string) {
				if len(reqs) != 2 || !strings.Contains(reqs[1], "/v1/charges?customer=cus_") {
					t.Errorf("want one customers list then one charges list by customer, got %v", reqs)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			matchOracle(t, e, tt.sql)
			if tt.check != nil {
				tt.check(t, describe(e.emu.Requests()))
			}
		})
	}
}

// TestCorrelatedSubqueryMemo checks that a correlated subquery runs once per distinct outer key,
// with the key pushed to Stripe: one retrieve per distinct customer of the charges.
func TestCorrelatedSubqueryMemo(t *testing.T) {
	e := startEnv(t, emulator.ScaleN(20))
	learnSizes(t, e)
	ctx := context.Background()
	charges, _, err := run(ctx, e.client, e.session(nil), `SELECT count(*), count(DISTINCT customer) FROM charges`)
	if err != nil {
		t.Fatal(err)
	}
	n, distinct := charges[0][0].(int64), charges[0][1].(int64)
	if n <= distinct {
		t.Fatalf("seed data has %d charges for %d customers; the test needs repeated customers", n, distinct)
	}
	e.emu.ResetRequests()
	rows, _, err := run(ctx, e.client, e.session(nil), `SELECT ch.id, (SELECT c.email FROM customers c WHERE c.id = ch.customer) FROM charges ch`)
	if err != nil {
		t.Fatal(err)
	}
	retrieves := 0
	for _, r := range e.emu.Requests() {
		if strings.HasPrefix(r.Path, "/v1/customers/cus_") {
			retrieves++
		}
		if r.Path == "/v1/customers" {
			t.Errorf("customers listed whole: %s?%s", r.Path, r.Query.Encode())
		}
	}
	if int64(len(rows)) != n || int64(retrieves) != distinct {
		t.Errorf("got %d rows with %d customer retrieves; want %d rows with %d (one per distinct customer)", len(rows), retrieves, n, distinct)
	}
}

// TestSubquerySemantics checks PostgreSQL's NULL and cardinality rules for subqueries.
func TestSubquerySemantics(t *testing.T) {
	e := startEnv(t, emulator.ScaleN(20))
	learnSizes(t, e)
	ctx := context.Background()
	tests := []struct {
		name, sql string
		want      []string
		code      string
		settings  map[string]string
	}{
		{"in finds the value", `SELECT 1 IN (SELECT 1), 2 IN (SELECT 1)`, []string{"t|f"}, "", nil},
		{"not in with a null is null", `SELECT 1 NOT IN (SELECT NULL::int), 1 NOT IN (SELECT 2)`, []string{"NULL|t"}, "", nil},
		{"null in an empty set is false", `SELECT NULL::int IN (SELECT 1 FROM customers WHERE id = 'cus_none'), NULL::int NOT IN (SELECT 1 FROM customers WHERE id = 'cus_none')`, []string{"f|t"}, "", nil},
		{"exists of nothing", `SELECT EXISTS (SELECT 1 FROM customers WHERE id = 'cus_none'), NOT EXISTS (SELECT 1 FROM customers WHERE id = 'cus_none')`, []string{"f|t"}, "", nil},
		{"scalar of nothing is null", `SELECT (SELECT id FROM customers WHERE id = 'cus_none')`, []string{"NULL"}, "", nil},
		{"all of nothing is true", `SELECT 5 > ALL (SELECT amount FROM charges WHERE customer = 'cus_none'), 5 > ANY (SELECT amount FROM charges WHERE customer = 'cus_none')`, []string{"t|f"}, "", nil},
		{"all with a null", `SELECT 5 > ALL (SELECT NULL::int), 5 > ALL (SELECT 9)`, []string{"NULL|f"}, "", nil},
		{"hashed in over a large result", `SELECT count(*) FROM generate_series(1, 3000) g WHERE g IN (SELECT h * 2 FROM generate_series(1, 2000) h)`, []string{"1500"}, "", nil},
		{"hashed not in over a large result", `SELECT count(*) FROM generate_series(1, 3000) g WHERE g NOT IN (SELECT h FROM generate_series(1, 2000) h)`, []string{"1000"}, "", nil},
		{"hashed not in with a null", `SELECT count(*) FROM generate_series(1, 3000) g WHERE g NOT IN (SELECT nullif(h, 5) FROM generate_series(1, 2000) h)`, []string{"0"}, "", nil},
		{"scalar subquery with several rows", `SELECT (SELECT id FROM customers)`, nil, "21000", nil},
		{"correlated scalar with several rows", `SELECT c.id, (SELECT ch.id FROM charges ch WHERE ch.customer = c.id) FROM customers c`, nil, "21000", nil},
		{"subquery rows over work_mem", `SELECT count(*) FROM customers WHERE id IN (SELECT customer FROM charges)`, nil, "53200", map[string]string{"stripesql.work_mem_rows": "3"}},
		{"sub plan requests count against the budget", `SELECT c.id, (SELECT count(*) FROM charges ch WHERE ch.customer = c.id) FROM customers c`, nil, "54000", map[string]string{"stripesql.max_requests": "3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, _, err := run(ctx, e.client, e.session(tt.settings), tt.sql)
			if tt.code != "" {
				if codeOf(err) != tt.code {
					t.Fatalf("got error %v; want SQLSTATE %s", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, sorted(rows)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestInSubqueryPushedAsKeys checks that x IN (SELECT …) on a key column reaches Stripe as one
// filtered list per value once the init plan ran, where that is cheaper than a full list.
func TestInSubqueryPushedAsKeys(t *testing.T) {
	e := startEnv(t, emulator.ScaleN(200))
	learnSizes(t, e)
	const sql = `SELECT id FROM charges WHERE customer IN (SELECT min(id) FROM customers UNION ALL SELECT max(id) FROM customers)`
	got := matchOracle(t, e, sql)
	var lists []string
	for _, r := range describe(e.emu.Requests()) {
		if strings.HasPrefix(r, "GET /v1/charges?") {
			lists = append(lists, r)
			if !strings.Contains(r, "customer=cus_") {
				t.Errorf("charges listed without a customer filter: %s", r)
			}
		}
	}
	if len(lists) != 2 || len(got) == 0 {
		t.Errorf("want two charges lists (one per customer) and some rows, got %d rows from %v", len(got), lists)
	}
}
