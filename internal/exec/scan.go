package exec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// scanIter reads a table page by page: it holds at most one page and fetches the next only when
// the current one is used up.
type scanIter struct {
	r  *runner
	s  *planner.Scan
	st *nodeStats

	call    int  // index of the current call
	started bool // the current call has sent its first request
	// sent counts the requests this scan sent (its partitions' too, from their goroutines): one
	// account's share of a fan-out's node (checkFanOut).
	sent     atomic.Int64
	more     bool // the current call has more pages
	cursor   string
	nextPage string
	page     []stripeapi.Object
	pos      int
	fetched  int64 // objects read by the current call, for Stats.Learn
	emitted  int64
	sysRows  [][]any
	sysDone  bool
	finished bool
	// oldest and newest are the created times seen by the current call, for Stats.
	oldest, newest int64
	// mayPartition is set on a plan's own scans that can be read as created windows; part is that
	// read once started (partition.go).
	mayPartition bool
	part         *partScan
	// callBase is the index of the scan's first call among its plan node's calls: an account's
	// part of a fan-out (connect.go) reports its pages as the node's.
	callBase int
	// observe, when set, is told each request's duration (a concurrent fan-out sizes itself by
	// Stripe's latency, connect.go).
	observe func(time.Duration)
}

// account is the Stripe account the current call acts as ("" for the API key's own).
func (it *scanIter) account() string {
	if it.call < len(it.s.Calls) {
		return it.s.Calls[it.call].Account
	}
	if len(it.s.Calls) > 0 {
		return it.s.Calls[len(it.s.Calls)-1].Account
	}
	return ""
}

func newScan(r *runner, s *planner.Scan, st *nodeStats) *scanIter {
	return &scanIter{r: r, s: s, st: st}
}

func (it *scanIter) close() {
	it.finished = true
	it.page = nil
	if it.part != nil {
		it.part.close()
	}
}

func (it *scanIter) next(ctx context.Context) ([]any, error) {
	env := *it.r.env
	for {
		if it.finished {
			return nil, io.EOF
		}
		if it.s.Limit > 0 && it.emitted >= it.s.Limit {
			it.finished = true
			return nil, io.EOF
		}
		row, ok, err := it.nextRaw(ctx)
		if err != nil {
			return nil, err
		}
		if !ok {
			it.finished = true
			return nil, io.EOF
		}
		if it.s.Filter != nil {
			env.Row = row
			v, err := it.s.Filter.Eval(&env)
			if err != nil {
				return nil, err
			}
			if t, known := expr.Truth(v); !t || !known {
				continue
			}
		}
		it.emitted++
		return row, nil
	}
}

// nextRaw returns the next row of the table's calls before the residual filter.
func (it *scanIter) nextRaw(ctx context.Context) ([]any, bool, error) {
	if it.s.Access == planner.AccessSystem {
		if !it.sysDone && it.s.Table.State {
			rows, err := stateRows(ctx, it.r.sess, it.s.Table) // state.go
			if err != nil {
				return nil, false, err
			}
			it.sysRows, it.sysDone = rows, true
		}
		if !it.sysDone {
			if rows := it.s.Table.SessionRows; rows != nil {
				it.sysRows = rows(it.r.sess.Catalog(), it.r.sess)
			} else {
				it.sysRows = it.s.Table.Rows(it.r.sess.Catalog())
			}
			it.sysDone = true
		}
		if it.pos >= len(it.sysRows) {
			return nil, false, nil
		}
		row := it.sysRows[it.pos]
		it.pos++
		return row, true, nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, false, canceled(err)
		}
		for it.pos < len(it.page) {
			obj := it.page[it.pos]
			it.pos++
			if deleted, _ := obj["deleted"].(bool); deleted {
				continue // a retrieve of a deleted object answers {id, deleted: true}
			}
			if !retrievedAsAsked(it.s.Calls[it.call], obj) {
				continue
			}
			row, err := objectRow(it.s.Table, obj, it.s.Calls[it.call].Fill, it.s.Needed)
			if err != nil {
				return nil, false, err
			}
			it.fillAccount(ctx, row, obj)
			return row, true, nil
		}
		if it.call >= len(it.s.Calls) {
			return nil, false, nil
		}
		// A consumer reading in chunks it asks for (a cursor, a portal with a row limit) is
		// read page by page as it asks: read-ahead would be pages it never asked for.
		if it.part == nil && it.mayPartition && !it.started && !boundedDemand(ctx) {
			it.part = newPartScan(stripeapi.WithAccount(ctx, it.account()), it)
			it.r.mu.Lock()
			if it.st.scan != nil {
				it.st.scan.part = it.part
			}
			it.r.mu.Unlock()
		}
		if it.part != nil {
			page, err := it.part.next(ctx)
			if err != nil {
				return nil, false, err
			}
			if page == nil {
				it.call = len(it.s.Calls)
				return nil, false, nil
			}
			it.page, it.pos = page, 0
			continue
		}
		if it.started && !it.more {
			it.finishCall()
			it.call++
			it.started, it.more, it.cursor, it.nextPage, it.fetched = false, false, "", "", 0
			it.oldest, it.newest = 0, 0
			if it.call >= len(it.s.Calls) {
				return nil, false, nil
			}
			continue
		}
		if err := it.fetch(ctx); err != nil {
			return nil, false, err
		}
	}
}

