package planner

import (
	"math"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/sqlstate"
)

// Cursors (DECLARE, FETCH, MOVE, CLOSE) plan into a CursorAction on Planned.Cursor that package
// exec carries out. DECLARE plans its query like any SELECT (Planned.Inner, held to the budget
// the same way) and decides whether the cursor can scroll; exec runs the query and keeps the
// running rows in the session's Cursors, which it registers with SetCursors. The planner reads
// Cursors to give FETCH its cursor's columns, pg_cursors reads it through OpenCursors, and the end
// of a transaction block (EndTransaction) and of the session (Close) close what PostgreSQL would.

// CursorOp is the statement a CursorAction carries out.
type CursorOp int

// The cursor statements.
const (
	CursorDeclare CursorOp = iota + 1
	CursorFetch
	CursorMove
	CursorClose
)

// FetchDirection is the direction of a FETCH or MOVE, as PostgreSQL's parser gives it: NEXT,
// PRIOR, FIRST, LAST and the bare forms are forward, backward or absolute moves with a count.
type FetchDirection int

// The directions of FETCH and MOVE.
const (
	FetchForward FetchDirection = iota + 1
	FetchBackward
	FetchAbsolute
	FetchRelative
)

// FetchAll is the count of FETCH ALL, FORWARD ALL and BACKWARD ALL (PostgreSQL's FETCH_ALL).
const FetchAll int64 = math.MaxInt64

// CursorAction is what a cursor statement does.
type CursorAction struct {
	Op CursorOp
	// Name is the cursor; empty for CLOSE ALL.
	Name string
	// Binary, Hold and Scroll are DECLARE's options; Scroll is decided already when neither
	// SCROLL nor NO SCROLL was given (scrollable).
	Binary, Hold, Scroll bool
	// Statement is the query string the DECLARE came in, for pg_cursors.
	Statement string
	// Direction and Count are FETCH's and MOVE's.
	Direction FetchDirection
	Count     int64
}

// CursorInfo describes an open cursor: what pg_cursors shows, and the columns a FETCH returns.
type CursorInfo struct {
	catalog.Cursor
	Columns []Column
}

// Cursors is a session's open cursors. Package exec implements it, holding each cursor's running
// query; the planner only reads descriptions.
type Cursors interface {
	// Cursor describes the open cursor name.
	Cursor(name string) (CursorInfo, bool)
	// List describes every open cursor, in the order they were declared.
	List() []CursorInfo
	// EndTransaction closes the cursors the end of a transaction block ends: every cursor
	// without WITH HOLD, and on rollback also those WITH HOLD declared in the block.
	EndTransaction(commit bool)
	// Close closes every cursor (the session ends).
	Close()
}

// SetCursors gives the session its cursors; package exec calls it on the first DECLARE.
func (s *Session) SetCursors(c Cursors) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cursors = c
}

// Cursors returns the session's cursors, or nil before any DECLARE.
func (s *Session) Cursors() Cursors {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cursors
}

// OpenCursors implements catalog.CursorLister: the rows of pg_cursors.
func (s *Session) OpenCursors() []catalog.Cursor {
	cs := s.Cursors()
	if cs == nil {
		return nil
	}
	var out []catalog.Cursor
	for _, c := range cs.List() {
		out = append(out, c.Cursor)
	}
	return out
}

// Close ends the session: its cursors are closed, so their queries send no further requests.
func (s *Session) Close() {
	if cs := s.Cursors(); cs != nil {
		cs.Close()
	}
}

var _ catalog.CursorLister = (*Session)(nil)

// ErrNoCursor is PostgreSQL's error for a cursor name that is not open (34000).
func ErrNoCursor(name string) *sqlstate.Error {
	return sqlstate.New(sqlstate.InvalidCursorName, "cursor %q does not exist", name)
}

// Cursor option bits of DeclareCursorStmt.Options (PostgreSQL's CURSOR_OPT_*).
const (
	cursorOptBinary   = 0x01
	cursorOptScroll   = 0x02
	cursorOptNoScroll = 0x04
	cursorOptHold     = 0x20
)

