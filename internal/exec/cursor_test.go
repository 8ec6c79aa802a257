package exec

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// runLine runs one statement under ctx and renders its answer on one line: the rows joined by
// ",", then the tag, or "ERROR code" when it fails.
func runLine(ctx context.Context, b stripeapi.Backend, sess *planner.Session, sql string) string {
	sts, err := planner.Parse(sql)
	if err != nil {
		return "ERROR " + codeOfErr(err)
	}
	p, err := planner.Plan(sess, sts[0], nil)
	if err != nil {
		return "ERROR " + codeOfErr(err)
	}
	rows, err := Run(ctx, b, sess, p)
	if err != nil {
		return "ERROR " + codeOfErr(err)
	}
	defer rows.Close()
	var cells []string
	for {
		r, err := rows.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "ERROR " + codeOfErr(err)
		}
		cells = append(cells, rowString(r))
	}
	if len(cells) == 0 {
		return rows.Tag()
	}
	return strings.Join(cells, ",") + " " + rows.Tag()
}

// TestCursorMoves runs FETCH and MOVE in every direction over a SCROLL and a NO SCROLL cursor
// (package difftest checks the same forms against PostgreSQL 15).
func TestCursorMoves(t *testing.T) {
	const scroll = "DECLARE c SCROLL CURSOR FOR SELECT g FROM generate_series(1, 5) g"
	const noScroll = "DECLARE c NO SCROLL CURSOR FOR SELECT g FROM generate_series(1, 5) g"
	tests := []struct {
		name  string
		steps []string
		want  []string
	}{
		{"forward and back", []string{scroll, "FETCH 2 FROM c", "FETCH PRIOR FROM c", "FETCH BACKWARD 5 FROM c", "FETCH NEXT FROM c", "FETCH ALL FROM c", "FETCH c", "FETCH BACKWARD ALL FROM c"},
			[]string{"DECLARE CURSOR", "1,2 FETCH 2", "1 FETCH 1", "FETCH 0", "1 FETCH 1", "2,3,4,5 FETCH 4", "FETCH 0", "5,4,3,2,1 FETCH 5"}},
		{"absolute and relative", []string{scroll, "FETCH ABSOLUTE 3 FROM c", "FETCH RELATIVE -1 FROM c", "FETCH RELATIVE 2 FROM c", "FETCH LAST FROM c", "FETCH FIRST FROM c", "FETCH ABSOLUTE -2 FROM c", "FETCH ABSOLUTE 9 FROM c", "FETCH RELATIVE 0 FROM c", "FETCH PRIOR FROM c"},
			[]string{"DECLARE CURSOR", "3 FETCH 1", "2 FETCH 1", "4 FETCH 1", "5 FETCH 1", "1 FETCH 1", "4 FETCH 1", "FETCH 0", "FETCH 0", "5 FETCH 1"}},
		{"current row", []string{scroll, "FETCH 0 FROM c", "FETCH 2 FROM c", "FETCH 0 FROM c", "FETCH FORWARD 0 FROM c", "FETCH BACKWARD 0 FROM c", "FETCH -1 FROM c"},
			[]string{"DECLARE CURSOR", "FETCH 0", "1,2 FETCH 2", "2 FETCH 1", "2 FETCH 1", "2 FETCH 1", "1 FETCH 1"}},
		{"move", []string{scroll, "MOVE 2 IN c", "MOVE 0 IN c", "MOVE ALL IN c", "MOVE 0 IN c", "MOVE BACKWARD ALL IN c", "FETCH c", "MOVE BACKWARD 9 IN c", "MOVE LAST IN c", "FETCH c"},
			[]string{"DECLARE CURSOR", "MOVE 2", "MOVE 1", "MOVE 3", "MOVE 0", "MOVE 5", "1 FETCH 1", "MOVE 0", "MOVE 1", "FETCH 0"}},
		{"no scroll forward", []string{noScroll, "FETCH FIRST FROM c", "FETCH 0 FROM c", "FETCH 0 FROM c", "MOVE 0 IN c", "FETCH RELATIVE 2 FROM c", "FETCH ABSOLUTE 5 FROM c", "FETCH ALL FROM c"},
			[]string{"DECLARE CURSOR", "1 FETCH 1", "ERROR 55000", "ERROR 55000", "ERROR 55000", "ERROR 55000", "ERROR 55000", "ERROR 55000"}},
		{"no scroll skips", []string{noScroll, "MOVE 0 IN c", "FETCH ABSOLUTE 3 FROM c", "FETCH RELATIVE 2 FROM c", "FETCH FORWARD ALL FROM c", "FETCH c"},
			[]string{"DECLARE CURSOR", "MOVE 0", "3 FETCH 1", "5 FETCH 1", "FETCH 0", "FETCH 0"}},
		{"no scroll back", []string{noScroll, "FETCH 2 FROM c", "FETCH BACKWARD 0 FROM c"}, []string{"DECLARE CURSOR", "1,2 FETCH 2", "ERROR 55000"}},
		{"failed cursor refuses", []string{noScroll, "FETCH 2 FROM c", "FETCH PRIOR FROM c", "FETCH c", "CLOSE c", "FETCH c"},
			[]string{"DECLARE CURSOR", "1,2 FETCH 2", "ERROR 55000", "ERROR 55000", "CLOSE CURSOR", "ERROR 34000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sess := session(nil)
			if err := sess.BeginTransaction(nil); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range tt.steps {
				got = append(got, runLine(context.Background(), newFake(1), sess, s))
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("answers (-want +got):\n%s", d)
			}
		})
	}
}

