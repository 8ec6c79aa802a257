package state

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stripesql/stripesql/internal/pgtest"
	"github.com/stripesql/stripesql/internal/sqlstate"
)

// The suite: every case runs once on SQLite (in t.TempDir) and once on PostgreSQL (a throwaway
// server from internal/pgtest, one fresh database per case).

// env is one case's store location on one backend.
type env struct {
	t    *testing.T
	spec string
	// clock is the SQLite stores' clock; nil on PostgreSQL, whose time is the server's.
	clock *fakeClock
}

// open opens a store at the case's location (again, when called again), closed at cleanup.
func (e *env) open() *Store {
	e.t.Helper()
	s, err := Open(context.Background(), e.spec, e.options()...)
	if err != nil {
		e.t.Fatalf("Open(%s): %v", e.spec, err)
	}
	e.t.Cleanup(func() { s.Close() })
	return s
}

func (e *env) options() []Option {
	if e.clock == nil {
		return nil
	}
	return []Option{WithClock(e.clock.now)}
}

// advance lets d pass by the store's time: the fake clock on SQLite, a real wait on PostgreSQL.
func (e *env) advance(d time.Duration) {
	if e.clock != nil {
		e.clock.add(d)
		return
	}
	time.Sleep(d)
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var storeCases = []struct {
	name string
	run  func(t *testing.T, e *env)
}{
	{"StatsRoundTrip", testStatsRoundTrip},
	{"AccountRoundTrip", testAccountRoundTrip},
	{"FlowCRUD", testFlowCRUD},
	{"RunLifecycle", testRunLifecycle},
	{"RacingStartRun", testRacingStartRun},
	{"LeaseTakeover", testLeaseTakeover},
	{"ReopenKeepsData", testReopenKeepsData},
	{"TwoStoresShare", testTwoStoresShare},
	{"DueFlows", testDueFlows},
	{"NewerSchemaRefused", testNewerSchemaRefused},
	{"ConcurrentFirstOpen", testConcurrentFirstOpen},
	{"TimesFromStoreClock", testTimesFromStoreClock},
	{"DeleteFlowWithExpiredRun", testDeleteFlowWithExpiredRun},
}

// testDeleteFlowWithExpiredRun: a running run whose lease expired (its node died) does not hold
// its flow, which may then be deleted with it; a live lease does.
func testDeleteFlowWithExpiredRun(t *testing.T, e *env) {
	s := e.open()
	_, err := s.CreateFlow(ctx, hourly("f", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)))
	must(t, err)
	r, err := s.StartRun(ctx, "f", "node-a", 50*time.Millisecond)
	must(t, err)
	err = s.DeleteFlow(ctx, "f")
	wantCode(t, "delete while the lease holds", err, sqlstate.ObjectInUse)
	if e := sqlstate.Wrap(err); !strings.Contains(e.Detail, fmt.Sprintf("run %d", r.ID)) || !strings.Contains(e.Detail, "node-a") {
		t.Errorf("DETAIL %q does not name the run and its node", e.Detail)
	}
	e.advance(100 * time.Millisecond)
	must(t, s.DeleteFlow(ctx, "f"))
	_, err = s.Run(ctx, r.ID)
	wantCode(t, "run of the deleted flow", err, sqlstate.UndefinedObject)
}

func TestStore(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		for _, c := range storeCases {
			t.Run(c.name, func(t *testing.T) {
				c.run(t, &env{t: t, spec: t.TempDir(), clock: newFakeClock()})
			})
		}
	})
	t.Run("postgresql", func(t *testing.T) {
		pg := pgtest.Start(t)
		for i, c := range storeCases {
			t.Run(c.name, func(t *testing.T) {
				db := fmt.Sprintf("case_%d", i)
				pg.Psql(t, "CREATE DATABASE "+db)
				spec := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", pg.Port, db)
				c.run(t, &env{t: t, spec: spec})
			})
		}
	})
}

// wantCode fails t unless err carries code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := codeOf(err); got != code {
		t.Fatalf("%s: got error %v (code %q); want code %s", what, err, got, code)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var ctx = context.Background()

