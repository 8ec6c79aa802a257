package exec

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/planner"
)

func TestObjectRow(t *testing.T) {
	tb, _ := widgetsCatalog().Lookup("", "widgets")
	obj := widgets(1)[0]
	row, err := ObjectRow(tb, obj, nil)
	if err != nil {
		t.Fatal(err)
	}
	price, _ := sqltypes.ParseDecimal("1.50")
	want := []any{"wid_1", "green", int64(10), time.Unix(1700000060, 0).UTC(), "own_1", price, false}
	if diff := cmp.Diff(want, row[:7], cmp.Comparer(func(a, b sqltypes.Decimal) bool { return a.Cmp(b) == 0 })); diff != "" {
		t.Errorf("row mismatch (-want +got):\n%s", diff)
	}
	md, ok := row[7].(sqltypes.JSONValue)
	if !ok || md.V.(map[string]any)["k"] != "v1" {
		t.Errorf("metadata = %#v; want jsonb {\"k\": \"v1\"}", row[7])
	}
	whole, ok := row[8].(sqltypes.JSONValue)
	if !ok || whole.V.(map[string]any)["id"] != "wid_1" {
		t.Errorf("_object = %#v; want the whole object", row[8])
	}
}

func TestQueries(t *testing.T) {
	tests := []struct {
		name  string
		sql   string
		args  []any
		want  []string
		calls []string
	}{
		{"retrieve", "SELECT id, size FROM widgets WHERE id = 'wid_3'", nil, []string{"wid_3|30"}, []string{"retrieve /v1/widgets/wid_3?"}},
		{"retrieve missing is zero rows", "SELECT id FROM widgets WHERE id = 'wid_99'", nil, nil, []string{"retrieve /v1/widgets/wid_99?"}},
		{"list filter", "SELECT id FROM widgets WHERE color = 'red' AND size > 50", nil, []string{"wid_9", "wid_6"}, []string{"list /v1/widgets?color=red&limit=100"}},
		{"created range", "SELECT id FROM widgets WHERE created >= to_timestamp(1700000240) AND created < to_timestamp(1700000420)", nil,
			[]string{"wid_6", "wid_5", "wid_4"}, []string{"list /v1/widgets?created%5Bgte%5D=1700000240&created%5Blt%5D=1700000420&limit=100"}},
		{"order created desc limit uses stripe order", "SELECT id FROM widgets ORDER BY created DESC LIMIT 2", nil, []string{"wid_10", "wid_9"}, []string{"list /v1/widgets?limit=2"}},
		{"limit stops paging", "SELECT id FROM widgets WHERE size >= 0 LIMIT 3", nil, []string{"wid_10", "wid_9", "wid_8"}, []string{"list /v1/widgets?limit=100"}},
		{"params", "SELECT id FROM widgets WHERE color = $1 ORDER BY id", []any{"blue"}, []string{"wid_2", "wid_5", "wid_8"}, []string{"list /v1/widgets?color=blue&limit=100"}},
		{"group by", "SELECT color, count(*), sum(size) FROM widgets GROUP BY color ORDER BY color", nil, []string{"blue|3|150", "green|4|220", "red|3|180"}, nil},
		{"having and filter", "SELECT owner, count(*) FILTER (WHERE active) FROM widgets GROUP BY owner HAVING count(*) > 2 ORDER BY 1", nil,
			[]string{"own_1|0", "own_2|3"}, nil},
		{"distinct", "SELECT DISTINCT color FROM widgets ORDER BY 1 DESC", nil, []string{"red", "green", "blue"}, nil},
		{"distinct on", "SELECT DISTINCT ON (color) color, id FROM widgets ORDER BY color, size DESC", nil, []string{"blue|wid_8", "green|wid_10", "red|wid_9"}, nil},
		{"order by expression nulls", "SELECT id FROM widgets ORDER BY size % 3, id DESC LIMIT 4", nil, []string{"wid_9", "wid_6", "wid_3", "wid_7"}, nil},
		{"offset", "SELECT id FROM widgets LIMIT 2 OFFSET 7", nil, []string{"wid_3", "wid_2"}, []string{"list /v1/widgets?limit=9"}},
		{"count empty filter", "SELECT count(*) FROM widgets WHERE color = 'purple'", nil, []string{"0"}, []string{"list /v1/widgets?color=purple&limit=100"}},
		{"jsonb", "SELECT metadata->>'k' FROM widgets WHERE id = 'wid_2'", nil, []string{"v2"}, nil},
		{"no from", "SELECT 1 + 1, 'a' || 'b'", nil, []string{"2|ab"}, nil},
		{"order by aggregate not in list", "SELECT owner FROM widgets GROUP BY owner ORDER BY count(*) DESC, owner LIMIT 2", nil, []string{"own_1", "own_2"}, nil},
		{"having without group by", "SELECT 'many' FROM widgets HAVING count(*) > 5", nil, []string{"many"}, nil},
		{"order by output alias in grouped query", "SELECT color AS c, max(size) AS m FROM widgets GROUP BY color ORDER BY m", nil, []string{"blue|80", "red|90", "green|100"}, nil},
		{"any array param", "SELECT id FROM widgets WHERE id = ANY($1) ORDER BY id", []any{"{wid_2,wid_5,wid_77}"}, []string{"wid_2", "wid_5"}, []string{"retrieve /v1/widgets/wid_2?", "retrieve /v1/widgets/wid_5?", "retrieve /v1/widgets/wid_77?"}},
		{"values", "VALUES (1, 'a'), (2, NULL)", nil, []string{"1|a", "2|NULL"}, nil},
		{"inner join", "SELECT w.id, o.name FROM widgets w JOIN owners o ON o.id = w.owner WHERE w.size <= 40 ORDER BY w.id", nil,
			[]string{"wid_1|Owner 1", "wid_2|Owner 2", "wid_3|NULL", "wid_4|Owner 0"}, nil},
		{"left join with on filter", "SELECT o.id, count(w.id) FROM owners o LEFT JOIN widgets w ON w.owner = o.id AND w.active GROUP BY o.id ORDER BY o.id", nil,
			[]string{"own_0|2", "own_1|0", "own_2|3", "own_3|0", "own_4|0"}, nil},
		{"left join null extends", "SELECT o.id, w.id FROM owners o LEFT JOIN widgets w ON w.owner = o.id WHERE w.id IS NULL", nil,
			[]string{"own_4|NULL"}, nil},
		{"cross join with non-equi condition", "SELECT count(*) FROM owners a, owners b WHERE a.id < b.id", nil, []string{"10"}, nil},
		{"lookup join", "SELECT w.id, o.name FROM widgets w JOIN owners o ON o.id = w.owner WHERE w.id IN ('wid_1', 'wid_3', 'wid_5') ORDER BY 1", nil,
			[]string{"wid_1|Owner 1", "wid_3|NULL", "wid_5|Owner 1"},
			// Owners are fetched concurrently, each once: lookup_test.go asserts the calls.
			nil},
		{"left lookup join with right filter", "SELECT w.id, o.name FROM widgets w LEFT JOIN owners o ON o.id = w.owner AND o.name IS NOT NULL WHERE w.id IN ('wid_3', 'wid_4') ORDER BY 1", nil,
			[]string{"wid_3|NULL", "wid_4|Owner 0"}, nil},
		{"subquery in from", "SELECT c, n FROM (SELECT color AS c, count(*) AS n FROM widgets GROUP BY color) t WHERE n > 3", nil, []string{"green|4"}, nil},
		{"join with subquery", "SELECT o.name, t.n FROM owners o JOIN (SELECT owner, count(*) AS n FROM widgets GROUP BY owner) t ON t.owner = o.id ORDER BY t.n DESC, 1 LIMIT 2", nil,
			[]string{"Owner 1|3", "Owner 2|3"}, nil},
		{"where false sends nothing", "SELECT count(*) FROM widgets WHERE 1 = 0", nil, []string{"0"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb := newFake(10)
			got := queryRows(t, fb, session(nil), tt.sql, tt.args...)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if tt.calls != nil {
				if diff := cmp.Diff(tt.calls, fb.calls, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("calls (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestPagingIsLazy(t *testing.T) {
	SequentialScans(t) // the partitioned reader's laziness: TestPartitionedStreamingIsLazy
	fb := newFake(250)
	fb.block = make(chan struct{})
	sess := session(map[string]string{"stripesql.page_size": "100"})
	sts, _ := planner.Parse("SELECT id FROM widgets WHERE size > 0")
	p, err := planner.Plan(sess, sts[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := Run(context.Background(), fb, sess, p)
	if err != nil {
		t.Fatal(err)
	}
	// The first page's rows arrive while the second request is still blocked.
	for i := 0; i < 100; i++ {
		if _, err := rows.Next(context.Background()); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	if got := rows.Stats().Requests; got != 1 {
		t.Errorf("after the first page: %d requests; want 1", got)
	}
	close(fb.block)
	n := 100
	for {
		_, err := rows.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 250 || rows.Tag() != "SELECT 250" {
		t.Errorf("rows %d tag %q; want 250, SELECT 250", n, rows.Tag())
	}
	if st := rows.Stats(); st.Requests != 3 || st.Pages != 3 || st.Rows != 250 {
		t.Errorf("stats = %+v; want 3 requests, 3 pages, 250 rows", st)
	}
}

func TestCancelStopsAtOnce(t *testing.T) {
	fb := newFake(250)
	fb.block = make(chan struct{})
	sess := session(nil)
	sts, _ := planner.Parse("SELECT id FROM widgets")
	p, _ := planner.Plan(sess, sts[0], nil)
	ctx, cancel := context.WithCancel(context.Background())
	rows, err := Run(ctx, fb, sess, p)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if _, err := rows.Next(ctx); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := rows.Next(ctx) // blocks in the second request
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if got := codeOfErr(err); got != sqlstate.QueryCanceled {
			t.Errorf("err = %v; want 57014", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Next did not return after cancel")
	}
}

func TestRuntimeBudgetStop(t *testing.T) {
	fb := newFake(1000)
	stats := planner.NewStats()
	stats.Learn("widgets", 150) // wrong: the table has grown to 1,000 rows since
	sess := planner.NewSession(planner.SessionConfig{Catalog: widgetsCatalog(), Stats: stats, Settings: map[string]string{"stripesql.max_requests": "4"}})
	_, rows, err := runAll(t, fb, sess, "SELECT count(*) FROM widgets")
	if got := codeOfErr(err); got != sqlstate.ProgramLimitExceeded {
		t.Fatalf("err = %v; want 54000", err)
	}
	if len(fb.calls) != 4 || rows.Stats().Requests != 4 {
		t.Errorf("sent %d requests (stats %d); want exactly the budget, 4", len(fb.calls), rows.Stats().Requests)
	}
}

func TestLearnsSizeAfterFullScan(t *testing.T) {
	fb := newFake(230)
	sess := session(nil)
	if _, _, err := runAll(t, fb, sess, "SELECT count(*) FROM widgets"); err != nil {
		t.Fatal(err)
	}
	if n, ok := sess.Stats().Size("widgets"); !ok || n != 230 {
		t.Errorf("learned %d, %v; want 230", n, ok)
	}
	// A filtered scan does not teach the size.
	stats := planner.NewStats()
	s2 := planner.NewSession(planner.SessionConfig{Catalog: widgetsCatalog(), Stats: stats})
	if _, _, err := runAll(t, fb, s2, "SELECT count(*) FROM widgets WHERE color = 'red'"); err != nil {
		t.Fatal(err)
	}
	if _, ok := stats.Size("widgets"); ok {
		t.Error("a filtered scan taught a table size")
	}
}

func TestSetShowAndTransactions(t *testing.T) {
	sess := session(nil)
	fb := newFake(1)
	for _, q := range []string{"SET stripesql.max_requests = 77", "BEGIN", "COMMIT", "SET TIME ZONE 'Europe/Paris'"} {
		_, rows, err := runAll(t, fb, sess, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if rows.Columns() != nil {
			t.Errorf("%s returned columns", q)
		}
	}
	got, _, err := runAll(t, fb, sess, "SHOW stripesql.max_requests")
	if err != nil || len(got) != 1 || got[0][0] != "77" {
		t.Errorf("SHOW = %v, %v; want 77", got, err)
	}
	if sess.Location().String() != "Europe/Paris" {
		t.Errorf("time zone = %v", sess.Location())
	}
	if _, _, err := runAll(t, fb, sess, "RESET stripesql.max_requests"); err != nil {
		t.Fatal(err)
	}
	if sess.MaxRequests() != planner.DefaultMaxRequests {
		t.Errorf("after RESET max_requests = %d", sess.MaxRequests())
	}
	all, _, err := runAll(t, fb, sess, "SHOW ALL")
	if err != nil || len(all) < 10 {
		t.Errorf("SHOW ALL = %d rows, %v", len(all), err)
	}
}

func TestExplainAnalyze(t *testing.T) {
	fb := newFake(150)
	rows, r, err := runAll(t, fb, session(nil), "EXPLAIN ANALYZE SELECT id FROM widgets WHERE color = 'red' LIMIT 7")
	if err != nil {
		t.Fatal(err)
	}
	text := ""
	for _, row := range rows {
		text += row[0].(string) + "\n"
	}
	for _, want := range []string{"Stripe List on widgets", "GET /v1/widgets?color=red&limit=7", "actual requests=1 pages=1 rows=7", "Actual Stripe requests: 1, pages: 1, rows: 7"} {
		if !strings.Contains(text, want) {
			t.Errorf("EXPLAIN ANALYZE lacks %q:\n%s", want, text)
		}
	}
	if r.Columns()[0].Name != "QUERY PLAN" {
		t.Errorf("column %q", r.Columns()[0].Name)
	}
}

func TestProgressCallback(t *testing.T) {
	SequentialScans(t)
	old := ProgressInterval
	ProgressInterval = 0
	defer func() { ProgressInterval = old }()
	fb := newFake(300)
	var events []planner.ProgressEvent
	sess := planner.NewSession(planner.SessionConfig{Catalog: widgetsCatalog(), Progress: func(e planner.ProgressEvent) { events = append(events, e) }})
	if _, _, err := runAll(t, fb, sess, "SELECT id FROM widgets"); err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 || events[2].Requests != 3 || events[2].Pages != 3 {
		t.Errorf("events = %+v; want one per page, the last at 3 requests", events)
	}
}

// BenchmarkExecutorRows measures the executor on data already fetched: a scan of 10,000
// in-memory objects with a residual filter, a projection and an aggregate, reported as rows per
// second through the scan.
func BenchmarkExecutorRows(b *testing.B) {
	fb := newFake(10000)
	sess := planner.NewSession(planner.SessionConfig{Catalog: widgetsCatalog(), Settings: map[string]string{"stripesql.max_requests": "100000"}})
	sts, _ := planner.Parse("SELECT color, count(*), sum(size) FROM widgets WHERE size % 7 <> 0 GROUP BY color")
	p, err := planner.Plan(sess, sts[0], nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		rows, err := Run(ctx, fb, sess, p)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := rows.Next(ctx); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(10000*b.N)/time.Since(start).Seconds(), "rows/s")
}

func TestStatementTimeout(t *testing.T) {
	fb := newFake(250)
	fb.block = make(chan struct{}) // the second page never comes
	defer close(fb.block)
	_, _, err := runAll(t, fb, session(map[string]string{"statement_timeout": "50ms"}), "SELECT id FROM widgets")
	e, ok := sqlstate.As(err)
	if !ok || e.Code != sqlstate.QueryCanceled || e.Message != "canceling statement due to statement timeout" {
		t.Errorf("err = %v; want 57014 statement timeout", err)
	}
}

// TestJoinDerivationKeepsLeftRows checks the one place where carrying a constant across a join
// equality would be wrong: an equality in a LEFT JOIN's ON between two preserved tables.
func TestJoinDerivationKeepsLeftRows(t *testing.T) {
	fb := newFake(3)
	got, _, err := runAll(t, fb, session(nil),
		"SELECT a.id, b.id, c.id FROM owners a JOIN owners b ON true LEFT JOIN widgets c ON a.id = b.id AND c.owner = a.id WHERE a.id = 'own_1' ORDER BY 2")
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, r := range got {
		rows = append(rows, rowString(r))
	}
	want := []string{"own_1|own_0|NULL", "own_1|own_1|wid_1", "own_1|own_2|NULL", "own_1|own_3|NULL", "own_1|own_4|NULL"}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
