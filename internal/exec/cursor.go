package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// Cursors. DECLARE runs the cursor's query at once and keeps its running Rows in the session's
// cursorSet; FETCH and MOVE pull from them as they ask, so a forward cursor over a Stripe table
// reads one page at a time and holds only that page, and a cursor closed after FETCH 10 has cost
// one page. The query runs under a context of its own (the DECLARE's values, marked
// WithBoundedDemand, but not its cancellation, since the cursor outlives the DECLARE), which
// closing the cursor or the session ends; while a FETCH or MOVE works on the cursor, its own
// context being cancelled (CancelRequest, statement_timeout) cancels the query, and the cursor
// then fails as PostgreSQL's portal does.
//
// Position follows PostgreSQL's portal (pquery.c): atStart, atEnd and pos (the number of the
// current row), moved by selections of rows forward or backward; FETCH and MOVE turn their
// direction and count into preliminary moves and a final selection (prepare, as DoPortalRunFetch
// does), so every direction lands where PostgreSQL's would. Under the position is the query's row
// sequence with an executor's position cur (0 before the first row, n+1 after the last). A NO
// SCROLL cursor only pulls rows forward; a SCROLL one also keeps every row it has read, within
// stripesql.work_mem_rows (53200 beyond), and moves backward over them.

// cursorSet is one session's open cursors; it implements planner.Cursors.
type cursorSet struct {
	mu     sync.Mutex
	byName map[string]*cursor
	seq    int
}

var _ planner.Cursors = (*cursorSet)(nil)

// cursorsOf returns sess's cursors, registering an empty set on first use.
func cursorsOf(sess *planner.Session) *cursorSet {
	if cs, ok := sess.Cursors().(*cursorSet); ok {
		return cs
	}
	cs := &cursorSet{byName: map[string]*cursor{}}
	sess.SetCursors(cs)
	return cs
}

// Cursor implements planner.Cursors.
func (cs *cursorSet) Cursor(name string) (planner.CursorInfo, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.byName[name]
	if !ok {
		return planner.CursorInfo{}, false
	}
	return c.info, true
}

// List implements planner.Cursors.
func (cs *cursorSet) List() []planner.CursorInfo {
	cs.mu.Lock()
	all := make([]*cursor, 0, len(cs.byName))
	for _, c := range cs.byName {
		all = append(all, c)
	}
	cs.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	out := make([]planner.CursorInfo, len(all))
	for i, c := range all {
		out[i] = c.info
	}
	return out
}

// EndTransaction implements planner.Cursors: a cursor without WITH HOLD ends with its block; one
// WITH HOLD survives a commit, and a rollback when an earlier transaction declared it.
func (cs *cursorSet) EndTransaction(commit bool) {
	cs.mu.Lock()
	var ending []*cursor
	for name, c := range cs.byName {
		if !c.info.Holdable || (!commit && c.inTx) {
			ending = append(ending, c)
			delete(cs.byName, name)
			continue
		}
		c.inTx = false
	}
	cs.mu.Unlock()
	for _, c := range ending {
		c.close()
	}
}

// Close implements planner.Cursors.
func (cs *cursorSet) Close() { cs.closeAll() }

func (cs *cursorSet) closeAll() {
	cs.mu.Lock()
	all := cs.byName
	cs.byName = map[string]*cursor{}
	cs.mu.Unlock()
	for _, c := range all {
		c.close()
	}
}

func (cs *cursorSet) get(name string) (*cursor, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.byName[name]
	if !ok {
		return nil, planner.ErrNoCursor(name)
	}
	return c, nil
}

// cursor is one open cursor: its query's rows and PostgreSQL's portal position over them.
type cursor struct {
	info   planner.CursorInfo
	seq    int
	sess   *planner.Session
	rows   Rows
	ctx    context.Context
	cancel context.CancelCauseFunc
	// inTx is set while the transaction block that declared the cursor is open.
	inTx bool

	// mu is held while a statement moves the cursor.
	mu     sync.Mutex
	failed bool
	closed bool
	// atStart, atEnd and pos are the portal's position (pquery.c's atStart, atEnd, portalPos).
	atStart, atEnd bool
	pos            int64
	// The executor under the position: cur is 0 before the first row, k on row k, read+1 after
	// the last; read counts the rows pulled from rows, eof says rows has ended. A scrolling
	// cursor keeps the rows it has read in buf.
	scroll bool
	buf    [][]any
	cur    int64
	read   int64
	eof    bool
}

