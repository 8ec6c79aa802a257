package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// lookupBackend is the widgets fake with retrieves that can be slow, fail for one path, or wait
// for cancellation, and that records how many run at once.
type lookupBackend struct {
	*fakeBackend
	delay    time.Duration
	fail     string // a retrieve of this path answers 500
	block    bool   // retrieves wait until their context ends
	started  chan struct{}
	inFlight atomic.Int64
	maxSeen  atomic.Int64
}

func (b *lookupBackend) Retrieve(ctx context.Context, path string, p url.Values) (stripeapi.Object, error) {
	n := b.inFlight.Add(1)
	defer b.inFlight.Add(-1)
	for m := b.maxSeen.Load(); n > m && !b.maxSeen.CompareAndSwap(m, n); m = b.maxSeen.Load() {
	}
	if b.started != nil {
		select {
		case b.started <- struct{}{}:
		default:
		}
	}
	if b.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if b.delay > 0 {
		select {
		case <-time.After(b.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if path == b.fail {
		b.fakeBackend.record("retrieve", path, p)
		return nil, &stripeapi.Error{Status: 500, Type: "api_error", Message: "boom"}
	}
	return b.fakeBackend.Retrieve(ctx, path, p)
}

// lookupSession plans widgets ⋈ owners as a retrieve per owner: owners are learned to be too
// many to list, and widgets to be widgets rows.
func lookupSession(widgets int64, settings map[string]string) *planner.Session {
	st := planner.NewStats()
	st.Learn("owners", 1000000)
	st.Learn("widgets", widgets)
	return planner.NewSession(planner.SessionConfig{Catalog: widgetsCatalog(), Stats: st, Settings: settings})
}

const lookupSQL = "SELECT w.id, o.name FROM widgets w JOIN owners o ON o.id = w.owner"

// withWorkers runs f with the lookup worker count forced to n.
func withWorkers(n int, f func()) {
	workersOverride.Store(int64(n))
	defer workersOverride.Store(0)
	f()
}

func ownerRetrieves(calls []string) map[string]int {
	out := map[string]int{}
	for _, c := range calls {
		if strings.HasPrefix(c, "retrieve /v1/owners/") {
			out[strings.TrimSuffix(strings.TrimPrefix(c, "retrieve /v1/owners/"), "?")]++
		}
	}
	return out
}

// TestLookupConcurrentKeys runs a lookup join of 40 widgets over 4 owners with one worker and
// with eight: the rows and their order are the same (left order), each owner is retrieved once
// although the keys span several read-ahead batches, and eight workers do overlap requests.
func TestLookupConcurrentKeys(t *testing.T) {
	p := planOne(t, lookupSession(40, nil), lookupSQL)
	if j := findJoin(p.Root); j == nil || !j.Lookup || j.LookupParam != "" {
		t.Fatalf("plan is not a retrieve-per-key lookup:\n%s", strings.Join(planner.ExplainLines(lookupSession(40, nil), p, nil), "\n"))
	}
	var want []string
	for i := 40; i >= 1; i-- {
		name := fmt.Sprintf("Owner %d", i%4)
		if i%4 == 3 {
			name = "NULL"
		}
		want = append(want, fmt.Sprintf("wid_%d|%s", i, name))
	}
	for _, workers := range []int{1, 8} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			b := &lookupBackend{fakeBackend: newFake(40), delay: 5 * time.Millisecond}
			withWorkers(workers, func() {
				got := queryRows(t, b, lookupSession(40, nil), lookupSQL)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("rows (-want +got):\n%s", diff)
				}
			})
			if diff := cmp.Diff(map[string]int{"own_0": 1, "own_1": 1, "own_2": 1, "own_3": 1}, ownerRetrieves(b.calls)); diff != "" {
				t.Errorf("owner retrieves (-want +got):\n%s", diff)
			}
			if m := b.maxSeen.Load(); m > int64(workers) || workers > 1 && m < 2 {
				t.Errorf("%d retrieves at once with %d workers", m, workers)
			}
		})
	}
}

