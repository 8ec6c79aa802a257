package planner

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// Estimation constants. They are guesses, and EXPLAIN says so: selectivities follow PostgreSQL's
// defaults for unknown data (an equality keeps about 1%, an open range a third).
const (
	selEq         = 0.01
	selRange      = 1.0 / 3
	selBothRange  = 0.1
	selSubstring  = 0.05
	selResidual   = 0.5
	defaultRows   = 10000
	defaultChild  = 100
	maxFanout     = 100 // most calls one IN list may expand to
	searchPenalty = 0.5 // search is eventually consistent: prefer a list of equal cost
	searchPage    = 100
	maxSearchTerm = 10
)

// maxArrayValues is the most values sent in one array parameter (Stripe accepts up to 10
// lookup_keys per price list); longer IN lists are split over several calls.
const maxArrayValues = 10

// defaultSizes are the table sizes assumed before a complete scan has taught Stats better:
// high-volume tables are larger than configuration-like tables.
//
// The high-volume tables default to a busy account's size (250,000 rows, 2,500 list requests), so
// that a full scan of an account the node has never measured is refused at the default budget
// rather than started blind; once a complete scan has taught Stats the true size, the estimate is
// exact.
var defaultSizes = map[string]int64{
	"charges": 250000, "payment_intents": 250000, "balance_transactions": 250000, "events": 250000,
	"invoices": 20000, "invoice_items": 20000, "refunds": 5000, "payouts": 2000,
	"products": 1000, "prices": 2000, "coupons": 500, "promotion_codes": 500, "tax_rates": 100,
	"webhook_endpoints": 20, "plans": 1000, "shipping_rates": 100, "files": 1000,
}

// pred is a conjunct of the form column op constant(s) that a Stripe call might apply.
type pred struct {
	col  int
	op   string // "=", "<", "<=", ">", ">=", "in"
	args []expr.Expr
	conj int // index of the conjunct
	// array is set when args holds one array whose elements are the values (= ANY(array)).
	array bool
}

// conjuncts splits e at its top-level ANDs.
func conjuncts(e expr.Expr) []expr.Expr {
	if e == nil {
		return nil
	}
	if b, ok := e.(*expr.BoolExpr); ok && b.Kind == expr.AndKind {
		var out []expr.Expr
		for _, a := range b.Args {
			out = append(out, conjuncts(a)...)
		}
		return out
	}
	return []expr.Expr{e}
}

var flipOp = map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

// extractPred recognises column op constant, constant op column and column IN (constants).
func extractPred(c expr.Expr) (pred, bool) {
	switch x := c.(type) {
	case *expr.OpExpr:
		if len(x.Args) != 2 {
			return pred{}, false
		}
		if x.Op == "LIKE" || x.Op == "~~" {
			// col LIKE constant: a wildcard list filter may take its prefix (wildcardPrefix).
			if cr, ok := x.Args[0].(*expr.ColumnRef); ok && expr.IsConstant(x.Args[1]) {
				return pred{col: cr.Index, op: "like", args: []expr.Expr{x.Args[1]}}, true
			}
			return pred{}, false
		}
		if _, ok := flipOp[x.Op]; !ok {
			return pred{}, false
		}
		if cr, ok := x.Args[0].(*expr.ColumnRef); ok && expr.IsConstant(x.Args[1]) {
			return pred{col: cr.Index, op: x.Op, args: []expr.Expr{x.Args[1]}}, true
		}
		if cr, ok := x.Args[1].(*expr.ColumnRef); ok && expr.IsConstant(x.Args[0]) {
			return pred{col: cr.Index, op: flipOp[x.Op], args: []expr.Expr{x.Args[0]}}, true
		}
	case *expr.ColumnRef:
		// A boolean column on its own is col = true (WHERE active).
		if x.T == sqltypes.Bool {
			return pred{col: x.Index, op: "=", args: []expr.Expr{expr.NewConst(true, sqltypes.Bool)}}, true
		}
	case *expr.AnyAllExpr:
		// col = ANY(array constant), as drivers send a list parameter: an IN once folded.
		cr, ok := x.L.(*expr.ColumnRef)
		if !ok || x.All || x.Op != "=" || !expr.IsConstant(x.Arr) {
			return pred{}, false
		}
		return pred{col: cr.Index, op: "in", args: []expr.Expr{x.Arr}, array: true}, true
	case *Subquery:
		// col IN (SELECT …) uncorrelated: an IN list once the init plan ran (subquery.go).
		if cr, ok := x.Test.(*expr.ColumnRef); ok && x.Kind == SubAny && x.Op == "=" && !x.Correlated() {
			return pred{col: cr.Index, op: "in", args: []expr.Expr{x}}, true
		}
	case *expr.InExpr:
		if x.Negate {
			return pred{}, false
		}
		cr, ok := x.Arg.(*expr.ColumnRef)
		if !ok {
			return pred{}, false
		}
		for _, l := range x.List {
			if !expr.IsConstant(l) {
				return pred{}, false
			}
		}
		return pred{col: cr.Index, op: "in", args: x.List}, true
	}
	return pred{}, false
}

// folded is a pred with its constant values computed.
type folded struct {
	pred
	vals []any
}

func (pl *planCtx) fold(p pred) (folded, bool) {
	if pl.describe {
		return folded{}, false
	}
	f := folded{pred: p}
	seen := map[string]bool{}
	for _, a := range p.args {
		v, err := expr.Fold(a, pl.env())
		if err != nil {
			return folded{}, false
		}
		if v == nil {
			continue // NULL never matches; the residual filter says so
		}
		items, et := []any{v}, a.Type()
		if p.array {
			arr, ok := v.(sqltypes.Array)
			if !ok {
				return folded{}, false
			}
			items, et = arr.Items, arr.Elem
		}
		for _, it := range items {
			if it == nil {
				continue
			}
			k := expr.HashKey(it, et)
			if seen[k] {
				continue
			}
			seen[k] = true
			f.vals = append(f.vals, it)
		}
	}
	if len(f.vals) == 0 {
		return folded{}, false
	}
	return f, true
}

