package flows

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/ingest"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/state"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// Defaults of Options.
const (
	DefaultLeaseTTL = 30 * time.Second
	DefaultEvery    = 15 * time.Second
)

// EventsTable is the key under which a run's figures hold the requests of the shared events read
// (the Events API scan that feeds every incremental table), which belong to no one table.
const EventsTable = "(events)"

// Options configure a Service.
type Options struct {
	// Store holds the flows and their runs (required).
	Store *state.Store
	// Node names this node in leases (required): runs it holds show it in stripesql.flow_runs.
	Node string
	// LeaseTTL is how long a lease holds unless renewed (default DefaultLeaseTTL); it is renewed
	// every LeaseTTL/3 while a run goes on. A node that dies loses its runs after LeaseTTL.
	LeaseTTL time.Duration
	// Every is how often Loop looks for due flows and expired runs (default DefaultEvery).
	Every time.Duration
	// Now is the scheduler's clock (default time.Now), the time DueFlows is asked about.
	Now func() time.Time
	// Sync is the base of every run's ingest configuration: Backend, Catalog, Stats, Rate,
	// Parallel, MaxRequests. Dir, Tables, Queries and Progress are set from the flow.
	Sync ingest.Config
	// Background, when set, marks the context of a run's requests as background work, so that
	// the node's request Scheduler serves interactive queries first. nil marks it as the
	// Background flow "flow/NAME".
	Background func(context.Context) context.Context
	// OnFinish, when set, is told of every run this node finished (metrics count them by status).
	OnFinish func(state.Run)
	// Logf, when set, receives one line per run started, taken over, finished or skipped.
	Logf func(format string, args ...any)
}

// Service runs flows on one node: by hand (Run), or when due (Tick, Loop).
type Service struct {
	opts Options
	wg   sync.WaitGroup
}

