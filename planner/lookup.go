package planner

import (
	"fmt"
	"math"
	"strings"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// MaxArrayValues is the most values one Stripe array parameter carries (Stripe accepts up to 10
// ids or lookup_keys per list): longer IN lists are split over several calls, and a lookup join
// on an array key sends its keys in batches of this size.
const MaxArrayValues = maxArrayValues

// lookupChoice is one way for a join to read its right table per left key: the template scan,
// which hash key it reads by, and for a list the parameter the key fills.
type lookupChoice struct {
	scan  *Scan
	key   int    // index into the join's keys
	param string // "" for a retrieve per key
	col   int    // the right table's column the key fills
}

// chooseLookup decides how join j reads its right table t (listed as scan, with the right
// table's own conditions localWhere): as one scan hashed against the left rows, or by a lookup
// per distinct left key (a retrieve by id, a list filtered by the key, or a list of a batch of
// keys in an array parameter), whichever is estimated to send the fewest Stripe requests. When
// listing is impossible (listErr: a required list filter that only the join can fill) a lookup
// is the only way. It sets j.Right and, for a lookup, j's lookup fields with the key first.
func (pl *planCtx) chooseLookup(t *catalog.Table, scan *Scan, localWhere expr.Expr, j *Join, listErr error) error {
	var best *lookupChoice
	for _, c := range pl.lookupChoices(t, scan, localWhere, j) {
		if c.param == LookupAccount {
			// Reading t per account is what the join means (connect.go): listed once, t would be
			// the session's account only.
			best, listErr = &c, errAccountJoin
			break
		}
		if best == nil || c.scan.Requests < best.scan.Requests {
			best = &c
		}
	}
	if listErr != nil && best == nil {
		return listErr
	}
	if best == nil || listErr == nil && best.scan.Requests >= scan.Requests {
		return nil // listing once and hashing costs no more
	}
	i := best.key
	j.LeftKeys[0], j.LeftKeys[i] = j.LeftKeys[i], j.LeftKeys[0]
	j.RightKeys[0], j.RightKeys[i] = j.RightKeys[i], j.RightKeys[0]
	j.Right, j.Lookup = best.scan, true
	j.LookupParam, j.LookupColumn = best.param, best.col
	return nil
}

// lookupChoices lists the lookups possible for join j: a retrieve per key when a hash key is
// t's id, and a list per key (or per batch of keys) for each hash key that a list filter of t
// accepts with =.
func (pl *planCtx) lookupChoices(t *catalog.Table, listed *Scan, localWhere expr.Expr, j *Join) []lookupChoice {
	var out []lookupChoice
	for i, rk := range j.RightKeys {
		cr, ok := rk.(*expr.ColumnRef)
		if !ok || cr.Index < j.RightOffset || cr.T != sqltypes.Text {
			continue
		}
		col := cr.Index - j.RightOffset
		if s := pl.retrieveLookup(t, listed, localWhere, j, col, i); s != nil {
			out = append(out, lookupChoice{scan: s, key: i, col: col})
		}
		if col == accountIndex(t) {
			if s := pl.accountLookup(t, listed, localWhere, j, col, i); s != nil {
				out = append(out, lookupChoice{scan: s, key: i, param: LookupAccount, col: col})
			}
			continue
		}
		if t.List == nil {
			continue
		}
		for _, k := range t.List.Keys {
			if k.Column != t.Columns[col].Name || !hasOp(k, catalog.OpEq) {
				continue
			}
			if s := pl.listLookup(t, listed, localWhere, j, col, i, k); s != nil {
				out = append(out, lookupChoice{scan: s, key: i, param: k.Param, col: col})
			}
		}
	}
	return out
}

// lookupKeys is the number of distinct left keys a lookup expects: the left rows, an upper bound.
func lookupKeys(j *Join) float64 { return math.Max(1, math.Ceil(j.Left.Est().Rows)) }

// retrieveLookup returns a retrieve-per-key template scan of t when column col is t's id and t
// can be retrieved without parents; nil otherwise. It costs one request per distinct left key.
func (pl *planCtx) retrieveLookup(t *catalog.Table, listed *Scan, localWhere expr.Expr, j *Join, col, key int) *Scan {
	r := t.Retrieve
	if r == nil || len(r.Parents) > 0 || !pl.sess.Pushdown() {
		return nil
	}
	id := r.IDColumn
	if id == "" {
		id = "id"
	}
	if _, idIdx, ok := t.Column(id); !ok || idIdx != col {
		return nil
	}
	keys := lookupKeys(j)
	s := &Scan{Table: t, Access: AccessRetrieve, Filter: localWhere, Needed: listed.Needed,
		Pushed:   []string{fmt.Sprintf("%s = each distinct join key (%s)", id, j.LeftKeys[key].String())},
		Estimate: Estimate{Requests: keys, Rows: keys, Source: listed.Source}, PerKey: true}
	// The retrieve of each key is sent as each account the right table is read in.
	s.Accounts = listed.Accounts
	if n := float64(len(s.Accounts)); n > 1 {
		s.Requests *= n
	}
	s.Seconds = s.Requests / pl.sess.Rate()
	return s
}

// lookupPlaceholder stands for the left key in the calls of a list lookup's template scan (and
// reads as such in EXPLAIN); the executor replaces it with each distinct key.
const lookupPlaceholder = "{key}"

// listLookup returns a template scan that lists t once per distinct left key with list filter k
// (on column col) set to the key, or, when k is an array parameter (products ids), once per batch
// of MaxArrayValues keys. The template is t's access path planned with a placeholder for the
// key; nil when that path is not a list sending the placeholder in k (another constraint on the
// column wins, or pushdown is off and k is not required). Its estimate is the path's per key
// (or per batch) times the distinct keys.
func (pl *planCtx) listLookup(t *catalog.Table, listed *Scan, localWhere expr.Expr, j *Join, col, key int, k catalog.KeyColumn) *Scan {
	extra := []folded{{pred: pred{col: col, op: "=", conj: -1}, vals: []any{lookupPlaceholder}}}
	s, err := pl.chooseAccessWith(t, localWhere, extra)
	if err != nil || s.Access != AccessList || len(s.Calls) == 0 {
		return nil
	}
	param := k.Param
	if k.Array {
		param += "[0]"
	}
	for _, c := range s.Calls {
		if c.Params.Get(param) != lookupPlaceholder {
			return nil // the executor sends each batch as param[0], param[1], …
		}
	}
	keys := lookupKeys(j)
	what := "each distinct join key (" + j.LeftKeys[key].String() + ")"
	calls := keys
	if k.Array {
		what = fmt.Sprintf("each batch of up to %d distinct join keys (%s)", MaxArrayValues, j.LeftKeys[key].String())
		calls = math.Ceil(keys / MaxArrayValues)
		s.Rows *= math.Min(keys, MaxArrayValues) // one page holds the rows of every key in it
	}
	for i, p := range s.Pushed {
		s.Pushed[i] = strings.ReplaceAll(p, lookupPlaceholder, what)
	}
	// The executor groups a batch's rows by the key column, so the scan must read it.
	s.Needed = append([]bool(nil), listed.Needed...)
	s.Needed[col] = true
	s.Estimate = Estimate{Requests: calls * s.Requests, Rows: calls * s.Rows, Source: s.Source}
	s.Seconds = s.Requests / pl.sess.Rate()
	s.Ordered, s.Learn, s.PerKey = false, false, true
	return s
}

// lookupVia names, for EXPLAIN's join line, the call a lookup join sends per key ("" for a hash
// join or nested loop, which read the right table once).
func lookupVia(j *Join) string {
	switch {
	case !j.Lookup:
		return ""
	case j.LookupParam == "":
		return " (retrieve per key)"
	case j.LookupParam == LookupAccount:
		return " (per account)"
	case j.LookupBatch() > 1:
		return fmt.Sprintf(" (list per %d keys)", j.LookupBatch())
	}
	return " (list per key)"
}

// LookupBatch is how many keys a lookup join sends in one call: MaxArrayValues when its
// parameter is an array list key of the right table (products ids, prices lookup_keys), else 1.
func (n *Join) LookupBatch() int {
	if !n.Lookup || n.LookupParam == "" {
		return 1
	}
	t := n.Right.(*Scan).Table
	if t.List == nil {
		return 1
	}
	for _, k := range t.List.Keys {
		if k.Param == n.LookupParam && k.Array {
			return MaxArrayValues
		}
	}
	return 1
}

// lookupDetail is EXPLAIN's line for a lookup join: the key it reads by and the distinct keys
// and requests it expects; empty for other joins.
func lookupDetail(j *Join) string {
	if !j.Lookup {
		return ""
	}
	return fmt.Sprintf("Lookup Key: %s (est. keys=%d requests=%s)", j.LeftKeys[0].String(), int64(lookupKeys(j)), fmtReq(j.Right.Est().Requests))
}