// allNull reports whether every value a pred compares with folds to NULL (so it is never true).
func (pl *planCtx) allNull(p pred) bool {
	if pl.describe || p.array {
		return false
	}
	for _, a := range p.args {
		v, err := expr.Fold(a, pl.env())
		if err != nil || v != nil {
			return false
		}
	}
	return len(p.args) > 0
}

// stripeValue renders a value as a Stripe parameter; ok is false when Stripe could not apply it
// with exactly the SQL meaning (fractional seconds, non-integral numbers, JSON).
func stripeValue(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case bool:
		return strconv.FormatBool(x), true
	case time.Time:
		if x.Nanosecond() != 0 {
			return "", false
		}
		return strconv.FormatInt(x.Unix(), 10), true
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return "", false
		}
		return strconv.FormatInt(int64(x), 10), true
	case sqltypes.Decimal:
		if !x.IsInteger() {
			return "", false
		}
		n, ok := x.Int64()
		if !ok {
			return "", false
		}
		return strconv.FormatInt(n, 10), true
	}
	return "", false
}

// tableSize returns the expected row count of a table in an account, where the figure comes from (a Source
// constant), and what the node knows of the table (for range estimates), if anything.
func (pl *planCtx) tableSize(t *catalog.Table, acct string) (float64, string, *TableStat) {
	if st, ok := pl.sess.Stats().Table(acct, t.Name); ok {
		src := SourceProbed
		if st.Complete {
			src = SourceLearned
		}
		return math.Max(st.RowsAt(pl.now), 0), src, &st
	}
	if t.List != nil && len(t.List.Parents) > 0 {
		return defaultChild, SourceUnknown, nil
	}
	if n, ok := defaultSizes[t.Name]; ok {
		return float64(n), SourceUnknown, nil
	}
	return defaultRows, SourceUnknown, nil
}

// candidate is one access path under consideration.
type candidate struct {
	scan    *Scan
	removed map[int]bool // conjuncts Stripe applies exactly, dropped from the residual
	cost    float64
}

// chooseAccess picks the cheapest way to read table given the WHERE clause.
func (pl *planCtx) chooseAccess(t *catalog.Table, where expr.Expr) (*Scan, error) {
	return pl.chooseAccessWith(t, where, nil)
}

// chooseAccessWith is chooseAccess with extra = constraints that are not in where (conj -1): a
// lookup join plans its right table with a placeholder for the key each call is sent with.
func (pl *planCtx) chooseAccessWith(t *catalog.Table, where expr.Expr, extra []folded) (*Scan, error) {
	return pl.chooseAccessTop(t, where, extra, 0)
}

// newestFirstTop returns the rows a single-table SELECT needs when it reads t newest first and
// stops: limit + offset for ORDER BY created DESC LIMIT n with nothing in between (blocked: an
// aggregate, DISTINCT or a window), else 0.
func newestFirstTop(t *catalog.Table, keys []SortKey, count, offset int64, blocked bool) int64 {
	if blocked || count <= 0 || len(keys) != 1 || !keys[0].Desc {
		return 0
	}
	cr, ok := keys[0].Expr.(*expr.ColumnRef)
	if !ok || cr.Index < 0 || cr.Index >= len(t.Columns) || t.Columns[cr.Index].Name != "created" {
		return 0
	}
	return count + offset
}

// topPages is the pages a list in Stripe's order reads to find n rows when a fraction keep of
// what it reads passes the residual filter.
func topPages(n int64, pageSize int, keep float64) float64 {
	return math.Max(1, math.Ceil(float64(n)/(float64(pageSize)*keep)))
}

// chooseAccessTop is chooseAccessWith for a statement that stops after top rows newest first
// (newestFirstTop; 0 for none): a single list keeps Stripe's order and stops once it has them,
// so it costs the pages needed to find top matches given its residual filter's selectivity, where
// a search or a fanned-out list reads every match before the sort.
func (pl *planCtx) chooseAccessTop(t *catalog.Table, where expr.Expr, extra []folded, top int64) (*Scan, error) {
	conj := conjuncts(where)
	if t.Rows != nil || t.State {
		return &Scan{Table: t, Access: AccessSystem, Filter: where, Estimate: Estimate{Rows: 100, Source: "system"}}, nil
	}
	// A conjunct that is constant and not true (WHERE false, WHERE 1 = 0, which clients send to
	// learn a query's columns) makes the scan empty: no Stripe call at all.
	if !pl.describe {
		for _, c := range conj {
			if !expr.IsConstant(c) {
				continue
			}
			if v, err := expr.Fold(c, pl.env()); err == nil {
				if b, known := expr.Truth(v); !b || !known {
					return &Scan{Table: t, Access: AccessList, Filter: where, Pushed: []string{"never true: " + c.String()}, Estimate: Estimate{Source: "constant"}}, nil
				}
			}
		}
	}
	var preds []folded
	for i, c := range conj {
		p, ok := extractPred(c)
		if !ok {
			continue
		}
		p.conj = i
		if pl.allNull(p) {
			// col = NULL, col IN (NULL): never true, so no row can qualify.
			return &Scan{Table: t, Access: AccessList, Filter: where, Pushed: []string{"never true: " + c.String()}, Estimate: Estimate{Source: "constant"}}, nil
		}
		f, ok := pl.fold(p)
		if !ok {
			if pl.describe || pl.deferredPred(p) { // deferredPred: a subquery's value, known at run time (subquery.go)
				preds = append(preds, folded{pred: p, vals: []any{deferredValue}})
			}
			continue
		}
		preds = append(preds, f)
	}
	preds = append(preds, extra...)
	accts, acctConj, src, err := pl.scanAccounts(t, preds)
	if err != nil {
		return nil, err
	}
	switch {
	case len(accts) == 0:
		return &Scan{Table: t, Access: AccessList, Filter: where, Pushed: []string{"never true: no account satisfies the stripe_account conditions"}, Estimate: Estimate{Source: "constant"}}, nil
	case len(accts) > 1:
		s, err := pl.accountFanOut(t, where, conj, preds, top, accts, acctConj)
		if s != nil {
			s.Listed = src.listed
		}
		return s, err
	}
	s, err := pl.accessFor(t, where, conj, preds, top, accts[0], acctConj)
	if s != nil {
		s.Listed = src.listed
		if src.pending {
			pl.pendingFanOut(s, func(acct string) (*Scan, error) { // connect.go
				return pl.accessFor(t, where, conj, preds, top, acct, acctConj)
			})
		}
	}
	return s, err
}