// finishCall records the table's size after a complete list of the whole table.
func (it *scanIter) finishCall() {
	if it.s.Learn && it.s.Access == planner.AccessList && len(it.s.Calls) == 1 {
		it.r.sess.Stats().Put(it.account(), it.s.Table.Name, planner.TableStat{Rows: it.fetched,
			Oldest: it.oldest, Newest: it.newest, Complete: true, How: "a complete scan", LearnedAt: time.Now()})
	}
}

// pageSize is the limit of the next request: the plan's, shrunk to the rows still needed when
// every row read is a result row.
func (it *scanIter) pageSize() int {
	n := it.s.PageSize
	if n <= 0 || n > 100 {
		n = 100
	}
	if it.s.Limit > 0 && it.s.Filter == nil {
		if left := it.s.Limit - it.emitted; left > 0 && left < int64(n) {
			n = int(left)
		}
	}
	return n
}

func (it *scanIter) fetch(ctx context.Context) error {
	c := it.s.Calls[it.call]
	if err := it.r.beginRequest(it.st); err != nil {
		return err
	}
	it.sent.Add(1)
	it.started = true
	it.page, it.pos = nil, 0
	ctx = stripeapi.WithAccount(ctx, c.Account)
	var err error
	switch c.Method {
	case "retrieve":
		var obj stripeapi.Object
		obj, err = it.r.b.Retrieve(it.r.callCtx(ctx, it.st), c.Path, cloneParams(c.Params))
		if err == nil && obj != nil {
			it.page = []stripeapi.Object{obj}
		}
		if stripeapi.IsNotFound(err) {
			err = nil // a missing id is zero rows
		}
		it.more = false
	case "list":
		p := cloneParams(c.Params)
		p.Set("limit", strconv.Itoa(it.pageSize()))
		if it.cursor != "" {
			p.Set("starting_after", it.cursor)
		}
		var pg *stripeapi.Page
		start := time.Now()
		pg, err = it.r.b.List(it.r.callCtx(ctx, it.st), c.Path, p)
		if it.observe != nil && err == nil {
			it.observe(time.Since(start))
		}
		if err == nil {
			it.page, it.more = pg.Data, pg.HasMore && len(pg.Data) > 0
			if n := len(pg.Data); n > 0 {
				id, _ := pg.Data[n-1]["id"].(string)
				it.cursor = id
				if id == "" {
					it.more = false
				}
			}
		}
	case "search":
		p := cloneParams(c.Params)
		p.Set("limit", strconv.Itoa(it.pageSize()))
		if it.nextPage != "" {
			p.Set("page", it.nextPage)
		}
		var pg *stripeapi.Page
		pg, err = it.r.b.Search(it.r.callCtx(ctx, it.st), c.Path, p)
		if err == nil {
			it.page = pg.Data
			it.nextPage = pg.NextPage
			it.more = pg.HasMore && pg.NextPage != "" && len(pg.Data) > 0
		}
	default:
		return sqlstate.New(sqlstate.InternalError, "exec: unknown stripe call %q", c.Method)
	}
	if err != nil {
		return accountErr(stripeErr(ctx, err), c.Account)
	}
	it.fetched += int64(len(it.page))
	if it.s.Learn {
		for _, o := range it.page {
			if c, ok := createdOf(o); ok {
				it.oldest, it.newest = minHi(it.oldest, c), max(it.newest, c)
			}
		}
	}
	it.r.pageFetched(it.st, len(it.page), it.callBase+it.call, it.more)
	return nil
}

func cloneParams(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// stripeErr turns a backend error into the coded error a client sees.
func stripeErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return canceled(ctx.Err())
	}
	var se *stripeapi.Error
	if errors.As(err, &se) {
		return se.SQL()
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return canceled(err)
	}
	return sqlstate.Wrap(err)
}

// ObjectRow turns a Stripe object into a row of t, in column order, following each column's
// Path: expandable references become their id, unix seconds become timestamptz, numbers the
// column's numeric type, nested values jsonb, and a nil Path the whole object. fill supplies
// values the object lacks (parent ids, filter-only columns).
func ObjectRow(t *catalog.Table, obj stripeapi.Object, fill map[int]any) ([]any, error) {
	return objectRow(t, obj, fill, nil)
}

