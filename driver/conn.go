package driver

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/stripesql/stripesql/internal/exec"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// Conn is one session: its settings (SET / SHOW / RESET) and the statements it runs. Like every
// database/sql connection it is used by one goroutine at a time.
type Conn struct {
	connector *Connector
	sess      *planner.Session
	closed    atomic.Bool
	tx        *Tx
}

// Compile-time checks of the connection's interfaces.
var (
	_ sqldriver.Conn               = (*Conn)(nil)
	_ sqldriver.ConnPrepareContext = (*Conn)(nil)
	_ sqldriver.ConnBeginTx        = (*Conn)(nil)
	_ sqldriver.QueryerContext     = (*Conn)(nil)
	_ sqldriver.ExecerContext      = (*Conn)(nil)
	_ sqldriver.NamedValueChecker  = (*Conn)(nil)
	_ sqldriver.Pinger             = (*Conn)(nil)
	_ sqldriver.SessionResetter    = (*Conn)(nil)
	_ sqldriver.Validator          = (*Conn)(nil)
)

// Session returns the connection's planner session, for callers that reach the driver connection
// through sql.Conn.Raw (to read settings or progress).
func (c *Conn) Session() *planner.Session { return c.sess }

// Prepare implements driver.Conn.
func (c *Conn) Prepare(query string) (sqldriver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext parses query once and describes it, so that NumInput is known before any Stripe
// request. A query string with several statements cannot be prepared (42601), as in PostgreSQL.
func (c *Conn) PrepareContext(ctx context.Context, query string) (sqldriver.Stmt, error) {
	if err := c.usable(ctx); err != nil {
		return nil, err
	}
	stmts, err := planner.Parse(query)
	if err != nil {
		return nil, err
	}
	if len(stmts) > 1 {
		return nil, errMultipleCommands()
	}
	s := &Stmt{conn: c}
	if len(stmts) == 0 {
		return s, nil
	}
	desc, err := planner.Describe(c.sess, stmts[0], nil)
	if err != nil {
		return nil, err
	}
	s.st, s.desc = stmts[0], desc
	return s, nil
}

func errMultipleCommands() error {
	return sqlstate.New(sqlstate.SyntaxError, "cannot insert multiple commands into a prepared statement").
		WithHint("run statements with arguments one at a time")
}

// Close implements driver.Conn. There is no network connection to close: the session is dropped,
// and its cursors with it.
func (c *Conn) Close() error {
	if !c.closed.Swap(true) {
		c.sess.Close()
	}
	return nil
}

// Begin implements driver.Conn.
func (c *Conn) Begin() (sqldriver.Tx, error) {
	return c.BeginTx(context.Background(), sqldriver.TxOptions{})
}

// BeginTx starts a transaction. Stripe has no transactions: reads see Stripe as it is at each
// request and writes apply at once. A transaction therefore only groups statements; a read-only
// one refuses writes, and Rollback reports writes it cannot undo instead of pretending to.
func (c *Conn) BeginTx(ctx context.Context, opts sqldriver.TxOptions) (sqldriver.Tx, error) {
	if err := c.usable(ctx); err != nil {
		return nil, err
	}
	if c.tx != nil {
		return nil, sqlstate.New(sqlstate.InvalidTransactionState, "there is already a transaction in progress")
	}
	switch opts.Isolation {
	case sqldriver.IsolationLevel(sql.LevelDefault), sqldriver.IsolationLevel(sql.LevelReadCommitted):
	default:
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "only read committed isolation is supported").
			WithDetail("stripe has no transactions; each statement sees stripe as it is when its requests run")
	}
	var ro *bool
	if opts.ReadOnly {
		ro = &opts.ReadOnly
	}
	if err := c.sess.BeginTransaction(ro); err != nil {
		return nil, err
	}
	c.tx = &Tx{conn: c, readOnly: opts.ReadOnly}
	return c.tx, nil
}

// Ping checks that the connection can be used. It sends no Stripe request: requests are counted
// against the node's budget, and database/sql pings often.
func (c *Conn) Ping(ctx context.Context) error {
	if c.closed.Load() {
		return sqldriver.ErrBadConn
	}
	if err := ctx.Err(); err != nil {
		return cancelError(err)
	}
	return nil
}

