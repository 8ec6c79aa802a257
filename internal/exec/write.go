package exec

// Running writes: every create, update, delete and action is sent with an idempotency key that
// the client (internal/stripeapi) keeps across its retries, so a 5xx or a dropped connection
// never writes twice. Keys are prefix + "-" + a hash of the statement text, its arguments, the
// operation and the row; the prefix is random per execution unless the session sets
// stripesql.idempotency_key, in which case re-running the same statement is exactly-once too.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
	"github.com/stripesql/stripesql/procedures"
)

// runWrite runs an INSERT, UPDATE, DELETE or CALL. The reads come first (the source query of
// INSERT … SELECT, or the scan that finds the rows to update), then one Stripe request per row,
// each with its own idempotency key; RETURNING rows are computed from Stripe's answers. A failure
// stops the statement and is reported with how many rows were already written, since Stripe has
// no transaction to roll them back.
func (r *runner) runWrite(ctx context.Context, p *planner.Planned) (Rows, error) {
	w := p.Write
	if w.ChangesState() {
		return r.runStateWrite(ctx, p) // state.go
	}
	if (w.Op != planner.OpCall || w.Proc.Mutating) && r.sess.ReadOnly() {
		return nil, sqlstate.New(sqlstate.ReadOnlySQLTransaction, "cannot execute %s in a read-only transaction", w.Op)
	}
	wr := &writer{r: r, w: w, p: p, st: &nodeStats{loops: 1}, keys: newKeyer(r.sess.IdempotencyPrefix(), p)}
	var err error
	switch w.Op {
	case planner.OpInsert:
		err = wr.insert(ctx)
	case planner.OpUpdate, planner.OpDelete:
		err = wr.updateOrDelete(ctx)
	case planner.OpCall:
		err = wr.call(ctx)
	default:
		err = sqlstate.New(sqlstate.InternalError, "exec: unknown write %q", w.Op)
	}
	if wr.n > 0 && w.Table != nil {
		r.sess.NoteWrite(w.Table.Name)
	}
	if err != nil {
		return nil, wr.failure(ctx, err)
	}
	tag := w.Tag(wr.n)
	if p.Kind == "SELECT" {
		tag = "SELECT"
	}
	var cols []planner.Column
	if len(p.Columns) > 0 {
		cols = p.Columns
	}
	r.mu.Lock()
	r.rows += int64(len(wr.out))
	r.mu.Unlock()
	return &rowsImpl{r: r, it: &staticIter{rows: wr.out}, cols: cols, tag: tag}, nil
}

// writer is one write statement in progress.
type writer struct {
	r    *runner
	w    *planner.WritePlan
	p    *planner.Planned
	st   *nodeStats
	keys *keyer
	n    int64   // rows written (requests Stripe accepted)
	out  [][]any // RETURNING rows, or the procedure's row
	ids  []string
}

// keyer derives the idempotency key of each request of one execution: the prefix (the client's,
// or a random one) followed by a hash of the statement text, its arguments, the operation and the
// row (ordinal and object id). With a client prefix the keys are the same on every run of the
// same statement, so a re-run after a lost connection replays Stripe's stored answers.
type keyer struct {
	prefix string
	base   []byte
}