// TestCursorLifetime checks PostgreSQL's rules for where a cursor may be declared and how long it
// lives: DECLARE needs a transaction block unless WITH HOLD, names are unique, COMMIT closes
// cursors without WITH HOLD, ROLLBACK also those WITH HOLD it declared, and the session's end all.
func TestCursorLifetime(t *testing.T) {
	const q = " CURSOR FOR SELECT g FROM generate_series(1, 3) g"
	sess := planner.NewSession(planner.SessionConfig{Catalog: catalog.Default()}) // with pg_cursors
	b := newFake(1)
	run := func(sql string) string { return runLine(context.Background(), b, sess, sql) }
	names := func() string { return run("SELECT string_agg(name, ',' ORDER BY name) FROM pg_cursors") }
	steps := []struct{ do, want string }{
		{"DECLARE c" + q, "ERROR 25P01"},
		{"DECLARE h CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 3) g", "DECLARE CURSOR"},
		{"FETCH h", "1 FETCH 1"},
		{"begin", ""},
		{"DECLARE c" + q, "DECLARE CURSOR"},
		{"DECLARE c" + q, "ERROR 42P03"},
		{"DECLARE h" + q, "ERROR 42P03"},
		{"DECLARE h2 CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 3) g", "DECLARE CURSOR"},
		{"FETCH h2", "1 FETCH 1"},
		{"names", "c,h,h2 SELECT 1"},
		{"rollback", ""},
		{"names", "h SELECT 1"},
		{"FETCH h", "2 FETCH 1"},
		{"begin", ""},
		{"DECLARE c" + q, "DECLARE CURSOR"},
		{"DECLARE h2 CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 3) g", "DECLARE CURSOR"},
		{"commit", ""},
		{"names", "h,h2 SELECT 1"},
		{"FETCH ALL FROM h2", "1,2,3 FETCH 3"},
		{"begin", ""},
		{"rollback", ""},
		{"names", "h,h2 SELECT 1"},
		{"CLOSE h2", "CLOSE CURSOR"},
		{"CLOSE h2", "ERROR 34000"},
		{"FETCH nope", "ERROR 34000"},
		{"MOVE nope", "ERROR 34000"},
		{"CLOSE ALL", "CLOSE CURSOR ALL"},
		{"names", "NULL SELECT 1"},
		{"DECLARE h CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 3) g", "DECLARE CURSOR"},
		{"close session", ""},
		{"names", "NULL SELECT 1"},
	}
	for i, s := range steps {
		var got string
		switch s.do {
		case "begin":
			if err := sess.BeginTransaction(nil); err != nil {
				t.Fatal(err)
			}
		case "commit", "rollback":
			sess.EndTransaction(s.do == "commit")
		case "close session":
			sess.Close()
		case "names":
			got = names()
		default:
			got = run(s.do)
		}
		if got != s.want {
			t.Errorf("step %d %s: got %q, want %q", i, s.do, got, s.want)
		}
	}
}

// TestCursorReadsPagesAsFetched checks that a cursor streams: DECLARE sends nothing, each FETCH
// reads only the pages it needs, CLOSE stops the scan, a NO SCROLL cursor keeps no rows, and a
// plan far over the request budget is not refused as long as the pages read stay within it.
func TestCursorReadsPagesAsFetched(t *testing.T) {
	b := newFake(5000) // 50 pages of 100
	sess := session(map[string]string{"stripesql.max_requests": "10"})
	if err := sess.BeginTransaction(nil); err != nil {
		t.Fatal(err)
	}
	run := func(sql string) string { return runLine(context.Background(), b, sess, sql) }
	lists := func() int {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.calls)
	}
	steps := []struct {
		sql   string
		tag   string
		pages int
	}{
		{"DECLARE c CURSOR FOR SELECT id FROM widgets", "DECLARE CURSOR", 0},
		{"FETCH 10 FROM c", "FETCH 10", 1},
		{"FETCH 90 FROM c", "FETCH 90", 1},
		{"FETCH 1 FROM c", "FETCH 1", 2},
		{"MOVE 250 IN c", "MOVE 250", 4},
		{"CLOSE c", "CLOSE CURSOR", 4},
	}
	for _, s := range steps {
		got := run(s.sql)
		if f := strings.Fields(got); len(f) < 2 || strings.Join(f[len(f)-2:], " ") != s.tag {
			t.Errorf("%s: %q, want tag %q", s.sql, got, s.tag)
		}
		if n := lists(); n != s.pages {
			t.Errorf("after %s: %d list requests, want %d", s.sql, n, s.pages)
		}
		if s.sql == "MOVE 250 IN c" {
			c, err := cursorsOf(sess).get("c")
			if err != nil {
				t.Fatal(err)
			}
			if len(c.buf) != 0 {
				t.Errorf("a NO SCROLL cursor holds %d rows; want none", len(c.buf))
			}
		}
	}
	// The budget counts the pages read over the cursor's life: the eleventh is refused.
	if got := run("DECLARE d CURSOR FOR SELECT id FROM widgets"); got != "DECLARE CURSOR" {
		t.Fatalf("DECLARE d: %s", got)
	}
	if got := run("MOVE 1000 IN d"); got != "MOVE 1000" {
		t.Errorf("MOVE 1000: %s", got)
	}
	if got := run("FETCH 100 FROM d"); got != "ERROR 54000" {
		t.Errorf("FETCH past the budget: %s, want ERROR 54000", got)
	}
}

