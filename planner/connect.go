package planner

import (
	"fmt"
	"math"
	"strings"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
)

// Connect: every Stripe table ends with stripe_account (catalog.AccountColumn), the account a row
// was read from. A scan's accounts come from the = and IN constraints on that column (constants,
// or an uncorrelated IN (SELECT id FROM accounts …) once its init plan ran), else the session's
// account (stripesql.account). Each call of the scan carries its account (Call.Account), which the
// executor sends as the Stripe-Account header; a scan over several accounts is the access path of
// each account planned on its own (its own learned size, pushdown and LIMIT), one after the other
// (accountFanOut). Routing by account is what the query means, not an optimisation, so it applies with
// stripesql.pushdown off too.

// SettingAccount is the session's Stripe account (acct_…): the account a query reads and writes
// when it names none. RESET returns to the connection's default (serve --account, the DSN's or
// startup options' stripesql.account, the user's default in the users file).
const SettingAccount = "stripesql.account"

// LookupAccount is Join.LookupParam of a lookup join that reads its right table once per distinct
// account (… JOIN charges c ON c.stripe_account = a.id): the executor sends the right table's calls
// as each key's account instead of setting a list parameter.
const LookupAccount = "Stripe-Account"

// errAccountJoin marks a join on stripe_account, which only a lookup per account answers.
var errAccountJoin = sqlstate.New(sqlstate.FeatureNotSupported, "a join on stripe_account reads the right table per account")

// maxExplainAccounts is how many accounts EXPLAIN names before it counts the rest.
const maxExplainAccounts = 5

// accountIndex is the index of t's stripe_account column, or -1 for a table without one.
func accountIndex(t *catalog.Table) int {
	if _, i, ok := t.Column(catalog.AccountColumn); ok && t.Columns[i].Account {
		return i
	}
	return -1
}

