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

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// This file holds what the in-package tests share: a fake Stripe backend serving widgets and
// owners, a session over its catalog, and helpers that run one statement and hand back its rows
// as text or its SQLSTATE.

// fakeBackend serves a fixed list of objects per list path, newest first, with Stripe's paging
// (limit, starting_after, has_more), and records every call.
type fakeBackend struct {
	mu      sync.Mutex
	objects map[string][]stripeapi.Object
	calls   []string
	idx     map[string]map[string]int
	// block, when set, is closed by the test to let requests after the first proceed.
	block chan struct{}
	// account, when set, answers GET /v1/account (else 404, as a restricted key may get).
	account stripeapi.Object
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
	if path == "/v1/account" && f.account != nil {
		return f.account, nil
	}
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

// rowString renders a row as cells joined by "|", NULL for nil, for comparing rows as text.
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

// queryRows runs sql over b and returns its rows rendered by rowString; an error fails the test.
func queryRows(t *testing.T, b stripeapi.Backend, sess *planner.Session, sql string, args ...any) []string {
	t.Helper()
	rows, _, err := runAll(t, b, sess, sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, rowString(r))
	}
	return got
}

// codeOfErr returns the SQLSTATE of err, or "" when err is nil or not coded.
func codeOfErr(err error) string {
	if e, ok := sqlstate.As(err); ok {
		return e.Code
	}
	return ""
}

// wantCode runs sql over b and reports an error unless it fails with SQLSTATE code.
func wantCode(t *testing.T, b stripeapi.Backend, sess *planner.Session, sql, code string) {
	t.Helper()
	_, _, err := runAll(t, b, sess, sql)
	if got := codeOfErr(err); got != code {
		t.Errorf("error %v has code %q; want %q", err, got, code)
	}
}
