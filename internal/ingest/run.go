package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/lake"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// EventsWindow is how old a table's events cursor may be before the table is copied again in
// full: the Events API keeps 30 days of events; an hour's margin covers clock skew and the run's
// own length.
const EventsWindow = 30*24*time.Hour - time.Hour

// Config is one run: where Stripe is, which tables and mapping queries go into which lake.
type Config struct {
	// Dir is the lake directory.
	Dir string
	// Backend is Stripe (the node's client, with its token bucket).
	Backend stripeapi.Backend
	// Catalog is the set of tables; nil means catalog.Default().
	Catalog *catalog.Catalog
	// Stats are the node's learned table sizes, shared with its other sessions; nil starts empty.
	Stats *planner.Stats
	// Rate is the node's requests per second, for the planner's time estimates; 0 means 6.
	Rate float64
	// Tables are the Stripe tables to sync (AllTables for every one).
	Tables []string
	// Queries are mapping queries, each written as its own table.
	Queries []Query
	// Parallel is how many tables are read at once (default 4); every request still waits for
	// the node's token bucket.
	Parallel int
	// MaxRequests is each statement's request budget; 0 means MaxRequests.
	MaxRequests int
	// Now is the clock (default time.Now): the events cursor's age is measured with it.
	Now func() time.Time
	// Progress, when set, receives each table's progress, from several goroutines.
	Progress func(Progress)
	// BeforeManifest is lake.Options.BeforeManifest (tests inject a crash there).
	BeforeManifest func() error
}

// Progress is how far one table of a run has come.
type Progress struct {
	Table string
	// Phase is what the table is doing: "backfill", "re-copy", "full copy", "changes", "new
	// objects", "children", or "done" / "failed" once its report is final.
	Phase    string
	Rows     int64
	Requests int64
	// RequestsLeft and SecondsLeft are the executor's estimate for the running statement.
	RequestsLeft float64
	SecondsLeft  float64
	Elapsed      time.Duration
	// Report is the table's report once Phase is "done" or "failed".
	Report *TableReport
}

// After is the progress as it stands d later with no news: elapsed grows and the seconds left
// count down, so a display can redraw between reports.
func (p Progress) After(d time.Duration) Progress {
	if d > 0 {
		p.Elapsed += d
		p.SecondsLeft = max(p.SecondsLeft-d.Seconds(), 0)
	}
	return p
}

// Report is what a run did.
type Report struct {
	Run     string
	Dir     string
	Started time.Time
	Elapsed time.Duration
	// Recovered is the number of files of an interrupted run removed before this one started.
	Recovered int
	// EventRequests are the requests of the events read for the incremental tables (shared).
	EventRequests int64
	Events        int64
	Tables        []TableReport
	// CommitErr is set when the run could not commit: then no table changed.
	CommitErr error
}

// TableReport is one table's part of a run.
type TableReport struct {
	Table    string
	Strategy Strategy
	// Mode is "backfill", "re-copy", "full copy" or "incremental".
	Mode string
	// Note says why, when the mode is not the usual one (a cursor past 30 days, a changed query).
	Note                                  string
	Inserted, Updated, Deleted, Unchanged int64
	Rows                                  int64
	Requests                              int64
	Elapsed                               time.Duration
	Err                                   error
}

// Failed reports whether any table failed or the run did not commit.
func (r *Report) Failed() bool {
	if r.CommitErr != nil {
		return true
	}
	for _, t := range r.Tables {
		if t.Err != nil {
			return true
		}
	}
	return false
}

// Requests is the run's total Stripe requests.
func (r *Report) Requests() int64 {
	n := r.EventRequests
	for _, t := range r.Tables {
		n += t.Requests
	}
	return n
}