// plausibleAccount reports whether v can be a Stripe account id: acct_ followed by letters and
// digits. Other values name no account, so a row can never have them.
func plausibleAccount(v string) bool {
	rest, ok := strings.CutPrefix(v, "acct_")
	if !ok || rest == "" || len(rest) > 64 {
		return false
	}
	for _, r := range rest {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func checkAccount(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v != "" && !plausibleAccount(v) {
		return "", sqlstate.New(sqlstate.InvalidParameterValue, "%q is not a stripe account id", v).
			WithHint("a connected account's id starts with acct_; an empty value reads the API key's own account")
	}
	return v, nil
}

// acctSource says where a scan's accounts come from.
type acctSource struct {
	// listed: every constraint on stripe_account is the accounts listing (an init plan over
	// accounts, substituted), so an account Stripe refuses may be skipped (Scan.Listed).
	listed bool
	// pending: an IN (SELECT id FROM accounts …) not run yet; the scan is planned as the
	// session's account until Replan, its estimate scaled by the connected accounts known.
	pending bool
}

// scanAccounts returns the accounts a scan of t reads given its folded predicates, in the order the
// query names them, and the conjuncts on stripe_account those accounts satisfy exactly (left out
// of the residual filter). No constraint gives the session's account; constraints no account
// satisfies give none. Every account is checked against the session's allowed accounts here, so a
// refused account costs no request.
func (pl *planCtx) scanAccounts(t *catalog.Table, preds []folded) ([]string, map[int]bool, acctSource, error) {
	var src acctSource
	idx := accountIndex(t)
	if idx < 0 {
		return []string{pl.sess.Account()}, nil, src, nil
	}
	var accts []string
	constrained := false
	listed := true
	used := map[int]bool{}
	for _, p := range preds {
		if p.col != idx || (p.op != "=" && p.op != "in") {
			continue
		}
		var vs []string
		deferred := false
		for _, v := range p.vals {
			s, ok := v.(string)
			switch {
			case !ok:
			case s == deferredValue:
				deferred = true
			case s == lookupPlaceholder || plausibleAccount(s):
				vs = append(vs, s)
				listed = listed && pl.sub != nil && pl.sub.listed[s]
			}
		}
		if deferred {
			src.pending = src.pending || listsAccounts(p.args)
			continue // known once the subquery ran (Replan); planned as the session's account until then
		}
		if p.conj >= 0 {
			used[p.conj] = true
		}
		if !constrained {
			accts, constrained = vs, true
			continue
		}
		accts = intersect(accts, vs)
	}
	if !constrained {
		accts = []string{pl.sess.Account()}
	}
	src.listed = constrained && listed
	for _, a := range accts {
		if a == lookupPlaceholder {
			continue
		}
		if err := pl.sess.CheckAccount(a); err != nil {
			return nil, nil, src, err
		}
	}
	return accts, used, src, nil
}

// listsAccounts reports whether a deferred predicate's argument is a subquery over accounts.
func listsAccounts(args []expr.Expr) bool {
	for _, a := range args {
		if s, ok := a.(*Subquery); ok && readsAccounts(s.Plan) {
			return true
		}
	}
	return false
}

// readsAccounts reports whether p reads the accounts table: its rows are connected accounts as
// Stripe listed them.
func readsAccounts(p *Planned) bool {
	return p != nil && ListsAccounts(p.Root)
}

// ListsAccounts reports whether plan n reads the accounts table, so the account ids it yields
// are the accounts listing's: a lookup join per account whose left side does skips an account
// Stripe refuses (with a NOTICE) instead of failing, as a Listed scan does.
func ListsAccounts(n Node) bool {
	found := false
	Walk(n, func(n Node) {
		if s, ok := n.(*Scan); ok && s.Table != nil && s.Table.Name == "accounts" {
			found = true
		}
	})
	return found
}

// noteListed remembers the values an init plan over accounts gave, so the scans they route are
// marked Listed.
func (st *subState) noteListed(rows [][]any) {
	if st.listed == nil {
		st.listed = map[string]bool{}
	}
	for _, r := range rows {
		if len(r) > 0 {
			if s, ok := r[0].(string); ok {
				st.listed[s] = true
			}
		}
	}
}

// knownAccounts is how many connected accounts the node has seen listed (the learned size of
// accounts, as the platform lists them), or 0 when it never listed them.
func (pl *planCtx) knownAccounts() int64 {
	for _, a := range []string{pl.sess.Account(), ""} {
		if st, ok := pl.sess.Stats().Table(a, "accounts"); ok {
			return int64(math.Round(st.RowsAt(pl.now)))
		}
	}
	return 0
}

// pendingFanOut scales the estimate of s, planned as one account while an IN (SELECT id FROM
// accounts …) has not run yet, to the n connected accounts the node knows. Each account costs
// the mean of the accounts whose size the node has learned (each planned with its own size, as
// it will be once the listing has run), or, when it has learned none, what the session's account
// is estimated to; and at least its first request (Scan.PendingAccounts), so a fan-out too large
// for the budget is refused before the listing is even read.
func (pl *planCtx) pendingFanOut(s *Scan, plan func(acct string) (*Scan, error)) {
	n := pl.knownAccounts()
	if n <= 1 || s.Access != AccessList && s.Access != AccessSearch {
		return
	}
	sampled := false
	reqs, rows, what := s.Requests, s.Rows, "one account's estimate; one account: "+nonEmpty(s.SizeNote, "estimated")
	if learned := pl.sess.Stats().ConnectedAccounts(s.Table.Name); len(learned) > 0 {
		// Enough measured accounts (all, or a sample as large as the executor's re-estimate
		// waits for) are charged like a measured table; fewer only inform the estimate.
		sampled = int64(len(learned)) >= min(n, int64(maxSampledAccounts))
		learned = learned[:min(len(learned), maxSampledAccounts)]
		var sumReqs, sumRows float64
		for _, a := range learned {
			one, err := plan(a)
			if err != nil || one == nil {
				return // the fan-out's own planning reports it
			}
			sumReqs += one.Requests
			sumRows += one.Rows
		}
		k := float64(len(learned))
		reqs, rows = sumReqs/k, sumRows/k
		what = fmt.Sprintf("the mean of %s accounts measured before, %.1f requests each", groupDigits(int64(len(learned))), reqs)
	}
	s.Requests = max(reqs, 1) * float64(n)
	s.Rows = rows * float64(n)
	s.PendingAccounts = n
	if sampled {
		s.MeasuredCharge = s.Requests // measured accounts stand for the rest: charged, not a guess
	}
	s.SizeNote = fmt.Sprintf("%s accounts listed before × %s, at least 1 page each", groupDigits(n), what)
	s.Seconds = s.Requests / pl.sess.Rate()
}

// maxSampledAccounts bounds how many accounts of known size a pending fan-out's estimate plans
// one by one: their mean stands for the rest, and is charged by the budget once the node has
// measured at least as many (or every account listed).
const maxSampledAccounts = 50

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func intersect(a, b []string) []string {
	in := map[string]bool{}
	for _, v := range b {
		in[v] = true
	}
	var out []string
	for _, v := range a {
		if in[v] {
			out = append(out, v)
		}
	}
	return out
}

// setAccount makes every call of s act as acct and fill stripe_account with it (the executor fills
// the API key's own account id when acct is empty).
func setAccount(t *catalog.Table, s *Scan, acct string) {
	idx := accountIndex(t)
	if idx < 0 {
		return
	}
	s.Accounts = []string{acct}
	for i := range s.Calls {
		c := &s.Calls[i]
		c.Account = acct
		if acct == "" {
			continue
		}
		fill := make(map[int]any, len(c.Fill)+1)
		for k, v := range c.Fill {
			fill[k] = v
		}
		fill[idx] = acct
		c.Fill = fill
	}
}

// accountFanOut plans a scan of t over several accounts: each account's access path is chosen on its own,
// with that account's learned size, and the scan sends their calls one account after the other.
// The estimate is the sum over the accounts; an account of unknown size is charged the default
// size, as an unknown table is.
func (pl *planCtx) accountFanOut(t *catalog.Table, where expr.Expr, conj []expr.Expr, preds []folded, top int64, accts []string, acctConj map[int]bool) (*Scan, error) {
	var out *Scan
	sameFilter := true
	unknown := 0
	// known is the requests of the accounts of known size, firstPages a first page per call of
	// the others: together, what the budget charges a fan-out with unknown accounts
	// (Scan.MeasuredCharge).
	var known, firstPages float64
	for _, a := range accts {
		s, err := pl.accessFor(t, where, conj, preds, top, a, acctConj)
		if err != nil {
			return nil, err
		}
		if s.Source == SourceUnknown {
			unknown++
			firstPages += float64(max(len(s.Calls), 1))
		} else {
			known += s.Requests
		}
		if out == nil {
			out = s
			continue
		}
		out.Calls = append(out.Calls, s.Calls...)
		out.Requests += s.Requests
		out.Rows += s.Rows
		if s.Source == SourceUnknown {
			out.Source, out.SizeNote = s.Source, s.SizeNote
		}
		if filterText(s.Filter) != filterText(out.Filter) || s.Access != out.Access {
			sameFilter = false
		}
		out.Learn = out.Learn && s.Learn
	}
	if !sameFilter {
		// The accounts' paths differ in what Stripe applies: re-check everything but the account.
		var residual []expr.Expr
		for i, c := range conj {
			if !acctConj[i] {
				residual = append(residual, c)
			}
		}
		out.Filter = nil
		if len(residual) > 0 {
			out.Filter = expr.And(residual...)
		}
	}
	out.Accounts = accts
	if unknown > 0 && unknown < len(accts) {
		out.MeasuredCharge = known + firstPages
	}
	out.SizeNote = fanOutNote(len(accts), unknown, known/float64(max(len(accts)-unknown, 1)))
	out.Seconds = out.Requests / pl.sess.Rate()
	out.Ordered = false
	return out, nil
}

// fanOutNote says how a fan-out's estimate is made, for EXPLAIN and 54000 details: accounts ×
// pages (perMeasured, the mean of the accounts of known size), and how many accounts were never
// measured (each charged at least its first request).
func fanOutNote(accounts, unknown int, perMeasured float64) string {
	n := groupDigits(int64(accounts))
	switch {
	case unknown == accounts:
		return n + " accounts × at least 1 page each (none measured yet)"
	case unknown > 0:
		return fmt.Sprintf("%s accounts: %s measured, about %.1f pages each, and %s never measured, at least 1 page each", n,
			groupDigits(int64(accounts-unknown)), perMeasured, groupDigits(int64(unknown)))
	}
	return fmt.Sprintf("%s accounts × about %.1f pages each", n, perMeasured)
}

func filterText(e expr.Expr) string {
	if e == nil {
		return ""
	}
	return e.String()
}

// accountsText renders a scan's accounts for EXPLAIN: the first few by id, then a count.
func accountsText(accts []string) string {
	names := make([]string, 0, min(len(accts), maxExplainAccounts))
	for i, a := range accts {
		if i == maxExplainAccounts {
			break
		}
		if a == "" {
			a = "own"
		}
		names = append(names, a)
	}
	out := strings.Join(names, ", ")
	if n := len(accts) - len(names); n > 0 {
		out += fmt.Sprintf(" and %d more", n)
	}
	if len(accts) > 1 {
		out = fmt.Sprintf("%s (fan-out over %d accounts)", out, len(accts))
	}
	return out
}

// accountLookup returns a template scan that reads t once per distinct left key as the account
// the key names (… JOIN charges c ON c.stripe_account = a.id), with t's other conditions pushed
// as for one account; nil when t cannot be planned so. Its estimate is one account's times the
// distinct keys.
func (pl *planCtx) accountLookup(t *catalog.Table, listed *Scan, localWhere expr.Expr, j *Join, col, key int) *Scan {
	extra := []folded{{pred: pred{col: col, op: "=", conj: -1}, vals: []any{lookupPlaceholder}}}
	s, err := pl.chooseAccessWith(t, localWhere, extra)
	if err != nil || len(s.Calls) == 0 || len(s.Accounts) != 1 || s.Accounts[0] != lookupPlaceholder {
		return nil
	}
	keys := lookupKeys(j)
	s.Pushed = append(s.Pushed, "stripe_account = each distinct join key ("+j.LeftKeys[key].String()+")")
	if listed.Needed != nil {
		s.Needed = append([]bool(nil), listed.Needed...)
		s.Needed[col] = true
	}
	s.Estimate = Estimate{Requests: keys * s.Requests, Rows: keys * s.Rows, Source: s.Source}
	if s.Source == SourceUnknown || hasUnknownScan(j.Left) {
		// Sizes never measured are charged as an unknown table is, by what is sure to be sent:
		// the first page of each account of the left side's first page. The executor holds the
		// rest to the budget as it learns the sizes.
		s.Requests = min(keys, DefaultPageSize) * float64(max(len(s.Calls), 1))
	}
	s.Seconds = s.Requests / pl.sess.Rate()
	s.Ordered, s.Learn, s.PerKey = false, false, true
	return s
}

// RowAccount is the account an INSERT row is created in: its stripe_account value when the
// statement names that column and the row gives one, else w.Account.
func (s *Session) RowAccount(w *WritePlan, vals []any) (string, error) {
	return s.WriteAccount(rowAccountValue(w, vals), w.Account)
}

// rowAccountValue is an INSERT row's stripe_account value, or nil.
func rowAccountValue(w *WritePlan, vals []any) any {
	for i, t := range w.Targets {
		if t.Account && i < len(vals) {
			return vals[i]
		}
	}
	return nil
}

// WriteAccount is the account a write names with value v (a stripe_account column or argument),
// def when v is NULL: an invalid value is 22023, and an account the session may not write is
// 42501, both before any request.
func (s *Session) WriteAccount(v any, def string) (string, error) {
	acct := def
	if v != nil {
		str, ok := v.(string)
		if !ok {
			str = fmt.Sprint(v)
		}
		var err error
		if acct, err = checkAccount(str); err != nil {
			return "", err
		}
	}
	return acct, s.CheckAccount(acct)
}

// singletonScan reads a table that is one object retrieved without an id (account: GET
// /v1/account) with one retrieve per account; ok is false for other tables.
func (pl *planCtx) singletonScan(t *catalog.Table, conj []expr.Expr, acct string, acctConj map[int]bool) (*Scan, bool) {
	if t.Retrieve == nil || t.List != nil || strings.Contains(t.Retrieve.Path, "%") {
		return nil, false
	}
	s := &Scan{Table: t, Access: AccessRetrieve, Calls: []Call{{Method: "retrieve", Path: t.Retrieve.Path}},
		Estimate: Estimate{Requests: 1, Rows: 1, Source: SourceLearned}}
	var residual []expr.Expr
	for i, c := range conj {
		if !acctConj[i] {
			residual = append(residual, c)
		}
	}
	if len(residual) > 0 {
		s.Filter = expr.And(residual...)
	}
	setAccount(t, s, acct)
	s.Seconds = s.Requests / pl.sess.Rate()
	s.Ordered = true
	return s, true
}

// accountsOnRight plans `t JOIN accounts a ON t.stripe_account = a.id` (accounts second) as the
// accounts-first form: accounts listed, t read per distinct account by a lookup join, and the
// columns put back in the query's order by a projection — otherwise t would be read in the
// session's account only. It applies to an inner join of a first table read in the session's
// account with accounts, joined only on that equality (left holds the first table's own
// conditions); nil leaves j as planned.
func (pl *planCtx) accountsOnRight(left Node, right *Scan, j *Join, leftWhere expr.Expr) Node {
	first, ok := left.(*Scan)
	if !ok || right == nil || right.Table.Name != "accounts" || j.LeftJoin || j.RightJoin || j.Cond != nil || len(j.LeftKeys) != 1 {
		return nil
	}
	acct := accountIndex(first.Table)
	lk, lok := j.LeftKeys[0].(*expr.ColumnRef)
	rk, rok := j.RightKeys[0].(*expr.ColumnRef)
	if acct < 0 || !lok || !rok || lk.Index != acct || len(first.Accounts) != 1 || first.Accounts[0] != pl.sess.Account() {
		return nil
	}
	if _, id, ok := right.Table.Column("id"); !ok || rk.Index-j.RightOffset != id {
		return nil
	}
	nl, na := j.RightOffset, j.Width-j.RightOffset
	key := *rk
	key.Index = rk.Index - nl
	rkey := *lk
	rkey.Index = na + lk.Index
	sw := &Join{Left: right, Right: first, RightOffset: na, Width: j.Width, LeftKeys: []expr.Expr{&key}, RightKeys: []expr.Expr{&rkey}}
	if err := pl.chooseLookup(first.Table, first, leftWhere, sw, nil); err != nil || !sw.Lookup || sw.LookupParam != LookupAccount {
		return nil
	}
	re := sw.Right.Est()
	sw.Estimate = Estimate{Requests: right.Requests + re.Requests, Seconds: right.Seconds + re.Seconds, Rows: math.Max(right.Rows, re.Rows)}
	cols := make([]expr.Expr, j.Width)
	for i, c := range first.Table.Columns {
		cols[i] = &expr.ColumnRef{Index: na + i, T: c.Type, Name: c.Name}
	}
	for i, c := range right.Table.Columns {
		cols[nl+i] = &expr.ColumnRef{Index: i, T: c.Type, Name: c.Name}
	}
	return &Project{Input: sw, Exprs: cols, Estimate: sw.Estimate}
}