// accessFor chooses the access path of t in one account (acct, "" for the API key's own): the
// part of chooseAccessTop after the account is known. acctConj are the conjuncts on
// stripe_account that the account's calls satisfy exactly, left out of the residual.
func (pl *planCtx) accessFor(t *catalog.Table, where expr.Expr, conj []expr.Expr, preds []folded, top int64, acct string, acctConj map[int]bool) (*Scan, error) {
	if s, ok := pl.singletonScan(t, conj, acct, acctConj); ok {
		return s, nil
	}
	size, source, stat := pl.tableSize(t, acct)
	pageSize := pl.sess.PageSize()
	pushdown := pl.sess.Pushdown()

	var cands []candidate
	if c, ok, err := pl.retrieveCandidate(t, preds, pushdown); err != nil {
		return nil, err
	} else if ok {
		cands = append(cands, c)
	}
	if t.List != nil {
		c, err := pl.listCandidate(t, preds, pushdown, size, stat, pageSize, false)
		if err != nil && len(cands) == 0 {
			return nil, err
		}
		if err == nil {
			cands = append(cands, c)
		}
		if err == nil && pushdown {
			// The same list without key filters, in case fan-out makes the filtered one dearer.
			if full, err := pl.listCandidate(t, preds, pushdown, size, stat, pageSize, true); err == nil {
				cands = append(cands, full)
			}
		}
	}
	if pushdown && t.Search != nil && pl.sess.boolSetting("stripesql.search") && !pl.describe {
		cands = append(cands, pl.searchCandidates(t, conj, size)...)
	}
	if len(cands) == 0 {
		if t.Retrieve != nil {
			id := t.Retrieve.IDColumn
			if id == "" {
				id = "id"
			}
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "table %s can only be read by %s", t.Name, id).
				WithHint("add WHERE %s = '...'", id)
		}
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "table %s cannot be read", t.Name)
	}
	if top > 0 {
		for i, c := range cands {
			if c.scan.Access != AccessList || len(c.scan.Calls) != 1 {
				continue
			}
			residual := 0
			for k := range conj {
				if !c.removed[k] && !acctConj[k] {
					residual++
				}
			}
			keep := math.Pow(selResidual, float64(residual))
			cands[i].cost = math.Min(c.cost, topPages(top, c.scan.PageSize, keep)+c.scan.Rows*1e-6)
		}
	}
	best := cands[0]
	for _, c := range cands[1:] {
		if c.cost < best.cost {
			best = c
		}
	}
	s := best.scan
	var residual []expr.Expr
	for i, c := range conj {
		if !best.removed[i] && !acctConj[i] {
			residual = append(residual, c)
		}
	}
	setAccount(t, s, acct)
	if len(residual) > 0 {
		s.Filter = expr.And(residual...)
		s.Rows = math.Max(1, s.Rows*math.Pow(selResidual, float64(len(residual))))
	}
	s.Source = source
	s.SizeNote = sizeNote(source, stat, size, pl.now)
	s.Seconds = s.Requests / pl.sess.Rate()
	s.Ordered = len(s.Calls) == 1 && (s.Access == AccessList || s.Access == AccessRetrieve)
	return s, nil
}

// valuesOf returns the Stripe spellings of the constants a pred constrains a column to with = or
// IN, and whether every one is exact.
func valuesOf(p folded) ([]string, bool) {
	exact := true
	var out []string
	for _, v := range p.vals {
		s, ok := stripeValue(v)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, exact
}

// eqValues finds the = or IN constraint on a column: its values and the conjunct.
func eqValues(preds []folded, col int) ([]string, []any, int, bool) {
	for _, p := range preds {
		if p.col != col || (p.op != "=" && p.op != "in") {
			continue
		}
		vs, ok := valuesOf(p)
		if !ok {
			continue
		}
		return vs, p.vals, p.conj, true
	}
	return nil, nil, -1, false
}

// deferredValue stands for a value known only at run time (a subquery's, or any value while
// describing a statement); the calls built with it are replaced before anything is sent.
const deferredValue = "?"

// pathID reports whether v may be put into a call's path: a plausible Stripe id, or the deferred
// placeholder. Any other value names no object, so the call is not made at all.
func pathID(v string) bool {
	return v == deferredValue || stripeapi.PlausibleID(v)
}

// fill is one combination of placeholder values for a path.
type fill struct {
	path []string
	cols map[int]any
}

// expand forms every combination of parent values (one call each).
func expand(t *catalog.Table, parents []string, preds []folded, what string) ([]fill, error) {
	out := []fill{{cols: map[int]any{}}}
	for _, name := range parents {
		_, idx, ok := t.Column(name)
		if !ok {
			return nil, sqlstate.New(sqlstate.InternalError, "catalog: %s has no parent column %s", t.Name, name)
		}
		vs, raw, _, ok := eqValues(preds, idx)
		if !ok {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "%s of %s need %s %s", what, t.Name, article(name), name).
				WithHint("add WHERE %s = '...' (Stripe lists %s only for one %s at a time)", name, t.Name, name)
		}
		var next []fill
		for _, f := range out {
			for i, v := range vs {
				if !pathID(v) {
					continue // no object has this parent: no call, no rows
				}
				cols := map[int]any{}
				for k, x := range f.cols {
					cols[k] = x
				}
				cols[idx] = raw[i]
				next = append(next, fill{path: append(append([]string(nil), f.path...), v), cols: cols})
			}
		}
		out = next
		if len(out) > maxFanout {
			return nil, sqlstate.New(sqlstate.ProgramLimitExceeded, "too many values for %s: at most %d calls per query", name, maxFanout)
		}
	}
	return out, nil
}

