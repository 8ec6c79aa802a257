package planner

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// TestCursorPlans checks what DECLARE, FETCH, MOVE and CLOSE plan to: the options and the scroll
// decision of DECLARE (PostgreSQL's default for a query given neither SCROLL nor NO SCROLL), the
// direction and count of every FETCH form, and the tags.
func TestCursorPlans(t *testing.T) {
	sess := NewSession(SessionConfig{Catalog: catalog.Default(), Clock: goldenClock}) // with pg_class
	sess.SetCursors(fakeCursors{"c": {Columns: []Column{{Name: "id", Type: sqltypes.Text}}}})
	tests := []struct {
		sql  string
		kind string
		tag  string
		want CursorAction
	}{
		{"DECLARE c CURSOR FOR SELECT id FROM customers", "DECLARE CURSOR", "DECLARE CURSOR", CursorAction{Op: CursorDeclare, Name: "c"}},
		{"DECLARE c SCROLL CURSOR FOR SELECT id FROM customers", "DECLARE CURSOR", "DECLARE CURSOR", CursorAction{Op: CursorDeclare, Name: "c", Scroll: true}},
		{"DECLARE c CURSOR FOR SELECT id FROM customers ORDER BY email", "DECLARE CURSOR", "DECLARE CURSOR", CursorAction{Op: CursorDeclare, Name: "c", Scroll: true}},
		{"DECLARE c CURSOR FOR SELECT id FROM customers WHERE email = 'a@b.c' LIMIT 3", "DECLARE CURSOR", "DECLARE CURSOR", CursorAction{Op: CursorDeclare, Name: "c"}},
		{"DECLARE c CURSOR FOR SELECT relname FROM pg_class WHERE relkind = 'r'", "DECLARE CURSOR", "DECLARE CURSOR", CursorAction{Op: CursorDeclare, Name: "c", Scroll: true}},
		{"DECLARE c CURSOR FOR SELECT g FROM generate_series(1, 3) g", "DECLARE CURSOR", "DECLARE CURSOR", CursorAction{Op: CursorDeclare, Name: "c", Scroll: true}},
		{"DECLARE c CURSOR FOR SELECT 1", "DECLARE CURSOR", "DECLARE CURSOR", CursorAction{Op: CursorDeclare, Name: "c"}},
		{"DECLARE c CURSOR FOR VALUES (1), (2)", "DECLARE CURSOR", "DECLARE CURSOR", CursorAction{Op: CursorDeclare, Name: "c", Scroll: true}},
		{"DECLARE c CURSOR FOR SELECT count(*) FROM pg_class", "DECLARE CURSOR", "DECLARE CURSOR", CursorAction{Op: CursorDeclare, Name: "c"}},
		{"DECLARE c CURSOR FOR SELECT c.id FROM customers c JOIN charges ch ON ch.customer = c.id", "DECLARE CURSOR", "DECLARE CURSOR", CursorAction{Op: CursorDeclare, Name: "c"}},
		{"DECLARE \"Big One\" BINARY INSENSITIVE NO SCROLL CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 3) g", "DECLARE CURSOR", "DECLARE CURSOR",
			CursorAction{Op: CursorDeclare, Name: "Big One", Binary: true, Hold: true}},
		{"FETCH c", "FETCH", "FETCH", CursorAction{Op: CursorFetch, Name: "c", Direction: FetchForward, Count: 1}},
		{"FETCH NEXT FROM c", "FETCH", "FETCH", CursorAction{Op: CursorFetch, Name: "c", Direction: FetchForward, Count: 1}},
		{"FETCH PRIOR FROM c", "FETCH", "FETCH", CursorAction{Op: CursorFetch, Name: "c", Direction: FetchBackward, Count: 1}},
		{"FETCH FIRST FROM c", "FETCH", "FETCH", CursorAction{Op: CursorFetch, Name: "c", Direction: FetchAbsolute, Count: 1}},
		{"FETCH LAST IN c", "FETCH", "FETCH", CursorAction{Op: CursorFetch, Name: "c", Direction: FetchAbsolute, Count: -1}},
		{"FETCH ABSOLUTE -4 FROM c", "FETCH", "FETCH", CursorAction{Op: CursorFetch, Name: "c", Direction: FetchAbsolute, Count: -4}},
		{"FETCH RELATIVE 2 FROM c", "FETCH", "FETCH", CursorAction{Op: CursorFetch, Name: "c", Direction: FetchRelative, Count: 2}},
		{"FETCH 7 FROM c", "FETCH", "FETCH", CursorAction{Op: CursorFetch, Name: "c", Direction: FetchForward, Count: 7}},
		{"FETCH ALL FROM c", "FETCH", "FETCH", CursorAction{Op: CursorFetch, Name: "c", Direction: FetchForward, Count: FetchAll}},
		{"FETCH FORWARD 50 FROM c", "FETCH", "FETCH", CursorAction{Op: CursorFetch, Name: "c", Direction: FetchForward, Count: 50}},
		{"FETCH BACKWARD ALL FROM c", "FETCH", "FETCH", CursorAction{Op: CursorFetch, Name: "c", Direction: FetchBackward, Count: FetchAll}},
		{"MOVE FORWARD 3 IN nope", "MOVE", "MOVE", CursorAction{Op: CursorMove, Name: "nope", Direction: FetchForward, Count: 3}},
		{"CLOSE c", "CLOSE CURSOR", "CLOSE CURSOR", CursorAction{Op: CursorClose, Name: "c"}},
		{"CLOSE ALL", "CLOSE CURSOR", "CLOSE CURSOR ALL", CursorAction{Op: CursorClose}},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			p, err := planOne(t, sess, tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			if p.Cursor == nil {
				t.Fatal("no cursor action")
			}
			got := *p.Cursor
			got.Statement = ""
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("action (-want +got):\n%s", d)
			}
			if p.Kind != tt.kind || p.Tag != tt.tag {
				t.Errorf("kind %q tag %q; want %q %q", p.Kind, p.Tag, tt.kind, tt.tag)
			}
			if tt.want.Op == CursorDeclare && (p.Inner == nil || p.Inner.Root == nil || p.Cursor.Statement != tt.sql) {
				t.Errorf("DECLARE without its query or statement text: %+v", p)
			}
		})
	}
}

