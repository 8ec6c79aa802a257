package planner

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/procedures"
)

// TestDeleteHint checks the hint of a DELETE on tables Stripe cannot delete from: it suggests
// what ends or undoes such an object, never an unrelated action of the same resource.
func TestDeleteHint(t *testing.T) {
	tests := []struct {
		table string
		want  string
	}{
		{"charges", "undo it with INSERT INTO refunds (charge, ...) VALUES (...)"},
		{"payment_intents", "call CancelPaymentIntent (for example CALL CancelPaymentIntent(...)); or undo it with INSERT INTO refunds (payment_intent, ...) VALUES (...)"},
		{"transfers", "undo it with INSERT INTO transfer_reversals (transfer, ...) VALUES (...)"},
		{"prices", "archive rows with UPDATE prices SET active = false WHERE ..."},
		{"disputes", "call CloseDispute (for example CALL CloseDispute(...))"},
		{"payouts", "call CancelPayout or ReversePayout (for example CALL CancelPayout(...))"},
		{"reviews", "stripe keeps every row of reviews: there is no call that deletes or cancels one"},
		{"balance_transactions", "stripe keeps every row of balance_transactions: there is no call that deletes or cancels one"},
	}
	sess := NewSession(SessionConfig{Catalog: stripeCatalog(), Clock: goldenClock})
	for _, tt := range tests {
		t.Run(tt.table, func(t *testing.T) {
			_, err := planOne(t, sess, "DELETE FROM "+tt.table+" WHERE id = 'x_1'")
			e := sqlstate.Wrap(err)
			if e.Code != sqlstate.FeatureNotSupported {
				t.Fatalf("code %q, want 0A000 (err %v)", e.Code, err)
			}
			if diff := cmp.Diff(tt.want, e.Hint); diff != "" {
				t.Errorf("hint (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeleteHintEveryTable checks every Stripe table without a delete: the DELETE is refused
// with a hint, and a procedure the hint names is one that ends the object (its verb is one of
// endingVerbs), so "DELETE FROM charges" can never suggest CaptureCharge again.
func TestDeleteHintEveryTable(t *testing.T) {
	sess := NewSession(SessionConfig{Catalog: stripeCatalog(), Clock: goldenClock})
	for _, tb := range catalog.StripeTables() {
		if tb.Delete != nil {
			continue
		}
		t.Run(tb.Name, func(t *testing.T) {
			sql := "DELETE FROM " + tb.Name + " WHERE id = 'x_1'"
			_, err := planOne(t, sess, sql)
			e := sqlstate.Wrap(err)
			if e.Code != sqlstate.FeatureNotSupported || e.Hint == "" {
				t.Fatalf("%s: code %q hint %q, want 0A000 with a hint", sql, e.Code, e.Hint)
			}
			for _, w := range strings.Fields(e.Hint) {
				name := strings.TrimRight(w, ",;")
				if strings.ContainsAny(name, "(.") || !isProcedureName(name) {
					continue
				}
				ok := false
				for _, v := range endingVerbs {
					ok = ok || strings.HasPrefix(name, v)
				}
				if !ok {
					t.Errorf("hint %q suggests %s, which does not end a %s", e.Hint, name, tb.Resource)
				}
			}
		})
	}
}

// isProcedureName reports whether s names a registered procedure.
func isProcedureName(s string) bool {
	_, err := procedures.Default().Lookup(s)
	return err == nil
}