func fillPath(path string, vals []string) string {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = url.PathEscape(v)
	}
	return fmt.Sprintf(path, args...)
}

func (pl *planCtx) retrieveCandidate(t *catalog.Table, preds []folded, pushdown bool) (candidate, bool, error) {
	r := t.Retrieve
	if r == nil {
		return candidate{}, false, nil
	}
	if !pushdown && t.List != nil {
		return candidate{}, false, nil
	}
	idName := r.IDColumn
	if idName == "" {
		idName = "id"
	}
	_, idIdx, ok := t.Column(idName)
	if !ok {
		return candidate{}, false, nil
	}
	ids, raw, conj, ok := eqValues(preds, idIdx)
	if !ok || slices.Contains(ids, lookupPlaceholder) {
		// A lookup join's template for an array list of ids (lookup.go) is a list, not retrieves.
		return candidate{}, false, nil
	}
	fills, err := expand(t, r.Parents, preds, "rows")
	if err != nil {
		if t.List == nil {
			return candidate{}, false, err
		}
		return candidate{}, false, nil
	}
	var calls []Call
	for _, f := range fills {
		for i, id := range ids {
			if !pathID(id) {
				// "", "search" or "cus_1/" names no object; sending it would reach the list, a
				// create or another endpoint. Zero rows, no request, as no row has that id.
				continue
			}
			cols := map[int]any{idIdx: raw[i]}
			for k, v := range f.cols {
				cols[k] = v
			}
			calls = append(calls, Call{Method: "retrieve", Path: fillPath(r.Path, append(append([]string(nil), f.path...), id)), Fill: cols, ID: id})
		}
	}
	if len(calls) > maxFanout {
		return candidate{}, false, nil
	}
	n := float64(len(calls))
	s := &Scan{Table: t, Access: AccessRetrieve, Calls: calls, Pushed: []string{fmt.Sprintf("%s = %s", idName, strings.Join(ids, ", "))}, Estimate: Estimate{Requests: n, Rows: n}}
	return candidate{scan: s, removed: map[int]bool{conj: true}, cost: n - 0.1}, true, nil
}

// bound is one side of a range on a list parameter.
type bound struct {
	v      int64
	strict bool
	set    bool
}