// close stops the cursor's query: no further request is sent.
func (c *cursor) close() {
	c.cancel(errCursorClosed)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		_ = c.rows.Close()
		c.buf = nil
	}
}

var errCursorClosed = errors.New("cursor closed")

// runCursor runs DECLARE, FETCH, MOVE and CLOSE.
func runCursor(ctx context.Context, b stripeapi.Backend, sess *planner.Session, p *planner.Planned) (Rows, error) {
	a := p.Cursor
	cs := cursorsOf(sess)
	switch a.Op {
	case planner.CursorDeclare:
		return declareCursor(ctx, b, sess, cs, p)
	case planner.CursorClose:
		if a.Name == "" {
			cs.closeAll()
		} else {
			cs.mu.Lock()
			c, ok := cs.byName[a.Name]
			delete(cs.byName, a.Name)
			cs.mu.Unlock()
			if !ok {
				return nil, planner.ErrNoCursor(a.Name)
			}
			c.close()
		}
		return doneRows(b, sess, p, p.Tag), nil
	}
	c, err := cs.get(a.Name)
	if err != nil {
		return nil, err
	}
	if a.Op == planner.CursorFetch {
		return c.fetch(ctx, a)
	}
	n, err := c.move(ctx, a)
	if err != nil {
		return nil, err
	}
	return doneRows(b, sess, p, fmt.Sprintf("MOVE %d", n)), nil
}

// doneRows is the empty result of a statement that returns no rows, with its tag.
func doneRows(b stripeapi.Backend, sess *planner.Session, p *planner.Planned, tag string) Rows {
	return &rowsImpl{r: newRunner(b, sess, p), tag: tag, done: true}
}

// declareCursor opens a cursor: PostgreSQL's checks (a name, a transaction block unless WITH
// HOLD, a name not in use), then the query starts under the cursor's own context.
func declareCursor(ctx context.Context, b stripeapi.Backend, sess *planner.Session, cs *cursorSet, p *planner.Planned) (Rows, error) {
	a := p.Cursor
	if a.Name == "" {
		return nil, sqlstate.New(sqlstate.InvalidCursorName, "invalid cursor name: must not be empty")
	}
	inTx := sess.InTransaction()
	if !a.Hold && !inTx {
		return nil, sqlstate.New(sqlstate.NoActiveSQLTransaction, "DECLARE CURSOR can only be used in transaction blocks")
	}
	if _, ok := cs.Cursor(a.Name); ok {
		return nil, sqlstate.New(sqlstate.DuplicateCursor, "cursor %q already exists", a.Name)
	}
	cctx, cancel := context.WithCancelCause(WithBoundedDemand(context.WithoutCancel(ctx)))
	stop := watch(ctx, cancel)
	rows, err := Run(cctx, b, sess, p.Inner)
	if !stop() {
		err = canceled(ctx.Err())
	}
	if err != nil {
		cancel(nil)
		if rows != nil {
			_ = rows.Close()
		}
		return nil, err
	}
	if q, ok := rows.(*rowsImpl); ok {
		q.r.timeout = 0 // statement_timeout applies to each FETCH, not to the cursor's life
	}
	c := &cursor{
		info: planner.CursorInfo{Columns: p.Inner.Columns},
		sess: sess, rows: rows, ctx: cctx, cancel: cancel, inTx: inTx,
		atStart: true, scroll: a.Scroll,
	}
	c.info.Name, c.info.Statement, c.info.Created = a.Name, a.Statement, p.Now
	c.info.Holdable, c.info.Binary, c.info.Scrollable = a.Hold, a.Binary, a.Scroll
	cs.mu.Lock()
	if _, taken := cs.byName[a.Name]; taken {
		cs.mu.Unlock()
		c.close()
		return nil, sqlstate.New(sqlstate.DuplicateCursor, "cursor %q already exists", a.Name)
	}
	cs.seq++
	c.seq = cs.seq
	cs.byName[a.Name] = c
	cs.mu.Unlock()
	return doneRows(b, sess, p, p.Tag), nil
}

