package exec

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// fakeBackend serves a fixed list of objects per list path, newest first, with Stripe's paging
// (limit, starting_after, has_more), and records every call.
type fakeBackend struct {
	mu      sync.Mutex
	objects map[string][]stripeapi.Object
	calls   []string
	idx     map[string]map[string]int
	// block, when set, is closed by the test to let requests after the first proceed.
	block chan struct{}
}

func (f *fakeBackend) record(kind, path string, p url.Values) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, kind+" "+path+"?"+p.Encode())
}

func (f *fakeBackend) List(ctx context.Context, path string, p url.Values) (*stripeapi.Page, error) {
	f.record("list", path, p)
	f.mu.Lock()
	n := len(f.calls)
	f.mu.Unlock()
	if f.block != nil && n > 1 {
		select {
		case <-f.block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	all := f.objects[path]
	start := 0
	if p.Get("color") != "" || strings.Contains(p.Encode(), "created") {
		all = f.filtered(path, p)
		for i, o := range all {
			if o["id"] == p.Get("starting_after") {
				start = i + 1
			}
		}
	} else if after := p.Get("starting_after"); after != "" {
		start = f.index(path)[after] + 1
	}
	limit, _ := strconv.Atoi(p.Get("limit"))
	if limit <= 0 {
		limit = 10
	}
	end := min(start+limit, len(all))
	return &stripeapi.Page{Data: all[start:end], HasMore: end < len(all)}, nil
}

// index maps ids to positions in the unfiltered list (filtered lists in these tests are short).
func (f *fakeBackend) index(path string) map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.idx == nil {
		f.idx = map[string]map[string]int{}
	}
	if f.idx[path] == nil {
		m := map[string]int{}
		for i, o := range f.objects[path] {
			m[o["id"].(string)] = i
		}
		f.idx[path] = m
	}
	return f.idx[path]
}

func (f *fakeBackend) filtered(path string, p url.Values) []stripeapi.Object {
	var all []stripeapi.Object
	for _, o := range f.objects[path] {
		if c := p.Get("color"); c != "" && o["color"] != c {
			continue
		}
		created, _ := o["created"].(json.Number).Int64()
		if !inRange(created, p, "created") {
			continue
		}
		all = append(all, o)
	}
	return all
}

// inRange applies Stripe's param[gt|gte|lt|lte] filters to v.
func inRange(v int64, p url.Values, param string) bool {
	for op, ok := range map[string]func(a, b int64) bool{
		"gt": func(a, b int64) bool { return a > b }, "gte": func(a, b int64) bool { return a >= b },
		"lt": func(a, b int64) bool { return a < b }, "lte": func(a, b int64) bool { return a <= b },
	} {
		if s := p.Get(param + "[" + op + "]"); s != "" {
			b, _ := strconv.ParseInt(s, 10, 64)
			if !ok(v, b) {
				return false
			}
		}
	}
	return true
}

func (f *fakeBackend) Search(ctx context.Context, path string, p url.Values) (*stripeapi.Page, error) {
	f.record("search", path, p)
	return &stripeapi.Page{}, nil
}

func (f *fakeBackend) Retrieve(ctx context.Context, path string, p url.Values) (stripeapi.Object, error) {
	f.record("retrieve", path, p)
	i := strings.LastIndexByte(path, '/')
	for _, o := range f.objects[path[:i]] {
		if o["id"] == path[i+1:] {
			return o, nil
		}
	}
	return nil, &stripeapi.Error{Status: 404, Type: "invalid_request_error", Code: "resource_missing", Message: "No such object"}
}

func (f *fakeBackend) Post(context.Context, string, url.Values, string) (stripeapi.Object, error) {
	return nil, fmt.Errorf("not in this fake")
}

func (f *fakeBackend) Delete(context.Context, string, url.Values, string) (stripeapi.Object, error) {
	return nil, fmt.Errorf("not in this fake")
}

// widgets is a small test table: a list with a created range and an exact color filter.
func widgetsCatalog() *catalog.Catalog {
	return catalog.New(&catalog.Table{
		Name: "widgets", Object: "widget",
		Columns: []catalog.Column{
			{Name: "id", Type: sqltypes.Text, Path: []string{"id"}},
			{Name: "color", Type: sqltypes.Text, Path: []string{"color"}},
			{Name: "size", Type: sqltypes.Int8, Path: []string{"size"}},
			{Name: "created", Type: sqltypes.Timestamptz, Path: []string{"created"}},
			{Name: "owner", Type: sqltypes.Text, Path: []string{"owner"}, Expandable: true},
			{Name: "price", Type: sqltypes.Numeric, Path: []string{"price"}},
			{Name: "active", Type: sqltypes.Bool, Path: []string{"active"}},
			{Name: "metadata", Type: sqltypes.JSONB, Path: []string{"metadata"}},
			{Name: "_object", Type: sqltypes.JSONB},
		},
		List: &catalog.ListSpec{Path: "/v1/widgets", Keys: []catalog.KeyColumn{
			{Column: "color", Param: "color", Ops: []catalog.Op{catalog.OpEq}, Exact: true},
			{Column: "created", Param: "created", Ops: []catalog.Op{catalog.OpEq, catalog.OpGt, catalog.OpGte, catalog.OpLt, catalog.OpLte}, Exact: true},
		}},
		Retrieve: &catalog.RetrieveSpec{Path: "/v1/widgets/%s", IDColumn: "id"},
	}, &catalog.Table{
		Name: "owners", Object: "owner",
		Columns: []catalog.Column{
			{Name: "id", Type: sqltypes.Text, Path: []string{"id"}},
			{Name: "name", Type: sqltypes.Text, Path: []string{"name"}},
		},
		List:     &catalog.ListSpec{Path: "/v1/owners"},
		Retrieve: &catalog.RetrieveSpec{Path: "/v1/owners/%s", IDColumn: "id"},
	})
}

// owners are own_0 … own_4 (own_4 owns no widget); own_3 has no name.
func owners() []stripeapi.Object {
	var out []stripeapi.Object
	for i := 4; i >= 0; i-- {
		o := stripeapi.Object{"id": fmt.Sprintf("own_%d", i)}
		if i != 3 {
			o["name"] = fmt.Sprintf("Owner %d", i)
		}
		out = append(out, o)
	}
	return out
}

// widgets makes n objects, newest first, decoded the way the client decodes JSON.
func widgets(n int) []stripeapi.Object {
	colors := []string{"red", "green", "blue"}
	var out []stripeapi.Object
	for i := n; i >= 1; i-- {
		raw := fmt.Sprintf(`{"id":"wid_%d","color":%q,"size":%d,"created":%d,"owner":{"id":"own_%d","object":"owner"},"price":"%d.50","active":%t,"metadata":{"k":"v%d"}}`,
			i, colors[i%3], i*10, 1700000000+i*60, i%4, i, i%2 == 0, i)
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		var o map[string]any
		if err := dec.Decode(&o); err != nil {
			panic(err)
		}
		out = append(out, o)
	}
	return out
}

func newFake(n int) *fakeBackend {
	return &fakeBackend{objects: map[string][]stripeapi.Object{"/v1/widgets": widgets(n), "/v1/owners": owners()}}
}

func session(settings map[string]string) *planner.Session {
	return planner.NewSession(planner.SessionConfig{Catalog: widgetsCatalog(), Settings: settings})
}

func runAll(t *testing.T, b stripeapi.Backend, sess *planner.Session, sql string, args ...any) ([][]any, Rows, error) {
	t.Helper()
	sts, err := planner.Parse(sql)
	if err != nil {
		return nil, nil, err
	}
	p, err := planner.Plan(sess, sts[0], args)
	if err != nil {
		return nil, nil, err
	}
	rows, err := Run(context.Background(), b, sess, p)
	if err != nil {
		return nil, nil, err
	}
	var out [][]any
	for {
		r, err := rows.Next(context.Background())
		if err == io.EOF {
			return out, rows, nil
		}
		if err != nil {
			return out, rows, err
		}
		out = append(out, r)
	}
}

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
			// Rows stream: each owner is fetched when the first widget needing it arrives, once.
			[]string{"retrieve /v1/widgets/wid_1?", "retrieve /v1/owners/own_1?", "retrieve /v1/widgets/wid_3?", "retrieve /v1/owners/own_3?", "retrieve /v1/widgets/wid_5?"}},
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
			rows, _, err := runAll(t, fb, session(nil), tt.sql, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, rowString(r))
			}
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

func rowString(r []any) string {
	var cells []string
	for _, v := range r {
		switch x := v.(type) {
		case nil:
			cells = append(cells, "NULL")
		case sqltypes.Decimal:
			cells = append(cells, x.String())
		default:
			cells = append(cells, fmt.Sprint(x))
		}
	}
	return strings.Join(cells, "|")
}

func TestPagingIsLazy(t *testing.T) {
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

func codeOfErr(err error) string {
	if e, ok := sqlstate.As(err); ok {
		return e.Code
	}
	return ""
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