func testStatsRoundTrip(t *testing.T, e *env) {
	s := e.open()
	learned := time.Date(2024, 2, 1, 10, 30, 0, 123456000, time.UTC)
	in := []TableStats{
		{Account: "acct_A", Table: "customers", Rows: 120, Oldest: 1600000000, Newest: 1700000000,
			Complete: true, How: "complete scan", LearnedAt: learned},
		{Account: "acct_A", Table: "charges", Rows: 6000, Oldest: 1650000000, Newest: 1700000500,
			Complete: false, How: "5 probe pages", LearnedAt: learned.Add(time.Minute)},
		{Account: "acct_B", Table: "charges", Rows: 7, How: "complete scan", Complete: true, LearnedAt: learned},
	}
	for _, st := range in {
		must(t, s.SaveStats(ctx, st))
	}
	got, err := s.Stats(ctx, "acct_A")
	must(t, err)
	if diff := cmp.Diff([]TableStats{in[1], in[0]}, got); diff != "" {
		t.Errorf("Stats(acct_A) -want +got:\n%s", diff)
	}
	// Upsert replaces; a zero LearnedAt is stamped with the store's time.
	before, err := s.Now(ctx)
	must(t, err)
	upd := TableStats{Account: "acct_A", Table: "charges", Rows: 6012, Oldest: 1650000000,
		Newest: 1700000900, Complete: true, How: "complete scan"}
	must(t, s.SaveStats(ctx, upd))
	got, err = s.Stats(ctx, "acct_A")
	must(t, err)
	if len(got) != 2 {
		t.Fatalf("after upsert: %d rows, want 2", len(got))
	}
	if got[0].LearnedAt.Before(before) {
		t.Errorf("stamped learned_at %v is before the store's time %v", got[0].LearnedAt, before)
	}
	upd.LearnedAt = got[0].LearnedAt
	if diff := cmp.Diff(upd, got[0]); diff != "" {
		t.Errorf("upserted stats -want +got:\n%s", diff)
	}
	none, err := s.Stats(ctx, "acct_nobody")
	must(t, err)
	if diff := cmp.Diff([]TableStats{}, none); diff != "" {
		t.Errorf("Stats of an unknown account -want +got:\n%s", diff)
	}
	// "" is the API key's own account, as planner.Stats names it.
	own := TableStats{Account: "", Table: "refunds", Rows: 3, How: "complete scan", Complete: true, LearnedAt: learned}
	must(t, s.SaveStats(ctx, own))
	all, err := s.AllStats(ctx)
	must(t, err)
	if diff := cmp.Diff([]TableStats{own, got[0], got[1], in[2]}, all); diff != "" {
		t.Errorf("AllStats -want +got:\n%s", diff)
	}
	wantCode(t, "stats without a table", s.SaveStats(ctx, TableStats{Account: "acct_A"}), sqlstate.InvalidParameterValue)
	wantCode(t, "negative rows", s.SaveStats(ctx, TableStats{Account: "a", Table: "t", Rows: -1}), sqlstate.InvalidParameterValue)
}

