package exec

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// maxLookupWorkers caps the requests one lookup join keeps in flight. The node's token bucket
// paces every request whatever the number of goroutines, so workers only hide round trips: at
// ceil(rate) workers a request may take up to a second before the bucket waits on it.
const maxLookupWorkers = 16

// maxLookupBatch is the most left rows a lookup join reads ahead to collect keys. The first batch
// is one key per worker, so a LIMIT above the join wastes at most a worker's worth of requests;
// each later batch doubles, up to this bound on the rows held.
const maxLookupBatch = 256

// lookupWorkersFor returns how many keys a lookup join fetches at once at a node rate of rate
// requests per second; workersOverride, when positive, replaces it (tests measure 1 against n).
func lookupWorkersFor(rate float64) int {
	if n := workersOverride.Load(); n > 0 {
		return int(n)
	}
	n := int(math.Ceil(rate))
	return max(1, min(n, maxLookupWorkers))
}

// workersOverride, when positive, is the worker count tests force.
var workersOverride atomic.Int64

// lookupKey returns the key a left value looks up, and false when it can name no right row (NULL,
// not text, empty, or for a retrieve not a plausible id): such a row sends no request.
func (j *joinIter) lookupKey(v any) (string, bool) {
	id, ok := v.(string)
	if !ok || id == "" {
		return "", false
	}
	if j.n.LookupParam == planner.LookupAccount && !strings.HasPrefix(id, "acct_") {
		return "", false // names no account: no request, and no row has it
	}
	if j.n.LookupParam == "" && !stripeapi.PlausibleID(id) {
		return "", false // a join key like "" or "x/y" names no object: no request
	}
	return id, true
}

// lookupScan returns the right table's scan for a group of keys: one retrieve, one list with the
// join's list filter set to the key, or one list with every key of the group in the array
// parameter (param[0], param[1], …, replacing the template's placeholder).
func (j *joinIter) lookupScan(keys []string) *planner.Scan {
	tmpl := j.n.Right.(*planner.Scan)
	s := *tmpl
	if j.n.LookupParam == "" {
		id := keys[0]
		s.Calls = nil
		for _, a := range accountsOr(tmpl.Accounts) {
			c := planner.Call{Method: "retrieve", Path: fmt.Sprintf(tmpl.Table.Retrieve.Path, url.PathEscape(id)), ID: id, Account: a}
			if i := accountColumn(tmpl.Table); i >= 0 && a != "" {
				c.Fill = map[int]any{i: a}
			}
			s.Calls = append(s.Calls, c)
		}
		return &s
	}
	if j.n.LookupParam == planner.LookupAccount {
		return accountLookupScan(tmpl, j.n.LookupColumn, keys[0])
	}
	array := j.n.LookupBatch() > 1
	s.Calls = make([]planner.Call, len(tmpl.Calls))
	for i, c := range tmpl.Calls {
		params := cloneParams(c.Params)
		fill := map[int]any{}
		for k, x := range c.Fill {
			if k != j.n.LookupColumn {
				fill[k] = x
			}
		}
		if array {
			for n, k := range keys {
				params.Set(fmt.Sprintf("%s[%d]", j.n.LookupParam, n), k)
			}
		} else {
			params.Set(j.n.LookupParam, keys[0])
			fill[j.n.LookupColumn] = keys[0]
		}
		s.Calls[i] = planner.Call{Method: c.Method, Path: c.Path, Params: params, Fill: fill, Account: c.Account}
	}
	return &s
}

