package planner

// The write side of the planner: INSERT, UPDATE, DELETE and CALL (and SELECT * FROM procedure(…),
// which is how JDBC's {call} arrives) become a WritePlan on Planned.Write, run by package exec.
//
//   - INSERT: one create per source row; columns are create parameters (catalog WriteSpec), parent
//     columns fill the path. Unknown columns are 42703, read-only ones 0A000, a missing required
//     parameter 23502, all before any request and with the writable columns in HINT.
//   - UPDATE: WHERE id = … / id IN (…) with SET values that read no column is one update per id and
//     no read; any other WHERE reads the rows with the access path a SELECT would take, then
//     updates each. NULL unsets a field; a jsonb object is merged by Stripe into the stored one, so
//     SET metadata = '{"k":"v"}' adds or changes k, and '{"k":null}' removes k.
//   - DELETE: Stripe's delete, or its cancel where that is the verb (DELETE FROM subscriptions
//     cancels); tables without either are 0A000 naming the procedures to call instead.
//   - EXPLAIN and stripesql.dry_run print the requests and send none. EXPLAIN never reads: when
//     the rows must be found, it shows that read and the request sent per found row.
//   - Read-only sessions refuse writes and mutating calls with 25006 at plan time.
//   - After a write, the session plans list or retrieve instead of search for that table for
//     SearchAfterWrite, since Stripe's search index lags behind writes; there is no read cache.

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeparams"
	"github.com/stripesql/stripesql/procedures"
)

// Settings of the write side. They are listed in settingsTable (session.go).
const (
	// SettingIdempotencyKey is a client-chosen prefix of the idempotency keys of a session's
	// writes. When set, the key of each request is derived only from the prefix, the statement
	// text, its arguments and the row, so re-running the same statement after a lost connection
	// replays Stripe's stored answers instead of writing twice. Empty means a random prefix per
	// execution.
	SettingIdempotencyKey = "stripesql.idempotency_key"
	// SettingDryRun, when on, makes INSERT, UPDATE, DELETE and CALL print the Stripe requests they
	// would send (as EXPLAIN does) and send none.
	SettingDryRun = "stripesql.dry_run"
)

// maxKeyPrefix bounds the client's idempotency key prefix so that prefix + "-" + suffix stays
// within Stripe's 255 characters.
const maxKeyPrefix = 200

// SearchAfterWrite is how long after a write in a session the planner avoids Stripe Search for the
// written table: Stripe's search index is eventually consistent (usually within a minute), while
// list and retrieve read the object store directly.
var SearchAfterWrite = 2 * time.Minute

func checkKeyPrefix(v string) (string, error) {
	if len(v) > maxKeyPrefix {
		return "", sqlstate.New(sqlstate.InvalidParameterValue, "stripesql.idempotency_key is longer than %d characters", maxKeyPrefix)
	}
	for _, r := range v {
		if r < 0x21 || r > 0x7e {
			return "", sqlstate.New(sqlstate.InvalidParameterValue, "stripesql.idempotency_key may hold printable ascii characters only")
		}
	}
	return v, nil
}

// IdempotencyPrefix returns the client's idempotency key prefix (stripesql.idempotency_key), or
// "" when the executor should choose a random one per execution.
func (s *Session) IdempotencyPrefix() string {
	v, _ := s.Setting(SettingIdempotencyKey)
	return v
}

// DryRun reports whether writes are only printed (stripesql.dry_run).
func (s *Session) DryRun() bool { return s.boolSetting(SettingDryRun) }

// writesReadOnly reports whether the session refuses writes: a read-only session (server
// --read-only, per user) or a read-only transaction setting.
func (s *Session) writesReadOnly() bool {
	return s.ReadOnly() || s.boolSetting("default_transaction_read_only") || s.boolSetting("transaction_read_only")
}

// NoteWrite records that the session has just written to table, so that reads of it avoid the
// eventually consistent search index for SearchAfterWrite (see RecentlyWritten).
func (s *Session) NoteWrite(table string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written == nil {
		s.written = map[string]time.Time{}
	}
	s.written[table] = time.Now()
}

// RecentlyWritten reports whether the session wrote to table within SearchAfterWrite. The planner
// then plans list or retrieve instead of search, so a read after a write never misses the write.
func (s *Session) RecentlyWritten(table string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.written[table]
	return ok && time.Since(t) < SearchAfterWrite
}

// WriteOp is what a write plan does.
type WriteOp string

// The write operations.
const (
	OpInsert WriteOp = "INSERT"
	OpUpdate WriteOp = "UPDATE"
	OpDelete WriteOp = "DELETE"
	OpCall   WriteOp = "CALL"
)

// WritePlan is an INSERT, UPDATE, DELETE or CALL: the Stripe requests to send, one per row or one
// per call, and how to turn each answer into a RETURNING row. The executor runs it (package exec,
// write.go); EXPLAIN and dry runs print it with WriteLines.
type WritePlan struct {
	Op    WriteOp
	Table *catalog.Table

	// Source produces the rows to insert (INSERT): a Values node for VALUES lists, the query's
	// tree for INSERT … SELECT. Its column i is sent as Targets[i].
	Source  Node
	Targets []WriteTarget

	// IDs are the object ids an UPDATE or DELETE writes when WHERE names them exactly
	// (id = … or id IN (…)) and SET reads no column: no read is needed.
	IDs []string
	// Find reads the rows to update or delete when the ids are not known from WHERE alone. Its
	// rows are whole table rows.
	Find *Scan
	// Sets are UPDATE's assignments, expressions over a table row (constants when IDs is set).
	Sets []WriteSet

	// Returning computes RETURNING's columns over the written object as a table row.
	Returning []expr.Expr

	// Proc and Args are a CALL (or SELECT * FROM proc(...)): Args are bound positionally then by
	// ArgNames ("" for a positional argument).
	Proc     *procedures.Procedure
	Args     []expr.Expr
	ArgNames []string

	// Account is the Stripe account the writes act as when a row names none: the WHERE's one
	// stripe_account for writes by id, else the session's ("" for the API key's own). An INSERT
	// row's stripe_account target and an UPDATE or DELETE row's stripe_account as read replace
	// it; AccountArg, a CALL's stripe_account => argument, replaces it for the call (connect.go).
	Account    string
	AccountArg expr.Expr

	Estimate
}