// TestScrollCursorWorkMem checks that a SCROLL cursor keeps the rows it has read within
// stripesql.work_mem_rows and fails with 53200 beyond.
func TestScrollCursorWorkMem(t *testing.T) {
	for _, tc := range []struct{ limit, want string }{{"2000", "ERROR 53200"}, {"6000", "MOVE 5000"}} {
		t.Run(tc.limit, func(t *testing.T) {
			sess := session(map[string]string{planner.SettingWorkMemRows: tc.limit})
			if err := sess.BeginTransaction(nil); err != nil {
				t.Fatal(err)
			}
			b := newFake(1)
			runLine(context.Background(), b, sess, "DECLARE c SCROLL CURSOR FOR SELECT g FROM generate_series(1, 5000) g")
			if got := runLine(context.Background(), b, sess, "MOVE ALL IN c"); got != tc.want {
				t.Errorf("MOVE ALL: %s, want %s", got, tc.want)
			}
		})
	}
}

// TestCursorContext checks that a cursor's query runs under its own context: it outlives the
// DECLARE's and each FETCH's context (a correlated subquery evaluated in a later FETCH still
// runs), statement_timeout applies to each FETCH rather than to the cursor's age, and a FETCH
// cancelled while it reads fails the cursor with 57014, as PostgreSQL's portal fails.
func TestCursorContext(t *testing.T) {
	b := newFake(300)
	sess := session(map[string]string{"statement_timeout": "200ms"})
	if err := sess.BeginTransaction(nil); err != nil {
		t.Fatal(err)
	}
	in := func(sql string) string {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		return runLine(ctx, b, sess, sql)
	}
	if got := in("DECLARE c CURSOR FOR SELECT w.id, (SELECT o.name FROM owners o WHERE o.id = w.owner) FROM widgets w"); got != "DECLARE CURSOR" {
		t.Fatal(got)
	}
	if got := in("FETCH 2 FROM c"); got != "wid_300|Owner 0,wid_299|NULL FETCH 2" {
		t.Errorf("first FETCH: %s", got)
	}
	time.Sleep(300 * time.Millisecond) // older than statement_timeout
	if got := in("FETCH 2 FROM c"); got != "wid_298|Owner 2,wid_297|Owner 1 FETCH 2" {
		t.Errorf("FETCH in a later context: %s", got)
	}

	b.block = make(chan struct{}) // every later list waits until the FETCH below is cancelled
	defer close(b.block)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if got := runLine(ctx, b, sess, "FETCH 200 FROM c"); got != "ERROR 57014" {
		t.Errorf("cancelled FETCH: %s, want ERROR 57014", got)
	}
	if got := in("FETCH 1 FROM c"); got != "ERROR 55000" {
		t.Errorf("FETCH after a cancelled one: %s, want ERROR 55000", got)
	}
}

// BenchmarkCursorMemory reads 20,000 rows through a cursor with FETCH 500 and reports the heap
// still live at the end (after a collection) per row read: a NO SCROLL cursor holds one page
// whatever it has read, a SCROLL one every row.
func BenchmarkCursorMemory(b *testing.B) {
	const rows = 20000
	backend := newFake(rows)
	for _, mode := range []string{"NO SCROLL", "SCROLL"} {
		b.Run(mode, func(b *testing.B) {
			var live float64
			for i := 0; i < b.N; i++ {
				sess := session(map[string]string{"stripesql.max_requests": "100000"})
				if err := sess.BeginTransaction(nil); err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				if got := runLine(context.Background(), backend, sess, "DECLARE c "+mode+" CURSOR FOR SELECT id, color, metadata FROM widgets"); got != "DECLARE CURSOR" {
					b.Fatal(got)
				}
				for n := 0; n < rows; n += 500 {
					runLine(context.Background(), backend, sess, "MOVE 500 IN c")
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				live += float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / rows
				sess.Close()
			}
			b.ReportMetric(live/float64(b.N), "live-B/row")
		})
	}
}
