package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/procedures"
)

// endingVerbs are the procedure name prefixes of Stripe actions that end an object's life the way
// a DELETE would (cancel a payment intent, void a credit note, detach a payment method), in the
// order a hint lists them. Other actions of the same resource (capture, confirm, approve) are
// not what someone who wrote DELETE wants, so the delete hint never suggests them.
var endingVerbs = []string{"Cancel", "Void", "Close", "Expire", "Detach", "Delete", "Deactivate", "Disconnect", "Reject", "Redact", "Release", "Reverse"}

// undoByInsert names, for objects Stripe never deletes but lets one undo by creating another,
// the table to insert into and the column that points back at the object: a charge is refunded,
// a transfer reversed.
var undoByInsert = map[string]struct{ table, column string }{
	"charges":          {"refunds", "charge"},
	"payment_intents":  {"refunds", "payment_intent"},
	"transfers":        {"transfer_reversals", "transfer"},
	"application_fees": {"application_fee_refunds", "fee"},
}

// deleteHint says what to do instead of a DELETE on t, a table Stripe offers no delete for: the
// actions that end such an object (CALL CancelPaymentIntent), the insert that undoes it (a charge
// is refunded with INSERT INTO refunds), archiving through an active column, or that Stripe keeps
// every row of t for good.
func deleteHint(t *catalog.Table) string {
	var hints []string
	if names := endingProcedures(t); len(names) > 0 {
		hints = append(hints, "call "+strings.Join(names, " or ")+" (for example CALL "+names[0]+"(...))")
	}
	if u, ok := undoByInsert[t.Name]; ok {
		hints = append(hints, fmt.Sprintf("undo it with INSERT INTO %s (%s, ...) VALUES (...)", u.table, u.column))
	}
	if t.Update != nil && hasParam(t.Update.Params, "active") {
		hints = append(hints, fmt.Sprintf("archive rows with UPDATE %s SET active = false WHERE ...", t.Name))
	}
	if len(hints) == 0 {
		return fmt.Sprintf("stripe keeps every row of %s: there is no call that deletes or cancels one", t.Name)
	}
	return strings.Join(hints, "; or ")
}

// endingProcedures are the mutating procedures of t's resource whose verb is one of endingVerbs,
// in that order (then by name), at most four.
func endingProcedures(t *catalog.Table) []string {
	rank := func(name string) int {
		for i, v := range endingVerbs {
			if strings.HasPrefix(name, v) {
				return i
			}
		}
		return -1
	}
	var names []string
	for _, p := range procedures.Default().All() {
		if p.Resource == t.Resource && p.Mutating && rank(p.Name) >= 0 {
			names = append(names, p.Name)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		ri, rj := rank(names[i]), rank(names[j])
		return ri < rj || ri == rj && names[i] < names[j]
	})
	if len(names) > 4 {
		names = names[:4]
	}
	return names
}

// hasParam reports whether a write spec takes the parameter name.
func hasParam(ps []catalog.WriteParam, name string) bool {
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}