// WriteTarget is where one inserted column goes: a create parameter, or a parent id that fills
// the create path (the customer of /v1/customers/%s/tax_ids).
type WriteTarget struct {
	Name   string
	Type   sqltypes.Type
	Parent bool
	// Required create parameters may not be NULL.
	Required bool
	// Account marks the stripe_account target: the account the row is created in, not a
	// parameter.
	Account bool
}

// WriteSet is one UPDATE assignment: the Stripe parameter and its value.
type WriteSet struct {
	Name  string
	Value expr.Expr
}

// Tag returns the command tag for n affected rows, as PostgreSQL prints it.
func (w *WritePlan) Tag(n int64) string {
	switch w.Op {
	case OpInsert:
		return fmt.Sprintf("INSERT 0 %d", n)
	case OpUpdate:
		return fmt.Sprintf("UPDATE %d", n)
	case OpDelete:
		return fmt.Sprintf("DELETE %d", n)
	}
	return "CALL"
}

// planWrite plans INSERT, UPDATE, DELETE and CALL. A read-only session is refused here (25006),
// before anything runs; a dry run returns the plan's EXPLAIN text instead of the write.
func (pl *planCtx) planWrite(n *pg.Node) (*Planned, error) {
	var (
		p   *Planned
		err error
	)
	switch x := n.Node.(type) {
	case *pg.Node_InsertStmt:
		p, err = pl.planInsert(x.InsertStmt)
	case *pg.Node_UpdateStmt:
		p, err = pl.planUpdate(x.UpdateStmt)
	case *pg.Node_DeleteStmt:
		p, err = pl.planDelete(x.DeleteStmt)
	case *pg.Node_CallStmt:
		p, err = pl.planCall(x.CallStmt.Funccall, "CALL")
	default:
		return nil, sqlstate.New(sqlstate.InternalError, "planWrite: not a write statement")
	}
	if err != nil {
		return nil, err
	}
	return pl.finishWrite(p)
}

// ChangesState reports a write of the node's state store rather than of Stripe: UPDATE or
// DELETE of stripesql.flows, CALL CreateFlow or RunFlow.
func (w *WritePlan) ChangesState() bool {
	return (w.Table != nil && w.Table.State) || (w.Op == OpCall && w.Proc.State)
}

// StateAction names a state write in a permission error: "update stripesql.flows", "call RunFlow".
func (w *WritePlan) StateAction() string {
	if w.Op == OpCall {
		return "call " + w.Proc.Name
	}
	return strings.ToLower(string(w.Op)) + " " + w.Table.Schema + "." + w.Table.Name
}

// finishWrite applies the session's read-only and dry-run settings to a planned write. An EXPLAIN
// of a write reaches here through its inner statement, and is never refused.
func (pl *planCtx) finishWrite(p *Planned) (*Planned, error) {
	if pl.explaining {
		return p, nil
	}
	w := p.Write
	mutating := w.Op != OpCall || w.Proc.Mutating
	dry := pl.sess.DryRun()
	if w.ChangesState() && pl.sess.ReadOnly() {
		return nil, StateWriteDenied(w.StateAction())
	}
	if mutating && !dry && pl.sess.writesReadOnly() {
		what := string(w.Op)
		if w.Op == OpCall {
			what = "CALL " + w.Proc.Name
		}
		return nil, sqlstate.New(sqlstate.ReadOnlySQLTransaction, "cannot execute %s in a read-only transaction", what).
			WithHint("this session is read-only; nothing was sent to stripe")
	}
	if dry && mutating {
		return pl.explainWritePlan(p, "Dry run (stripesql.dry_run = on): no request is sent")
	}
	return p, nil
}

// explainWritePlan turns a write plan into EXPLAIN-style rows (for EXPLAIN and dry runs).
func (pl *planCtx) explainWritePlan(ip *Planned, note string) (*Planned, error) {
	var rows [][]expr.Expr
	for _, l := range WriteLines(pl.sess, ip, pl.env()) {
		rows = append(rows, []expr.Expr{expr.NewConst(l, sqltypes.Text)})
	}
	if note != "" {
		rows = append(rows, []expr.Expr{expr.NewConst(note, sqltypes.Text)})
	}
	cols := []Column{{Name: "QUERY PLAN", Type: sqltypes.Text}}
	return &Planned{Kind: "EXPLAIN", Tag: "EXPLAIN", Columns: cols, Inner: ip, Now: pl.now, Params: ip.Params,
		Estimate: ip.Estimate, Root: &Values{Rows: rows, Width: 1, Estimate: Estimate{Rows: float64(len(rows))}}}, nil
}

func (pl *planCtx) newBinder() *binder {
	return &binder{sess: pl.sess, sql: pl.st.text, params: append([]sqltypes.Type(nil), pl.given...)}
}

// typeParam gives a bare $n the type of the column or parameter it is assigned to, as PostgreSQL
// infers INSERT … VALUES ($1) from the target column.
func typeParam(b *binder, n *pg.Node, t sqltypes.Type) {
	if n == nil {
		return
	}
	if tc := n.GetTypeCast(); tc != nil {
		return
	}
	pr := n.GetParamRef()
	if pr == nil || pr.Number < 1 || pr.Number > 65535 {
		return
	}
	k := int(pr.Number)
	for len(b.params) < k {
		b.params = append(b.params, sqltypes.Unknown)
	}
	if b.params[k-1] == sqltypes.Unknown || b.params[k-1] == 0 {
		b.params[k-1] = t
	}
}

