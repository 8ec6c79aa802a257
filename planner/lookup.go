package planner

import (
	"fmt"
	"math"
	"strings"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// chooseLookup decides how join j reads its right table t (listed as scan, with the right
// table's own conditions localWhere): by a lookup per distinct left key when that costs fewer
// requests than listing, or when listing is impossible (listErr: a required list filter that
// only the join can fill). It sets j.Right and j.Lookup.
func (pl *planCtx) chooseLookup(t *catalog.Table, scan *Scan, localWhere expr.Expr, j *Join, listErr error) error {
	if listErr != nil {
		lk := pl.listLookupScan(t, scan, localWhere, j)
		if lk == nil {
			return listErr
		}
		j.Right, j.Lookup = lk, true
		return nil
	}
	if lk := pl.lookupScan(t, scan, localWhere, j); lk != nil && lk.Requests < scan.Requests {
		// Reading the right table by id per left key costs less than listing it.
		j.Right, j.Lookup = lk, true
	}
	return nil
}

// lookupScan returns a retrieve-per-key scan of t for join j when one hash key of j is t's id
// column and t can be retrieved without parents; nil otherwise. Its estimate is one request per
// left row (distinct keys are fewer, so this is an upper bound).
func (pl *planCtx) lookupScan(t *catalog.Table, listed *Scan, localWhere expr.Expr, j *Join) *Scan {
	r := t.Retrieve
	if r == nil || len(r.Parents) > 0 || !pl.sess.Pushdown() {
		return nil
	}
	id := r.IDColumn
	if id == "" {
		id = "id"
	}
	_, idIdx, ok := t.Column(id)
	if !ok {
		return nil
	}
	for i, rk := range j.RightKeys {
		cr, ok := rk.(*expr.ColumnRef)
		if !ok || cr.Index != j.RightOffset+idIdx {
			continue
		}
		// Put the id key first: the executor retrieves by LeftKeys[0].
		j.LeftKeys[0], j.LeftKeys[i] = j.LeftKeys[i], j.LeftKeys[0]
		j.RightKeys[0], j.RightKeys[i] = j.RightKeys[i], j.RightKeys[0]
		left := j.Left.Est().Rows
		s := &Scan{Table: t, Access: AccessRetrieve, Filter: localWhere, Needed: listed.Needed,
			Pushed:   []string{fmt.Sprintf("%s = each %s of the left input", id, j.LeftKeys[0].String())},
			Estimate: Estimate{Requests: math.Ceil(left), Rows: left, Source: listed.Source}}
		s.Seconds = s.Requests / pl.sess.Rate()
		return s
	}
	return nil
}

// lookupPlaceholder stands for the left key in the calls of a list lookup's template scan (and
// reads as such in EXPLAIN); the executor replaces it with each distinct key.
const lookupPlaceholder = "{key}"

// listLookupScan returns a list-per-key scan of t for join j when one hash key of j is a
// required list filter of t that the query does not constrain otherwise: Stripe cannot list t
// without it, so the executor lists t once per distinct left key with the filter set to the key.
// It sets j's LookupParam and LookupColumn and puts that key first; nil when no key qualifies.
// Its estimate is one list per left row (distinct keys are fewer, so this is an upper bound).
func (pl *planCtx) listLookupScan(t *catalog.Table, listed *Scan, localWhere expr.Expr, j *Join) *Scan {
	for _, name := range t.List.Required {
		_, idx, ok := t.Column(name)
		if !ok {
			continue
		}
		param := ""
		for _, k := range t.List.Keys {
			if k.Column == name && hasOp(k, catalog.OpEq) && !k.Array {
				param = k.Param
			}
		}
		if param == "" {
			continue
		}
		for i, rk := range j.RightKeys {
			cr, ok := rk.(*expr.ColumnRef)
			if !ok || cr.Index != j.RightOffset+idx || cr.T != sqltypes.Text {
				continue
			}
			extra := []folded{{pred: pred{col: idx, op: "=", conj: -1}, vals: []any{lookupPlaceholder}}}
			s, err := pl.chooseAccessWith(t, localWhere, extra)
			if err != nil || s.Access != AccessList || len(s.Calls) == 0 {
				return nil
			}
			for _, c := range s.Calls {
				if c.Params.Get(param) != lookupPlaceholder {
					return nil
				}
			}
			j.LeftKeys[0], j.LeftKeys[i] = j.LeftKeys[i], j.LeftKeys[0]
			j.RightKeys[0], j.RightKeys[i] = j.RightKeys[i], j.RightKeys[0]
			j.LookupParam, j.LookupColumn = param, idx
			left := math.Ceil(j.Left.Est().Rows)
			s.Needed = listed.Needed
			for k, p := range s.Pushed {
				s.Pushed[k] = strings.ReplaceAll(p, lookupPlaceholder, "each distinct join key ("+j.LeftKeys[0].String()+")")
			}
			s.Estimate = Estimate{Requests: left * s.Requests, Rows: left * s.Rows, Source: s.Source}
			s.Seconds = s.Requests / pl.sess.Rate()
			s.Ordered, s.Learn = false, false
			return s
		}
	}
	return nil
}
