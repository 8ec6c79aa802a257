package exec_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/planner"
)

// refundedCustomer returns a customer with at least two charges, one of them refunded.
func refundedCustomer(t *testing.T, e *testEnv) string {
	t.Helper()
	charges := map[string]int{}
	refunded := map[string]bool{}
	for _, o := range e.emu.Objects("charges") {
		cus, _ := o["customer"].(string)
		if m, ok := o["customer"].(map[string]any); ok {
			cus, _ = m["id"].(string)
		}
		if cus == "" {
			continue
		}
		charges[cus]++
		if r, _ := o["refunded"].(bool); r || o["amount_refunded"] != nil && fmt.Sprint(o["amount_refunded"]) != "0" {
			refunded[cus] = true
		}
	}
	var best string
	for cus, n := range charges {
		if refunded[cus] && n >= 2 && (best == "" || cus < best) {
			best = cus
		}
	}
	if best == "" {
		t.Fatal("no customer with a refunded charge in the emulator's data")
	}
	return best
}

// TestProofLookupRequests runs joins that read their inner table per key through Client +
// emulator and asserts the Stripe requests, each join compared first with the same query with
// pushdown off (every table listed whole, the join done locally).
func TestProofLookupRequests(t *testing.T) {
	e := startEnv(t, emulator.ScaleSmall)
	ctx := context.Background()
	email := pick(t, e, "customers", "email", 0)
	cus := refundedCustomer(t, e)
	pi := pick(t, e, "charges", "payment_intent", 0)

	tests := []struct {
		name  string
		sql   string
		check func(t *testing.T, reqs []emulator.Request)
	}{
		{
			name: "a customer's charges are one list filtered by the customer",
			sql:  fmt.Sprintf("SELECT c.id, ch.id, ch.amount FROM customers c JOIN charges ch ON ch.customer = c.id WHERE c.email = '%s'", email),
			check: func(t *testing.T, reqs []emulator.Request) {
				var charges []string
				for _, r := range reqs {
					if r.Path == "/v1/charges" {
						charges = append(charges, r.Query.Get("customer"))
					}
				}
				if len(reqs) != 2 || len(charges) != 1 || !strings.HasPrefix(charges[0], "cus_") {
					t.Errorf("requests = %v; want the customers list and one charges list with customer=", describe(reqs))
				}
			},
		},
		{
			name: "refunds are listed once per distinct charge",
			sql:  fmt.Sprintf("SELECT c.id, r.id, r.amount FROM charges c JOIN refunds r ON r.charge = c.id WHERE c.customer = '%s'", cus),
			check: func(t *testing.T, reqs []emulator.Request) {
				perCharge := map[string]int{}
				for _, r := range reqs[1:] {
					if r.Path != "/v1/refunds" || r.Query.Get("charge") == "" {
						t.Errorf("request %s %s?%s; want refunds lists by charge after the charges list", r.Method, r.Path, r.Query.Encode())
					}
					perCharge[r.Query.Get("charge")]++
				}
				for ch, n := range perCharge {
					if n != 1 {
						t.Errorf("charge %s listed %d times", ch, n)
					}
				}
				if len(perCharge) < 2 {
					t.Errorf("refunds listed for %d charges; want one list per charge of %s", len(perCharge), cus)
				}
			},
		},
		{
			name: "products are fetched ten ids per list",
			sql:  "SELECT p.id, pr.id, pr.name FROM prices p JOIN products pr ON pr.id = p.product WHERE p.active",
			check: func(t *testing.T, reqs []emulator.Request) {
				seen := map[string]int{}
				lists := 0
				for _, r := range reqs {
					if r.Path != "/v1/products" {
						continue
					}
					lists++
					n := 0
					for k, v := range r.Query {
						if strings.HasPrefix(k, "ids[") {
							n++
							seen[v[0]]++
						}
					}
					if n == 0 || n > 10 {
						t.Errorf("products list with %d ids: %s", n, r.Query.Encode())
					}
				}
				for id, n := range seen {
					if n != 1 {
						t.Errorf("product %s asked %d times", id, n)
					}
				}
				if want := (len(seen) + 9) / 10; lists != want {
					t.Errorf("%d products lists for %d products; want %d", lists, len(seen), want)
				}
			},
		},
		{
			name: "a charge's balance transaction is one retrieve, within budget",
			sql:  fmt.Sprintf("SELECT c.id, b.id, b.fee FROM charges c JOIN balance_transactions b ON b.id = c.balance_transaction WHERE c.payment_intent = '%s'", pi),
			check: func(t *testing.T, reqs []emulator.Request) {
				got := paths(reqs)
				if len(got) != 2 || got[0] != "GET /v1/charges" || !strings.HasPrefix(got[1], "GET /v1/balance_transactions/txn_") {
					t.Errorf("requests = %v; want the charges list and one balance transaction retrieve", describe(reqs))
				}
			},
		},
		{
			name: "the newest succeeded charges are one list page",
			sql:  "SELECT id, amount FROM charges WHERE status = 'succeeded' ORDER BY created DESC LIMIT 5",
			check: func(t *testing.T, reqs []emulator.Request) {
				if len(reqs) != 1 || reqs[0].Path != "/v1/charges" {
					t.Errorf("requests = %v; want one charges list", describe(reqs))
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each run plans with default table sizes: the oracle's complete lists teach sizes
			// that would make listing small tables whole the cheaper plan.
			oracle, _, err := run(ctx, e.client, freshSession(e, map[string]string{"stripesql.pushdown": "off", "stripesql.max_requests": "100000"}), tt.sql)
			if err != nil {
				t.Fatalf("oracle: %v", err)
			}
			e.emu.ResetRequests()
			got, _, err := run(ctx, e.client, freshSession(e, nil), tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			want, have := sorted(oracle), sorted(got)
			if strings.Contains(tt.sql, "LIMIT") {
				want, have = texts(oracle), texts(got) // ordered: the same rows in the same order
			}
			if diff := cmp.Diff(want, have); diff != "" {
				t.Errorf("lookup changed the answer (-pushdown off +lookup):\n%s", diff)
			}
			if len(got) == 0 {
				t.Errorf("no rows: the proof needs data")
			}
			t.Logf("%d rows from %v", len(got), describe(e.emu.Requests()))
			tt.check(t, e.emu.Requests())
		})
	}
}

// freshSession is e's session with statistics of its own, so no earlier scan's learned sizes
// change the plan.
func freshSession(e *testEnv, settings map[string]string) *planner.Session {
	return planner.NewSession(planner.SessionConfig{Catalog: e.cat, Rate: 10000, Stats: planner.NewStats(), Settings: settings,
		Clock: func() time.Time { return emuNow }})
}
