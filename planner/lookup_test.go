package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLookupEstimates plans with learned table sizes (the demo account's) and checks the scan
// estimates that drive lookup and LIMIT choices: an equality on a reference column keeps
// rows(table) / rows(referenced table) rows (at least 1) when both sizes are learned and a small
// constant otherwise, an id keeps one row, and ORDER BY created DESC LIMIT 5 with a filter Stripe
// cannot apply is a list that stops after its first page rather than a search reading every match.
func TestLookupEstimates(t *testing.T) {
	type est struct {
		Access   AccessKind
		Requests int64
		Rows     int64
	}
	tests := []struct {
		name    string
		learned map[string]int64
		sql     string
		want    est
	}{
		{"reference with both sizes learned", map[string]int64{"charges": 6000, "customers": 50},
			"SELECT id FROM charges WHERE customer = 'cus_1'", est{AccessList, 2, 120}},
		{"reference of a 1:1 table is one row", map[string]int64{"charges": 6000, "payment_intents": 6000},
			"SELECT id FROM charges WHERE payment_intent = 'pi_1'", est{AccessList, 1, 1}},
		{"reference with the referenced size unknown", map[string]int64{"charges": 6000},
			"SELECT id FROM charges WHERE customer = 'cus_1'", est{AccessList, 1, refRowsDefault}},
		{"ids in an array list are one row each", map[string]int64{"products": 1000},
			"SELECT id FROM products WHERE id IN ('prod_1', 'prod_2')", est{AccessList, 1, 2}},
		{"top five succeeded charges", map[string]int64{"charges": 6000},
			"SELECT id FROM charges WHERE status = 'succeeded' ORDER BY created DESC LIMIT 5", est{AccessList, 1, 5}},
		{"every succeeded charge is a search", map[string]int64{"charges": 6000},
			"SELECT id FROM charges WHERE status = 'succeeded' ORDER BY created DESC", est{AccessSearch, 1, 30}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stats := NewStats()
			for name, n := range tt.learned {
				stats.Learn(name, n)
			}
			sess := NewSession(SessionConfig{Catalog: stripeCatalog(), Clock: goldenClock, Stats: stats})
			sts, err := Parse(tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Plan(sess, sts[0], nil)
			if err != nil {
				t.Fatal(err)
			}
			var got est
			Walk(p.Root, func(n Node) {
				if s, ok := n.(*Scan); ok {
					got = est{s.Access, int64(s.Requests + 0.999), int64(s.Rows + 0.999)}
				}
			})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("scan estimate (-want +got):\n%s", diff)
			}
		})
	}
}