func testAccountRoundTrip(t *testing.T, e *env) {
	s := e.open()
	if _, ok, err := s.Account(ctx, ""); err != nil || ok {
		t.Fatalf("Account of an unknown account: ok=%v err=%v; want not found", ok, err)
	}
	own := Account{Account: "", ID: "acct_own", Created: 1500000000, Livemode: true, FetchedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	connected := Account{Account: "acct_C", ID: "acct_C", Created: 1600000000, FetchedAt: time.Date(2024, 1, 2, 3, 4, 6, 0, time.UTC)}
	failed := Account{Account: "acct_D", FetchedAt: time.Date(2024, 1, 2, 3, 4, 7, 0, time.UTC)} // fetching failed
	for _, a := range []Account{connected, own, failed} {
		must(t, s.SaveAccount(ctx, a))
	}
	got, ok, err := s.Account(ctx, "")
	must(t, err)
	if !ok {
		t.Fatal("saved account not found")
	}
	if diff := cmp.Diff(own, got); diff != "" {
		t.Errorf("Account -want +got:\n%s", diff)
	}
	all, err := s.Accounts(ctx)
	must(t, err)
	if diff := cmp.Diff([]Account{own, connected, failed}, all); diff != "" {
		t.Errorf("Accounts -want +got:\n%s", diff)
	}
	own.Livemode, own.Created, own.FetchedAt = false, 1500000001, time.Time{}
	must(t, s.SaveAccount(ctx, own))
	got, _, err = s.Account(ctx, "")
	must(t, err)
	if got.FetchedAt.IsZero() || got.Livemode || got.Created != 1500000001 || got.ID != "acct_own" {
		t.Errorf("after upsert: %+v; want created 1500000001, test mode, fetched_at stamped", got)
	}
}

func hourly(name string, start time.Time) Flow {
	return Flow{
		Name:     name,
		Spec:     FlowSpec{Tables: []string{"charges", "customers"}},
		Target:   "/lake/" + name,
		Schedule: Schedule{Start: start, Frequency: Hour, Interval: 1},
		Enabled:  true,
	}
}

func testFlowCRUD(t *testing.T, e *env) {
	s := e.open()
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	f := hourly("billing", start)
	created, err := s.CreateFlow(ctx, f)
	must(t, err)
	if created.CreatedAt.IsZero() || !created.CreatedAt.Equal(created.UpdatedAt) {
		t.Errorf("created flow's times: created %v updated %v; want both stamped and equal", created.CreatedAt, created.UpdatedAt)
	}
	f.CreatedAt, f.UpdatedAt = created.CreatedAt, created.UpdatedAt
	if diff := cmp.Diff(f, created); diff != "" {
		t.Errorf("CreateFlow -want +got:\n%s", diff)
	}
	got, err := s.Flow(ctx, "billing")
	must(t, err)
	if diff := cmp.Diff(f, got); diff != "" {
		t.Errorf("Flow -want +got:\n%s", diff)
	}

	_, err = s.CreateFlow(ctx, f)
	wantCode(t, "duplicate flow", err, sqlstate.DuplicateObject)
	if !strings.Contains(err.Error(), "flow billing already exists") {
		t.Errorf("duplicate flow error %q does not say so", err)
	}

	mapped := Flow{
		Name:     "mapped",
		Spec:     FlowSpec{Queries: map[string]string{"big_charges": "SELECT id, amount FROM charges WHERE amount > 10000"}},
		Target:   "/lake/mapped",
		Schedule: Schedule{Start: start, Frequency: Once, Interval: 1},
	}
	m, err := s.CreateFlow(ctx, mapped)
	must(t, err)
	list, err := s.Flows(ctx)
	must(t, err)
	if diff := cmp.Diff([]string{"billing", "mapped"}, flowNames(list)); diff != "" {
		t.Errorf("Flows -want +got:\n%s", diff)
	}
	if diff := cmp.Diff(mapped.Spec, m.Spec); diff != "" {
		t.Errorf("mapping query spec -want +got:\n%s", diff)
	}

	e.advance(time.Second)
	f.Schedule = Schedule{Start: start.Add(time.Hour), Frequency: Day, Interval: 2}
	f.Enabled = false
	f.Target = "/lake/billing2"
	f.Spec.Tables = []string{"refunds"}
	upd, err := s.UpdateFlow(ctx, f)
	must(t, err)
	if !upd.UpdatedAt.After(upd.CreatedAt) {
		t.Errorf("updated_at %v not after created_at %v", upd.UpdatedAt, upd.CreatedAt)
	}
	f.UpdatedAt = upd.UpdatedAt
	if diff := cmp.Diff(f, upd); diff != "" {
		t.Errorf("UpdateFlow -want +got:\n%s", diff)
	}
	if got, _ := s.Flow(ctx, "billing"); !cmp.Equal(f, got) {
		t.Errorf("Flow after update -want +got:\n%s", cmp.Diff(f, got))
	}

	_, err = s.UpdateFlow(ctx, hourly("nope", start))
	wantCode(t, "update of an unknown flow", err, sqlstate.UndefinedObject)
	_, err = s.Flow(ctx, "nope")
	wantCode(t, "read of an unknown flow", err, sqlstate.UndefinedObject)
	wantCode(t, "delete of an unknown flow", s.DeleteFlow(ctx, "nope"), sqlstate.UndefinedObject)

	for _, bad := range []Flow{
		{Name: "", Spec: f.Spec, Target: "/x", Schedule: f.Schedule},
		{Name: "x", Target: "/x", Schedule: f.Schedule},
		{Name: "x", Spec: f.Spec, Schedule: f.Schedule},
		{Name: "x", Spec: f.Spec, Target: "/x", Schedule: Schedule{Start: start, Frequency: Hour, Interval: 0}},
		{Name: "x", Spec: f.Spec, Target: "/x", Schedule: Schedule{Start: start, Frequency: "month", Interval: 1}},
		{Name: "x", Spec: f.Spec, Target: "/x", Schedule: Schedule{Frequency: Hour, Interval: 1}},
	} {
		_, err := s.CreateFlow(ctx, bad)
		wantCode(t, fmt.Sprintf("invalid flow %+v", bad), err, sqlstate.InvalidParameterValue)
	}

	// A flow whose run holds its lease cannot be deleted; once the run finished, deleting the
	// flow deletes its runs.
	r, err := s.StartRun(ctx, "billing", "node-1", time.Hour)
	must(t, err)
	err = s.DeleteFlow(ctx, "billing")
	wantCode(t, "delete of a running flow", err, sqlstate.ObjectInUse)
	if _, err := s.Flow(ctx, "billing"); err != nil {
		t.Fatalf("the refused delete removed the flow: %v", err)
	}
	_, err = s.FinishRun(ctx, r.ID, "node-1", Outcome{Status: Succeeded})
	must(t, err)
	must(t, s.DeleteFlow(ctx, "billing"))
	_, err = s.Run(ctx, r.ID)
	wantCode(t, "run of a deleted flow", err, sqlstate.UndefinedObject)
	list, err = s.Flows(ctx)
	must(t, err)
	if diff := cmp.Diff([]string{"mapped"}, flowNames(list)); diff != "" {
		t.Errorf("Flows after delete -want +got:\n%s", diff)
	}
}

func flowNames(fs []Flow) []string { return each(fs, func(f Flow) string { return f.Name }) }

func runIDs(rs []Run) []int64 { return each(rs, func(r Run) int64 { return r.ID }) }

// each is f of every element of xs.
func each[T, U any](xs []T, f func(T) U) []U {
	var out []U
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

func testRunLifecycle(t *testing.T, e *env) {
	s := e.open()
	_, err := s.CreateFlow(ctx, hourly("f", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)))
	must(t, err)
	_, err = s.StartRun(ctx, "nope", "node-1", time.Minute)
	wantCode(t, "run of an unknown flow", err, sqlstate.UndefinedObject)
	_, err = s.StartRun(ctx, "f", "", time.Minute)
	wantCode(t, "run without a node", err, sqlstate.InvalidParameterValue)

	r, err := s.StartRun(ctx, "f", "node-1", time.Minute)
	must(t, err)
	if r.Status != Running || r.Node != "node-1" || r.Flow != "f" || !r.EndedAt.IsZero() {
		t.Errorf("started run %+v; want running on node-1, not ended", r)
	}
	if d := r.LeaseExpires.Sub(r.StartedAt); d != time.Minute {
		t.Errorf("lease of %s; want 1m from the start", d)
	}
	_, err = s.StartRun(ctx, "f", "node-2", time.Minute)
	wantCode(t, "second StartRun", err, sqlstate.LockNotAvailable)
	if !strings.Contains(codeDetail(err), "node-1") {
		t.Errorf("refused StartRun's detail %q does not name the holder node-1", codeDetail(err))
	}

	progress := map[string]TableRun{"charges": {Inserted: 100, Requests: 2}}
	must(t, s.RecordProgress(ctx, r.ID, "node-1", progress))
	wantCode(t, "progress from a node without the lease",
		s.RecordProgress(ctx, r.ID, "node-2", progress), sqlstate.LockNotAvailable)

	e.advance(10 * time.Millisecond)
	renewed, err := s.RenewLease(ctx, r.ID, "node-1", 2*time.Minute)
	must(t, err)
	if !renewed.LeaseExpires.After(r.LeaseExpires) {
		t.Errorf("renewed lease %v not after %v", renewed.LeaseExpires, r.LeaseExpires)
	}
	if diff := cmp.Diff(progress, renewed.Tables); diff != "" {
		t.Errorf("recorded progress -want +got:\n%s", diff)
	}

	final := map[string]TableRun{
		"charges":   {Inserted: 100, Updated: 3, Deleted: 1, Requests: 4},
		"customers": {Requests: 1, Error: "stripe said no"},
	}
	done, err := s.FinishRun(ctx, r.ID, "node-1", Outcome{Status: Partial, Tables: final, Error: "customers failed"})
	must(t, err)
	want := Run{ID: r.ID, Flow: "f", StartedAt: r.StartedAt, EndedAt: done.EndedAt, Status: Partial,
		Node: "node-1", Tables: final, Error: "customers failed"}
	if diff := cmp.Diff(want, done); diff != "" {
		t.Errorf("FinishRun -want +got:\n%s", diff)
	}
	if done.EndedAt.Before(done.StartedAt) {
		t.Errorf("ended %v before started %v", done.EndedAt, done.StartedAt)
	}
	got, err := s.Run(ctx, r.ID)
	must(t, err)
	if diff := cmp.Diff(done, got); diff != "" {
		t.Errorf("Run -want +got:\n%s", diff)
	}
	_, err = s.FinishRun(ctx, r.ID, "node-1", Outcome{Status: Succeeded})
	wantCode(t, "second FinishRun", err, sqlstate.ObjectNotInPrerequisiteState)
	_, err = s.RenewLease(ctx, r.ID, "node-1", time.Minute)
	wantCode(t, "renewal of a finished run", err, sqlstate.ObjectNotInPrerequisiteState)
	_, err = s.FinishRun(ctx, r.ID, "node-1", Outcome{Status: Running})
	wantCode(t, "finish as running", err, sqlstate.InvalidParameterValue)
	_, err = s.Run(ctx, 424242)
	wantCode(t, "unknown run", err, sqlstate.UndefinedObject)

	// The lease is free again; a nil Tables keeps what was recorded.
	e.advance(10 * time.Millisecond)
	r2, err := s.StartRun(ctx, "f", "node-2", time.Minute)
	must(t, err)
	must(t, s.RecordProgress(ctx, r2.ID, "node-2", progress))
	done2, err := s.FinishRun(ctx, r2.ID, "node-2", Outcome{Status: Succeeded})
	must(t, err)
	if diff := cmp.Diff(progress, done2.Tables); diff != "" {
		t.Errorf("FinishRun with nil tables -want +got:\n%s", diff)
	}
	runs, err := s.Runs(ctx, "f", 0)
	must(t, err)
	if diff := cmp.Diff([]int64{r2.ID, r.ID}, runIDs(runs)); diff != "" {
		t.Errorf("Runs newest first -want +got:\n%s", diff)
	}
	runs, err = s.Runs(ctx, "f", 1)
	must(t, err)
	if diff := cmp.Diff([]int64{r2.ID}, runIDs(runs)); diff != "" {
		t.Errorf("Runs limit 1 -want +got:\n%s", diff)
	}
	_, err = s.Runs(ctx, "nope", 0)
	wantCode(t, "runs of an unknown flow", err, sqlstate.UndefinedObject)
}

func codeDetail(err error) string {
	if e, ok := sqlstate.As(err); ok {
		return e.Detail
	}
	return ""
}

// testRacingStartRun: many goroutines on three stores (nodes) start the same flow at once; exactly
// one gets the lease, every other is refused with 55P03.
func testRacingStartRun(t *testing.T, e *env) {
	nodes := []*Store{e.open(), e.open(), e.open()}
	_, err := nodes[0].CreateFlow(ctx, hourly("race", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)))
	must(t, err)
	for round := 0; round < 3; round++ {
		const racers = 24
		var wins, refused atomic.Int32
		var winner atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, racers)
		for i := 0; i < racers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := nodes[i%len(nodes)]
				<-start
				r, err := s.StartRun(ctx, "race", fmt.Sprintf("node-%d", i), time.Hour)
				switch codeOf(err) {
				case "":
					wins.Add(1)
					winner.Store(r.ID)
				case sqlstate.LockNotAvailable:
					refused.Add(1)
				default:
					errs <- err
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: StartRun failed other than 55P03: %v", round, err)
		}
		if wins.Load() != 1 || refused.Load() != racers-1 {
			t.Fatalf("round %d: %d won and %d were refused; want exactly 1 and %d", round, wins.Load(), refused.Load(), racers-1)
		}
		r, err := nodes[0].Run(ctx, winner.Load())
		must(t, err)
		_, err = nodes[1].FinishRun(ctx, r.ID, r.Node, Outcome{Status: Succeeded})
		must(t, err)
	}
}