func rangeValue(v any) (int64, bool) {
	s, ok := stripeValue(v)
	if !ok {
		return 0, false
	}
	if _, isStr := v.(string); isStr {
		return 0, false
	}
	if _, isBool := v.(bool); isBool {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// wholeSecondBound turns a comparison with a timestamp that has fractional seconds into one with
// whole seconds that every whole-second value satisfying the original also satisfies: t > x.5 and
// t >= x.5 become t >= x+1, t < x.5 and t <= x.5 become t <= x. Stripe's timestamps are whole
// seconds, and the caller keeps the original as a residual filter, so the result stays exact.
// Equality has no such bound.
func wholeSecondBound(v any, op string) (int64, string, bool) {
	t, ok := v.(time.Time)
	if !ok || t.Nanosecond() == 0 {
		return 0, "", false
	}
	floor := t.Unix() // seconds since the epoch, rounded down
	switch op {
	case ">", ">=":
		return floor + 1, ">=", true
	case "<", "<=":
		return floor, "<=", true
	}
	return 0, "", false
}

func hasOp(k catalog.KeyColumn, op catalog.Op) bool {
	for _, o := range k.Ops {
		if o == op {
			return true
		}
	}
	return false
}

// listCandidate builds the list path: parents fill the URL (always, they are required), key
// columns become parameters when pushdown is on; bare returns the list with no key filters.
func (pl *planCtx) listCandidate(t *catalog.Table, preds []folded, pushdown bool, size float64, stat *TableStat, pageSize int, bare bool) (candidate, error) {
	ls := t.List
	fills, err := expand(t, ls.Parents, preds, "rows")
	if err != nil {
		return candidate{}, err
	}
	removed := map[int]bool{}
	base := url.Values{}
	for k, v := range ls.Params {
		base.Set(k, v)
	}
	// Filter-only columns must reach Stripe whatever the pushdown setting: they have no field to
	// re-check.
	type fan struct {
		param string
		vals  []string
		raw   []any
		col   int
		// array sends up to maxArrayValues values per call as param[0], param[1], …
		array bool
	}
	var fans []fan
	var pushed []string
	sel := 1.0
	done := map[string]bool{}
	for _, k := range ls.Keys {
		_, idx, ok := t.Column(k.Column)
		if !ok || done[k.Column] {
			continue
		}
		filterOnly := t.Columns[idx].FilterOnly
		// Required filters reach Stripe whatever the pushdown setting too: Stripe refuses the list
		// without them. With pushdown off the predicate still stays in the residual filter.
		required := isRequired(ls, k.Column)
		if (!pushdown || bare) && !filterOnly && !required {
			continue
		}
		if hasOp(k, catalog.OpEq) {
			if vs, raw, conj, ok := eqValues(preds, idx); ok {
				if slices.Contains(vs, "") && !filterOnly && !required {
					// Stripe reads an empty parameter as no filter at all (customer= lists
					// every charge), so = '' stays with the engine's filter.
					continue
				}
				if k.Array && len(vs) <= maxArrayValues {
					// An array parameter takes every value of the = or IN in one call.
					for i, v := range vs {
						base.Set(fmt.Sprintf("%s[%d]", k.Param, i), v)
					}
					if len(vs) == 1 {
						pushed = append(pushed, fmt.Sprintf("%s = %s", k.Column, vs[0]))
					} else {
						pushed = append(pushed, fmt.Sprintf("%s IN (%s)", k.Column, strings.Join(vs, ", ")))
					}
				} else if k.Array {
					fans = append(fans, fan{param: k.Param, vals: vs, raw: raw, col: idx, array: true})
					pushed = append(pushed, fmt.Sprintf("%s IN (%s)", k.Column, strings.Join(vs, ", ")))
				} else if len(vs) == 1 {
					base.Set(k.Param, vs[0])
					pushed = append(pushed, fmt.Sprintf("%s = %s", k.Column, vs[0]))
				} else {
					fans = append(fans, fan{param: k.Param, vals: vs, raw: raw, col: idx})
					pushed = append(pushed, fmt.Sprintf("%s IN (%s)", k.Column, strings.Join(vs, ", ")))
				}
				if k.Exact && (pushdown && !bare || filterOnly) && conj >= 0 {
					removed[conj] = true
				}
				perCall := 1 // values one call is sent with
				if k.Array {
					perCall = min(len(vs), maxArrayValues)
				}
				sel *= math.Min(1, float64(perCall)*pl.eqSelectivity(t, idx, size)) // lookup_estimate.go
				done[k.Column] = true
				continue
			}
		}
		if k.Wildcard && pushdown && !bare {
			if prefix, ok := wildcardPrefix(preds, idx); ok {
				base.Set(k.Param, prefix+"*")
				pushed = append(pushed, fmt.Sprintf("%s = %s*", k.Param, prefix))
				sel *= selSubstring
				done[k.Column] = true
				continue
			}
		}
		// Ranges: merge every comparison on the column into one lower and one upper bound.
		var lo, hi bool
		var lower, upper bound
		var conjs []int
		inexact := map[int]bool{}
		for _, p := range preds {
			if p.col != idx || len(p.vals) != 1 {
				continue
			}
			n, ok := rangeValue(p.vals[0])
			if !ok {
				// now() - interval '60 days' has microseconds: push the whole-second bound that
				// keeps every matching row and let the residual filter apply the exact one.
				var op string
				if n, op, ok = wholeSecondBound(p.vals[0], p.op); !ok {
					continue
				}
				p.op = op
				inexact[p.conj] = true
			}
			switch p.op {
			case ">", ">=":
				if !hasOp(k, catalog.Op(p.op)) && !hasOp(k, catalog.OpGte) && !hasOp(k, catalog.OpGt) {
					continue
				}
				strict := p.op == ">"
				if !lower.set || n > lower.v || n == lower.v && strict {
					lower = bound{v: n, strict: strict, set: true}
				}
				lo = true
			case "<", "<=":
				if !hasOp(k, catalog.Op(p.op)) && !hasOp(k, catalog.OpLte) && !hasOp(k, catalog.OpLt) {
					continue
				}
				strict := p.op == "<"
				if !upper.set || n < upper.v || n == upper.v && strict {
					upper = bound{v: n, strict: strict, set: true}
				}
				hi = true
			case "=":
				if !(hasOp(k, catalog.OpGte) && hasOp(k, catalog.OpLte)) {
					continue
				}
				if !lower.set || n > lower.v {
					lower = bound{v: n, set: true}
				}
				if !upper.set || n < upper.v {
					upper = bound{v: n, set: true}
				}
				lo, hi = true, true
			default:
				continue
			}
			conjs = append(conjs, p.conj)
		}
		if !lo && !hi || required && (!pushdown || bare) {
			continue
		}
		// Express the bounds with the operators the key accepts (integers: > n is >= n+1).
		if lower.set {
			op, v := "gte", lower.v
			if lower.strict {
				op, v = "gt", lower.v
				if !hasOp(k, catalog.OpGt) {
					op, v = "gte", lower.v+1
				}
			} else if !hasOp(k, catalog.OpGte) {
				op, v = "gt", lower.v-1
			}
			base.Set(k.Param+"["+op+"]", strconv.FormatInt(v, 10))
			pushed = append(pushed, fmt.Sprintf("%s[%s] = %d", k.Param, op, v))
		}
		if upper.set {
			op, v := "lte", upper.v
			if upper.strict {
				op, v = "lt", upper.v
				if !hasOp(k, catalog.OpLt) {
					op, v = "lte", upper.v-1
				}
			} else if !hasOp(k, catalog.OpLte) {
				op, v = "lt", upper.v+1
			}
			base.Set(k.Param+"["+op+"]", strconv.FormatInt(v, 10))
			pushed = append(pushed, fmt.Sprintf("%s[%s] = %d", k.Param, op, v))
		}
		if k.Exact {
			for _, c := range conjs {
				if !inexact[c] {
					removed[c] = true
				}
			}
		}
		if r, ok := rangeShare(k, lower, upper, stat, size, pl.now); ok {
			sel *= r
		} else if lo && hi {
			sel *= selBothRange
		} else {
			sel *= selRange
		}
	}
	// A required filter that no = or IN constrains leaves Stripe nothing to list.
	for _, name := range ls.Required {
		if !done[name] {
			return candidate{}, sqlstate.New(sqlstate.FeatureNotSupported, "rows of %s need %s %s", t.Name, article(name), name).
				WithHint("add WHERE %s = '...' (Stripe lists %s only for one %s at a time)", name, t.Name, name)
		}
	}
	// Calls: parents × fanned-out key values.
	type combo struct {
		params url.Values
		cols   map[int]any
	}
	combos := []combo{{params: base, cols: map[int]any{}}}
	for _, f := range fans {
		var next []combo
		if f.array {
			for _, c := range combos {
				for lo := 0; lo < len(f.vals); lo += maxArrayValues {
					hi := min(lo+maxArrayValues, len(f.vals))
					p := cloneValues(c.params)
					for i, v := range f.vals[lo:hi] {
						p.Set(fmt.Sprintf("%s[%d]", f.param, i), v)
					}
					cols := map[int]any{}
					for k, x := range c.cols {
						cols[k] = x
					}
					next = append(next, combo{params: p, cols: cols})
				}
			}
			combos = next
			if len(combos)*len(fills) > maxFanout {
				return candidate{}, sqlstate.New(sqlstate.ProgramLimitExceeded, "too many IN values: at most %d stripe calls per query", maxFanout)
			}
			continue
		}
		for _, c := range combos {
			for i, v := range f.vals {
				p := cloneValues(c.params)
				p.Set(f.param, v)
				cols := map[int]any{f.col: f.raw[i]}
				for k, x := range c.cols {
					cols[k] = x
				}
				next = append(next, combo{params: p, cols: cols})
			}
		}
		combos = next
		if len(combos)*len(fills) > maxFanout {
			return candidate{}, sqlstate.New(sqlstate.ProgramLimitExceeded, "too many IN values: at most %d stripe calls per query", maxFanout)
		}
	}
	for _, k := range ls.Keys {
		if _, idx, ok := t.Column(k.Column); ok && t.Columns[idx].FilterOnly && len(combos) > 0 {
			if _, ok := combos[0].cols[idx]; !ok {
				if v := combos[0].params.Get(k.Param); v != "" {
					for _, p := range preds {
						if p.col == idx && p.op == "=" && len(p.vals) == 1 {
							for i := range combos {
								combos[i].cols[idx] = p.vals[0]
							}
						}
					}
				}
			}
		}
	}
	var calls []Call
	for _, f := range fills {
		for _, c := range combos {
			cols := map[int]any{}
			for k, v := range f.cols {
				cols[k] = v
			}
			for k, v := range c.cols {
				cols[k] = v
			}
			calls = append(calls, Call{Method: "list", Path: fillPath(ls.Path, f.path), Params: cloneValues(c.params), Fill: cols})
		}
	}
	perCall := size
	if len(ls.Parents) > 0 && len(fills) > 0 {
		perCall = size
	}
	rows := math.Max(1, perCall*sel)
	if sel == 1 {
		rows = perCall
	}
	reqPer := math.Max(1, math.Ceil(rows/float64(pageSize)))
	n := float64(len(calls))
	s := &Scan{Table: t, Access: AccessList, Calls: calls, PageSize: pageSize, Pushed: pushed,
		Learn:    len(calls) == 1 && len(pushed) == 0 && len(ls.Parents) == 0,
		Estimate: Estimate{Requests: reqPer * n, Rows: rows * n}}
	return candidate{scan: s, removed: removed, cost: reqPer*n + rows*n*1e-6}, nil
}

// wildcardPrefix finds col LIKE 'prefix%' among preds, with a prefix that has no wildcard or
// escape of its own, and returns the prefix. The LIKE stays in the residual filter.
func wildcardPrefix(preds []folded, col int) (string, bool) {
	for _, p := range preds {
		if p.col != col || p.op != "like" || len(p.vals) != 1 {
			continue
		}
		pat, ok := p.vals[0].(string)
		if !ok || len(pat) < 2 || !strings.HasSuffix(pat, "%") {
			continue
		}
		prefix := pat[:len(pat)-1]
		if strings.ContainsAny(prefix, "%_\\*") {
			continue
		}
		return prefix, true
	}
	return "", false
}

// isRequired reports whether column is one of the list's required filters.
func isRequired(ls *catalog.ListSpec, column string) bool {
	for _, r := range ls.Required {
		if r == column {
			return true
		}
	}
	return false
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// searchTerm renders one predicate as a Stripe Search clause, with its selectivity.
func searchTerm(t *catalog.Table, c expr.Expr, env *expr.Env) (string, float64, bool) {
	op, ok := c.(*expr.OpExpr)
	if !ok || len(op.Args) != 2 || !expr.IsConstant(op.Args[1]) {
		return "", 0, false
	}
	v, err := expr.Fold(op.Args[1], env)
	if err != nil || v == nil || v == "" {
		// An empty string is not a search value Stripe compares with (field:"" is not
		// "equals the empty string"), so it stays with the engine's filter.
		return "", 0, false
	}
	// metadata->>'k' = 'v' and json sub-paths such as payment_method_details->'card'->>'last4'.
	if col, path, ok := jsonPath(op.Args[0], env); ok {
		for _, f := range t.Search.Fields {
			if f.Column != t.Columns[col].Name {
				continue
			}
			s, isStr := v.(string)
			if f.Kind == catalog.SearchMetadata && len(path) == 1 && op.Op == "=" && isStr {
				return fmt.Sprintf("metadata[%s]:%s", quoteSearch(path[0], '\''), quoteSearch(s, '\'')), selEq, true
			}
			if strings.Join(f.Path, ".") == strings.Join(path, ".") && len(path) > 0 && op.Op == "=" && isStr {
				return fmt.Sprintf("%s:%s", f.Field, quoteSearch(s, '"')), selEq, true
			}
		}
		return "", 0, false
	}
	cr, ok := op.Args[0].(*expr.ColumnRef)
	if !ok {
		return "", 0, false
	}
	name := t.Columns[cr.Index].Name
	for _, f := range t.Search.Fields {
		if f.Column != name || len(f.Path) > 0 {
			continue
		}
		switch f.Kind {
		case catalog.SearchString:
			s, isStr := v.(string)
			if !isStr {
				return "", 0, false
			}
			switch op.Op {
			case "=":
				return fmt.Sprintf("%s:%s", f.Field, quoteSearch(s, '"')), selEq, true
			case "LIKE", "ILIKE", "~~", "~~*":
				if !f.Substring {
					return "", 0, false
				}
				inner, ok := likeSubstring(s)
				if !ok {
					return "", 0, false
				}
				return fmt.Sprintf("%s~%s", f.Field, quoteSearch(inner, '"')), selSubstring, true
			}
		case catalog.SearchNumber, catalog.SearchDate:
			n, ok := rangeValue(v)
			if !ok {
				return "", 0, false
			}
			switch op.Op {
			case "=":
				return fmt.Sprintf("%s:%d", f.Field, n), selEq, true
			case "<", "<=", ">", ">=":
				return fmt.Sprintf("%s%s%d", f.Field, op.Op, n), selRange, true
			}
		case catalog.SearchBool:
			b, isBool := v.(bool)
			if isBool && op.Op == "=" {
				return fmt.Sprintf("%s:%t", f.Field, b), 0.5, true
			}
		}
	}
	return "", 0, false
}

// jsonPath recognises col->'a'->>'b' (and col->>'a'), returning the column and the keys.
func jsonPath(e expr.Expr, env *expr.Env) (int, []string, bool) {
	op, ok := e.(*expr.OpExpr)
	if !ok || len(op.Args) != 2 || (op.Op != "->>" && op.Op != "->") {
		return 0, nil, false
	}
	k, err := expr.Fold(op.Args[1], env)
	key, isStr := k.(string)
	if err != nil || !isStr || !expr.IsConstant(op.Args[1]) {
		return 0, nil, false
	}
	if cr, ok := op.Args[0].(*expr.ColumnRef); ok {
		return cr.Index, []string{key}, true
	}
	col, path, ok := jsonPath(op.Args[0], env)
	if !ok {
		return 0, nil, false
	}
	return col, append(path, key), true
}

// likeSubstring reads '%abc%' (at least 3 characters, no other wildcards) as the substring abc.
func likeSubstring(p string) (string, bool) {
	if len(p) < 2 || p[0] != '%' || p[len(p)-1] != '%' {
		return "", false
	}
	inner := p[1 : len(p)-1]
	if strings.ContainsAny(inner, "%_\\") || utf8.RuneCountInString(inner) < 3 {
		return "", false
	}
	return inner, true
}

// quoteSearch quotes a Search query value so that no input can change the query: the quote
// character and backslashes are escaped with a backslash.
func quoteSearch(s string, q byte) string {
	var sb strings.Builder
	sb.WriteByte(q)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == q || c == '\\' {
			sb.WriteByte('\\')
		}
		sb.WriteByte(c)
	}
	sb.WriteByte(q)
	return sb.String()
}

// searchCandidates offers Stripe Search for the AND of the searchable conjuncts, and for each OR
// conjunct whose every branch is searchable. The whole WHERE clause stays as the residual filter:
// search is inexact for case and substrings, and eventually consistent.
func (pl *planCtx) searchCandidates(t *catalog.Table, conj []expr.Expr, size float64) []candidate {
	if pl.sess.RecentlyWritten(t.Name) {
		return nil // search is eventually consistent; after a write read the store (write.go)
	}
	env := pl.env()
	var out []candidate
	mk := func(terms []string, join string, sel float64) candidate {
		q := strings.Join(terms, " "+join+" ")
		rows := math.Max(1, size*sel)
		req := math.Max(1, math.Ceil(rows/searchPage))
		s := &Scan{Table: t, Access: AccessSearch, PageSize: searchPage,
			Calls:    []Call{{Method: "search", Path: t.Search.Path, Params: url.Values{"query": {q}}}},
			Pushed:   []string{"query = " + q},
			Estimate: Estimate{Requests: req, Rows: rows}}
		return candidate{scan: s, removed: map[int]bool{}, cost: req + searchPenalty + rows*1e-6}
	}
	var terms []string
	sel := 1.0
	sides := map[string]bool{} // field + "<" or ">": a range narrows once per side, as in a list
	for _, c := range conj {
		if len(terms) == maxSearchTerm {
			break
		}
		term, s, ok := searchTerm(t, c, env)
		s = pl.searchEqSelectivity(t, c, s, size)
		if !ok {
			continue
		}
		terms = append(terms, term)
		if i := strings.IndexAny(term, "<>"); i > 0 && !strings.ContainsAny(term[:i], ":~") {
			field, side := term[:i], term[i:i+1]
			other := map[string]string{"<": ">", ">": "<"}[side]
			switch {
			case sides[field+side]:
				s = 1
			case sides[field+other]:
				s = selBothRange / selRange
			}
			sides[field+side] = true
		}
		sel *= s
	}
	if len(terms) > 0 {
		out = append(out, mk(terms, "AND", sel))
	}
	for _, c := range conj {
		b, ok := c.(*expr.BoolExpr)
		if !ok || b.Kind != expr.OrKind || len(b.Args) > maxSearchTerm {
			continue
		}
		var ors []string
		sel := 0.0
		for _, a := range b.Args {
			term, s, ok := searchTerm(t, a, env)
			s = pl.searchEqSelectivity(t, a, s, size)
			if !ok {
				ors = nil
				break
			}
			ors = append(ors, term)
			sel += s
		}
		if len(ors) > 0 {
			out = append(out, mk(ors, "OR", math.Min(1, sel)))
		}
	}
	return out
}

// pushLimit lets a scan stop after n rows and, when every row it reads is a result row, shrink its
// page size to n.
func (pl *planCtx) pushLimit(s *Scan, n int64) {
	if s.Access != AccessList && s.Access != AccessSearch && s.Access != AccessRetrieve {
		return
	}
	s.Limit = n
	s.Learn = false
	if n <= 0 {
		if n == 0 {
			s.Requests, s.Rows = 0, 0
			s.Seconds = 0
		}
		return
	}
	if s.Filter != nil {
		// The scan stops once n rows passed the filter: a single call reads the pages that holds.
		if s.Access != AccessRetrieve && len(s.Calls) == 1 {
			s.Requests = math.Min(s.Requests, topPages(n, s.PageSize, residualFactor(s)))
		}
		s.Rows = math.Min(s.Rows, float64(n))
		s.Seconds = s.Requests / pl.sess.Rate()
		return
	}
	if s.Access == AccessRetrieve {
		s.Requests = math.Min(s.Requests, float64(n))
		s.Rows = math.Min(s.Rows, float64(n))
		s.Seconds = s.Requests / pl.sess.Rate()
		return
	}
	if int64(s.PageSize) > n {
		s.PageSize = int(n)
	}
	rows := math.Min(s.Rows, float64(n))
	calls := float64(len(s.Calls))
	req := math.Max(1, math.Ceil(rows/float64(s.PageSize)))
	if calls > 1 {
		req = math.Min(s.Requests, req+calls-1)
	}
	s.Requests = math.Min(s.Requests, req)
	s.Rows = rows
	s.Seconds = s.Requests / pl.sess.Rate()
}

// checkBudget refuses a plan whose estimate is over stripesql.max_requests. It counts what the
// plan is sure to send (planCharge: drained scans of known size in full, the first page of the
// rest), so a refusal here costs no request and is never made on a guess; the executor holds
// streaming scans and scans of unknown size to the budget as they run.
func checkBudget(sess *Session, p *Planned) error {
	root := budgetRoot(p) // budgetRoot: with init plans (subquery.go)
	markDrained(root, p.Kind != "SELECT")
	max := sess.MaxRequests()
	var total float64
	var parts []BudgetPart
	var perRow []string // LATERAL subqueries: their scans run once per row, so count the join's estimate
	Walk(root, func(n Node) {
		switch x := n.(type) {
		case *Scan:
			c := planCharge(x)
			total += c
			parts = append(parts, BudgetPart{Scan: x, Requests: c})
		case *LateralJoin:
			// The subquery runs once per left row: its cost is only known when the left's size
			// is; otherwise the executor measures the left first and holds the rest to the budget.
			if hasUnknownScan(x.Left) {
				break
			}
			sub := math.Max(0, x.Requests-x.Left.Est().Requests)
			total += sub
			perRow = append(perRow, fmt.Sprintf("lateral subquery per row: %s", requestsText(sub)))
		}
	})
	if total <= float64(max) {
		return nil
	}
	return BudgetError(sess, total, parts, perRow...)
}

// hasUnknownScan reports whether a scan of unknown table size is under n.
func hasUnknownScan(n Node) bool {
	found := false
	Walk(n, func(m Node) {
		if s, ok := m.(*Scan); ok && s.Source == SourceUnknown {
			found = true
		}
	})
	return found
}

// requestsText renders a request count: "1 request", "2,500 requests".
func requestsText(r float64) string {
	n := int64(math.Ceil(r))
	if n == 1 {
		return "1 request"
	}
	return groupDigits(n) + " requests"
}

// BudgetPart is one scan's share of a statement's estimated requests, for BudgetError.
type BudgetPart struct {
	Scan     *Scan
	Requests float64
	// Rows is the scan's estimated table rows; zero means the scan's own estimate.
	Rows float64
	// Note says where the figure comes from; empty means the scan's SizeNote.
	Note string
}

// BudgetError is the 54000 a statement gets when its estimate of total requests passes
// stripesql.max_requests, before it runs (checkBudget) or as soon as its first pages have
// measured a table (package exec): the estimate and the time it would take at the node's rate,
// each scan's part with where its figure comes from in DETAIL, and a HINT naming the filters
// Stripe applies to the dearest table and the budget that would allow the statement.
func BudgetError(sess *Session, total float64, parts []BudgetPart, extra ...string) error {
	max := sess.MaxRequests()
	req := int64(math.Ceil(total))
	e := sqlstate.New(sqlstate.ProgramLimitExceeded, "query would send an estimated %d stripe requests, over the budget of %d", req, max)
	var details []string
	var dear *BudgetPart
	for i := range parts {
		pt := &parts[i]
		s := pt.Scan
		rows := pt.Rows
		if rows == 0 {
			rows = s.Rows / math.Max(1e-9, residualFactor(s))
		}
		note := pt.Note
		if note == "" {
			note = s.SizeNote
		}
		if note == "" {
			note = "estimated"
		}
		details = append(details, fmt.Sprintf("%s of %s: %s for about %s rows (%s)", strings.ToLower(string(s.Access)), s.Table.Name, requestsText(pt.Requests), groupDigits(int64(math.Round(rows))), note))
		if dear == nil || pt.Requests > dear.Requests {
			dear = pt
		}
	}
	details = append(details, extra...)
	e = e.WithDetail("estimated %d requests, about %s at %g requests/s; %s", req, formatSeconds(total/sess.Rate()), sess.Rate(), strings.Join(details, "; "))
	suggest := SuggestBudget(req, int64(max))
	var filters []string
	if dear != nil {
		filters = cheaperFilters(dear.Scan.Table)
	}
	if len(filters) > 0 {
		return e.WithHint("add a filter on %s, or SET stripesql.max_requests = %d", joinOr(filters), suggest)
	}
	return e.WithHint("SET stripesql.max_requests = %d", suggest)
}

func residualFactor(s *Scan) float64 {
	if s.Filter == nil {
		return 1
	}
	return math.Pow(selResidual, float64(len(conjuncts(s.Filter))))
}

// SuggestBudget returns the stripesql.max_requests value a 54000 HINT proposes when a statement
// needs need requests and the budget is current: at least need and always above current (a hint
// that repeats the failing budget helps nobody), rounded up to a readable figure — to a multiple
// of 10 above 10, of 100 above 100 and of 1000 above 1000 — so 5 stays 5 and 2,500 becomes 3,000.
func SuggestBudget(need, current int64) int64 {
	n := need
	if n <= current {
		n = current + 1
	}
	if n < 1 {
		n = 1
	}
	step := int64(1)
	switch {
	case n > 1000:
		step = 1000
	case n > 100:
		step = 100
	case n > 10:
		step = 10
	}
	return (n + step - 1) / step * step
}

func joinOr(items []string) string {
	switch len(items) {
	case 1:
		return items[0]
	case 2:
		return items[0] + " or " + items[1]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// cheaperFilters names the columns whose constraint Stripe applies: created first, then equality
// filters, then searchable fields.
func cheaperFilters(t *catalog.Table) []string {
	var out []string
	seen := map[string]bool{}
	add := func(c string) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	if t.List != nil {
		for _, k := range t.List.Keys {
			if k.Column == "created" {
				add(k.Column)
			}
		}
		var eq []string
		for _, k := range t.List.Keys {
			if k.Column != "created" && hasOp(k, catalog.OpEq) && !t.Columns[colIndex(t, k.Column)].FilterOnly {
				eq = append(eq, k.Column)
			}
		}
		sort.Strings(eq)
		for _, c := range eq {
			add(c)
		}
	}
	if t.Retrieve != nil {
		add("id")
	}
	if len(out) > 4 {
		out = out[:4]
	}
	return out
}

func colIndex(t *catalog.Table, name string) int {
	_, i, ok := t.Column(name)
	if !ok {
		return 0
	}
	return i
}

func formatSeconds(s float64) string {
	switch {
	case s < 60:
		return fmt.Sprintf("%.1f s", s)
	case s < 3600:
		return fmt.Sprintf("%.1f min", s/60)
	}
	return fmt.Sprintf("%.1f h", s/3600)
}

// article is the indefinite article for a column name in a message: "an invoice", "a customer".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}