// New returns a Service, or 22023 when a required option is missing.
func New(opts Options) (*Service, error) {
	switch {
	case opts.Store == nil:
		return nil, sqlstate.New(sqlstate.InvalidParameterValue, "flows need a state store")
	case strings.TrimSpace(opts.Node) == "":
		return nil, sqlstate.New(sqlstate.InvalidParameterValue, "flows need a node name for their leases")
	case opts.Sync.Backend == nil:
		return nil, sqlstate.New(sqlstate.InvalidParameterValue, "flows need a Stripe backend")
	}
	if opts.LeaseTTL <= 0 {
		opts.LeaseTTL = DefaultLeaseTTL
	}
	if opts.Every <= 0 {
		opts.Every = DefaultEvery
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sync.Catalog == nil {
		opts.Sync.Catalog = catalog.Default()
	}
	return &Service{opts: opts}, nil
}

// Node is the node name the service holds leases under.
func (s *Service) Node() string { return s.opts.Node }

// Run runs the flow called name now, whatever its schedule and enabled flag say, and returns the
// finished run. An unknown flow is 42704; a flow that is already running (here or on another
// node) is 55P03. A run that fails is returned with its status, not as an error.
func (s *Service) Run(ctx context.Context, name string) (state.Run, error) {
	f, err := s.opts.Store.Flow(ctx, name)
	if err != nil {
		return state.Run{}, err
	}
	r, err := s.opts.Store.StartRun(ctx, f.Name, s.opts.Node, s.opts.LeaseTTL)
	if err != nil {
		return state.Run{}, err
	}
	s.logf("flow %s: run %d started on node %s", f.Name, r.ID, s.opts.Node)
	return s.execute(ctx, f, r)
}

// Tick does what is due at the scheduler's time: it takes over the runs whose lease expired
// (their node died) and resumes them, then runs each due flow once. It returns the runs this node
// finished. Runs another node won are skipped; an error of one flow does not stop the others and
// is returned, joined, after them.
func (s *Service) Tick(ctx context.Context) ([]state.Run, error) {
	st := s.opts.Store
	var done []state.Run
	var errs []error
	expired, err := st.ExpiredRuns(ctx)
	if err != nil {
		return nil, err
	}
	for _, old := range expired {
		r, err := st.TakeOverRun(ctx, old.ID, s.opts.Node, s.opts.LeaseTTL)
		if lostRace(err) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		f, err := st.Flow(ctx, r.Flow)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.logf("flow %s: run %d taken over from node %s, whose lease expired", f.Name, r.ID, old.Node)
		fin, err := s.execute(ctx, f, r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		done = append(done, fin)
	}
	due, err := st.DueFlows(ctx, s.opts.Now())
	if err != nil {
		return done, errors.Join(append(errs, err)...)
	}
	for _, d := range due {
		if ctx.Err() != nil {
			break
		}
		fin, ran, err := s.runDue(ctx, d)
		if err != nil {
			errs = append(errs, err)
		}
		if ran {
			done = append(done, fin)
		}
	}
	return done, errors.Join(errs...)
}

// runDue starts the run d is due for unless another node already ran it. Reading the due flows
// and starting a run are two statements: a node may read a flow as due, then another node start
// and finish that very run before this one starts its own. So after StartRun the run checks
// whether an earlier run already started at or after the due time; if one did, this run is
// finished at once as failed with a note, having touched nothing.
func (s *Service) runDue(ctx context.Context, d state.DueFlow) (state.Run, bool, error) {
	st := s.opts.Store
	if _, ok, err := s.servedBy(ctx, d, 0); err != nil || ok {
		return state.Run{}, false, err
	}
	r, err := st.StartRun(ctx, d.Name, s.opts.Node, s.opts.LeaseTTL)
	if lostRace(err) {
		return state.Run{}, false, nil
	}
	if err != nil {
		return state.Run{}, false, err
	}
	if prev, ok, err := s.servedBy(ctx, d, r.ID); err != nil || ok {
		msg := "skipped"
		if ok {
			msg = fmt.Sprintf("skipped: run %d on node %s already ran the run due at %s", prev.ID, prev.Node, d.Due.UTC().Format(time.RFC3339))
		}
		fin, ferr := st.FinishRun(context.WithoutCancel(ctx), r.ID, s.opts.Node, state.Outcome{Status: state.Failed, Error: msg})
		s.logf("flow %s: run %d %s", d.Name, r.ID, msg)
		return fin, false, errors.Join(err, ferr)
	}
	s.logf("flow %s: run %d started on node %s (due at %s)", d.Name, r.ID, s.opts.Node, d.Due.UTC().Format(time.RFC3339))
	fin, err := s.execute(ctx, d.Flow, r)
	return fin, err == nil, err
}

// servedBy returns the newest run of d's flow other than mine that started at or after d's due
// time (and, when mine is not 0, before mine): the run that already served it.
func (s *Service) servedBy(ctx context.Context, d state.DueFlow, mine int64) (state.Run, bool, error) {
	runs, err := s.opts.Store.Runs(ctx, d.Name, 3)
	if err != nil {
		return state.Run{}, false, err
	}
	for _, r := range runs {
		if r.ID == mine || (mine != 0 && r.ID > mine) {
			continue
		}
		if !r.StartedAt.Before(d.Due) {
			return r, true, nil
		}
	}
	return state.Run{}, false, nil
}

// Loop runs Tick now and then every Options.Every until ctx ends, then waits for the run in
// progress to stop. Errors go to Logf; the loop goes on.
func (s *Service) Loop(ctx context.Context) {
	t := time.NewTicker(s.opts.Every)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.logf("flows: %v", err)
		}
		select {
		case <-ctx.Done():
			s.wg.Wait()
			return
		case <-t.C:
		}
	}
}