func writableNames(ps []catalog.WriteParam, parents []string) string {
	names := append([]string(nil), parents...)
	for _, p := range ps {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func (pl *planCtx) writeTable(rv *pg.RangeVar) (*catalog.Table, error) {
	if rv == nil {
		return nil, sqlstate.New(sqlstate.SyntaxError, "missing target table")
	}
	t, err := pl.lookupTable(rv)
	if err != nil {
		return nil, err
	}
	if t.Rows != nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "cannot change system table %q", t.Name)
	}
	return t, nil
}

// planInsert plans INSERT INTO t (cols) VALUES … | SELECT … [RETURNING …].
func (pl *planCtx) planInsert(s *pg.InsertStmt) (*Planned, error) {
	if s.WithClause != nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "WITH is not supported in INSERT")
	}
	if s.OnConflictClause != nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "ON CONFLICT is not supported: stripe creates have no unique constraints to conflict on")
	}
	t, err := pl.writeTable(s.Relation)
	if err != nil {
		return nil, err
	}
	if t.State {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "cannot insert into %s.%s", t.Schema, t.Name).
			WithHint("create a flow with CALL CreateFlow(name => 'f', tables => 'charges,customers', target => '/lake'); runs are added by CALL RunFlow('f') and by stripesql serve")
	}
	if t.Create == nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "stripe offers no create for %s", t.Name).
			WithHint("%s", procedureHint(t, "create"))
	}
	spec := t.Create
	hint := "writable columns of " + t.Name + ": " + writableNames(spec.Params, spec.Parents)
	if len(s.Cols) == 0 {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "INSERT into %s needs a column list", t.Name).WithHint("%s", hint)
	}
	var targets []WriteTarget
	seen := map[string]bool{}
	for _, c := range s.Cols {
		rt := c.GetResTarget()
		if rt == nil {
			continue
		}
		if len(rt.Indirection) > 0 {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "assigning to a part of column %q is not supported", rt.Name).WithHint("set the whole jsonb value")
		}
		name := rt.Name
		if seen[name] {
			return nil, sqlstate.New(sqlstate.SyntaxError, "column %q specified more than once", name)
		}
		seen[name] = true
		wt, err := insertTarget(t, name, rt.Location, pl, hint)
		if err != nil {
			return nil, err
		}
		targets = append(targets, wt)
	}
	for _, p := range spec.Params {
		if p.Required && !seen[p.Name] {
			return nil, sqlstate.New(sqlstate.NotNullViolation, "column %q of relation %q is required by stripe's create", p.Name, t.Name).
				WithHint("%s", hint)
		}
	}
	for _, par := range spec.Parents {
		if !seen[par] {
			return nil, sqlstate.New(sqlstate.NotNullViolation, "column %q of relation %q is required: it names the parent object", par, t.Name).
				WithHint("%s", hint)
		}
	}
	b := pl.newBinder()
	w := &WritePlan{Op: OpInsert, Table: t, Targets: targets, Account: pl.sess.Account()}
	sel := s.SelectStmt.GetSelectStmt()
	var bound []expr.Expr
	switch {
	case sel == nil:
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "INSERT ... DEFAULT VALUES is not supported").WithHint("%s", hint)
	case len(sel.ValuesLists) > 0:
		b.scope = &scope{}
		var rows [][]expr.Expr
		for _, l := range sel.ValuesLists {
			items := l.GetList().GetItems()
			if len(items) != len(targets) {
				return nil, sqlstate.New(sqlstate.SyntaxError, "INSERT has %d expressions for %d target columns", len(items), len(targets))
			}
			row := make([]expr.Expr, len(items))
			for i, it := range items {
				if it.GetSetToDefault() != nil {
					row[i] = expr.NewConst(nil, targets[i].Type)
					continue
				}
				typeParam(b, it, targets[i].Type)
				e, err := b.bind(it)
				if err != nil {
					return nil, err
				}
				if row[i], err = castTo(e, targets[i].Type); err != nil {
					return nil, err
				}
				bound = append(bound, row[i])
			}
			rows = append(rows, row)
		}
		w.Source = &Values{Rows: rows, Width: len(targets), Estimate: Estimate{Rows: float64(len(rows))}}
	default:
		q, err := pl.buildSelect(b, sel)
		if err != nil {
			return nil, err
		}
		if len(q.Columns) != len(targets) {
			return nil, sqlstate.New(sqlstate.SyntaxError, "INSERT has %d expressions for %d target columns", len(q.Columns), len(targets))
		}
		casts := make([]expr.Expr, len(targets))
		for i, c := range q.Columns {
			if casts[i], err = castTo(&expr.ColumnRef{Index: i, T: c.Type, Name: c.Name}, targets[i].Type); err != nil {
				return nil, err
			}
		}
		w.Source = &Project{Input: q.Root, Exprs: casts, Estimate: q.Root.Est()}
		b.params = append([]sqltypes.Type(nil), pl.types...)
	}
	rows := w.Source.Est().Rows
	w.Estimate = Estimate{Requests: readRequests(w.Source) + rows, Rows: rows}
	return pl.finishReturning(b, w, s.ReturningList, bound)
}