// cursor is a table's state between runs, kept in the manifest (TableState.Cursor).
type cursor struct {
	Strategy Strategy `json:"strategy"`
	Source   string   `json:"source"`
	// Created is the newest created (Unix seconds) read: the next run reads created >= it
	// (for a child list, its parent's).
	Created int64 `json:"created,omitempty"`
	// Events is the newest event's created applied; EventIDs are the events created within
	// eventLookback of it, already applied, which the next run skips.
	Events   int64    `json:"events,omitempty"`
	EventIDs []string `json:"event_ids,omitempty"`
	// EventsAsOf is when (by Config.Now) the events were last read completely: past
	// EventsWindow the table is copied again.
	EventsAsOf time.Time `json:"events_as_of,omitempty"`
}

// eventLookback is how far before its cursor a run reads events again, for events that Stripe
// lists a little after their created time; those not applied yet are applied by reading their
// object again rather than trusting an older snapshot.
const eventLookback = 60

// job is one table of a run.
type job struct {
	*plan
	mode  string
	note  string
	prev  *lake.TableState
	cur   cursor // the committed cursor
	next  cursor // the cursor this run commits
	spec  lake.Spec
	eng   *engine
	start time.Time
	rep   TableReport
	// changes this run's events bring (incremental tables): the newest change per object id.
	changes map[string]*objChange
	// parents this run's events name (children): changed and deleted parent ids.
	parents, gone map[string]bool
}

func (j *job) needsEvents() bool {
	switch j.strategy {
	case StrategyEvents, StrategyChildren, StrategyQuery:
		return true
	}
	return false
}

// Run syncs cfg's tables and queries into the lake at cfg.Dir: one run, committed atomically.
// It returns an error only when the run could not start (an unknown table, an invalid query, a
// locked lake); a table that fails is reported in its TableReport while the others commit.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Catalog == nil {
		cfg.Catalog = catalog.Default()
	}
	if cfg.Stats == nil {
		cfg.Stats = planner.NewStats()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 4
	}
	if cfg.MaxRequests <= 0 {
		cfg.MaxRequests = MaxRequests
	}
	if len(cfg.Tables) == 0 && len(cfg.Queries) == 0 {
		return nil, sqlstate.New(sqlstate.InvalidParameterValue, "nothing to sync").WithHint("name tables (--tables charges,customers or all) or mapping queries (--query NAME=SQL)")
	}
	r := &runner{cfg: cfg}
	plans, err := r.plans()
	if err != nil {
		return nil, err
	}
	lk, err := lake.Open(cfg.Dir, lake.Options{Now: cfg.Now, BeforeManifest: cfg.BeforeManifest})
	if err != nil {
		return nil, err
	}
	defer lk.Close()
	tx, err := lk.Begin()
	if err != nil {
		return nil, err
	}
	r.tx = tx
	start := cfg.Now()
	rep := &Report{Run: tx.Run(), Dir: lk.Dir(), Started: start, Recovered: lk.Recovered()}
	jobs := r.jobs(plans, lk.Manifest(), start)

	if err := r.prelude(ctx, jobs, rep, start); err != nil {
		for _, j := range jobs {
			if j.mode == "incremental" && j.needsEvents() {
				j.rep.Err = err
			}
		}
	}
	var top, children []*job
	for _, j := range jobs {
		if j.rep.Err != nil {
			continue
		}
		if j.parent != nil {
			children = append(children, j)
		} else {
			top = append(top, j)
		}
	}
	r.each(ctx, top)
	r.each(ctx, children)
	for _, j := range jobs {
		j.rep.Table, j.rep.Strategy, j.rep.Mode, j.rep.Note = j.name, j.strategy, j.mode, j.note
		if j.eng != nil {
			j.rep.Requests = j.eng.Requests()
		}
		rep.Tables = append(rep.Tables, j.rep)
	}
	if err := tx.Commit(); err != nil {
		rep.CommitErr = err
	}
	rep.Elapsed = cfg.Now().Sub(start)
	return rep, nil
}

type runner struct {
	cfg Config
	tx  *lake.Txn
}

