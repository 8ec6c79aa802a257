package exec

import (
	"context"
	"encoding/json"
	"fmt"

	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// tiedWidgets returns n widgets newest first whose created times crowd into few seconds: a
// fraction share on a handful of "burst" seconds, the rest spread over span seconds ending at end.
// Same-second crowds are where a split between windows could lose or repeat an object.
func tiedWidgets(rng *rand.Rand, n int, end, span int64, share float64) []stripeapi.Object {
	bursts := []int64{end - span/2, end - span/3, end - 1, end - span + 1}
	created := make([]int64, n)
	for i := range created {
		if rng.Float64() < share {
			created[i] = bursts[rng.IntN(len(bursts))]
		} else {
			created[i] = end - rng.Int64N(span)
		}
	}
	sort.Slice(created, func(a, b int) bool { return created[a] > created[b] })
	out := make([]stripeapi.Object, n)
	for i, c := range created {
		out[i] = stripeapi.Object{"id": fmt.Sprintf("wid_%06d", i), "object": "widget", "color": "red",
			"size": json.Number(strconv.Itoa(i % 7)), "created": json.Number(strconv.FormatInt(c, 10))}
	}
	return out
}

// scanIDs runs sql over fb and returns the first column of every row, and the run's EXPLAIN-like
// partition summary of its scan.
func scanIDs(t *testing.T, fb *fakeBackend, sql string) []string {
	t.Helper()
	rows, _, err := runAll(t, fb, session(map[string]string{"stripesql.max_requests": "100000"}), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprint(r[0])
	}
	return out
}

// TestPartitionedMatchesSequential compares partitioned and sequential reads of the same lists,
// over random data where thousands of objects share a second, at several numbers of requests in
// flight: the same rows exactly once, and, where the plan relies on Stripe's order (ORDER BY
// created DESC with the sort left out), the very same sequence.
func TestPartitionedMatchesSequential(t *testing.T) {
	const end = 1717200000
	queries := []string{
		"SELECT id FROM widgets",                                     // streaming
		"SELECT id FROM widgets ORDER BY created DESC",               // streaming, order kept
		"SELECT count(*) FROM widgets",                               // drained
		"SELECT string_agg(id, ',' ORDER BY id) FROM widgets",        // drained, every id once
		"SELECT id FROM widgets WHERE created >= '2024-05-01'::date", // a range the windows must stay in
	}
	for seed := uint64(1); seed <= 6; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		n := 300 + rng.IntN(3000)
		span := int64(10 + rng.IntN(5_000_000))
		data := tiedWidgets(rng, n, end, span, rng.Float64())
		for _, q := range queries {
			partitioning = false
			want := scanIDs(t, &fakeBackend{objects: map[string][]stripeapi.Object{"/v1/widgets": data}}, q)
			partitioning = true
			for _, inflight := range []int{1, 3, 8} {
				scanInflightOverride = inflight
				fb := &fakeBackend{objects: map[string][]stripeapi.Object{"/v1/widgets": data}}
				got := scanIDs(t, fb, q)
				scanInflightOverride = 0
				if !strings.Contains(q, "ORDER BY created") {
					sort.Strings(want)
					sort.Strings(got)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("seed %d (%d widgets over %d s), %d in flight, %s: partitioned differs from sequential (-want +got):\n%s", seed, n, span, inflight, q, diff)
				}
			}
		}
	}
}

// TestPartitionSplits checks that a drained scan of many pages does split, probes a table of
// unknown size, and reads about one request per page.
func TestPartitionSplits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	data := tiedWidgets(rng, 5000, 1717200000, 3_000_000, 0.1)
	scanInflightOverride = 4
	defer func() { scanInflightOverride = 0 }()
	// The account was created a month before its first widget.
	oldest, _ := createdOf(data[len(data)-1])
	fb := &fakeBackend{objects: map[string][]stripeapi.Object{"/v1/widgets": data},
		account: stripeapi.Object{"id": "acct_1", "object": "account", "created": json.Number(strconv.FormatInt(oldest-30*86400, 10))}}
	rows, _, err := runAll(t, fb, session(map[string]string{"stripesql.max_requests": "100000"}), "EXPLAIN ANALYZE SELECT count(*) FROM widgets")
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, r := range rows {
		text.WriteString(r[0].(string) + "\n")
	}
	if !strings.Contains(text.String(), "windows=") || !strings.Contains(text.String(), "probes=3") {
		t.Errorf("EXPLAIN ANALYZE shows no split with probes:\n%s", text.String())
	}
	lists := 0
	for _, c := range fb.calls {
		if strings.HasPrefix(c, "list ") {
			lists++
		}
	}
	if lists < 50 || lists > 50+50/10+3 {
		t.Errorf("%d list requests for 50 pages; want about 50:\n%s", lists, text.String())
	}
}