// ResetSession implements driver.SessionResetter. Session settings survive, as they do on a pooled
// PostgreSQL connection; a closed connection is reported so the pool drops it.
func (c *Conn) ResetSession(ctx context.Context) error {
	if c.closed.Load() {
		return sqldriver.ErrBadConn
	}
	return nil
}

// IsValid implements driver.Validator.
func (c *Conn) IsValid() bool { return !c.closed.Load() }

func (c *Conn) usable(ctx context.Context) error {
	if c.closed.Load() {
		return sqldriver.ErrBadConn
	}
	if err := ctx.Err(); err != nil {
		return cancelError(err)
	}
	return nil
}

// parseWithArgs splits query into statements and converts args; arguments are allowed only with
// one statement, as in PostgreSQL's extended protocol.
func parseWithArgs(query string, args []sqldriver.NamedValue) ([]*planner.Statement, []any, error) {
	stmts, err := planner.Parse(query)
	if err != nil {
		return nil, nil, err
	}
	vals, err := argValues(args)
	if err != nil {
		return nil, nil, err
	}
	if len(vals) > 0 && len(stmts) > 1 {
		return nil, nil, errMultipleCommands()
	}
	return stmts, vals, nil
}

// QueryContext runs query with $n arguments and returns the rows of its last statement. Earlier
// statements of a multi-statement string (allowed only without arguments) run to completion
// first. The first row is fetched before QueryContext returns, so planning and Stripe errors
// surface here.
func (c *Conn) QueryContext(ctx context.Context, query string, args []sqldriver.NamedValue) (sqldriver.Rows, error) {
	if err := c.usable(ctx); err != nil {
		return nil, err
	}
	stmts, vals, err := parseWithArgs(query, args)
	if err != nil {
		return nil, err
	}
	if len(stmts) == 0 {
		return emptyRows{}, nil
	}
	for _, st := range stmts[:len(stmts)-1] {
		if _, err := c.execStatement(ctx, st, vals); err != nil {
			return nil, err
		}
	}
	return c.queryStatement(ctx, stmts[len(stmts)-1], vals)
}