// TestFetchColumns checks that a FETCH returns its cursor's columns, that planning a FETCH of a
// cursor that is not open is 34000, and that describing it answers no rows (PostgreSQL leaves
// the error to the execution); DECLARE describes its query's parameters and no columns.
func TestFetchColumns(t *testing.T) {
	sess := goldenSession()
	cols := []Column{{Name: "id", Type: sqltypes.Text}, {Name: "n", Type: sqltypes.Int8}}
	sess.SetCursors(fakeCursors{"c": {Columns: cols}})
	describe := func(sql string) *Description {
		t.Helper()
		sts, err := Parse(sql)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Describe(sess, sts[0], nil)
		if err != nil {
			t.Fatalf("Describe(%s): %v", sql, err)
		}
		return d
	}
	if d := cmp.Diff(cols, describe("FETCH 10 FROM c").Columns); d != "" {
		t.Errorf("FETCH columns (-want +got):\n%s", d)
	}
	if got := describe("MOVE 10 IN c").Columns; got != nil {
		t.Errorf("MOVE describes columns %v", got)
	}
	if got := describe("FETCH 10 FROM nope").Columns; got != nil {
		t.Errorf("FETCH of a cursor that is not open describes columns %v", got)
	}
	d := describe("DECLARE d CURSOR FOR SELECT id FROM charges WHERE customer = $1 AND amount > $2")
	if diff := cmp.Diff([]sqltypes.Type{sqltypes.Text, sqltypes.Int8}, d.Params); diff != "" || d.Columns != nil {
		t.Errorf("DECLARE describes params %v (diff %s) and columns %v", d.Params, diff, d.Columns)
	}
	_, err := planOne(t, sess, "FETCH 10 FROM nope")
	if e, ok := sqlstate.As(err); !ok || e.Code != sqlstate.InvalidCursorName || e.Message != `cursor "nope" does not exist` {
		t.Errorf("FETCH of a cursor that is not open: %v", err)
	}
}

// TestDeclareBudget checks that DECLARE is held to the request budget like its query: a plan that
// must read a large table to its end (an aggregate) is refused before anything is sent, while a
// streaming one is not, since a cursor is charged for the pages its FETCHes read.
func TestDeclareBudget(t *testing.T) {
	stats := NewStats()
	stats.Learn("charges", 1_000_000)
	sess := NewSession(SessionConfig{Catalog: stripeCatalog(), Clock: goldenClock, Stats: stats})
	_, err := planOne(t, sess, "DECLARE c CURSOR FOR SELECT count(*) FROM charges")
	if e, ok := sqlstate.As(err); !ok || e.Code != sqlstate.ProgramLimitExceeded {
		t.Errorf("DECLARE over a drained scan of a million charges: %v, want 54000", err)
	}
	if _, err := planOne(t, sess, "DECLARE c CURSOR FOR SELECT id FROM charges"); err != nil {
		t.Errorf("DECLARE over a streaming scan: %v", err)
	}
}

// fakeCursors is a session's open cursors as the planner sees them.
type fakeCursors map[string]CursorInfo

func (f fakeCursors) Cursor(name string) (CursorInfo, bool) {
	c, ok := f[name]
	return c, ok
}

func (f fakeCursors) List() []CursorInfo {
	var out []CursorInfo
	for name, c := range f {
		c.Cursor = catalog.Cursor{Name: name}
		out = append(out, c)
	}
	return out
}

func (f fakeCursors) EndTransaction(bool) {}
func (f fakeCursors) Close()              {}

// TestDeclareRefusals checks the DECLAREs stripesql refuses at plan time: over a procedure, whose
// request would be sent by the DECLARE rather than by a FETCH.
func TestDeclareRefusals(t *testing.T) {
	sess := NewSession(SessionConfig{Catalog: catalog.Default(), Clock: goldenClock})
	_, err := planOne(t, sess, "DECLARE c CURSOR FOR SELECT * FROM confirmpaymentintent('pi_1')")
	if e, ok := sqlstate.As(err); !ok || e.Code != sqlstate.FeatureNotSupported {
		t.Errorf("DECLARE over a procedure: %v, want 0A000", err)
	} else if !strings.Contains(e.Message, "DECLARE CURSOR over a stripe action") {
		t.Errorf("DECLARE over a procedure: %v", err)
	}
}