// watch cancels a cursor's query when ctx, the context of the statement working on the cursor,
// ends first. stop reports false when it did.
func watch(ctx context.Context, cancel context.CancelCauseFunc) (stop func() bool) {
	return context.AfterFunc(ctx, func() { cancel(context.Cause(ctx)) })
}

// withTimeout applies the session's statement_timeout to one FETCH or MOVE, from start.
func withTimeout(ctx context.Context, sess *planner.Session, start time.Time) (context.Context, context.CancelFunc) {
	if d := statementTimeout(sess); d > 0 {
		return context.WithDeadline(ctx, start.Add(d))
	}
	return ctx, func() {}
}

// usable is the check every FETCH and MOVE starts with; c.mu is held.
func (c *cursor) usable() error {
	switch {
	case c.closed:
		return planner.ErrNoCursor(c.info.Name)
	case c.failed:
		return sqlstate.New(sqlstate.ObjectNotInPrerequisiteState, "portal %q cannot be run", c.info.Name)
	}
	return nil
}

// failWith marks the cursor failed by err, as an error in a FETCH leaves PostgreSQL's portal, and
// stops its query; c.mu is held. A failed cursor refuses further FETCH and MOVE (55000) until it
// is closed, by CLOSE or by the end of the transaction block that declared it.
func (c *cursor) failWith(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		err = canceled(ctx.Err())
	}
	c.failed = true
	c.cancel(err)
	_ = c.rows.Close()
	c.buf = nil
	return sqlstate.Wrap(err)
}

// move runs MOVE and returns the count of its tag.
func (c *cursor) move(ctx context.Context, a *planner.CursorAction) (int64, error) {
	ctx, cancel := withTimeout(ctx, c.sess, time.Now())
	defer cancel()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return 0, err
	}
	sel, n, err := c.prepare(ctx, a.Direction, a.Count, true)
	if err == nil && sel != nil {
		n, err = sel.drain(ctx)
	}
	if err != nil {
		return 0, c.failWith(ctx, err)
	}
	return n, nil
}

// fetch runs FETCH: the preliminary moves now, the rows as the result is read.
func (c *cursor) fetch(ctx context.Context, a *planner.CursorAction) (Rows, error) {
	f := &fetchRows{c: c, start: time.Now(), base: c.rows.Stats()}
	ctx, cancel := withTimeout(ctx, c.sess, f.start)
	defer cancel()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	sel, _, err := c.prepare(ctx, a.Direction, a.Count, false)
	if err != nil {
		return nil, c.failWith(ctx, err)
	}
	f.sel = sel
	return f, nil
}