// execute does run r of flow f, which this node holds, to its end.
func (s *Service) execute(ctx context.Context, f state.Flow, r state.Run) (state.Run, error) {
	s.wg.Add(1)
	defer s.wg.Done()
	st := s.opts.Store
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	// The lease: renewed every ttl/3; losing it stops the run.
	var lost error
	var leaseMu sync.Mutex
	renewDone := make(chan struct{})
	go func() {
		defer close(renewDone)
		t := time.NewTicker(s.opts.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
			}
			if _, err := st.RenewLease(runCtx, r.ID, s.opts.Node, s.opts.LeaseTTL); err != nil && runCtx.Err() == nil {
				if lostRace(err) {
					leaseMu.Lock()
					lost = err
					leaseMu.Unlock()
					cancel(err)
					return
				}
				s.logf("flow %s: run %d: renewing the lease: %v", f.Name, r.ID, err)
			}
		}
	}()

	// Figures: what earlier holders recorded, replaced table by table as this node finishes them.
	var figMu sync.Mutex
	figures := map[string]state.TableRun{}
	for k, v := range r.Tables {
		figures[k] = v
	}
	cfg := s.opts.Sync
	cfg.Dir = f.Target
	cfg.Tables = s.tables(f.Spec)
	cfg.Queries = queries(f.Spec)
	cfg.Progress = func(p ingest.Progress) {
		if p.Report == nil {
			return
		}
		figMu.Lock()
		figures[p.Table] = tableRun(*p.Report)
		snap := make(map[string]state.TableRun, len(figures))
		for k, v := range figures {
			snap[k] = v
		}
		figMu.Unlock()
		if err := st.RecordProgress(runCtx, r.ID, s.opts.Node, snap); err != nil && runCtx.Err() == nil {
			s.logf("flow %s: run %d: recording progress: %v", f.Name, r.ID, err)
		}
	}
	syncCtx := stripeapi.WithFlow(runCtx, stripeapi.Flow{Key: "flow/" + f.Name, Class: stripeapi.Background})
	if s.opts.Background != nil {
		syncCtx = s.opts.Background(runCtx)
	}
	rep, err := ingest.Run(syncCtx, cfg)
	cancel(nil)
	<-renewDone

	leaseMu.Lock()
	lostErr := lost
	leaseMu.Unlock()
	if lostErr != nil {
		s.logf("flow %s: run %d: lease lost, stopped: %v", f.Name, r.ID, lostErr)
		return state.Run{}, lostErr
	}
	out := outcome(rep, err, ctx.Err())
	fin, ferr := st.FinishRun(context.WithoutCancel(ctx), r.ID, s.opts.Node, out)
	if ferr != nil {
		return state.Run{}, ferr
	}
	s.logf("flow %s: run %d %s: %d stripe requests", f.Name, r.ID, fin.Status, requests(fin.Tables))
	if s.opts.OnFinish != nil {
		s.opts.OnFinish(fin)
	}
	return fin, nil
}

// tables is the flow's table list, with "all" expanded to every table sync copies.
func (s *Service) tables(spec state.FlowSpec) []string {
	if len(spec.Tables) == 1 && strings.TrimSpace(spec.Tables[0]) == "all" {
		return ingest.AllTables(s.opts.Sync.Catalog)
	}
	out := make([]string, 0, len(spec.Tables))
	for _, t := range spec.Tables {
		out = append(out, strings.TrimSpace(t))
	}
	return out
}

// queries returns the flow's mapping queries ordered by name.
func queries(spec state.FlowSpec) []ingest.Query {
	out := make([]ingest.Query, 0, len(spec.Queries))
	for name, sql := range spec.Queries {
		out = append(out, ingest.Query{Name: name, SQL: sql})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func tableRun(t ingest.TableReport) state.TableRun {
	tr := state.TableRun{Inserted: t.Inserted, Updated: t.Updated, Deleted: t.Deleted, Requests: t.Requests}
	if t.Err != nil {
		tr.Error = t.Err.Error()
	}
	return tr
}

// outcome is how a run ended: failed when it could not run or commit (or the node stopped),
// partial when some tables failed, succeeded otherwise.
func outcome(rep *ingest.Report, err, stopped error) state.Outcome {
	if err != nil {
		if stopped != nil {
			err = fmt.Errorf("the node stopped during the run: %w", err)
		}
		return state.Outcome{Status: state.Failed, Error: err.Error()}
	}
	tables := map[string]state.TableRun{}
	var failed []string
	for _, t := range rep.Tables {
		tables[t.Table] = tableRun(t)
		if t.Err != nil {
			failed = append(failed, t.Table)
		}
	}
	if rep.EventRequests > 0 {
		tables[EventsTable] = state.TableRun{Requests: rep.EventRequests}
	}
	switch {
	case rep.CommitErr != nil:
		return state.Outcome{Status: state.Failed, Tables: tables, Error: "not committed: " + rep.CommitErr.Error()}
	case len(failed) == len(rep.Tables):
		return state.Outcome{Status: state.Failed, Tables: tables, Error: "every table failed: " + strings.Join(failed, ", ")}
	case len(failed) > 0:
		return state.Outcome{Status: state.Partial, Tables: tables, Error: "tables failed: " + strings.Join(failed, ", ")}
	}
	return state.Outcome{Status: state.Succeeded, Tables: tables}
}

func requests(tables map[string]state.TableRun) int64 {
	var n int64
	for _, t := range tables {
		n += t.Requests
	}
	return n
}

// lostRace reports an error that means another node has the run: not this node's failure.
func lostRace(err error) bool {
	e, ok := sqlstate.As(err)
	return ok && (e.Code == sqlstate.LockNotAvailable || e.Code == sqlstate.ObjectNotInPrerequisiteState)
}

func (s *Service) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}
