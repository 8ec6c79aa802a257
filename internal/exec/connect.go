package exec

import (
	"context"
	"io"
	"strings"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// fillAccount sets a row's stripe_account, when the scan reads it and the call did not name an
// account (its Fill has the account otherwise), to the API key's own account id: the object's
// own id when the call read the account itself (GET /v1/account).
func (it *scanIter) fillAccount(ctx context.Context, row []any, obj stripeapi.Object) {
	i := accountColumn(it.s.Table)
	if i < 0 || row[i] != nil || it.s.Needed != nil && !it.s.Needed[i] {
		return
	}
	if a := it.account(); a != "" {
		row[i] = a
		return
	}
	if it.call < len(it.s.Calls) && it.s.Calls[it.call].Path == "/v1/account" {
		if id, _ := obj["id"].(string); id != "" {
			row[i] = id
			return
		}
	}
	if id := it.r.ownAccountID(ctx); id != "" {
		row[i] = id
	}
}

// accountColumn is the index of t's stripe_account column, or -1.
func accountColumn(t *catalog.Table) int {
	if _, i, ok := t.Column(catalog.AccountColumn); ok && t.Columns[i].Account {
		return i
	}
	return -1
}

// accountScan reads a scan over several Stripe accounts (a Connect fan-out) one account after the
// other: each account's calls run as a scan of their own, so partitioned reads, learned sizes and
// the pushed LIMIT (what is left of it) apply per account, while requests and pages count for
// the plan's node.
type accountScan struct {
	r       *runner
	s       *planner.Scan
	st      *nodeStats
	parts   []planner.Scan
	bases   []int
	i       int
	cur     *scanIter
	emitted int64
	done    bool
}

func newAccountScan(r *runner, s *planner.Scan, st *nodeStats) *accountScan {
	a := &accountScan{r: r, s: s, st: st}
	for i := 0; i < len(s.Calls); {
		j := i + 1
		for j < len(s.Calls) && s.Calls[j].Account == s.Calls[i].Account {
			j++
		}
		part := *s
		part.Calls = s.Calls[i:j]
		part.Accounts = []string{s.Calls[i].Account}
		a.parts = append(a.parts, part)
		a.bases = append(a.bases, i)
		i = j
	}
	return a
}

func (a *accountScan) next(ctx context.Context) ([]any, error) {
	for !a.done {
		if a.cur == nil {
			if a.i >= len(a.parts) {
				break
			}
			part := &a.parts[a.i]
			if a.s.Limit > 0 {
				part.Limit = a.s.Limit - a.emitted
				if part.Limit <= 0 {
					break
				}
			}
			a.cur = newScan(a.r, part, a.st)
			a.cur.callBase = a.bases[a.i]
			a.cur.mayPartition = partitionable(part)
		}
		row, err := a.cur.next(ctx)
		if err == io.EOF {
			a.cur.close()
			a.cur = nil
			a.i++
			continue
		}
		if err != nil {
			return nil, err
		}
		a.emitted++
		return row, nil
	}
	a.done = true
	return nil, io.EOF
}

func (a *accountScan) close() {
	a.done = true
	if a.cur != nil {
		a.cur.close()
		a.cur = nil
	}
}

// accountsOr is a scan's accounts, or the API key's own when the plan names none.
func accountsOr(accts []string) []string {
	if len(accts) == 0 {
		return []string{""}
	}
	return accts
}

// accountLookupScan is the right table's scan of a lookup join by account for one key: the
// template's calls sent as account key, with stripe_account (column col) filled with it.
func accountLookupScan(tmpl *planner.Scan, col int, key string) *planner.Scan {
	s := *tmpl
	s.Accounts = []string{key}
	s.Calls = make([]planner.Call, len(tmpl.Calls))
	for i, c := range tmpl.Calls {
		fill := make(map[int]any, len(c.Fill)+1)
		for k, v := range c.Fill {
			fill[k] = v
		}
		fill[col] = key
		c.Fill, c.Account = fill, key
		s.Calls[i] = c
	}
	return &s
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// rowAccount is the account an UPDATE or DELETE writes a row in: the stripe_account it was read
// with ("" when that is the API key's own account, so the write goes out as the read did).
func (wr *writer) rowAccount(ctx context.Context, row []any) string {
	i := accountColumn(wr.w.Table)
	if i < 0 || i >= len(row) {
		return wr.w.Account
	}
	a, _ := row[i].(string)
	if a == "" || a == wr.r.ownAccountID(ctx) {
		return ""
	}
	return a
}

// callAccount is the account a CALL acts as: its stripe_account => argument when given (checked
// against the session's allowed accounts before the request), else the plan's.
func (wr *writer) callAccount() (string, error) {
	w := wr.w
	if w.AccountArg == nil {
		return w.Account, nil
	}
	v, err := w.AccountArg.Eval(wr.r.env)
	if err != nil {
		return "", err
	}
	return wr.r.sess.WriteAccount(v, w.Account)
}

// accountErr makes sure an error of a call sent as a connected account names the account: one
// that Stripe refuses (403 for an account disconnected or never connected, 404) fails the whole
// statement by its id, never dropping that account's rows silently.
func accountErr(err error, acct string) error {
	e, ok := err.(*sqlstate.Error)
	if !ok || acct == "" || strings.Contains(e.Message+e.Detail, acct) || e.Code == sqlstate.QueryCanceled {
		return err
	}
	c := *e
	note := "stripe account " + acct
	if c.Detail != "" {
		c.Detail = note + ": " + c.Detail
	} else {
		c.Detail = note
	}
	return &c
}