// prepare turns a direction and count into the moves PostgreSQL makes (DoPortalRunFetch): it
// runs the preliminary ones and returns the final selection, whose rows FETCH returns and MOVE
// counts. For the forms MOVE answers without a final selection (MOVE 0, MOVE BACKWARD ALL) sel is
// nil and n is the tag's count. c.mu is held.
func (c *cursor) prepare(ctx context.Context, dir planner.FetchDirection, count int64, move bool) (sel *selection, n int64, err error) {
	switch dir {
	case planner.FetchForward:
		if count < 0 {
			dir, count = planner.FetchBackward, -count
		}
	case planner.FetchBackward:
		if count < 0 {
			dir, count = planner.FetchForward, -count
		}
	case planner.FetchAbsolute:
		switch {
		case count > 0:
			// Rewind and go forward when the row is nearer the start than here; otherwise move
			// from here, one extra row when past the end.
			if count-1 <= c.pos/2 {
				if err := c.rewind(); err != nil {
					return nil, 0, err
				}
				if count > 1 {
					if _, err := c.skip(ctx, true, count-1); err != nil {
						return nil, 0, err
					}
				}
			} else {
				pos := c.pos
				if c.atEnd {
					pos++
				}
				switch {
				case count <= pos:
					_, err = c.skip(ctx, false, pos-count+1)
				case count > pos+1:
					_, err = c.skip(ctx, true, count-pos-1)
				}
				if err != nil {
					return nil, 0, err
				}
			}
			sel, err = c.selection(true, 1)
			return sel, 0, err
		case count < 0:
			// To the end, then back abs(count)-1 rows, and the row before.
			if _, err := c.skip(ctx, true, planner.FetchAll); err != nil {
				return nil, 0, err
			}
			if count < -1 {
				if _, err := c.skip(ctx, false, -count-1); err != nil {
					return nil, 0, err
				}
			}
			sel, err = c.selection(false, 1)
			return sel, 0, err
		default:
			if err := c.rewind(); err != nil {
				return nil, 0, err
			}
			sel, err = c.selection(true, 0)
			return sel, 0, err
		}
	case planner.FetchRelative:
		switch {
		case count > 0:
			if count > 1 {
				if _, err := c.skip(ctx, true, count-1); err != nil {
					return nil, 0, err
				}
			}
			sel, err = c.selection(true, 1)
			return sel, 0, err
		case count < 0:
			if count < -1 {
				if _, err := c.skip(ctx, false, -count-1); err != nil {
					return nil, 0, err
				}
			}
			sel, err = c.selection(false, 1)
			return sel, 0, err
		}
		dir = planner.FetchForward
	}
	forward := dir == planner.FetchForward
	if count == 0 {
		// Re-fetch the current row, if the cursor is on one (MOVE 0 only says whether it is).
		onRow := !c.atStart && !c.atEnd
		if move {
			if onRow {
				return nil, 1, nil
			}
			return nil, 0, nil
		}
		if onRow {
			if _, err := c.skip(ctx, false, 1); err != nil {
				return nil, 0, err
			}
			count, forward = 1, true
		}
	}
	if !forward && count == planner.FetchAll && move {
		n := c.pos
		if n > 0 && !c.atEnd {
			n--
		}
		if err := c.rewind(); err != nil {
			return nil, 0, err
		}
		return nil, n, nil
	}
	sel, err = c.selection(forward, count)
	return sel, 0, err
}

// errScanForward is PostgreSQL's refusal to move a NO SCROLL cursor backward.
func errScanForward() error {
	return sqlstate.New(sqlstate.ObjectNotInPrerequisiteState, "cursor can only scan forward").
		WithHint("Declare it with SCROLL option to enable backward scan.")
}

// rewind moves the cursor before its first row (DoPortalRewind); c.mu is held.
func (c *cursor) rewind() error {
	if c.atStart && !c.atEnd {
		return nil // nothing read yet: no scroll needed
	}
	if !c.scroll {
		return errScanForward()
	}
	c.cur = 0
	c.atStart, c.atEnd, c.pos = true, false, 0
	return nil
}

// skip selects up to count rows in a direction and drops them; c.mu is held.
func (c *cursor) skip(ctx context.Context, forward bool, count int64) (int64, error) {
	sel, err := c.selection(forward, count)
	if err != nil {
		return 0, err
	}
	return sel.drain(ctx)
}

// selection is one run of the executor in one direction (PortalRunSelect): up to count rows
// (FetchAll: all), moving the portal's position as they are read.
type selection struct {
	c       *cursor
	forward bool
	// left is the rows still to select, -1 for all, 0 when done.
	left int64
}

// selection starts a selection, refusing a backward one on a NO SCROLL cursor. A selection that
// cannot move (past the end going forward, before the start going back, or a count of 0) returns
// no rows and leaves the position.
func (c *cursor) selection(forward bool, count int64) (*selection, error) {
	if !forward && !c.scroll {
		return nil, errScanForward()
	}
	s := &selection{c: c, forward: forward, left: count}
	switch {
	case count <= 0 || forward && c.atEnd || !forward && c.atStart:
		s.left = 0
	case count == planner.FetchAll:
		s.left = -1
	}
	return s, nil
}