func (r *runner) newEngine(progress func(planner.ProgressEvent)) *engine {
	return &engine{backend: r.cfg.Backend, cat: r.cfg.Catalog, stats: r.cfg.Stats, rate: r.cfg.Rate, maxReq: r.cfg.MaxRequests, progress: progress}
}

// plans resolves the run's tables and queries.
func (r *runner) plans() ([]*plan, error) {
	cat := r.cfg.Catalog
	var out []*plan
	seen := map[string]bool{}
	for _, name := range r.cfg.Tables {
		name = strings.TrimSpace(name)
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		t, ok := cat.Lookup("public", name)
		if !ok || t.Object == "" {
			e := sqlstate.New(sqlstate.UndefinedTable, "stripe table %q does not exist", name)
			var names []string
			for _, t := range stripeTables(cat) {
				names = append(names, t.Name)
			}
			if c := sqlstate.Closest(name, names, 3); len(c) > 0 {
				e = e.WithHint("perhaps you meant %s", strings.Join(c, ", "))
			}
			return nil, e
		}
		p, why := tablePlan(cat, t)
		if p == nil {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "stripe table %s cannot be synced: %s", name, why)
		}
		out = append(out, p)
	}
	for _, q := range r.cfg.Queries {
		if err := validQueryName(cat, q.Name); err != nil {
			return nil, err
		}
		if seen[q.Name] {
			return nil, sqlstate.New(sqlstate.DuplicateObject, "table %q is named twice", q.Name)
		}
		seen[q.Name] = true
		m, err := analyse(cat, q.SQL)
		if err != nil {
			return nil, err
		}
		cols, err := r.newEngine(nil).describe(m.sql)
		if err != nil {
			return nil, sqlstate.Wrap(err).WithDetail("in mapping query %s", q.Name)
		}
		p := &plan{name: q.Name, query: m, table: m.source, strategy: StrategyQueryFull, created: true}
		names := map[string]bool{}
		for _, c := range cols {
			if names[c.Name] {
				return nil, sqlstate.New(sqlstate.DuplicateObject, "mapping query %s has two columns named %q", q.Name, c.Name).
					WithHint("name every column once, with AS")
			}
			names[c.Name] = true
			p.cols = append(p.cols, lake.Column{Name: c.Name, Type: c.Type})
		}
		if m.incremental {
			p.strategy, p.key = StrategyQuery, "id"
			for _, c := range cols {
				if c.Name == "created" && c.Type == sqltypes.Timestamptz {
					p.part = "created"
				}
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// source names where a table's rows come from, so a changed query copies the table again.
func (p *plan) source() string {
	if p.query != nil {
		return "query: " + p.query.sql
	}
	return "table: " + p.table.Name
}

// jobs decides each table's mode from its committed state.
func (r *runner) jobs(plans []*plan, man *lake.Manifest, now time.Time) []*job {
	var out []*job
	for _, p := range plans {
		j := &job{plan: p, prev: man.Tables[p.name], spec: lake.Spec{Columns: p.cols, Key: p.key, Partition: p.part}}
		if j.prev != nil {
			_ = json.Unmarshal(j.prev.Cursor, &j.cur)
		}
		switch {
		case j.prev == nil:
			j.mode = "backfill"
		case j.cur.Source != p.source() || j.cur.Strategy != p.strategy || !lake.SameLayout(j.prev, j.spec):
			j.mode, j.note = "re-copy", "the table's columns, source or strategy changed since the last run"
		case p.strategy == StrategyFull || p.strategy == StrategyQueryFull:
			j.mode = "full copy"
		case p.strategy == StrategySmall && j.prev.Rows <= FullCopyMaxRows:
			j.mode = "full copy"
		case j.needsEvents() && now.Sub(j.cur.EventsAsOf) > EventsWindow:
			j.mode = "re-copy"
			j.note = fmt.Sprintf("events last read %s ago, beyond the Events API's 30 days: changes since then are lost, so the table is copied again", now.Sub(j.cur.EventsAsOf).Round(time.Hour))
		default:
			j.mode = "incremental"
		}
		j.spec.Replace = j.mode != "incremental"
		j.next = cursor{Strategy: p.strategy, Source: p.source()}
		out = append(out, j)
	}
	return out
}

// prelude reads what must be read before any table: for tables copied in full that will
// later follow events, the newest events (the cursor their next run starts from, taken before
// their copy so that nothing changed during it is missed); for incremental tables, the events
// since their cursors.
func (r *runner) prelude(ctx context.Context, jobs []*job, rep *Report, start time.Time) error {
	var incr, copies []*job
	for _, j := range jobs {
		if !j.needsEvents() {
			continue
		}
		if j.mode == "incremental" {
			incr = append(incr, j)
		} else {
			copies = append(copies, j)
		}
	}
	if len(incr) == 0 && len(copies) == 0 {
		return nil
	}
	eng := r.newEngine(r.progressOf("(events)", "events", start))
	defer func() { rep.EventRequests = eng.Requests() }()
	if len(incr) == 0 {
		newest, ids, err := newestEvents(ctx, eng)
		if err != nil {
			for _, j := range copies {
				j.rep.Err = fmt.Errorf("reading the events cursor: %w", err)
			}
			return nil
		}
		for _, j := range copies {
			j.next.Events, j.next.EventIDs, j.next.EventsAsOf = newest, ids, start
		}
		return nil
	}
	w, err := scanEvents(ctx, eng, incr)
	if err != nil {
		return fmt.Errorf("reading events: %w", err)
	}
	rep.Events = w.count
	for _, j := range append(incr, copies...) {
		j.next.Events, j.next.EventIDs, j.next.EventsAsOf = j.cur.Events, j.cur.EventIDs, start
		if w.newest > 0 {
			j.next.Events, j.next.EventIDs = w.newest, w.recent
		}
		if j.mode != "incremental" && w.newest == 0 {
			j.next.Events = 0
		}
	}
	return nil
}

// progressOf forwards an engine's reports as the table's progress.
func (r *runner) progressOf(table, phase string, start time.Time) func(planner.ProgressEvent) {
	if r.cfg.Progress == nil {
		return nil
	}
	return func(ev planner.ProgressEvent) {
		r.cfg.Progress(Progress{Table: table, Phase: phase, Rows: ev.Scanned, Requests: ev.Requests,
			RequestsLeft: ev.RequestsLeft, SecondsLeft: ev.SecondsLeft, Elapsed: r.cfg.Now().Sub(start)})
	}
}

// each runs jobs, cfg.Parallel at a time.
func (r *runner) each(ctx context.Context, jobs []*job) {
	sem := make(chan struct{}, r.cfg.Parallel)
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func(j *job) {
			defer wg.Done()
			defer func() { <-sem }()
			r.runJob(ctx, j)
		}(j)
	}
	wg.Wait()
}

func (r *runner) runJob(ctx context.Context, j *job) {
	j.start = r.cfg.Now()
	phase := j.mode
	if phase == "incremental" {
		phase = "new objects"
	}
	var phaseMu sync.Mutex
	setPhase := func(p string) {
		phaseMu.Lock()
		phase = p
		phaseMu.Unlock()
		if r.cfg.Progress != nil {
			r.cfg.Progress(Progress{Table: j.name, Phase: p, Requests: j.eng.Requests(), Elapsed: r.cfg.Now().Sub(j.start)})
		}
	}
	var prog func(planner.ProgressEvent)
	if r.cfg.Progress != nil {
		prog = func(ev planner.ProgressEvent) {
			phaseMu.Lock()
			p := phase
			phaseMu.Unlock()
			r.cfg.Progress(Progress{Table: j.name, Phase: p, Rows: ev.Scanned, Requests: ev.Requests,
				RequestsLeft: ev.RequestsLeft, SecondsLeft: ev.SecondsLeft, Elapsed: r.cfg.Now().Sub(j.start)})
		}
	}
	j.eng = r.newEngine(prog)
	setPhase(phase)
	err := r.sync(ctx, j, setPhase)
	j.rep.Elapsed = r.cfg.Now().Sub(j.start)
	j.rep.Err = err
	done := "done"
	if err != nil {
		done = "failed"
	}
	if r.cfg.Progress != nil {
		rep := j.rep
		rep.Table, rep.Strategy, rep.Mode, rep.Note, rep.Requests = j.name, j.strategy, j.mode, j.note, j.eng.Requests()
		r.cfg.Progress(Progress{Table: j.name, Phase: done, Requests: rep.Requests, Rows: rep.Rows, Elapsed: rep.Elapsed, Report: &rep})
	}
}

// sync writes one table: a full copy or a merge of its changes.
func (r *runner) sync(ctx context.Context, j *job, phase func(string)) error {
	w, err := r.tx.Table(j.name, j.spec)
	if err != nil {
		return err
	}
	put := func(row []any, ev string) error { return w.Put(row, ev) }
	switch {
	case j.parent != nil && j.spec.Replace:
		err = r.copyChildren(ctx, j, put)
	case j.parent != nil:
		phase("children")
		err = r.mergeChildren(ctx, j, w)
	case j.spec.Replace:
		err = r.copyTable(ctx, j, put)
	default:
		err = r.mergeTable(ctx, j, w, phase)
	}
	if err != nil {
		w.Abort()
		return err
	}
	b, err := json.Marshal(j.next)
	if err != nil {
		w.Abort()
		return err
	}
	c, err := w.Finish(b)
	if err != nil {
		return err
	}
	j.rep.Inserted, j.rep.Updated, j.rep.Deleted, j.rep.Unchanged, j.rep.Rows = c.Inserted, c.Updated, c.Deleted, c.Unchanged, c.Rows
	return nil
}

// createdIndex is the position of the created column among a plan's lake columns, or -1.
func (p *plan) createdIndex() int {
	for i, c := range p.cols {
		if c.Name == "created" && c.Type == sqltypes.Timestamptz {
			return i
		}
	}
	return -1
}

// copyTable reads the whole table (or runs the whole query) into a full copy.
func (r *runner) copyTable(ctx context.Context, j *job, put func([]any, string) error) error {
	sql := ""
	if j.query != nil {
		sql = j.query.sql
		if j.query.incremental {
			// The newest object before the copy starts bounds what the copy has read, whatever
			// the query's filter returns.
			n, err := newestCreated(ctx, j.eng, j.query.source)
			if err != nil {
				return err
			}
			j.next.Created = n
		}
	} else {
		sql = sinceSQL(j.plan, 0)
	}
	ci := j.createdIndex()
	_, err := j.eng.query(ctx, sql, nil, func(row []any) error {
		if ci >= 0 && j.query == nil {
			j.next.Created = max(j.next.Created, unixOf(row[ci]))
		}
		return put(row, "")
	})
	return err
}

// mergeTable applies the events' changes, then reads the objects created since the cursor.
func (r *runner) mergeTable(ctx context.Context, j *job, w *lake.TableWriter, phase func(string)) error {
	j.next.Created = j.cur.Created
	if j.query != nil {
		return r.mergeQuery(ctx, j, w, phase)
	}
	if len(j.changes) > 0 {
		phase("changes")
		var refetch []string
		for id, ch := range j.changes {
			if ch.refetch {
				refetch = append(refetch, id)
				continue
			}
			row, err := j.objectRow(ch.object)
			if err != nil {
				return err
			}
			if ch.deleted {
				err = w.Delete(row, ch.eventID)
			} else {
				err = w.Put(row, ch.eventID)
			}
			if err != nil {
				return err
			}
		}
		if err := r.refetch(ctx, j, w, refetch); err != nil {
			return err
		}
	}
	phase("new objects")
	ci := j.createdIndex()
	_, err := j.eng.query(ctx, sinceSQL(j.plan, j.cur.Created), nil, func(row []any) error {
		if ci >= 0 {
			j.next.Created = max(j.next.Created, unixOf(row[ci]))
		}
		return w.Put(row, "")
	})
	return err
}

// refetch reads objects again by id (late events, snapshots of another API version); an
// object Stripe no longer has is deleted.
func (r *runner) refetch(ctx context.Context, j *job, w *lake.TableWriter, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	sort.Strings(ids)
	found := map[string]bool{}
	sql := "SELECT " + selectList(j.plan) + " FROM " + quoteIdent(j.table.Name) + " WHERE id = ANY($1::text[])"
	_, err := j.eng.query(ctx, sql, []any{textArray(ids)}, func(row []any) error {
		found[row[0].(string)] = true
		return w.Put(row, j.changes[row[0].(string)].eventID)
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !found[id] {
			ch := j.changes[id]
			if err := w.DeleteKey(id, createdOf(ch.object), ch.eventID); err != nil {
				return err
			}
		}
	}
	return nil
}

// mergeQuery keeps an incremental mapping query: the query over the events' snapshots for the
// changed objects, then over the objects created since the cursor.
func (r *runner) mergeQuery(ctx context.Context, j *job, w *lake.TableWriter, phase func(string)) error {
	if len(j.changes) > 0 {
		phase("changes")
		snap := &snapshots{table: j.query.source, objects: map[string]stripeapi.Object{}}
		var ids, refetch []string
		for id, ch := range j.changes {
			ids = append(ids, id)
			switch {
			case ch.refetch:
				refetch = append(refetch, id)
				snap.objects[id] = nil
			case ch.deleted:
				snap.objects[id] = nil
			default:
				snap.objects[id] = ch.object
			}
		}
		sort.Strings(ids)
		if len(refetch) > 0 {
			// Snapshots not to trust: the objects as Stripe has them now.
			sql := "SELECT _object FROM " + quoteIdent(j.query.source.Name) + " WHERE id = ANY($1::text[])"
			_, err := j.eng.query(ctx, sql, []any{textArray(refetch)}, func(row []any) error {
				obj, err := jsonObject(row[0])
				if err == nil {
					snap.objects[refOf(obj["id"])] = obj
				}
				return err
			})
			if err != nil {
				return err
			}
		}
		sql, err := j.query.byIDSQL()
		if err != nil {
			return err
		}
		kept := map[string]bool{}
		ki := -1
		for i, c := range j.cols {
			if c.Name == "id" {
				ki = i
			}
		}
		_, err = j.eng.queryOn(ctx, snap, sql, []any{textArray(ids)}, func(row []any) error {
			id, _ := row[ki].(string)
			kept[id] = true
			return w.Put(row, j.changes[id].eventID)
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if !kept[id] {
				ch := j.changes[id]
				if err := w.DeleteKey(id, createdOf(ch.object), ch.eventID); err != nil {
					return err
				}
			}
		}
	}
	phase("new objects")
	n, err := newestCreated(ctx, j.eng, j.query.source)
	if err != nil {
		return err
	}
	sql, err := j.query.sinceSQL(j.cur.Created)
	if err != nil {
		return err
	}
	if _, err := j.eng.query(ctx, sql, nil, func(row []any) error { return w.Put(row, "") }); err != nil {
		return err
	}
	j.next.Created = max(j.cur.Created, n)
	return nil
}

// objectRow turns a Stripe object into the plan's row, as a list scan would.
func (j *job) objectRow(obj stripeapi.Object) ([]any, error) {
	full, err := objectRow(j.table, obj)
	if err != nil {
		return nil, err
	}
	row := make([]any, len(j.colIdx))
	for i, ci := range j.colIdx {
		row[i] = full[ci]
	}
	return row, nil
}

// parentIDs lists the parent table's ids created at or after sec, and the newest created.
func parentIDs(ctx context.Context, eng *engine, parent *catalog.Table, sec int64) ([]string, int64, error) {
	sql := "SELECT id, created FROM " + quoteIdent(parent.Name)
	if sec > 0 {
		sql += " WHERE created >= " + unix(sec)
	}
	var ids []string
	var newest int64
	_, err := eng.query(ctx, sql, nil, func(row []any) error {
		if id, ok := row[0].(string); ok {
			ids = append(ids, id)
		}
		newest = max(newest, unixOf(row[1]))
		return nil
	})
	return ids, newest, err
}

// copyChildren lists every parent, then the children of each.
func (r *runner) copyChildren(ctx context.Context, j *job, put func([]any, string) error) error {
	ids, newest, err := parentIDs(ctx, j.eng, j.parent.table, 0)
	if err != nil {
		return err
	}
	j.next.Created = newest
	return r.listChildren(ctx, j, ids, put)
}

// listChildren reads the children of the parents ids. A parent Stripe no longer has (deleted
// between its listing and its children's) is skipped.
func (r *runner) listChildren(ctx context.Context, j *job, ids []string, put func([]any, string) error) error {
	if len(ids) == 0 {
		return nil
	}
	sql := "SELECT " + selectList(j.plan) + " FROM " + quoteIdent(j.name) + " WHERE " + quoteIdent(j.parent.column) + " = ANY($1::text[])"
	var rows [][]any
	collect := func(row []any) error {
		rows = append(rows, row)
		return nil
	}
	_, err := j.eng.query(ctx, sql, []any{textArray(ids)}, collect)
	if err != nil && isNotFound(err) && len(ids) > 1 {
		rows = nil
		for _, id := range ids {
			_, err = j.eng.query(ctx, sql, []any{textArray([]string{id})}, collect)
			if err != nil && !isNotFound(err) {
				return err
			}
		}
		err = nil
	}
	if err != nil && !isNotFound(err) {
		return err
	}
	for _, row := range rows {
		if err := put(row, ""); err != nil {
			return err
		}
	}
	return nil
}

// mergeChildren lists again the children of the parents created since the cursor and of those
// the events name, replacing those parents' committed children; a deleted parent's go.
func (r *runner) mergeChildren(ctx context.Context, j *job, w *lake.TableWriter) error {
	ids, newest, err := parentIDs(ctx, j.eng, j.parent.table, j.cur.Created)
	if err != nil {
		return err
	}
	j.next.Created = max(j.cur.Created, newest)
	relist := map[string]bool{}
	for _, id := range ids {
		relist[id] = true
	}
	for id := range j.parents {
		relist[id] = true
	}
	var drop, list []string
	for id := range j.gone {
		delete(relist, id)
		drop = append(drop, id)
	}
	for id := range relist {
		list = append(list, id)
		drop = append(drop, id)
	}
	sort.Strings(list)
	if err := w.DeleteWhere(j.parent.column, drop); err != nil {
		return err
	}
	return r.listChildren(ctx, j, list, func(row []any, ev string) error { return w.Put(row, ev) })
}

func isNotFound(err error) bool {
	var se *stripeapi.Error
	if errors.As(err, &se) {
		return se.Status == 404
	}
	e, ok := sqlstate.As(err)
	return ok && e.Code == sqlstate.UndefinedObject
}

func textArray(ids []string) sqltypes.Array {
	items := make([]any, len(ids))
	for i, id := range ids {
		items[i] = id
	}
	return sqltypes.Array{Elem: sqltypes.Text, Items: items}
}

// createdOf is an object's created time, for the partition of a delete by key.
func createdOf(obj stripeapi.Object) any {
	if obj == nil {
		return nil
	}
	v, err := convertTime(obj["created"])
	if err != nil {
		return nil
	}
	return v
}
