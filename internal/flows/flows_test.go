package flows

import (
	"context"
	"errors"
	"net/url"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/ingest"
	"github.com/stripesql/stripesql/internal/lake"
	"github.com/stripesql/stripesql/internal/pgtest"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/state"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

var t0 = time.Date(2026, 11, 7, 12, 0, 0, 0, time.UTC)

// env is an emulator and a SQLite state store sharing one fake clock.
type env struct {
	t      *testing.T
	emu    *emulator.Emulator
	client *stripeapi.Client
	store  *state.Store
	now    atomic.Int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t}
	e.now.Store(t0.UnixNano())
	emu, base, stop, err := emulator.Start(emulator.Config{Seed: 3, Scale: emulator.ScaleN(120), Now: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	e.emu = emu
	if e.client, err = stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_flows", BaseURL: base, Scheduler: stripeapi.NewScheduler(10000)}); err != nil {
		t.Fatal(err)
	}
	if e.store, err = state.Open(t.Context(), t.TempDir(), state.WithClock(e.clock)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	return e
}

func (e *env) clock() time.Time             { return time.Unix(0, e.now.Load()).UTC() }
func (e *env) advance(d time.Duration)      { e.now.Add(int64(d)) }
func (e *env) service(node string) *Service { return e.serviceOn(e.store, node) }

func (e *env) serviceOn(st *state.Store, node string) *Service {
	e.t.Helper()
	s, err := New(Options{Store: st, Node: node, LeaseTTL: time.Minute, Now: e.clock,
		Sync: ingest.Config{Backend: e.client, Rate: 10000, Now: e.clock}})
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) flow(name, dir string, start time.Time, freq state.Frequency, tables ...string) {
	e.t.Helper()
	if _, err := e.store.CreateFlow(e.t.Context(), state.Flow{Name: name, Spec: state.FlowSpec{Tables: tables}, Target: dir,
		Schedule: state.Schedule{Start: start, Frequency: freq, Interval: 1}, Enabled: true}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) createCustomer(name string) {
	e.t.Helper()
	if _, err := e.client.Post(context.Background(), "/v1/customers", url.Values{"name": {name}}, name); err != nil {
		e.t.Fatal(err)
	}
	e.advance(2 * time.Second)
}

// lakeIDs returns the ids of table's current rows in the lake, sorted, failing on a duplicate.
func lakeIDs(t *testing.T, dir, table string) []string {
	t.Helper()
	m, err := lake.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	ts := m.Tables[table]
	if ts == nil {
		t.Fatalf("lake %s has no table %s", dir, table)
	}
	seen := map[string]bool{}
	var ids []string
	if err := lake.ReadRows(dir, ts, func(row []any) error {
		id := row[0].(string)
		if seen[id] {
			t.Errorf("%s %s is in the lake twice", table, id)
		}
		seen[id] = true
		ids = append(ids, id)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sort.Strings(ids)
	return ids
}

// runSummary is what a test compares of a run.
type runSummary struct {
	Flow, Node string
	Status     state.RunStatus
	Inserted   int64
	Error      string
}

func summary(r state.Run, table string) runSummary {
	return runSummary{Flow: r.Flow, Node: r.Node, Status: r.Status, Inserted: r.Tables[table].Inserted, Error: r.Error}
}

func summaries(runs []state.Run, table string) []runSummary {
	out := []runSummary{}
	for _, r := range runs {
		out = append(out, summary(r, table))
	}
	return out
}

func TestTickRunsDueFlowsOnce(t *testing.T) {
	e := newEnv(t)
	dueDir, laterDir := t.TempDir(), t.TempDir()
	e.flow("hourly", dueDir, t0.Add(-time.Minute), state.Hour, "customers")
	e.flow("tomorrow", laterDir, t0.Add(24*time.Hour), state.Day, "customers")
	s := e.service("node-a")
	live := int64(e.emu.Count("customers"))

	steps := []struct {
		name    string
		advance time.Duration
		before  func()
		want    []runSummary
	}{
		{name: "due flow runs, the other does not", want: []runSummary{{Flow: "hourly", Node: "node-a", Status: state.Succeeded, Inserted: live}}},
		{name: "same time again: nothing is due", want: []runSummary{}},
		{name: "half an hour on: still nothing", advance: 30 * time.Minute, want: []runSummary{}},
		{name: "next hour: an incremental run copies the new customer", advance: 30 * time.Minute,
			before: func() { e.createCustomer("Ada") },
			want:   []runSummary{{Flow: "hourly", Node: "node-a", Status: state.Succeeded, Inserted: 1}}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			e.advance(st.advance)
			if st.before != nil {
				st.before()
			}
			done, err := s.Tick(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(st.want, summaries(done, "customers")); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
		})
	}
	if got, want := len(lakeIDs(t, dueDir, "customers")), e.emu.Count("customers"); got != want {
		t.Errorf("lake has %d customers, live %d", got, want)
	}
	if _, err := lake.ReadManifest(laterDir); err == nil {
		if m, _ := lake.ReadManifest(laterDir); m != nil && len(m.Tables) > 0 {
			t.Errorf("the flow that was not due wrote its lake")
		}
	}
	runs, err := e.store.Runs(t.Context(), "tomorrow", 0)
	if err != nil || len(runs) != 0 {
		t.Errorf("runs of the flow not due: %v, %v", runs, err)
	}
}

func TestRunByHand(t *testing.T) {
	e := newEnv(t)
	e.flow("later", t.TempDir(), t0.Add(time.Hour), state.Once, "customers")
	e.flow("broken", t.TempDir(), t0.Add(time.Hour), state.Once, "no_such_table")
	s := e.service("node-a")
	live := int64(e.emu.Count("customers"))

	r, err := s.Run(t.Context(), "later")
	if err != nil {
		t.Fatal(err)
	}
	want := runSummary{Flow: "later", Node: "node-a", Status: state.Succeeded, Inserted: live}
	if diff := cmp.Diff(want, summary(r, "customers")); diff != "" {
		t.Errorf("run by hand (-want +got):\n%s", diff)
	}
	if r.Tables["customers"].Requests == 0 || r.EndedAt.IsZero() {
		t.Errorf("run by hand recorded no requests or no end: %+v", r)
	}

	r, err = s.Run(t.Context(), "broken")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != state.Failed || r.Error == "" {
		t.Errorf("a flow of an unknown table ran as %s (%q), want failed with the reason", r.Status, r.Error)
	}

	_, err = s.Run(t.Context(), "missing")
	if e, ok := sqlstate.As(err); !ok || e.Code != sqlstate.UndefinedObject {
		t.Errorf("running an unknown flow: %v, want 42704", err)
	}
}

// TestTakeOverResumesExactlyOnce: node a starts a run and dies between writing its files and
// committing the manifest; once its lease expires node b takes the run over and resumes it, and
// the lake holds every live customer exactly once.
func TestTakeOverResumesExactlyOnce(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	e.flow("copy", dir, t0.Add(-time.Minute), state.Once, "customers")
	first, err := e.store.StartRun(t.Context(), "copy", "node-a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	crash := errors.New("node a killed before its manifest")
	rep, err := ingest.Run(t.Context(), ingest.Config{Dir: dir, Backend: e.client, Rate: 10000, Now: e.clock,
		Tables: []string{"customers"}, BeforeManifest: func() error { return crash }})
	if err != nil || !errors.Is(rep.CommitErr, crash) {
		t.Fatalf("the killed run: %v, commit %v", err, rep.CommitErr)
	}
	b := e.service("node-b")

	// While a's lease holds, b neither takes the run over nor starts another.
	done, err := b.Tick(t.Context())
	if err != nil || len(done) != 0 {
		t.Fatalf("tick while the lease holds: %v, %v", summaries(done, "customers"), err)
	}
	e.createCustomer("Grace")
	e.advance(2 * time.Minute)
	done, err = b.Tick(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []runSummary{{Flow: "copy", Node: "node-b", Status: state.Succeeded, Inserted: int64(e.emu.Count("customers"))}}
	if diff := cmp.Diff(want, summaries(done, "customers")); diff != "" {
		t.Errorf("runs after the lease expired (-want +got):\n%s", diff)
	}
	if len(done) == 1 && done[0].ID != first.ID {
		t.Errorf("node b ran run %d, want it to resume run %d", done[0].ID, first.ID)
	}
	if got, live := len(lakeIDs(t, dir, "customers")), e.emu.Count("customers"); got != live {
		t.Errorf("lake has %d customers, live %d", got, live)
	}
	runs, err := e.store.Runs(t.Context(), "copy", 0)
	if err != nil || len(runs) != 1 {
		t.Errorf("runs of the flow: %d, %v; want the one resumed run", len(runs), err)
	}
	// Node a, back from the dead, may not finish the run it lost.
	if _, err := e.store.FinishRun(t.Context(), first.ID, "node-a", state.Outcome{Status: state.Succeeded}); !lostRace(err) {
		t.Errorf("node a finishing the run b took over: %v, want 55P03 or 55000", err)
	}
}

// TestTwoNodesSharePostgresRunADueFlowOnce: two nodes tick at once over one PostgreSQL store;
// the due flow runs once.
func TestTwoNodesSharePostgresRunADueFlowOnce(t *testing.T) {
	pg := pgtest.Start(t)
	e := newEnv(t)
	e.now.Store(time.Now().UnixNano()) // PostgreSQL's clock stamps runs: use real time
	open := func() *state.Store {
		st, err := state.Open(t.Context(), pg.URL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	stA, stB := open(), open()
	dir := t.TempDir()
	if _, err := stA.CreateFlow(t.Context(), state.Flow{Name: "shared", Spec: state.FlowSpec{Tables: []string{"customers"}}, Target: dir,
		Schedule: state.Schedule{Start: e.clock().Add(-time.Minute), Frequency: state.Hour, Interval: 1}, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	nodes := []*Service{e.serviceOn(stA, "node-a"), e.serviceOn(stB, "node-b")}
	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		errs := make([]error, len(nodes))
		for i, n := range nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = n.Tick(t.Context())
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	runs, err := stA.Runs(t.Context(), "shared", 0)
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, r := range runs {
		if r.Status == state.Succeeded {
			ran++
		} else if r.Status != state.Failed || r.Tables["customers"].Inserted != 0 {
			t.Errorf("run %d: %s %+v", r.ID, r.Status, r.Tables)
		}
	}
	if ran != 1 {
		t.Errorf("%d successful runs of the due flow over 3 rounds of two nodes, want 1: %v", ran, summaries(runs, "customers"))
	}
	if got, live := len(lakeIDs(t, dir, "customers")), e.emu.Count("customers"); got != live {
		t.Errorf("lake has %d customers, live %d", got, live)
	}
}