// next returns the selection's next row; ok is false when it is done. c.mu is held.
func (s *selection) next(ctx context.Context) (row []any, ok bool, err error) {
	if s.left == 0 {
		return nil, false, nil
	}
	c := s.c
	row, ok, err = c.step(ctx, s.forward)
	if err != nil {
		return nil, false, err
	}
	switch {
	case !ok && s.forward:
		c.atEnd = true
	case !ok:
		c.atStart, c.pos = true, 0
	case s.forward:
		c.atStart = false
		c.pos++
	default:
		if c.atEnd {
			c.atEnd = false
			c.pos++
		}
		c.pos--
	}
	if !ok {
		s.left = 0
		return nil, false, nil
	}
	if s.left > 0 {
		s.left--
	}
	return row, true, nil
}

// drain reads the selection to its end and returns how many rows it selected; c.mu is held.
func (s *selection) drain(ctx context.Context) (int64, error) {
	var n int64
	for {
		_, ok, err := s.next(ctx)
		if err != nil || !ok {
			return n, err
		}
		n++
	}
}

// step moves the executor one row in a direction and returns that row; ok is false at either
// end. Backward steps only happen on scrolling cursors, over rows already read. c.mu is held.
func (c *cursor) step(ctx context.Context, forward bool) ([]any, bool, error) {
	if !forward {
		if c.cur <= 1 {
			c.cur = 0
			return nil, false, nil
		}
		c.cur--
		return c.buf[c.cur-1], true, nil
	}
	if c.scroll && c.cur < int64(len(c.buf)) {
		c.cur++
		return c.buf[c.cur-1], true, nil
	}
	if c.eof {
		c.cur = c.read + 1
		return nil, false, nil
	}
	row, err := c.pull(ctx)
	if err == io.EOF {
		c.eof = true
		c.cur = c.read + 1
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if c.scroll {
		if n := len(c.buf); n > 0 && n%workMemStride == 0 {
			if limit := c.sess.WorkMemRows(); int64(n) >= limit {
				return nil, false, planner.ErrWorkMem("scroll cursor", limit)
			}
		}
		c.buf = append(c.buf, row)
	}
	c.read++
	c.cur = c.read
	return row, true, nil
}

// pull reads the query's next row under the cursor's context, which ctx's end cancels.
func (c *cursor) pull(ctx context.Context) ([]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, canceled(err)
	}
	stop := watch(ctx, c.cancel)
	row, err := c.rows.Next(c.ctx)
	if !stop() {
		return nil, canceled(ctx.Err())
	}
	return row, err
}

// fetchRows is the result of a FETCH: its selection's rows, read as the client asks. Closing it
// before the end leaves the cursor on the last row returned.
type fetchRows struct {
	c     *cursor
	sel   *selection
	start time.Time
	base  Stats // the query's figures when the FETCH began
	n     int64
	done  bool
	err   error
}

func (f *fetchRows) Columns() []planner.Column { return f.c.info.Columns }

func (f *fetchRows) Next(ctx context.Context) ([]any, error) {
	if f.err != nil {
		return nil, f.err
	}
	if f.done {
		return nil, io.EOF
	}
	ctx, cancel := withTimeout(ctx, f.c.sess, f.start)
	defer cancel()
	c := f.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		f.err = err
		return nil, err
	}
	row, ok, err := f.sel.next(ctx)
	if err != nil {
		f.err = c.failWith(ctx, err)
		return nil, f.err
	}
	if !ok {
		f.done = true
		return nil, io.EOF
	}
	f.n++
	return row, nil
}

func (f *fetchRows) Close() error {
	f.done = true
	return nil
}

func (f *fetchRows) Tag() string { return fmt.Sprintf("FETCH %d", f.n) }

// Stats are the requests and pages this FETCH made the cursor's query send, and its rows.
func (f *fetchRows) Stats() Stats {
	s := f.c.rows.Stats()
	return Stats{Requests: s.Requests - f.base.Requests, Pages: s.Pages - f.base.Pages, Rows: f.n, Elapsed: time.Since(f.start)}
}

// Binary reports whether the cursor was declared BINARY: the wire server then sends a FETCH over
// the simple protocol in binary, as PostgreSQL does.
func (f *fetchRows) Binary() bool { return f.c.info.Binary }