// TestPartitionedStreamingIsLazy checks that a streaming consumer that stops early costs only
// what it read: 20 rows of a table of 5,000 cost one page, whatever its size; a consumer reading
// in chunks (WithBoundedDemand) is not probed and reads about as many pages as it consumes.
func TestPartitionedStreamingIsLazy(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	data := tiedWidgets(rng, 5000, 1717200000, 3_000_000, 0)
	for _, tc := range []struct {
		name    string
		bounded bool
		read    int
		maxReq  int
	}{
		{"20 rows of an unbounded consumer", false, 20, 1},
		{"100 rows of an unbounded consumer", false, 100, 1},
		{"20 rows read in chunks", true, 20, 1},
		{"350 rows read in chunks", true, 350, 4}, // page by page, as the consumer asks
	} {
		t.Run(tc.name, func(t *testing.T) {
			scanInflightOverride = 4
			defer func() { scanInflightOverride = 0 }()
			fb := &fakeBackend{objects: map[string][]stripeapi.Object{"/v1/widgets": data}}
			sess := session(nil)
			sts, _ := planner.Parse("SELECT id FROM widgets")
			p, err := planner.Plan(sess, sts[0], nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tc.bounded {
				ctx = WithBoundedDemand(ctx)
			}
			rows, err := Run(ctx, fb, sess, p)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < tc.read; i++ {
				if _, err := rows.Next(ctx); err != nil {
					t.Fatalf("row %d: %v", i, err)
				}
			}
			rows.Close()
			fb.mu.Lock()
			calls := append([]string(nil), fb.calls...)
			fb.mu.Unlock()
			if len(calls) > tc.maxReq {
				t.Errorf("%d requests after %d rows; want at most %d: %v", len(calls), tc.read, tc.maxReq, calls)
			}
		})
	}
}

// TestPartitionedRefusesEarly checks the runtime budget: an unbounded consumer of a table of
// unknown size too large for the budget is refused after the probes (at most five requests),
// with the measured estimate in DETAIL; a drained scan likewise.
func TestPartitionedRefusesEarly(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	data := tiedWidgets(rng, 30000, 1717200000, 30_000_000, 0) // 300 pages
	for _, q := range []string{"SELECT count(*) FROM widgets", "SELECT id FROM widgets"} {
		t.Run(q, func(t *testing.T) {
			fb := &fakeBackend{objects: map[string][]stripeapi.Object{"/v1/widgets": data}}
			_, _, err := runAll(t, fb, session(map[string]string{"stripesql.max_requests": "100"}), q)
			e, ok := sqlstate.As(err)
			if !ok || e.Code != sqlstate.ProgramLimitExceeded {
				t.Fatalf("err = %v; want 54000", err)
			}
			if len(fb.calls) > 5 {
				t.Errorf("refused after %d requests; want at most 5: %v", len(fb.calls), fb.calls)
			}
			if !strings.Contains(e.Detail, "measured by") || !strings.Contains(e.Hint, "max_requests") {
				t.Errorf("detail %q / hint %q: want the measured estimate and a budget", e.Detail, e.Hint)
			}
		})
	}
}

// TestGeometricRatio checks the widths of probe windows.
func TestGeometricRatio(t *testing.T) {
	for _, tc := range []struct {
		total float64
		n     int
	}{{3, 3}, {59, 3}, {1460, 3}, {4.7e6, 3}, {10, 1}} {
		r := geometricRatio(tc.total, tc.n)
		sum, x := 0.0, 1.0
		for i := 0; i < tc.n; i++ {
			x *= r
			sum += x
		}
		if sum < tc.total-1e-6 || sum > tc.total*1.0001+1e-6 {
			t.Errorf("geometricRatio(%g, %d) = %g: widths sum to %g", tc.total, tc.n, r, sum)
		}
	}
	if r := geometricRatio(2, 3); r != 1 {
		t.Errorf("a range narrower than the windows: ratio %g, want 1", r)
	}
}

// TestPartitionedProgressConverges checks what progress says of a table the node has never
// measured (planned as 10,000 rows, 100 requests; it holds 6,000): once the probes are in, the
// total is within a factor of two of the truth, and from halfway on within a fifth — a scan 48
// pages into a 60-page table must not still say 100.
func TestPartitionedProgressConverges(t *testing.T) {
	old := ProgressInterval
	ProgressInterval = 0
	defer func() { ProgressInterval = old }()
	rng := rand.New(rand.NewPCG(8, 8))
	data := tiedWidgets(rng, 6000, 1717200000, 20_000_000, 0)
	oldest, _ := createdOf(data[len(data)-1])
	fb := &fakeBackend{objects: map[string][]stripeapi.Object{"/v1/widgets": data},
		account: stripeapi.Object{"id": "acct_1", "created": json.Number(strconv.FormatInt(oldest-86400, 10))}}
	scanInflightOverride = 3
	defer func() { scanInflightOverride = 0 }()
	var events []planner.ProgressEvent
	sess := planner.NewSession(planner.SessionConfig{Catalog: widgetsCatalog(), Settings: map[string]string{"stripesql.max_requests": "1000"},
		Progress: func(e planner.ProgressEvent) { events = append(events, e) }})
	if _, _, err := runAll(t, fb, sess, "SELECT count(*) FROM widgets"); err != nil {
		t.Fatal(err)
	}
	actual := float64(len(fb.calls))
	for _, e := range events {
		total := float64(e.Requests) + e.RequestsLeft
		switch {
		case e.Requests >= int64(actual/2) && (total < actual*0.8 || total > actual*1.2):
			t.Errorf("after %d of %.0f requests: about %.0f in all; want within a fifth", e.Requests, actual, total)
		case e.Requests >= 6 && (total < actual/2 || total > actual*2):
			t.Errorf("after %d of %.0f requests (probes in): about %.0f in all; want within a factor of two", e.Requests, actual, total)
		}
	}
	if len(events) < 10 {
		t.Errorf("%d progress events for %.0f requests", len(events), actual)
	}
}