func insertTarget(t *catalog.Table, name string, loc int32, pl *planCtx, hint string) (WriteTarget, error) {
	spec := t.Create
	if i := accountIndex(t); i >= 0 && t.Columns[i].Name == name {
		return WriteTarget{Name: name, Type: sqltypes.Text, Account: true}, nil
	}
	for _, par := range spec.Parents {
		if par == name {
			return WriteTarget{Name: name, Type: sqltypes.Text, Parent: true}, nil
		}
	}
	for _, p := range spec.Params {
		if p.Name == name {
			return WriteTarget{Name: name, Type: p.Type, Required: p.Required}, nil
		}
	}
	if hasColumn(t, name) {
		return WriteTarget{}, pl.posErr(sqlstate.New(sqlstate.FeatureNotSupported, "column %q of relation %q is read-only: stripe's create does not take it", name, t.Name).WithHint("%s", hint), loc)
	}
	return WriteTarget{}, pl.posErr(sqlstate.New(sqlstate.UndefinedColumn, "column %q of relation %q does not exist", name, t.Name).WithHint("%s", hint), loc)
}

func hasColumn(t *catalog.Table, name string) bool {
	_, _, ok := t.Column(name)
	return ok
}

func (pl *planCtx) posErr(e *sqlstate.Error, loc int32) error {
	b := &binder{sql: pl.st.text}
	return b.errAt(e, loc)
}

// readRequests sums the Stripe requests of the scans under n.
func readRequests(n Node) float64 {
	var total float64
	Walk(n, func(x Node) {
		if s, ok := x.(*Scan); ok {
			total += s.Requests
		}
	})
	return total
}

// finishReturning binds RETURNING over the table's row, resolves the parameters and checks the
// request budget.
func (pl *planCtx) finishReturning(b *binder, w *WritePlan, list []*pg.Node, bound []expr.Expr) (*Planned, error) {
	if len(list) > 0 && w.Table.State {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "RETURNING is not supported for %s.%s", w.Table.Schema, w.Table.Name).
			WithHint("SELECT from %s.%s after the change", w.Table.Schema, w.Table.Name)
	}
	b.scope = tableScope(w.Table, "")
	b.usedCols = map[int]bool{}
	b.clause = "RETURNING"
	var cols []Column
	for _, n := range list {
		rt := n.GetResTarget()
		if rt == nil {
			continue
		}
		if cr := rt.Val.GetColumnRef(); cr != nil && len(cr.Fields) > 0 && cr.Fields[len(cr.Fields)-1].GetAStar() != nil {
			for i, c := range b.scope.cols {
				if c.filterOnly {
					continue
				}
				w.Returning = append(w.Returning, &expr.ColumnRef{Index: i, T: c.typ, Name: c.name})
				cols = append(cols, Column{Name: c.name, Type: c.typ, TableOID: c.oid, AttNum: c.attnum})
			}
			continue
		}
		if containsAgg(rt.Val) {
			return nil, sqlstate.New(sqlstate.GroupingError, "aggregate functions are not allowed in RETURNING")
		}
		e, err := b.bind(rt.Val)
		if err != nil {
			return nil, err
		}
		name := rt.Name
		col := Column{Name: name, Type: e.Type()}
		if cr, ok := e.(*expr.ColumnRef); ok {
			c := b.scope.cols[cr.Index]
			col.TableOID, col.AttNum = c.oid, c.attnum
		}
		if name == "" {
			col.Name = figureColname(rt.Val)
		}
		if col.Type == sqltypes.Unknown {
			col.Type = sqltypes.Text
			if e, err = castTo(e, sqltypes.Text); err != nil {
				return nil, err
			}
		}
		w.Returning = append(w.Returning, e)
		cols = append(cols, col)
	}
	all := append(append([]expr.Expr(nil), bound...), w.Returning...)
	for _, s := range w.Sets {
		all = append(all, s.Value)
	}
	all = append(all, w.Args...)
	if err := pl.resolveParams(b, all); err != nil {
		return nil, err
	}
	p := &Planned{Kind: string(w.Op), Tag: w.Tag(0), Columns: cols, Write: w, Params: pl.params, Now: pl.now, Estimate: w.Estimate}
	if !pl.describe && !pl.explaining {
		if err := checkWriteBudget(pl.sess, w); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// checkWriteBudget refuses a write whose reads and writes together are estimated over
// stripesql.max_requests, before any request is sent.
func checkWriteBudget(sess *Session, w *WritePlan) error {
	if w.Find != nil {
		if err := checkBudget(sess, &Planned{Root: w.Find}); err != nil {
			return err
		}
	}
	if w.Source != nil {
		if err := checkBudget(sess, &Planned{Root: w.Source}); err != nil {
			return err
		}
	}
	if w.Find != nil {
		// How many rows the read finds is a guess; the executor checks the real count against
		// the budget after the read and before the first write.
		return nil
	}
	max := sess.MaxRequests()
	if w.Requests <= float64(max) {
		return nil
	}
	req := int64(math.Ceil(w.Requests))
	return sqlstate.New(sqlstate.ProgramLimitExceeded, "%s would send an estimated %d stripe requests, over the budget of %d", strings.ToLower(string(w.Op)), req, max).
		WithDetail("one request per written row, plus the reads that find the rows").
		WithHint("narrow the WHERE clause, or SET stripesql.max_requests = %d", SuggestBudget(req, int64(max)))
}

// planUpdate plans UPDATE t SET … WHERE … [RETURNING …].
func (pl *planCtx) planUpdate(s *pg.UpdateStmt) (*Planned, error) {
	if s.WithClause != nil || len(s.FromClause) > 0 {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "UPDATE with WITH or FROM is not supported").WithHint("update one table with a WHERE clause")
	}
	t, err := pl.writeTable(s.Relation)
	if err != nil {
		return nil, err
	}
	if t.Update == nil && t.State {
		return nil, stateReadOnlyTable(t, "update")
	}
	if t.Update == nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "stripe offers no update for %s", t.Name).
			WithHint("%s", procedureHint(t, "update"))
	}
	spec := t.Update
	hint := "updatable columns of " + t.Name + ": " + writableNames(spec.Params, nil)
	alias := ""
	if s.Relation.Alias != nil {
		alias = s.Relation.Alias.Aliasname
	}
	b := pl.newBinder()
	b.scope = tableScope(t, alias)
	b.usedCols = map[int]bool{}
	w := &WritePlan{Op: OpUpdate, Table: t}
	seen := map[string]bool{}
	var bound []expr.Expr
	for _, n := range s.TargetList {
		rt := n.GetResTarget()
		if rt == nil {
			continue
		}
		if rt.Val.GetMultiAssignRef() != nil {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "SET (a, b) = (...) is not supported").WithHint("assign each column on its own")
		}
		if len(rt.Indirection) > 0 {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "assigning to a part of column %q is not supported", rt.Name).
				WithHint("set metadata to a jsonb object: its keys are merged by stripe, and a key set to null is removed")
		}
		var param *catalog.WriteParam
		for i := range spec.Params {
			if spec.Params[i].Name == rt.Name {
				param = &spec.Params[i]
			}
		}
		if param == nil {
			if hasColumn(t, rt.Name) && t.State {
				return nil, pl.posErr(sqlstate.New(sqlstate.FeatureNotSupported, "column %q of relation %q cannot be updated", rt.Name, t.Name).
					WithDetail("a flow's name, its times and its runs' columns are kept by the state store").
					WithHint("%s; to rename a flow, create one with CALL CreateFlow and delete the old one", hint), rt.Location)
			}
			if hasColumn(t, rt.Name) {
				return nil, pl.posErr(sqlstate.New(sqlstate.FeatureNotSupported, "column %q of relation %q cannot be updated: stripe's update does not take it", rt.Name, t.Name).WithHint("%s", hint), rt.Location)
			}
			return nil, pl.posErr(sqlstate.New(sqlstate.UndefinedColumn, "column %q of relation %q does not exist", rt.Name, t.Name).WithHint("%s", hint), rt.Location)
		}
		if seen[rt.Name] {
			return nil, sqlstate.New(sqlstate.SyntaxError, "multiple assignments to same column %q", rt.Name)
		}
		seen[rt.Name] = true
		b.clause = "SET"
		typeParam(b, rt.Val, param.Type)
		e, err := b.bind(rt.Val)
		if err != nil {
			return nil, err
		}
		if e, err = castTo(e, param.Type); err != nil {
			return nil, err
		}
		bound = append(bound, e)
		w.Sets = append(w.Sets, WriteSet{Name: param.Name, Value: e})
	}
	readsRow := false
	for _, st := range w.Sets {
		readsRow = readsRow || hasColumnRef(st.Value)
	}
	if err := pl.findRows(b, w, s.WhereClause, readsRow || len(spec.Parents) > 0, &bound); err != nil {
		return nil, err
	}
	return pl.finishReturning(b, w, s.ReturningList, bound)
}

