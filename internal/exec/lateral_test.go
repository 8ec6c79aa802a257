package exec_test

import (
	"strings"
	"testing"

	"github.com/stripesql/stripesql/internal/emulator"
)

// TestLateral runs LATERAL joins with pushdown on and off (the oracle) and checks that the
// subquery is run once per distinct outer value with that value pushed to Stripe.
func TestLateral(t *testing.T) {
	e := startEnv(t, emulator.ScaleN(20))
	learnSizes(t, e)
	tests := []struct {
		name string
		sql  string
	}{
		{"latest charge per customer", `SELECT c.id, l.id AS latest FROM customers c CROSS JOIN LATERAL (SELECT id FROM charges ch WHERE ch.customer = c.id ORDER BY created DESC, id LIMIT 1) l`},
		{"left join lateral keeps customers without charges", `SELECT c.id, l.n FROM customers c LEFT JOIN LATERAL (SELECT id AS n FROM charges ch WHERE ch.customer = c.id AND ch.amount > 5000) l ON true`},
		{"lateral with a filter on its columns", `SELECT c.id, l.total FROM customers c, LATERAL (SELECT sum(amount) AS total FROM charges ch WHERE ch.customer = c.id) l WHERE l.total > 1000`},
		{"lateral without outer references", `SELECT c.id, l.m FROM customers c CROSS JOIN LATERAL (SELECT max(amount) AS m FROM charges) l`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := matchOracle(t, e, tt.sql)
			if len(got) == 0 {
				t.Errorf("no rows")
			}
			if strings.Contains(tt.sql, "ch.customer = c.id") {
				customers, charges := 0, 0
				for _, r := range e.emu.Requests() {
					switch {
					case r.Path == "/v1/customers":
						customers++
					case r.Path == "/v1/charges":
						charges++
						if r.Query.Get("customer") == "" {
							t.Errorf("charges listed without the lateral key: %v", r.Query)
						}
					}
				}
				if customers != 1 || charges != 5 {
					t.Errorf("want 1 customers list and one charges list per customer (5), got %d and %d", customers, charges)
				}
			}
		})
	}
}