func testLeaseTakeover(t *testing.T, e *env) {
	a, b := e.open(), e.open()
	_, err := a.CreateFlow(ctx, hourly("f", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)))
	must(t, err)

	// An unexpired lease is not taken over.
	r, err := a.StartRun(ctx, "f", "node-a", time.Hour)
	must(t, err)
	_, err = b.TakeOverRun(ctx, r.ID, "node-b", time.Hour)
	wantCode(t, "takeover of an unexpired lease", err, sqlstate.LockNotAvailable)
	expired, err := b.ExpiredRuns(ctx)
	must(t, err)
	if len(expired) != 0 {
		t.Errorf("ExpiredRuns with a live lease: %v; want none", runIDs(expired))
	}
	_, err = a.FinishRun(ctx, r.ID, "node-a", Outcome{Status: Succeeded})
	must(t, err)
	_, err = b.TakeOverRun(ctx, r.ID, "node-b", time.Hour)
	wantCode(t, "takeover of a finished run", err, sqlstate.ObjectNotInPrerequisiteState)
	_, err = b.TakeOverRun(ctx, 424242, "node-b", time.Hour)
	wantCode(t, "takeover of an unknown run", err, sqlstate.UndefinedObject)

	// node-a dies: its short lease expires without renewal.
	r, err = a.StartRun(ctx, "f", "node-a", 20*time.Millisecond)
	must(t, err)
	must(t, a.RecordProgress(ctx, r.ID, "node-a", map[string]TableRun{"charges": {Inserted: 5}}))
	e.advance(150 * time.Millisecond)
	_, err = b.StartRun(ctx, "f", "node-b", time.Hour)
	wantCode(t, "StartRun while an expired run holds the flow", err, sqlstate.LockNotAvailable)
	if e, _ := sqlstate.As(err); !strings.Contains(e.Hint, "take run") {
		t.Errorf("StartRun over an expired lease: hint %q does not point at taking it over", e.Hint)
	}
	expired, err = b.ExpiredRuns(ctx)
	must(t, err)
	if diff := cmp.Diff([]int64{r.ID}, runIDs(expired)); diff != "" {
		t.Fatalf("ExpiredRuns -want +got:\n%s", diff)
	}

	// Several nodes take over at once: exactly one wins, and resumes from the recorded figures.
	var wins atomic.Int32
	var took Run
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := []*Store{a, b}[i%2].TakeOverRun(ctx, r.ID, fmt.Sprintf("node-%d", i), time.Hour)
			if err == nil {
				wins.Add(1)
				mu.Lock()
				took = got
				mu.Unlock()
			} else if codeOf(err) != sqlstate.LockNotAvailable {
				t.Errorf("racing takeover failed other than 55P03: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d racing takeovers won; want exactly 1", wins.Load())
	}
	if took.ID != r.ID || took.Status != Running || took.Tables["charges"].Inserted != 5 || !took.LeaseExpires.After(r.LeaseExpires) {
		t.Errorf("taken over run %+v; want run %d still running with its figures and a new lease", took, r.ID)
	}
	// The dead node comes back: it has lost the run.
	_, err = a.RenewLease(ctx, r.ID, "node-a", time.Hour)
	wantCode(t, "renewal by the node that lost the lease", err, sqlstate.LockNotAvailable)
	if !strings.Contains(codeDetail(err), took.Node) {
		t.Errorf("lost-lease detail %q does not name the new holder %s", codeDetail(err), took.Node)
	}
	_, err = a.FinishRun(ctx, r.ID, "node-a", Outcome{Status: Succeeded})
	wantCode(t, "finish by the node that lost the lease", err, sqlstate.LockNotAvailable)
	done, err := b.FinishRun(ctx, r.ID, took.Node, Outcome{Status: Succeeded})
	must(t, err)
	if done.Node != took.Node || done.Status != Succeeded {
		t.Errorf("finished run %+v; want succeeded on %s", done, took.Node)
	}
}