// fetchGroup reads the right rows of a group of keys, by key. It only reads the plan and counts
// requests through the runner (under its lock), so several run at once.
func (j *joinIter) fetchGroup(ctx context.Context, keys []string) (map[string][][]any, error) {
	if j.n.LookupParam == planner.LookupAccount {
		if err := j.r.sess.CheckAccount(keys[0]); err != nil {
			return nil, err // a user limited to some accounts: refused before the request
		}
	}
	it := newScan(j.r, j.lookupScan(keys), j.st)
	defer it.close()
	if j.n.LookupParam == planner.LookupAccount {
		j.r.addAccounts(j.st, 1)
		defer j.r.accountDone(j.st)
	}
	out := make(map[string][][]any, len(keys))
	for _, k := range keys {
		out[k] = nil // fetched, even when no row matches
	}
	for {
		row, err := it.next(ctx)
		if err == io.EOF {
			return out, nil
		}
		if err != nil && j.n.LookupParam == planner.LookupAccount {
			// An account of the accounts listing that Stripe refuses is skipped (connect.go).
			if err = j.r.skipAccount(j.st, planner.ListsAccounts(j.n.Left), keys[0], accountErr(err, keys[0])); err == nil {
				return out, nil
			}
		}
		if err != nil {
			return nil, err
		}
		k := keys[0]
		if len(keys) > 1 {
			// One list for many keys: each row belongs to the key its column holds.
			s, ok := row[j.n.LookupColumn].(string)
			if _, asked := out[s]; !ok || !asked {
				continue
			}
			k = s
		}
		out[k] = append(out[k], row)
	}
}

// fetchKeys fetches the rows of keys (distinct, not cached) into the cache, at most
// lookupWorkersFor(rate) groups at once. Each key is fetched once; the first error cancels the
// requests in flight and is the one returned; a cancelled ctx stops the workers promptly.
func (j *joinIter) fetchKeys(ctx context.Context, keys []string) error {
	size := j.n.LookupBatch()
	var groups [][]string
	for lo := 0; lo < len(keys); lo += size {
		groups = append(groups, keys[lo:min(lo+size, len(keys))])
	}
	workers := min(lookupWorkersFor(j.r.sess.Rate()), len(groups))
	if !concurrentSafe(j.n.Right.(*planner.Scan).Filter) {
		workers = 1
	}
	results := make([]map[string][][]any, len(groups))
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		nextGroup atomic.Int64
		wg        sync.WaitGroup
		once      sync.Once
		firstErr  error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for wctx.Err() == nil {
				g := int(nextGroup.Add(1) - 1)
				if g >= len(groups) {
					return
				}
				rows, err := j.fetchGroup(wctx, groups[g])
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
				results[g] = rows
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return canceled(ctx.Err())
	}
	if firstErr != nil {
		return firstErr
	}
	var rows int64
	for _, res := range results {
		for k, rs := range res {
			j.cache[k] = rs
			rows += int64(len(rs))
		}
	}
	j.r.mu.Lock()
	j.st.rows += rows
	j.st.loops += int64(len(keys))
	j.r.mu.Unlock()
	return nil
}

// concurrentSafe reports whether a lookup's filter may be evaluated on several goroutines: a
// subquery runs through the statement's runner, which is not, so its lookups go one at a time.
func concurrentSafe(filter expr.Expr) bool {
	safe := true
	expr.Walk(filter, func(x expr.Expr) bool {
		if _, ok := x.(*planner.Subquery); ok {
			safe = false
		}
		return safe
	})
	return safe
}

// lookupAhead is the left input of a lookup join, read ahead a batch at a time: before it hands
// out a batch's rows it fetches the right rows of the batch's new keys, concurrently, into the
// join's cache. Rows leave in the order they arrived, so the join's output order is that of a
// join fetching one key per left row.
type lookupAhead struct {
	j     *joinIter
	in    iterator
	buf   [][]any
	pos   int
	batch int
	eof   bool
	err   error // the left input's error, returned once the rows read before it are out
}

func (a *lookupAhead) next(ctx context.Context) ([]any, error) {
	if a.pos == len(a.buf) {
		if a.err != nil {
			return nil, a.err
		}
		if a.eof {
			return nil, io.EOF
		}
		if err := a.fill(ctx); err != nil {
			return nil, err
		}
		if len(a.buf) == 0 {
			return a.next(ctx)
		}
	}
	row := a.buf[a.pos]
	a.pos++
	return row, nil
}