// planDelete plans DELETE FROM t WHERE … [RETURNING …]: Stripe's delete, or its cancel where
// that is Stripe's verb (subscriptions).
func (pl *planCtx) planDelete(s *pg.DeleteStmt) (*Planned, error) {
	if s.WithClause != nil || len(s.UsingClause) > 0 {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "DELETE with WITH or USING is not supported")
	}
	t, err := pl.writeTable(s.Relation)
	if err != nil {
		return nil, err
	}
	if t.Delete == nil && t.State {
		return nil, stateReadOnlyTable(t, "delete from")
	}
	if t.Delete == nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "stripe offers no delete for %s", t.Name).
			WithHint("%s", deleteHint(t)) // deletehint.go
	}
	alias := ""
	if s.Relation.Alias != nil {
		alias = s.Relation.Alias.Aliasname
	}
	b := pl.newBinder()
	b.scope = tableScope(t, alias)
	b.usedCols = map[int]bool{}
	w := &WritePlan{Op: OpDelete, Table: t}
	var bound []expr.Expr
	// RETURNING of a delete shows the row as it was, so it needs the row unless Stripe answers
	// with the whole object (cancel does; delete answers {id, deleted}).
	needRow := len(t.Delete.Parents) > 0 || (len(s.ReturningList) > 0 && t.Delete.Verb != "cancel")
	if err := pl.findRows(b, w, s.WhereClause, needRow, &bound); err != nil {
		return nil, err
	}
	return pl.finishReturning(b, w, s.ReturningList, bound)
}

// findRows binds WHERE and decides how UPDATE or DELETE finds its rows: straight from the ids
// WHERE names (id = … or id IN (…), nothing else) when no row needs reading, otherwise by the
// same access path a SELECT would take.
func (pl *planCtx) findRows(b *binder, w *WritePlan, where *pg.Node, needRow bool, bound *[]expr.Expr) error {
	t := w.Table
	if where == nil {
		return sqlstate.New(sqlstate.FeatureNotSupported, "%s without WHERE is not supported: it would write every object of %s", string(w.Op), t.Name).
			WithHint("add a WHERE clause; WHERE true states that every row is meant")
	}
	b.clause = "WHERE"
	if containsAgg(where) {
		return sqlstate.New(sqlstate.GroupingError, "aggregate functions are not allowed in WHERE")
	}
	cond, err := b.bind(where)
	if err != nil {
		return err
	}
	if cond, err = expr.CheckBool(cond, "WHERE"); err != nil {
		return asCoded(err)
	}
	*bound = append(*bound, cond)
	// Parameters must be known before the access path folds them.
	if err := pl.resolveParams(b, *bound); err != nil {
		return err
	}
	scan, err := pl.chooseAccess(t, cond)
	if err != nil {
		return err
	}
	w.Account = pl.sess.Account()
	if len(scan.Accounts) == 1 {
		w.Account = scan.Accounts[0]
	}
	if !needRow && len(scan.Accounts) <= 1 && scan.Access == AccessRetrieve && scan.Filter == nil && t.Retrieve != nil && len(t.Retrieve.Parents) == 0 && !pl.describe {
		for _, c := range scan.Calls {
			id := c.Path[strings.LastIndexByte(c.Path, '/')+1:]
			if u, err := url.PathUnescape(id); err == nil {
				id = u
			}
			w.IDs = append(w.IDs, id)
		}
		w.Estimate = Estimate{Requests: float64(len(w.IDs)), Rows: float64(len(w.IDs))}
		return nil
	}
	w.Find = scan
	w.Estimate = Estimate{Requests: scan.Requests + scan.Rows, Rows: scan.Rows}
	if t.State {
		w.Estimate.Requests = 0 // the state store's rows are changed there, not in Stripe
	}
	return nil
}