func newKeyer(prefix string, p *planner.Planned) *keyer {
	if prefix == "" {
		var b [12]byte
		_, _ = rand.Read(b[:])
		prefix = "stripesql-" + hex.EncodeToString(b[:])
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", prefix, p.Text)
	for _, a := range p.Params {
		fmt.Fprintf(h, "%T:%v\x00", a, a)
	}
	return &keyer{prefix: prefix, base: h.Sum(nil)}
}

// key returns the idempotency key of the request for row ordinal i (0-based) on object id in
// account acct: Stripe keeps idempotency keys per account, and a statement that writes the same
// row to two accounts sends two different requests.
func (k *keyer) key(op string, i int, id, acct string) string {
	h := sha256.New()
	h.Write(k.base)
	fmt.Fprintf(h, "%s\x00%d\x00%s\x00%s", op, i, id, acct)
	return k.prefix + "-" + hex.EncodeToString(h.Sum(nil))[:32]
}

// failure reports a write that stopped: Stripe's error keeps its code, and DETAIL says how many
// rows were written before it (with their ids), because those writes stand.
func (wr *writer) failure(ctx context.Context, err error) error {
	e := sqlstate.Wrap(stripeErr(ctx, err))
	if wr.w.Op == planner.OpCall || wr.n == 0 && len(wr.ids) == 0 {
		if e.Code == sqlstate.SystemError {
			c := *e
			c.Hint = "the request may have been applied by stripe before it failed; check before sending a different request"
			return &c
		}
		return e
	}
	c := *e
	written := fmt.Sprintf("%d row(s) were written before the failure and stay written", wr.n)
	if len(wr.ids) > 0 {
		ids := wr.ids
		more := ""
		if len(ids) > 10 {
			ids, more = ids[:10], ", …"
		}
		written += " (" + strings.Join(ids, ", ") + more + ")"
	}
	if c.Detail != "" {
		c.Detail += "; " + written
	} else {
		c.Detail = written
	}
	return &c
}

// returning records one written object: its id, and the RETURNING row computed over it.
func (wr *writer) returning(ctx context.Context, obj stripeapi.Object, before []any, acct string) error {
	wr.n++
	if id, ok := obj["id"].(string); ok {
		wr.ids = append(wr.ids, id)
	}
	if len(wr.w.Returning) == 0 {
		return nil
	}
	row := before
	if deleted, _ := obj["deleted"].(bool); !deleted || row == nil {
		var err error
		if row, err = ObjectRow(wr.w.Table, obj, nil); err != nil {
			return err
		}
		if i := accountColumn(wr.w.Table); i >= 0 {
			row[i] = acct
			if acct == "" {
				row[i] = nullIfEmpty(wr.r.ownAccountID(ctx))
			}
		}
	}
	env := *wr.r.env
	env.Row = row
	out := make([]any, len(wr.w.Returning))
	for i, e := range wr.w.Returning {
		v, err := e.Eval(&env)
		if err != nil {
			return err
		}
		out[i] = v
	}
	wr.out = append(wr.out, out)
	return nil
}

// readAll runs a read tree to the end (reads finish before the first write, so an INSERT … SELECT
// or UPDATE never sees its own writes).
func (wr *writer) readAll(ctx context.Context, n planner.Node) ([][]any, error) {
	it, err := wr.r.build(n)
	if err != nil {
		return nil, err
	}
	defer it.close()
	var rows [][]any
	for {
		row, err := it.next(ctx)
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
}

func (wr *writer) insert(ctx context.Context) error {
	rows, err := wr.readAll(ctx, wr.w.Source)
	if err != nil {
		return err
	}
	spec := wr.w.Table.Create
	// Encode every row before sending anything, so a bad value in row 3 writes nothing.
	type req struct {
		path    string
		params  url.Values
		account string
	}
	reqs := make([]req, len(rows))
	for i, row := range rows {
		params, parents, err := planner.EncodeInsert(wr.w, row)
		if err != nil {
			return err
		}
		for k, id := range parents {
			if !stripeapi.PlausibleID(id) {
				name := "parent"
				if k < len(spec.Parents) {
					name = spec.Parents[k]
				}
				return sqlstate.New(sqlstate.InvalidParameterValue, "invalid %s id %q for insert into %s", name, id, wr.w.Table.Name).
					WithHint("a stripe id has no '/', '?', '#', '%%' or whitespace and is not empty")
			}
		}
		acct, err := wr.r.sess.RowAccount(wr.w, row)
		if err != nil {
			return err
		}
		reqs[i] = req{path: fillPath(spec.Path, parents...), params: params, account: acct}
	}
	if err := wr.checkBudget(len(reqs)); err != nil {
		return err
	}
	for i, q := range reqs {
		if err := wr.r.beginRequest(wr.st); err != nil {
			return err
		}
		obj, err := wr.r.b.Post(stripeapi.WithAccount(ctx, q.account), q.path, q.params, wr.keys.key("create", i, "", q.account))
		if err != nil {
			return err
		}
		if err := wr.returning(ctx, obj, nil, q.account); err != nil {
			return err
		}
	}
	return nil
}

// checkBudget refuses, before the first write, a statement whose writes would take it over the
// request budget, so a budget stop never leaves half the rows written.
func (wr *writer) checkBudget(writes int) error {
	r := wr.r
	r.mu.Lock()
	used := r.requests
	r.mu.Unlock()
	if used+int64(writes) <= r.budget {
		return nil
	}
	return sqlstate.New(sqlstate.ProgramLimitExceeded, "%s would write %d rows after %d reads, over the budget of %d stripe requests", strings.ToLower(string(wr.w.Op)), writes, used, r.budget).
		WithDetail("nothing was written").
		WithHint("narrow the WHERE clause, or SET stripesql.max_requests = %d", planner.SuggestBudget(used+int64(writes), r.budget))
}

// target is one object an UPDATE or DELETE writes: its id, the parent ids of its path, and the
// row as read (nil when the ids came straight from WHERE).
type target struct {
	id      string
	parents []string
	row     []any
	account string
}

func (wr *writer) updateOrDelete(ctx context.Context) error {
	w := wr.w
	t := w.Table
	var parentCols []string
	path := ""
	if w.Op == planner.OpUpdate {
		parentCols, path = t.Update.Parents, t.Update.Path
	} else {
		parentCols, path = t.Delete.Parents, t.Delete.Path
	}
	var targets []target
	if w.Find == nil {
		for _, id := range w.IDs {
			if stripeapi.PlausibleID(id) { // the planner drops the others; never send one
				targets = append(targets, target{id: id, account: w.Account})
			}
		}
	} else {
		rows, err := wr.readAll(ctx, w.Find)
		if err != nil {
			return err
		}
		idCol := colIdx(t, "id")
		if idCol < 0 {
			return sqlstate.New(sqlstate.FeatureNotSupported, "%s has no id column to write by", t.Name)
		}
		for _, row := range rows {
			id, _ := row[idCol].(string)
			if !stripeapi.PlausibleID(id) {
				continue
			}
			tg := target{id: id, row: row, account: wr.rowAccount(ctx, row)}
			ok := true
			for _, pc := range parentCols {
				v, _ := row[colIdx(t, pc)].(string)
				ok = ok && stripeapi.PlausibleID(v)
				tg.parents = append(tg.parents, v)
			}
			if ok {
				targets = append(targets, tg)
			}
		}
	}
	if err := wr.checkBudget(len(targets)); err != nil {
		return err
	}
	// Compute every request before sending the first.
	params := make([]url.Values, len(targets))
	for i, tg := range targets {
		if w.Op != planner.OpUpdate {
			continue
		}
		env := *wr.r.env
		env.Row = tg.row
		vals := make([]any, len(w.Sets))
		for k, s := range w.Sets {
			v, err := s.Value.Eval(&env)
			if err != nil {
				return err
			}
			vals[k] = v
		}
		p, err := planner.EncodeUpdate(w, vals)
		if err != nil {
			return err
		}
		params[i] = p
	}
	for i, tg := range targets {
		if err := wr.r.beginRequest(wr.st); err != nil {
			return err
		}
		p := fillPath(path, append(tg.parents, tg.id)...)
		key := wr.keys.key(string(w.Op), i, tg.id, tg.account)
		ctx := stripeapi.WithAccount(ctx, tg.account)
		var obj stripeapi.Object
		var err error
		switch {
		case w.Op == planner.OpUpdate:
			obj, err = wr.r.b.Post(ctx, p, params[i], key)
		case t.Delete.Method == "POST":
			obj, err = wr.r.b.Post(ctx, p, url.Values{}, key)
		default:
			obj, err = wr.r.b.Delete(ctx, p, url.Values{}, key)
		}
		if err != nil {
			if w.Find == nil && stripeapi.IsNotFound(err) {
				continue // WHERE id = 'missing' matches no row, as in a SELECT
			}
			return err
		}
		if err := wr.returning(ctx, obj, tg.row, tg.account); err != nil {
			return err
		}
	}
	return nil
}

func (wr *writer) call(ctx context.Context) error {
	w := wr.w
	args := procedures.Args{}
	for i, e := range w.Args {
		v, err := e.Eval(wr.r.env)
		if err != nil {
			return err
		}
		if w.ArgNames[i] == "" {
			args.Positional = append(args.Positional, v)
		} else {
			args.Named = append(args.Named, procedures.NamedArg{Name: w.ArgNames[i], Value: v})
		}
	}
	acct, err := wr.callAccount()
	if err != nil {
		return err
	}
	if w.Proc.Method != "" {
		if err := wr.r.beginRequest(wr.st); err != nil {
			return err
		}
	}
	_, row, err := procedures.Invoke(stripeapi.WithAccount(ctx, acct), wr.r.b, w.Proc, args, wr.keys.key("call", 0, w.Proc.Name, acct))
	if err != nil {
		return err
	}
	wr.out = append(wr.out, row)
	if w.Proc.Mutating {
		wr.n = 1
		if t := tableOfResource(wr.r.sess.Catalog(), w.Proc.Resource); t != nil {
			wr.r.sess.NoteWrite(t.Name)
		}
	}
	return nil
}

func tableOfResource(c *catalog.Catalog, resource string) *catalog.Table {
	for _, t := range c.Tables() {
		if t.Resource == resource && resource != "" {
			return t
		}
	}
	return nil
}

// fillPath fills the %s of an endpoint with path-escaped ids, in order.
func fillPath(path string, ids ...string) string {
	for _, id := range ids {
		path = strings.Replace(path, "%s", url.PathEscape(id), 1)
	}
	return path
}

func colIdx(t *catalog.Table, name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}
