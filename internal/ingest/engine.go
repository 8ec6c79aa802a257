package ingest

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/exec"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// MaxRequests is a sync statement's request budget (stripesql.max_requests) unless the Config
// sets another: the setting's maximum, so a backfill of any size is planned. The node's rate
// still paces every request.
const MaxRequests = 1 << 30

// engine runs SQL for one table of a run through the same planner and executor as queries, so
// pushdown, the request budget and the executor's scans apply to sync. It adds up the requests
// and rows of every statement it runs, and forwards the executor's progress reports.
type engine struct {
	backend  stripeapi.Backend
	cat      *catalog.Catalog
	stats    *planner.Stats
	rate     float64
	maxReq   int
	progress func(planner.ProgressEvent)

	mu       sync.Mutex
	requests int64 // of the statements that have ended
	rows     int64
}

// session is a new session for one statement, with the run's budget and progress callback.
// Without pushdown, every filter is evaluated by the engine and a list asks only for pages.
func (e *engine) session(pushdown bool) *planner.Session {
	settings := map[string]string{"stripesql.max_requests": strconv.Itoa(e.maxReq)}
	if !pushdown {
		settings["stripesql.pushdown"] = "off"
	}
	return planner.NewSession(planner.SessionConfig{
		Catalog:  e.cat,
		Rate:     e.rate,
		Stats:    e.stats,
		User:     "stripesql-sync",
		ReadOnly: true,
		Settings: settings,
		Progress: e.report,
	})
}

// report adds the statements already ended to the executor's figures for the running one.
func (e *engine) report(ev planner.ProgressEvent) {
	if e.progress == nil {
		return
	}
	e.mu.Lock()
	ev.Requests += e.requests
	ev.Rows += e.rows
	e.mu.Unlock()
	e.progress(ev)
}

// Requests is the number of Stripe requests the engine's statements have sent.
func (e *engine) Requests() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.requests
}

// query runs one SELECT with args and calls fn with each row; it returns the result columns.
func (e *engine) query(ctx context.Context, sql string, args []any, fn func(row []any) error) ([]planner.Column, error) {
	return e.queryOn(ctx, e.backend, sql, args, fn)
}

// queryOn is query against another backend: the snapshots of a run's events, which answer a
// list with every object they hold, so the query runs without pushdown.
func (e *engine) queryOn(ctx context.Context, b stripeapi.Backend, sql string, args []any, fn func(row []any) error) ([]planner.Column, error) {
	stmts, err := planner.Parse(sql)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, sqlstate.New(sqlstate.SyntaxError, "expected one SELECT statement, got %d", len(stmts))
	}
	sess := e.session(b == e.backend)
	p, err := planner.Plan(sess, stmts[0], args)
	if err != nil {
		return nil, err
	}
	rows, err := exec.Run(ctx, b, sess, p)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ferr error
	for {
		row, err := rows.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			ferr = err
			break
		}
		if err := fn(row); err != nil {
			ferr = err
			break
		}
	}
	st := rows.Stats()
	e.mu.Lock()
	if b == e.backend {
		e.requests += st.Requests
	}
	e.rows += st.Rows
	e.mu.Unlock()
	if ferr != nil {
		return nil, ferr
	}
	return rows.Columns(), nil
}

// describe returns the result columns of a SELECT without running it.
func (e *engine) describe(sql string) ([]planner.Column, error) {
	stmts, err := planner.Parse(sql)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 || stmts[0].Kind() != "SELECT" {
		return nil, sqlstate.New(sqlstate.SyntaxError, "a mapping query must be one SELECT statement")
	}
	d, err := planner.Describe(e.session(true), stmts[0], nil)
	if err != nil {
		return nil, err
	}
	return d.Columns, nil
}

// selectList is the quoted column list of a table's lake columns.
func selectList(p *plan) string {
	names := make([]string, len(p.cols))
	for i, c := range p.cols {
		names[i] = expr.QuoteIdent(c.Name)
	}
	return strings.Join(names, ", ")
}

// unix is the SQL of a Unix time as timestamptz.
func unix(sec int64) string { return "to_timestamp(" + strconv.FormatInt(sec, 10) + ")" }

// sinceSQL is the SQL that reads the table's objects created at or after sec (all when sec is 0).
func sinceSQL(p *plan, sec int64) string {
	q := "SELECT " + selectList(p) + " FROM " + expr.QuoteIdent(p.table.Name)
	if sec > 0 {
		q += " WHERE created >= " + unix(sec)
	}
	return q
}

// unixOf reads a timestamptz value as Unix seconds (0 for NULL).
func unixOf(v any) int64 {
	if t, ok := v.(time.Time); ok {
		return t.Unix()
	}
	return 0
}