// objectRow is ObjectRow converting only the needed columns (nil: all).
func objectRow(t *catalog.Table, obj stripeapi.Object, fill map[int]any, needed []bool) ([]any, error) {
	row := make([]any, len(t.Columns))
	for i := range t.Columns {
		if needed != nil && !needed[i] {
			continue
		}
		c := &t.Columns[i]
		if c.FilterOnly || c.Account {
			row[i] = fill[i]
			continue
		}
		var raw any
		if c.Path == nil {
			raw = map[string]any(obj)
		} else {
			raw = lookup(obj, c.Path)
		}
		if c.Expandable {
			if m, ok := raw.(map[string]any); ok {
				raw = m["id"]
			}
		}
		v, err := convertValue(raw, c.Type)
		if err != nil {
			return nil, sqlstate.New(sqlstate.InvalidTextRepresentation, "column %s of %s: %s", c.Name, t.Name, sqlstate.Wrap(err).Message)
		}
		if v == nil {
			if f, ok := fill[i]; ok {
				v = f
			}
		}
		row[i] = v
	}
	return row, nil
}

func lookup(obj map[string]any, path []string) any {
	var cur any = obj
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

// convertValue converts a decoded JSON value to the representation of type t.
func convertValue(v any, t sqltypes.Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case sqltypes.JSON, sqltypes.JSONB:
		return sqltypes.JSONValue{V: sqltypes.NormalizeJSON(v)}, nil
	case sqltypes.Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			if b, ok := sqltypes.ParseBool(x); ok {
				return b, nil
			}
		}
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.OID:
		switch x := v.(type) {
		case json.Number:
			if n, err := x.Int64(); err == nil {
				return n, nil
			}
			if f, err := x.Float64(); err == nil {
				return int64(f), nil
			}
		case float64:
			return int64(x), nil
		case int64:
			return x, nil
		case int:
			return int64(x), nil
		case string:
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				return n, nil
			}
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
	case sqltypes.Float4, sqltypes.Float8:
		switch x := v.(type) {
		case json.Number:
			return x.Float64()
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case string:
			return strconv.ParseFloat(x, 64)
		}
	case sqltypes.Numeric:
		switch x := v.(type) {
		case json.Number:
			if d, ok := sqltypes.ParseDecimal(string(x)); ok {
				return d, nil
			}
		case string:
			if d, ok := sqltypes.ParseDecimal(x); ok {
				return d, nil
			}
		case float64:
			return sqltypes.DecimalFromFloat(x)
		case int64:
			return sqltypes.DecimalFromInt(x), nil
		}
	case sqltypes.Timestamptz, sqltypes.Timestamp, sqltypes.Date:
		var tm time.Time
		switch x := v.(type) {
		case json.Number:
			n, err := x.Int64()
			if err != nil {
				f, ferr := x.Float64()
				if ferr != nil {
					return nil, ferr
				}
				n = int64(f)
			}
			tm = time.Unix(n, 0).UTC()
		case float64:
			tm = time.Unix(int64(x), 0).UTC()
		case int64:
			tm = time.Unix(x, 0).UTC()
		case string:
			p, err := time.Parse(time.RFC3339, x)
			if err != nil {
				if d, derr := time.Parse("2006-01-02", x); derr == nil {
					p = d
				} else {
					return nil, err
				}
			}
			tm = p.UTC()
		default:
			return nil, fmt.Errorf("unexpected %T for a timestamp", v)
		}
		if t == sqltypes.Date {
			tm = time.Date(tm.Year(), tm.Month(), tm.Day(), 0, 0, 0, 0, time.UTC)
		}
		return tm, nil
	case sqltypes.Text, sqltypes.Varchar, sqltypes.Name, sqltypes.Char:
		switch x := v.(type) {
		case string:
			return x, nil
		case json.Number:
			return string(x), nil
		case bool:
			return strconv.FormatBool(x), nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		default:
			return sqltypes.FormatJSON(sqltypes.NormalizeJSON(x)), nil
		}
	default:
		if sqltypes.IsArray(t) {
			items, ok := v.([]any)
			if !ok {
				break
			}
			elem := sqltypes.Elem(t)
			out := sqltypes.Array{Elem: elem, Items: make([]any, len(items))}
			for i, e := range items {
				ev, err := convertValue(e, elem)
				if err != nil {
					return nil, err
				}
				out.Items[i] = ev
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("unexpected value %s for type %s", strings.TrimSpace(fmt.Sprint(v)), sqltypes.FormatType(t))
}

// retrievedAsAsked reports whether obj may stand for the object a call asked for. A retrieve's
// answer must carry the requested id and not be a list or search page: an endpoint that answered
// something else (a list for an empty id, a normalised path) yields no row rather than a wrong one.
func retrievedAsAsked(c planner.Call, obj stripeapi.Object) bool {
	if c.Method != "retrieve" {
		return true
	}
	switch o, _ := obj["object"].(string); o {
	case "list", "search_result":
		return false
	}
	if c.ID == "" {
		return true
	}
	id, _ := obj["id"].(string)
	return id == c.ID
}
