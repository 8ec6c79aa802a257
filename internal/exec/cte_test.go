package exec_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/emulator"
)

// TestCTEs runs WITH queries with pushdown on and off (the oracle), and checks that a CTE read
// several times is fetched from Stripe once.
func TestCTEs(t *testing.T) {
	e := startEnv(t, emulator.ScaleN(20))
	learnSizes(t, e)
	tests := []struct {
		name string
		sql  string
		// lists is how many list requests each endpoint may get in the pushdown run (nil: no check).
		lists map[string]int
	}{
		{"simple", `WITH big AS (SELECT id, amount FROM charges WHERE amount > 1000) SELECT count(*), sum(amount) FROM big`, map[string]int{"/v1/charges": 1}},
		{"referenced twice, fetched once", `WITH per_customer AS (SELECT customer, sum(amount) AS total FROM charges GROUP BY customer)
			SELECT customer, total FROM per_customer WHERE total > (SELECT avg(total) FROM per_customer)`, map[string]int{"/v1/charges": 1}},
		{"self join of a cte", `WITH c AS (SELECT id, customer FROM charges) SELECT a.id, b.id FROM c a JOIN c b ON a.customer = b.customer AND a.id < b.id`, map[string]int{"/v1/charges": 1}},
		{"chained ctes with column names", `WITH a(cid) AS (SELECT id FROM customers), b AS (SELECT cid FROM a WHERE cid > 'cus_') SELECT count(*) FROM a JOIN b ON a.cid = b.cid`, map[string]int{"/v1/customers": 1}},
		{"cte read by a correlated subquery", `WITH ch AS (SELECT customer, amount FROM charges) SELECT c.id, (SELECT sum(amount) FROM ch WHERE ch.customer = c.id) FROM customers c`, map[string]int{"/v1/charges": 1, "/v1/customers": 1}},
		{"cte in a subquery", `SELECT id FROM customers WHERE id IN (WITH x AS (SELECT customer FROM charges WHERE refunded) SELECT customer FROM x)`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			matchOracle(t, e, tt.sql)
			if tt.lists != nil {
				n := map[string]int{}
				for _, r := range e.emu.Requests() {
					n[r.Path]++
				}
				if diff := cmp.Diff(tt.lists, n); diff != "" {
					t.Errorf("requests by path (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestRecursiveCTE checks WITH RECURSIVE: UNION ALL and UNION rounds, and the bounds that stop a
// recursion that never ends.
func TestRecursiveCTE(t *testing.T) {
	e := startEnv(t, emulator.ScaleN(20))
	ctx := context.Background()
	tests := []struct {
		name, sql string
		want      string
		code      string
		settings  map[string]string
	}{
		{"counter", `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12) SELECT i FROM n`, "1 2 3 4 5 6 7 8 9 10 11 12", "", nil},
		{"union drops repeats and ends", `WITH RECURSIVE n(i) AS (SELECT 1 UNION SELECT i % 3 + 1 FROM n) SELECT i FROM n`, "1 2 3", "", nil},
		{"two columns", `WITH RECURSIVE f(a, b) AS (SELECT 0, 1 UNION ALL SELECT b, a + b FROM f WHERE b < 20) SELECT a FROM f`, "0 1 1 2 3 5 8 13", "", nil},
		{"reads stripe once", `WITH RECURSIVE r(id, k) AS (SELECT min(id), 1 FROM customers UNION ALL SELECT id, k + 1 FROM r WHERE k < 3) SELECT k FROM r`, "1 2 3", "", nil},
		{"endless recursion is stopped", `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i FROM n) SELECT count(*) FROM n`, "", "53200", map[string]string{"stripesql.work_mem_rows": "5000"}},
		{"endless union recursion is stopped", `WITH RECURSIVE n(i) AS (SELECT 1 UNION SELECT i + 1 FROM n) SELECT count(*) FROM n`, "", "54000", nil},
		{"self reference in the base term", `WITH RECURSIVE n(i) AS (SELECT i FROM n UNION ALL SELECT 1) SELECT i FROM n`, "", "42P19", nil},
		{"not a union", `WITH RECURSIVE n(i) AS (SELECT i FROM n) SELECT i FROM n`, "", "42P19", nil},
		{"duplicate names", `WITH a AS (SELECT 1), a AS (SELECT 2) SELECT * FROM a`, "", "42712", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.emu.ResetRequests()
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
			var got []string
			for _, r := range rows {
				got = append(got, rowText(r))
			}
			if diff := cmp.Diff(tt.want, strings.Join(got, " ")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tt.name == "reads stripe once" && len(e.emu.Requests()) != 1 {
				t.Errorf("want one request, got %v", describe(e.emu.Requests()))
			}
		})
	}
}