// planOne plans one statement, failing the test on an error.
func planOne(tb testing.TB, sess *planner.Session, sql string) *planner.Planned {
	tb.Helper()
	sts, err := planner.Parse(sql)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := planner.Plan(sess, sts[0], nil)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func findJoin(n planner.Node) *planner.Join {
	var out *planner.Join
	planner.Walk(n, func(x planner.Node) {
		if j, ok := x.(*planner.Join); ok && out == nil {
			out = j
		}
	})
	return out
}

// TestLookupFailures: the budget stops the lookups at exactly max_requests requests, a failing
// key's error is the one reported (not the cancellations it causes), and a cancelled statement
// stops waiting requests at once with 57014.
func TestLookupFailures(t *testing.T) {
	tests := []struct {
		name     string
		backend  *lookupBackend
		settings map[string]string
		cancel   bool
		code     string
		message  string
		calls    int // requests the backend saw, -1 for any
	}{
		{
			// Planned as 1 list + 1 retrieve (widgets learned as 100, red is 1%); 4 owners needed.
			name:     "budget",
			backend:  &lookupBackend{fakeBackend: newFake(40)},
			settings: map[string]string{"stripesql.max_requests": "3"},
			code:     sqlstate.ProgramLimitExceeded,
			message:  "query stopped after 3 stripe requests: over the budget of 3",
			calls:    3,
		},
		{
			name:    "one key fails",
			backend: &lookupBackend{fakeBackend: newFake(40), fail: "/v1/owners/own_2", delay: 20 * time.Millisecond},
			code:    sqlstate.SystemError,
			message: "boom",
			calls:   -1,
		},
		{
			name:    "cancel",
			backend: &lookupBackend{fakeBackend: newFake(40), block: true, started: make(chan struct{}, 1)},
			cancel:  true,
			code:    sqlstate.QueryCanceled,
			calls:   -1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sess := lookupSession(100, tt.settings)
			sql := lookupSQL + " WHERE w.color = 'red'"
			if tt.name != "budget" {
				sql = lookupSQL
			}
			p := planOne(t, sess, sql)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				go func() {
					<-tt.backend.started
					cancel()
				}()
			}
			start := time.Now()
			_, err := drain(ctx, tt.backend, sess, p)
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %v to stop", time.Since(start))
			}
			e, ok := sqlstate.As(err)
			if !ok || e.Code != tt.code || tt.message != "" && !strings.Contains(e.Message, tt.message) {
				t.Fatalf("error %v; want %s %q", err, tt.code, tt.message)
			}
			if tt.calls >= 0 && len(tt.backend.calls) != tt.calls {
				t.Errorf("backend saw %d requests %v; want exactly %d", len(tt.backend.calls), tt.backend.calls, tt.calls)
			}
			if n := tt.backend.inFlight.Load(); n != 0 {
				t.Errorf("%d requests still in flight after the statement ended", n)
			}
		})
	}
}

func drain(ctx context.Context, b stripeapi.Backend, sess *planner.Session, p *planner.Planned) (int, error) {
	rows, err := Run(ctx, b, sess, p)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for {
		_, err := rows.Next(ctx)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// TestLookupExplainAnalyze: EXPLAIN ANALYZE of a lookup join shows the distinct keys it fetched
// and the requests they took.
func TestLookupExplainAnalyze(t *testing.T) {
	b := &lookupBackend{fakeBackend: newFake(40)}
	got := queryRows(t, b, lookupSession(40, nil), "EXPLAIN ANALYZE "+lookupSQL)
	var line string
	for _, l := range got {
		if strings.Contains(l, "Lookup Join") {
			line = l
		}
	}
	if !strings.Contains(line, "Lookup Join (retrieve per key)") || !strings.Contains(line, "keys=4 requests=4") {
		t.Errorf("lookup join line %q; want the strategy and keys=4 requests=4 in:\n%s", line, strings.Join(got, "\n"))
	}
}