// fill reads the next batch of left rows and fetches the right rows of its keys not yet cached.
func (a *lookupAhead) fill(ctx context.Context) error {
	a.buf, a.pos = a.buf[:0], 0
	for len(a.buf) < a.batch {
		row, err := a.in.next(ctx)
		if err == io.EOF {
			a.eof = true
			break
		}
		if err != nil {
			a.err = err
			break
		}
		a.buf = append(a.buf, row)
	}
	a.batch = min(2*a.batch, maxLookupBatch)
	env := a.j.env
	seen := map[string]bool{}
	var keys []string
	for _, row := range a.buf {
		env.Row = row
		v, err := a.j.n.LeftKeys[0].Eval(&env)
		if err != nil {
			continue // the join reports it at this row, in order
		}
		k, ok := a.j.lookupKey(v)
		if _, cached := a.j.cache[k]; !ok || cached || seen[k] {
			continue
		}
		seen[k] = true
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil
	}
	return a.j.fetchKeys(ctx, keys)
}

func (a *lookupAhead) close() { a.in.close() }

// lookupRows returns the right rows of one left key value: from the cache, which lookupAhead has
// filled for the current batch, or fetched now.
func (j *joinIter) lookupRows(ctx context.Context, v any) ([][]any, error) {
	id, ok := j.lookupKey(v)
	if !ok {
		return nil, nil
	}
	if rows, ok := j.cache[id]; ok {
		return rows, nil
	}
	if err := j.fetchKeys(ctx, []string{id}); err != nil {
		return nil, err
	}
	return j.cache[id], nil
}

// nextLookup is next for a lookup join.
func (j *joinIter) nextLookup(ctx context.Context) ([]any, error) {
	if _, ok := j.left.(*lookupAhead); !ok {
		j.left = &lookupAhead{j: j, in: j.left, batch: lookupWorkersFor(j.r.sess.Rate())}
		j.r.mu.Lock()
		j.st.loops = 0 // counts the keys fetched, for EXPLAIN ANALYZE
		j.r.mu.Unlock()
	}
	for {
		if j.cur == nil {
			row, err := j.left.next(ctx)
			if err != nil {
				return nil, err
			}
			j.cur, j.pos, j.found, j.looked = row, 0, false, nil
			j.env.Row = row
			v, err := j.n.LeftKeys[0].Eval(&j.env)
			if err != nil {
				return nil, err
			}
			if j.looked, err = j.lookupRows(ctx, v); err != nil {
				return nil, err
			}
		}
		for j.pos < len(j.looked) {
			right := j.looked[j.pos]
			j.pos++
			lk, lok, err := j.key(j.n.LeftKeys, j.cur)
			if err != nil {
				return nil, err
			}
			rk, rok, err := j.key(j.n.RightKeys, j.pad(right))
			if err != nil {
				return nil, err
			}
			if !lok || !rok || lk != rk {
				continue
			}
			out, ok, err := j.joined(right)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			j.found = true
			return out, nil
		}
		if out := j.endLeft(); out != nil {
			return out, nil
		}
	}
}

// lookupActual is EXPLAIN ANALYZE's figures for a lookup join node: its rows and time, and the
// distinct keys its right side fetched with the requests they took. ok is false for other nodes.
func lookupActual(n planner.Node, nodes map[planner.Node]*nodeStats) (string, bool) {
	j, ok := n.(*planner.Join)
	if !ok || !j.Lookup {
		return "", false
	}
	st, rst := nodes[n], nodes[j.Right]
	if st == nil || rst == nil {
		return "", false
	}
	return fmt.Sprintf("(actual rows=%d keys=%d requests=%d%s time=%.3f ms)", st.rows, rst.loops, rst.requests, fanOutActual(rst), float64(st.dur.Microseconds())/1000), true
}