// procedureHint names the procedures a user can call instead of an INSERT or UPDATE that Stripe
// has no endpoint for (a DELETE's hint is deleteHint's).
func procedureHint(t *catalog.Table, what string) string {
	var names []string
	for _, p := range procedures.Default().All() {
		if p.Resource == t.Resource && p.Mutating {
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 {
		return fmt.Sprintf("stripe has no %s endpoint for %s", what, t.Name)
	}
	sort.Strings(names)
	if len(names) > 4 {
		names = names[:4]
	}
	return "call a procedure instead: " + strings.Join(names, ", ") + " (for example CALL " + names[0] + "(...))"
}

// planCall plans CALL Name(args) and SELECT * FROM Name(args): the procedure's one result row.
func (pl *planCtx) planCall(fc *pg.FuncCall, kind string) (*Planned, error) {
	if fc == nil {
		return nil, sqlstate.New(sqlstate.SyntaxError, "missing procedure call")
	}
	name := funcName(fc)
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	proc, err := procedures.Default().Lookup(name)
	if err != nil {
		return nil, err
	}
	if fc.AggStar || fc.AggDistinct || len(fc.AggOrder) > 0 || fc.AggFilter != nil || fc.Over != nil {
		return nil, sqlstate.New(sqlstate.SyntaxError, "invalid call of procedure %s", proc.Name)
	}
	b := pl.newBinder()
	b.scope = &scope{}
	b.clause = "CALL"
	w := &WritePlan{Op: OpCall, Proc: proc, Account: pl.sess.Account(), Estimate: Estimate{Requests: 1, Rows: 1}}
	if proc.Method == "" || proc.State {
		w.Requests = 0
	}
	pos := 0
	for _, a := range fc.Args {
		argName := ""
		node := a
		if na := a.GetNamedArgExpr(); na != nil {
			argName, node = na.Name, na.Arg
		}
		if strings.EqualFold(argName, catalog.AccountColumn) {
			// stripe_account => 'acct_…': the account the call acts as, not a parameter.
			e, err := b.bind(node)
			if err != nil {
				return nil, err
			}
			if w.AccountArg, err = castTo(e, sqltypes.Text); err != nil {
				return nil, err
			}
			continue
		}
		var pt sqltypes.Type
		if argName == "" {
			if pos < len(proc.Params) {
				pt = proc.Params[pos].Type
			}
			pos++
		} else {
			for _, prm := range proc.Params {
				if strings.EqualFold(prm.Name, argName) {
					pt = prm.Type
				}
			}
		}
		if pt != 0 {
			typeParam(b, node, pt)
		}
		e, err := b.bind(node)
		if err != nil {
			return nil, err
		}
		if e.Type() == sqltypes.Unknown && pt != 0 {
			if e, err = castTo(e, pt); err != nil {
				return nil, err
			}
		}
		w.Args = append(w.Args, e)
		w.ArgNames = append(w.ArgNames, argName)
	}
	if err := pl.resolveParams(b, w.Args); err != nil {
		return nil, err
	}
	if w.AccountArg != nil {
		if err := pl.resolveParams(b, []expr.Expr{w.AccountArg}); err != nil {
			return nil, err
		}
		if !pl.describe {
			if v, err := expr.Fold(w.AccountArg, pl.env()); err == nil {
				acct, _ := v.(string)
				if acct, err = checkAccount(acct); err != nil {
					return nil, err
				}
				w.Account, w.AccountArg = acct, nil
			}
		}
	}
	if err := pl.sess.CheckAccount(w.Account); err != nil {
		return nil, err
	}
	if !pl.describe {
		// Bind now when the arguments are known, so a wrong call fails before anything runs.
		if args, err := callArgs(w, pl.env()); err == nil {
			if _, err := proc.Bind(args); err != nil {
				return nil, err
			}
		}
	}
	var cols []Column
	for _, c := range proc.Columns() {
		cols = append(cols, Column{Name: c.Name, Type: c.Type})
	}
	tag := "CALL"
	if kind == "SELECT" {
		tag = "SELECT"
	}
	return &Planned{Kind: kind, Tag: tag, Columns: cols, Write: w, Params: pl.params, Now: pl.now, Estimate: w.Estimate}, nil
}

// planSelectCall recognises SELECT * FROM Name(args), which is how JDBC's {call Name(?)} arrives,
// when Name is a procedure; ok is false for any other query.
func (pl *planCtx) planSelectCall(sel *pg.SelectStmt) (*Planned, bool, error) {
	if sel == nil || len(sel.FromClause) != 1 {
		return nil, false, nil
	}
	rf := sel.FromClause[0].GetRangeFunction()
	if rf == nil || len(rf.Functions) != 1 {
		return nil, false, nil
	}
	items := rf.Functions[0].GetList().GetItems()
	if len(items) == 0 {
		return nil, false, nil
	}
	fc := items[0].GetFuncCall()
	if fc == nil {
		return nil, false, nil
	}
	name := funcName(fc)
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	proc, err := procedures.Default().Lookup(name)
	if err != nil {
		return nil, false, nil
	}
	name = proc.Name
	star := len(sel.TargetList) == 1
	if star {
		cr := sel.TargetList[0].GetResTarget().GetVal().GetColumnRef()
		star = cr != nil && len(cr.Fields) == 1 && cr.Fields[0].GetAStar() != nil
	}
	if !star || sel.WhereClause != nil || len(sel.GroupClause) > 0 || len(sel.SortClause) > 0 || sel.LimitCount != nil || sel.LimitOffset != nil || sel.DistinctClause != nil {
		return nil, true, sqlstate.New(sqlstate.FeatureNotSupported, "only SELECT * FROM %s(...) is supported for a procedure", name).
			WithHint("use CALL %s(...)", name)
	}
	p, err := pl.planCall(fc, "SELECT")
	if err != nil {
		return nil, true, err
	}
	p, err = pl.finishWrite(p)
	return p, true, err
}

// WriteLines renders a write plan for EXPLAIN and dry runs: the operation, the Stripe requests it
// sends (each one when the values are known without reading, otherwise the request per matched
// row), the read that finds the rows, and the estimate. EXPLAIN never reads: an UPDATE or DELETE
// whose rows must be found shows the read it would run and the request it would send per row.
func WriteLines(sess *Session, p *Planned, env *expr.Env) []string {
	w := p.Write
	var lines []string
	rate := sess.Rate()
	head := fmt.Sprintf("%s on %s", titleOp(w.Op), tableName(w))
	switch w.Op {
	case OpCall:
		head = "Call " + w.Proc.Name
	}
	lines = append(lines, fmt.Sprintf("%s  (stripe requests=%s rows=%s)", head, fmtReq(w.Requests), fmtReq(w.Rows)))
	if w.Account != "" {
		lines = append(lines, "  Stripe-Account: "+w.Account)
	}
	req := func(s string) { lines = append(lines, "  Stripe request: "+s) }
	switch {
	case w.ChangesState():
		lines = append(lines, stateLines(sess, w, env)...)
	case w.Op == OpCall:
		args, err := callArgs(w, env)
		if err != nil {
			req(fmt.Sprintf("%s %s (arguments known when it runs)", w.Proc.Method, w.Proc.Path))
			break
		}
		bound, err := w.Proc.Bind(args)
		if err == nil {
			var r procedures.Request
			if r, err = w.Proc.Request(bound); err == nil {
				req(r.String())
			}
		}
		if err != nil {
			req(fmt.Sprintf("%s %s (invalid arguments: %s)", w.Proc.Method, w.Proc.Path, sqlstate.Wrap(err).Message))
		}
	case w.Op == OpInsert:
		path := w.Table.Create.Path
		if v, ok := w.Source.(*Values); ok {
			shown := 0
			for _, row := range v.Rows {
				vals, err := evalAll(row, env)
				if err != nil {
					break
				}
				if shown == maxCallsShown {
					lines = append(lines, fmt.Sprintf("  … and %d more", len(v.Rows)-shown))
					break
				}
				line := "POST " + InsertRequest(w, path, vals)
				if acct, err := sess.WriteAccount(rowAccountValue(w, vals), w.Account); err == nil && acct != w.Account {
					line += " as " + acct
				}
				req(line)
				shown++
			}
			if shown > 0 {
				break
			}
		}
		var tpl []string
		for _, t := range w.Targets {
			tpl = append(tpl, t.Name+"=<"+t.Name+">")
		}
		req("POST " + path + " " + strings.Join(tpl, "&") + " (one per row of the query below)")
		lines = append(lines, subLines(sess, w.Source)...)
	case w.Op == OpUpdate || w.Op == OpDelete:
		method, path := "POST", ""
		var params string
		if w.Op == OpUpdate {
			path = w.Table.Update.Path
			if vals, err := evalAll(setValues(w), env); err == nil {
				q, _ := encodeSets(w, vals)
				params = " " + unescape(q.Encode())
			} else {
				var tpl []string
				for _, s := range w.Sets {
					tpl = append(tpl, s.Name+"="+s.Value.String())
				}
				params = " " + strings.Join(tpl, "&")
			}
		} else {
			path, method = w.Table.Delete.Path, w.Table.Delete.Method
			if w.Table.Delete.Verb == "cancel" {
				params = " (DELETE cancels: stripe's verb for " + w.Table.Name + " is cancel)"
			}
		}
		if w.Find == nil {
			for _, id := range w.IDs {
				req(method + " " + fmt.Sprintf(path, id) + params)
			}
			break
		}
		tpl := strings.ReplaceAll(path, "%s", "{id}")
		if n := strings.Count(path, "%s"); n > 1 {
			tpl = path
			for _, par := range w.Table.Update.Parents {
				tpl = strings.Replace(tpl, "%s", "{"+par+"}", 1)
			}
			tpl = strings.Replace(tpl, "%s", "{id}", 1)
		}
		req(method + " " + tpl + params + " (one per row found by the read below)")
		lines = append(lines, "  Rows are found when the statement runs; EXPLAIN does not read")
		lines = append(lines, subLines(sess, w.Find)...)
	}
	if (w.Op != OpCall || w.Proc.Mutating) && !w.ChangesState() {
		lines = append(lines, "  Every request carries an idempotency key, kept across retries")
	}
	lines = append(lines, fmt.Sprintf("Estimated Stripe requests: %s (%s at %g requests/s)", fmtReq(w.Requests), fmtSec(w.Requests/rate), rate))
	return lines
}

func titleOp(op WriteOp) string {
	switch op {
	case OpInsert:
		return "Insert"
	case OpUpdate:
		return "Update"
	case OpDelete:
		return "Delete"
	}
	return "Call"
}

func tableName(w *WritePlan) string {
	if w.Table == nil {
		return ""
	}
	return w.Table.Name
}

// subLines renders a read tree under a write node, without its summary line.
func subLines(sess *Session, n Node) []string {
	if n == nil {
		return nil
	}
	sub := ExplainLines(sess, &Planned{Root: n}, nil)
	if len(sub) > 0 {
		sub = sub[:len(sub)-1]
	}
	out := make([]string, len(sub))
	for i, l := range sub {
		if i == 0 {
			out[i] = "  ->  " + l
		} else {
			out[i] = "      " + l
		}
	}
	return out
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func setValues(w *WritePlan) []expr.Expr {
	out := make([]expr.Expr, len(w.Sets))
	for i, s := range w.Sets {
		out[i] = s.Value
	}
	return out
}

// evalAll evaluates expressions that read no row (constants and parameters).
func evalAll(es []expr.Expr, env *expr.Env) ([]any, error) {
	out := make([]any, len(es))
	for i, e := range es {
		if hasColumnRef(e) {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "value depends on a row")
		}
		v, err := e.Eval(env)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// InsertRequest renders the create request of one row for EXPLAIN: path (parents filled) and
// parameters.
func InsertRequest(w *WritePlan, path string, vals []any) string {
	params, parents, err := EncodeInsert(w, vals)
	if err != nil {
		return path + " (invalid row: " + sqlstate.Wrap(err).Message + ")"
	}
	args := make([]any, len(parents))
	for i, p := range parents {
		args[i] = p
	}
	return fmt.Sprintf(path, args...) + " " + unescape(params.Encode())
}

// EncodeInsert turns one source row into the create's form parameters and the parent ids of its
// path, in the create spec's Parents order. NULL is left out (Stripe's default applies); NULL in a
// required parameter or a parent is 23502 naming the column.
func EncodeInsert(w *WritePlan, vals []any) (url.Values, []string, error) {
	params := url.Values{}
	parents := make([]string, len(w.Table.Create.Parents))
	for i, t := range w.Targets {
		v := vals[i]
		if v == nil && (t.Required || t.Parent) {
			return nil, nil, sqlstate.New(sqlstate.NotNullViolation, "null value in column %q of relation %q violates not-null constraint", t.Name, w.Table.Name).
				WithDetail("stripe requires %s to create %s", t.Name, w.Table.Object)
		}
		if t.Account {
			continue // the account the row is created in (RowAccount), not a parameter
		}
		if t.Parent {
			for k, par := range w.Table.Create.Parents {
				if par == t.Name {
					s, ok := v.(string)
					if !ok {
						s = fmt.Sprint(v)
					}
					parents[k] = s
				}
			}
			continue
		}
		if err := stripeparams.Append(params, t.Name, v, stripeparams.OmitNull); err != nil {
			return nil, nil, err
		}
	}
	return params, parents, nil
}

// encodeSets turns UPDATE's values into the update's form parameters. NULL unsets the field, and a
// JSON null inside a jsonb value removes that key (metadata = '{"plan": null}' deletes plan);
// a jsonb object is merged by Stripe into the stored one.
func encodeSets(w *WritePlan, vals []any) (url.Values, error) {
	params := url.Values{}
	for i, s := range w.Sets {
		if err := stripeparams.Append(params, s.Name, vals[i], stripeparams.UnsetNull); err != nil {
			return nil, err
		}
	}
	return params, nil
}

// EncodeUpdate is encodeSets for the executor.
func EncodeUpdate(w *WritePlan, vals []any) (url.Values, error) { return encodeSets(w, vals) }

// explainWrite is EXPLAIN of a write: the requests it would send, none sent. EXPLAIN ANALYZE
// would have to perform the writes, so it is refused.
func explainWrite(pl *planCtx, ip *Planned, analyze bool) (*Planned, error) {
	if analyze {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "EXPLAIN ANALYZE of %s is not supported: it would send the writes", strings.ToLower(ip.Kind)).
			WithHint("use EXPLAIN, or SET stripesql.dry_run = on, to see the requests without sending them")
	}
	return pl.explainWritePlan(ip, "")
}

// callArgs evaluates a call's arguments (constants and parameters) into procedure arguments.
func callArgs(w *WritePlan, env *expr.Env) (procedures.Args, error) {
	vals, err := evalAll(w.Args, env)
	if err != nil {
		return procedures.Args{}, err
	}
	args := procedures.Args{}
	for i, v := range vals {
		if w.ArgNames[i] == "" {
			args.Positional = append(args.Positional, v)
		} else {
			args.Named = append(args.Named, procedures.NamedArg{Name: w.ArgNames[i], Value: v})
		}
	}
	return args, nil
}

// explainCallRE matches EXPLAIN [ANALYZE] CALL …, which PostgreSQL's grammar does not accept but
// stripesql does, to print the request a procedure call would send.
var explainCallRE = regexp.MustCompile(`(?is)^\s*explain\s+(analyze\s+)?(call\b.*?)[\s;]*$`)

// parseExplainCall parses one EXPLAIN CALL statement; ok is false for anything else.
func parseExplainCall(sql string) (*Statement, bool) {
	m := explainCallRE.FindStringSubmatch(sql)
	if m == nil {
		return nil, false
	}
	res, err := pg.Parse(m[2])
	if err != nil || len(res.Stmts) != 1 || res.Stmts[0].Stmt.GetCallStmt() == nil {
		return nil, false
	}
	ex := &pg.ExplainStmt{Query: res.Stmts[0].Stmt}
	if m[1] != "" {
		ex.Options = []*pg.Node{pg.MakeSimpleDefElemNode("analyze", nil, 0)}
	}
	return &Statement{text: strings.TrimRight(strings.TrimSpace(sql), "; \t\n"), node: &pg.Node{Node: &pg.Node_ExplainStmt{ExplainStmt: ex}}, kind: "EXPLAIN"}, true
}