// ExecContext runs query with $n arguments, every statement to completion, and reports the rows
// affected by the last one (its command tag's count).
func (c *Conn) ExecContext(ctx context.Context, query string, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	if err := c.usable(ctx); err != nil {
		return nil, err
	}
	stmts, vals, err := parseWithArgs(query, args)
	if err != nil {
		return nil, err
	}
	var res sqldriver.Result = result{}
	for _, st := range stmts {
		if res, err = c.execStatement(ctx, st, vals); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// start plans st with args and starts it.
func (c *Conn) start(ctx context.Context, st *planner.Statement, args []any) (exec.Rows, error) {
	if c.tx != nil {
		if err := c.tx.admit(st); err != nil {
			return nil, err
		}
	}
	p, err := planner.Plan(c.sess, st, args)
	if err != nil {
		return nil, sqlError(ctx, err)
	}
	rows, err := exec.Run(ctx, c.connector.backend, c.sess, p)
	if err != nil {
		return nil, sqlError(ctx, err)
	}
	return rows, nil
}

func (c *Conn) queryStatement(ctx context.Context, st *planner.Statement, args []any) (sqldriver.Rows, error) {
	er, err := c.start(ctx, st, args)
	if err != nil {
		return nil, err
	}
	r := newRows(ctx, er, c.sess.Catalog())
	if err := r.prefetch(); err != nil {
		_ = er.Close()
		return nil, err
	}
	return r, nil
}

func (c *Conn) execStatement(ctx context.Context, st *planner.Statement, args []any) (sqldriver.Result, error) {
	er, err := c.start(ctx, st, args)
	if err != nil {
		return nil, err
	}
	defer er.Close()
	for {
		if _, err := er.Next(ctx); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, sqlError(ctx, err)
		}
	}
	return result{affected: tagCount(er.Tag())}, nil
}

// tagCount reads the row count at the end of a command tag ("SELECT 5", "INSERT 0 2",
// "UPDATE 3"), or 0 for tags without one ("SET").
func tagCount(tag string) int64 {
	i := strings.LastIndexByte(tag, ' ')
	if i < 0 {
		return 0
	}
	n, err := strconv.ParseInt(tag[i+1:], 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// result is the driver.Result of ExecContext.
type result struct{ affected int64 }

// LastInsertId is not supported: Stripe ids are strings. Use INSERT … RETURNING id.
func (r result) LastInsertId() (int64, error) {
	return 0, sqlstate.New(sqlstate.FeatureNotSupported, "LastInsertId is not supported").
		WithHint("stripe ids are text; use INSERT ... RETURNING id")
}

// RowsAffected returns the count of the statement's command tag.
func (r result) RowsAffected() (int64, error) { return r.affected, nil }

// sqlError turns any failure into the coded error a caller sees: Stripe's answers through their
// mapping, a cancelled or timed-out context into 57014, everything else unchanged when coded and
// XX000 otherwise.
func sqlError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx != nil && ctx.Err() != nil {
		if e, ok := sqlstate.As(err); !ok || e.Code == sqlstate.InternalError || e.Code == sqlstate.QueryCanceled {
			return cancelError(ctx.Err())
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		if _, ok := sqlstate.As(err); !ok {
			return cancelError(err)
		}
	}
	var se *stripeapi.Error
	if errors.As(err, &se) {
		return se.SQL()
	}
	return sqlstate.Wrap(err)
}

// cancelError is PostgreSQL's answer to a cancelled statement (57014), which also unwraps to the
// context's error, so callers can test errors.Is(err, context.DeadlineExceeded) or
// context.Canceled as with any Go API, and still read the SQLSTATE with errors.As.
func cancelError(err error) error {
	msg := "canceling statement due to user request"
	cause := error(context.Canceled)
	if errors.Is(err, context.DeadlineExceeded) {
		msg, cause = "canceling statement due to statement timeout", context.DeadlineExceeded
	}
	return &canceledError{pg: sqlstate.New(sqlstate.QueryCanceled, "%s", msg), cause: cause}
}

// canceledError is a 57014 *sqlstate.Error together with the context error that caused it.
type canceledError struct {
	pg    *sqlstate.Error
	cause error
}

func (e *canceledError) Error() string    { return e.pg.Error() }
func (e *canceledError) SQLState() string { return e.pg.Code }
func (e *canceledError) Unwrap() []error  { return []error{e.pg, e.cause} }

// Tx groups statements of one connection. See Conn.BeginTx for what it can and cannot promise.
type Tx struct {
	conn     *Conn
	readOnly bool
	writes   int
}

var _ sqldriver.Tx = (*Tx)(nil)

// writeKinds are the statement kinds that change Stripe.
var writeKinds = map[string]bool{"INSERT": true, "UPDATE": true, "DELETE": true, "CALL": true}

func (t *Tx) admit(st *planner.Statement) error {
	if !writeKinds[st.Kind()] {
		return nil
	}
	if t.readOnly {
		return sqlstate.New(sqlstate.ReadOnlySQLTransaction, "cannot execute %s in a read-only transaction", st.Kind())
	}
	t.writes++
	return nil
}

// Commit ends the transaction; its writes were applied when they ran. Cursors declared without
// WITH HOLD close.
func (t *Tx) Commit() error {
	t.conn.tx = nil
	t.conn.sess.EndTransaction(true)
	return nil
}

// Rollback ends the transaction. Reads need no undoing; writes already applied to Stripe cannot be
// undone, and Rollback says so with 25000 rather than report a rollback that did not happen.
func (t *Tx) Rollback() error {
	t.conn.tx = nil
	t.conn.sess.EndTransaction(false)
	if t.writes > 0 {
		return sqlstate.New(sqlstate.InvalidTransactionState, "stripe writes cannot be rolled back").
			WithDetail("%d statement(s) of this transaction wrote to stripe and stay applied", t.writes)
	}
	return nil
}