// planDeclare plans DECLARE name [BINARY] [ASENSITIVE | INSENSITIVE] [[NO] SCROLL] CURSOR [WITH[OUT]
// HOLD] FOR query. The query is planned now, with the statement's arguments, so its errors (and a
// refusal over the budget) come from the DECLARE, as in PostgreSQL; whether a transaction block is
// open and the name is free is checked when it runs.
func (pl *planCtx) planDeclare(d *pg.DeclareCursorStmt) (*Planned, error) {
	inner := &Statement{text: pl.st.text, full: pl.st.full, node: d.Query, kind: kindOf(d.Query)}
	sub := &planCtx{sess: pl.sess, st: inner, args: pl.args, describe: pl.describe, given: pl.given, now: pl.now}
	ip, err := sub.plan()
	if err != nil {
		return nil, err
	}
	pl.types = sub.types
	if ip.Write != nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "DECLARE CURSOR over a stripe action is not supported").
			WithHint("CALL the procedure, or SELECT from it without a cursor")
	}
	ip.Text = pl.st.text
	ip.Columns = publicColumns(ip.Columns) // record.go
	opts := d.Options
	scroll := opts&cursorOptScroll != 0
	if opts&(cursorOptScroll|cursorOptNoScroll) == 0 {
		scroll = scrollable(ip.Root)
	}
	act := &CursorAction{Op: CursorDeclare, Name: d.Portalname, Binary: opts&cursorOptBinary != 0,
		Hold: opts&cursorOptHold != 0, Scroll: scroll, Statement: pl.st.full}
	return &Planned{Kind: pl.st.kind, Tag: "DECLARE CURSOR", Inner: ip, Params: ip.Params, Estimate: ip.Estimate, Now: pl.now, Cursor: act}, nil
}

// planFetch plans FETCH and MOVE. A FETCH returns the columns of its cursor, so the cursor must be
// open now (34000 otherwise); describing a FETCH of a cursor that is not open answers that it
// returns no rows, as PostgreSQL does, and leaves the error to the execution.
func (pl *planCtx) planFetch(f *pg.FetchStmt) (*Planned, error) {
	act := &CursorAction{Op: CursorFetch, Name: f.Portalname, Count: f.HowMany}
	switch f.Direction {
	case pg.FetchDirection_FETCH_BACKWARD:
		act.Direction = FetchBackward
	case pg.FetchDirection_FETCH_ABSOLUTE:
		act.Direction = FetchAbsolute
	case pg.FetchDirection_FETCH_RELATIVE:
		act.Direction = FetchRelative
	default:
		act.Direction = FetchForward
	}
	p := &Planned{Kind: pl.st.kind, Tag: pl.st.kind, Now: pl.now, Cursor: act}
	if f.Ismove {
		act.Op = CursorMove
		return p, nil
	}
	var info CursorInfo
	ok := false
	if cs := pl.sess.Cursors(); cs != nil {
		info, ok = cs.Cursor(f.Portalname)
	}
	switch {
	case ok:
		p.Columns = info.Columns
	case !pl.describe:
		return nil, ErrNoCursor(f.Portalname)
	}
	return p, nil
}

// planClose plans CLOSE name and CLOSE ALL.
func (pl *planCtx) planClose(c *pg.ClosePortalStmt) *Planned {
	tag := "CLOSE CURSOR"
	if c.Portalname == "" {
		tag = "CLOSE CURSOR ALL"
	}
	return &Planned{Kind: pl.st.kind, Tag: tag, Now: pl.now, Cursor: &CursorAction{Op: CursorClose, Name: c.Portalname}}
}

// scrollable decides whether a cursor declared without SCROLL or NO SCROLL can move backward, the
// way PostgreSQL 15 decides it: when every node of the plan can scan backward
// (ExecSupportsBackwardScan). Heap and function scans, VALUES lists of several rows, CTE scans
// and sorts can; filters, projections, limits and UNION ALL can when their inputs can; a Result
// without input (SELECT 1, a one-row VALUES), aggregates, joins, DISTINCT, UNION, INTERSECT,
// EXCEPT and windows cannot. A Stripe table is a foreign table, whose scan PostgreSQL cannot run
// backward either, so a cursor over one is NO SCROLL unless declared SCROLL: a forward cursor over
// a large table then holds one page, never the rows it has passed. System tables are heap scans.
func scrollable(n Node) bool {
	switch x := n.(type) {
	case *Scan:
		return x.Access == AccessSystem
	case *Values:
		return len(x.Rows) > 1
	case *SeriesScan, *UnnestScan, *FuncScan, *RowsFrom, *CTEScan, *Sort:
		return true
	case *Filter:
		return scrollable(x.Input)
	case *Project:
		return scrollable(x.Input)
	case *Limit:
		return scrollable(x.Input)
	case *SetOp:
		return x.Op == "UNION" && x.All && scrollable(x.Left) && scrollable(x.Right)
	}
	return false
}