func testReopenKeepsData(t *testing.T, e *env) {
	s := e.open()
	st := TableStats{Account: "acct_A", Table: "charges", Rows: 6000, Oldest: 1, Newest: 2,
		Complete: true, How: "complete scan", LearnedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	must(t, s.SaveStats(ctx, st))
	acct := Account{Account: "acct_A", ID: "acct_A", Created: 1400000000, FetchedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	must(t, s.SaveAccount(ctx, acct))
	f, err := s.CreateFlow(ctx, hourly("f", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)))
	must(t, err)
	r, err := s.StartRun(ctx, "f", "node-1", time.Hour)
	must(t, err)
	must(t, s.Close())

	s = e.open()
	stats, err := s.Stats(ctx, "acct_A")
	must(t, err)
	if diff := cmp.Diff([]TableStats{st}, stats); diff != "" {
		t.Errorf("stats after reopen -want +got:\n%s", diff)
	}
	gotAcct, _, err := s.Account(ctx, "acct_A")
	must(t, err)
	if diff := cmp.Diff(acct, gotAcct); diff != "" {
		t.Errorf("account after reopen -want +got:\n%s", diff)
	}
	gotFlow, err := s.Flow(ctx, "f")
	must(t, err)
	if diff := cmp.Diff(f, gotFlow); diff != "" {
		t.Errorf("flow after reopen -want +got:\n%s", diff)
	}
	gotRun, err := s.Run(ctx, r.ID)
	must(t, err)
	if diff := cmp.Diff(r, gotRun); diff != "" {
		t.Errorf("run after reopen -want +got:\n%s", diff)
	}
}

// testTwoStoresShare: what one node learns, another node on the same store sees at once.
func testTwoStoresShare(t *testing.T, e *env) {
	a, b := e.open(), e.open()
	st := TableStats{Account: "acct_A", Table: "charges", Rows: 42, How: "complete scan", Complete: true,
		LearnedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	must(t, a.SaveStats(ctx, st))
	got, err := b.Stats(ctx, "acct_A")
	must(t, err)
	if diff := cmp.Diff([]TableStats{st}, got); diff != "" {
		t.Errorf("b sees a's stats -want +got:\n%s", diff)
	}
	st.Rows = 43
	must(t, b.SaveStats(ctx, st))
	got, err = a.Stats(ctx, "acct_A")
	must(t, err)
	if diff := cmp.Diff([]TableStats{st}, got); diff != "" {
		t.Errorf("a sees b's update -want +got:\n%s", diff)
	}
}

// testDueFlows: the store lists what is due by each flow's schedule and last run.
func testDueFlows(t *testing.T, e *env) {
	s := e.open()
	now, err := s.Now(ctx)
	must(t, err)
	mk := func(name string, sc Schedule, enabled bool) {
		f := hourly(name, sc.Start)
		f.Schedule, f.Enabled = sc, enabled
		_, err := s.CreateFlow(ctx, f)
		must(t, err)
	}
	mk("hourly-never-ran", Schedule{Start: now.Add(-150 * time.Minute), Frequency: Hour, Interval: 1}, true)
	mk("hourly-ran-now", Schedule{Start: now.Add(-150 * time.Minute), Frequency: Hour, Interval: 1}, true)
	mk("future", Schedule{Start: now.Add(time.Hour), Frequency: Minute, Interval: 5}, true)
	mk("disabled", Schedule{Start: now.Add(-time.Hour), Frequency: Minute, Interval: 1}, false)
	mk("once-ran", Schedule{Start: now.Add(-time.Hour), Frequency: Once, Interval: 1}, true)
	mk("once-pending", Schedule{Start: now.Add(-time.Minute), Frequency: Once, Interval: 1}, true)
	for _, name := range []string{"hourly-ran-now", "once-ran"} {
		r, err := s.StartRun(ctx, name, "node-1", time.Hour)
		must(t, err)
		_, err = s.FinishRun(ctx, r.ID, "node-1", Outcome{Status: Succeeded})
		must(t, err)
	}
	now, err = s.Now(ctx)
	must(t, err)
	due, err := s.DueFlows(ctx, now)
	must(t, err)
	type row struct {
		Name string
		Due  time.Time
	}
	var got []row
	for _, d := range due {
		got = append(got, row{d.Name, d.Due})
	}
	start := now.Add(-150 * time.Minute)
	want := []row{
		// Never ran: due at its start, not once per missed hour.
		{"hourly-never-ran", start.Truncate(time.Microsecond)},
		{"once-pending", now.Add(-time.Minute).Truncate(time.Microsecond)},
	}
	opt := cmp.Comparer(func(x, y time.Time) bool { return x.Sub(y).Abs() < time.Second })
	if diff := cmp.Diff(want, got, opt); diff != "" {
		t.Errorf("DueFlows -want +got:\n%s", diff)
	}
	// An hour and a half later the hourly flow that ran is due again, for its next slot.
	later := now.Add(90 * time.Minute)
	due, err = s.DueFlows(ctx, later)
	must(t, err)
	var names []string
	for _, d := range due {
		names = append(names, d.Name)
		if d.Name == "hourly-ran-now" {
			if wantDue := start.Add(3 * time.Hour); d.Due.Sub(wantDue).Abs() > time.Second {
				t.Errorf("hourly-ran-now due at %v; want its next slot %v", d.Due, wantDue)
			}
		}
	}
	if diff := cmp.Diff([]string{"hourly-never-ran", "once-pending", "hourly-ran-now", "future"}, names); diff != "" {
		t.Errorf("DueFlows 90 minutes later -want +got:\n%s", diff)
	}
}

func testNewerSchemaRefused(t *testing.T, e *env) {
	s := e.open()
	newer := SchemaVersion + 1
	_, err := s.exec(ctx, s.db, "INSERT INTO schema_version (version, applied_at) VALUES ($1, {now})", newer)
	must(t, err)
	must(t, s.Close())
	_, err = Open(ctx, e.spec, e.options()...)
	wantCode(t, "open of a newer store", err, sqlstate.ObjectNotInPrerequisiteState)
	msg := err.Error()
	for _, want := range []string{fmt.Sprintf("version %d", newer), fmt.Sprintf("version %d", SchemaVersion), "newer"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
}

// testConcurrentFirstOpen: nodes starting together on a new store migrate it once.
func testConcurrentFirstOpen(t *testing.T, e *env) {
	var wg sync.WaitGroup
	stores := make([]*Store, 6)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(ctx, e.spec, e.options()...)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("concurrent Open %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	var versions []int
	rows, err := stores[0].db.QueryContext(ctx, "SELECT version FROM schema_version ORDER BY version")
	must(t, err)
	defer rows.Close()
	for rows.Next() {
		var v int
		must(t, rows.Scan(&v))
		versions = append(versions, v)
	}
	var want []int
	for _, m := range migrations {
		want = append(want, m.version)
	}
	if diff := cmp.Diff(want, versions); diff != "" {
		t.Errorf("schema_version after concurrent opens -want +got:\n%s", diff)
	}
}

// testTimesFromStoreClock: SQLite stamps with its clock; PostgreSQL with the server's now(), even
// for a node whose own clock is an hour off.
func testTimesFromStoreClock(t *testing.T, e *env) {
	skewed := func() time.Time { return time.Now().Add(-time.Hour) }
	var want time.Time
	opts := []Option{WithClock(skewed)}
	if e.clock != nil {
		opts = e.options()
		want = e.clock.now()
	}
	s, err := Open(ctx, e.spec, opts...)
	must(t, err)
	defer s.Close()
	_, err = s.CreateFlow(ctx, hourly("f", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)))
	must(t, err)
	r, err := s.StartRun(ctx, "f", "node-1", time.Minute)
	must(t, err)
	if e.clock != nil {
		if !r.StartedAt.Equal(want) {
			t.Errorf("SQLite run started at %v; want the store clock's %v", r.StartedAt, want)
		}
		return
	}
	if d := time.Since(r.StartedAt).Abs(); d > time.Minute {
		t.Errorf("PostgreSQL run started at %v, %s from the server's time; the node's skewed clock leaked in", r.StartedAt, d)
	}
}
