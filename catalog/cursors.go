package catalog

import (
	"time"

	"github.com/stripesql/stripesql/internal/expr"
)

// pg_cursors lists the cursors a session has open (DECLARE … CURSOR), as PostgreSQL's view of the
// same name does. The cursors live in the session (package exec keeps them, package planner's
// Session reports them), so the catalog only asks the session through CursorLister.

// Cursor is one open cursor as pg_cursors shows it.
type Cursor struct {
	// Name is the cursor's name as DECLARE gave it (folded to lower case unless quoted).
	Name string
	// Statement is the whole query string the DECLARE came in, as PostgreSQL reports it.
	Statement string
	// Holdable is WITH HOLD: the cursor outlives the transaction that declared it.
	Holdable bool
	// Binary is DECLARE BINARY: a FETCH over the simple protocol returns binary values.
	Binary bool
	// Scrollable is whether the cursor can move backward: SCROLL, or the default for a query
	// PostgreSQL could scan backward.
	Scrollable bool
	// Created is the time of the DECLARE statement.
	Created time.Time
}

// CursorLister is implemented by sessions that keep cursors (planner.Session).
type CursorLister interface {
	OpenCursors() []Cursor
}

// cursorRows is pg_cursors: name statement is_holdable is_binary is_scrollable creation_time.
func cursorRows(_ *Catalog, s expr.Session) [][]any {
	l, ok := s.(CursorLister)
	if !ok {
		return nil
	}
	var out [][]any
	for _, c := range l.OpenCursors() {
		out = append(out, []any{c.Name, c.Statement, c.Holdable, c.Binary, c.Scrollable, c.Created.UTC()})
	}
	return out
}
