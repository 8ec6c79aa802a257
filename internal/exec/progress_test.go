package exec

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// slowBackend is the fake backend answering every list after a delay, as Stripe does over a
// network, so the pace of requests can be observed.
type slowBackend struct {
	*fakeBackend
	delay time.Duration
}

func (s slowBackend) List(ctx context.Context, path string, p url.Values) (*stripeapi.Page, error) {
	time.Sleep(s.delay)
	return s.fakeBackend.List(ctx, path, p)
}

// progressFigures is the part of an event a test can predict exactly.
type progressFigures struct {
	Scanned, Rows, Requests int64
	Left                    float64
	Exceeded                bool
}

// runProgress runs sql over n widgets served slowly, with widgets known to the planner as
// learned rows, and returns every progress event (one per page: ProgressInterval is zero).
func runProgress(t *testing.T, sql string, n int, learned int64, rate float64) []planner.ProgressEvent {
	SequentialScans(t) // these figures follow one list call page by page
	t.Helper()
	old := ProgressInterval
	ProgressInterval = 0
	defer func() { ProgressInterval = old }()
	stats := planner.NewStats()
	stats.Learn("widgets", learned)
	var events []planner.ProgressEvent
	sess := planner.NewSession(planner.SessionConfig{Catalog: widgetsCatalog(), Stats: stats, Rate: rate,
		Progress: func(e planner.ProgressEvent) { events = append(events, e) }})
	if _, _, err := runAll(t, slowBackend{newFake(n), 20 * time.Millisecond}, sess, sql); err != nil {
		t.Fatal(err)
	}
	return events
}

func figures(events []planner.ProgressEvent) []progressFigures {
	var out []progressFigures
	for _, e := range events {
		out = append(out, progressFigures{e.Scanned, e.Rows, e.Requests, e.RequestsLeft, e.Exceeded})
	}
	return out
}

// TestProgressAggregate checks that an aggregate, which returns nothing until it ends, reports
// the rows it has read growing page by page, and seconds left that fall to the end.
func TestProgressAggregate(t *testing.T) {
	events := runProgress(t, "SELECT count(*) FROM widgets", 500, 500, 6)
	want := []progressFigures{
		{100, 0, 1, 4, false}, {200, 0, 2, 3, false}, {300, 0, 3, 2, false}, {400, 0, 4, 1, false}, {500, 0, 5, 0, false},
	}
	if diff := cmp.Diff(want, figures(events)); diff != "" {
		t.Fatalf("progress of count(*) (-want +got):\n%s", diff)
	}
	for i, e := range events {
		// 6 requests per second: the rate, not the fake's faster answers, sets the pace.
		if wantSec := e.RequestsLeft / 6; e.SecondsLeft < wantSec-1e-9 || e.SecondsLeft > wantSec+1e-9 {
			t.Errorf("event %d: %.3f s left, want %.3f (%.0f requests at 6/s)", i, e.SecondsLeft, wantSec, e.RequestsLeft)
		}
		if i > 0 && e.SecondsLeft >= events[i-1].SecondsLeft {
			t.Errorf("event %d: seconds left %.3f did not fall from %.3f", i, e.SecondsLeft, events[i-1].SecondsLeft)
		}
		if e.EstimatedRequests != 5 || e.MaxRequests != planner.DefaultMaxRequests {
			t.Errorf("event %d: estimated %v, budget %d; want 5 and %d", i, e.EstimatedRequests, e.MaxRequests, planner.DefaultMaxRequests)
		}
	}
}

// TestProgressObservedPace checks that seconds left follow the pace Stripe answers at when it is
// slower than the node's rate: 20 ms a page at a rate of 1000 per second.
func TestProgressObservedPace(t *testing.T) {
	events := runProgress(t, "SELECT count(*) FROM widgets", 500, 500, 1000)
	if len(events) != 5 {
		t.Fatalf("%d events, want 5", len(events))
	}
	for i, e := range events[1:4] {
		if e.SecondsLeft < e.RequestsLeft*0.015 {
			t.Errorf("event %d: %.4f s for %.0f requests left, faster than the observed 20 ms a request", i+1, e.SecondsLeft, e.RequestsLeft)
		}
	}
}

// TestProgressReestimates checks what progress says when the table turns out bigger than the
// planner thought.
func TestProgressReestimates(t *testing.T) {
	t.Run("one list outgrows its estimate", func(t *testing.T) {
		// Planned as 2 requests (200 rows learned); the list has 400.
		events := runProgress(t, "SELECT count(*) FROM widgets", 400, 200, 6)
		want := []progressFigures{
			{100, 0, 1, 1, false}, // as planned
			{200, 0, 2, 1, true},  // the estimate is used up and has_more: one more is all that is known
			{300, 0, 3, 1, true},
			{400, 0, 4, 0, false}, // has_more false: done
		}
		if diff := cmp.Diff(want, figures(events)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("later calls learn from the first", func(t *testing.T) {
		// One list call per color, each planned as 1 request; each color has 200 widgets, 2 pages.
		events := runProgress(t, "SELECT count(*) FROM widgets WHERE color IN ('red', 'green', 'blue')", 600, 600, 6)
		if len(events) == 0 || events[0].EstimatedRequests != 3 {
			t.Fatalf("events %+v; want a plan of 3 requests, one per color", events)
		}
		want := []progressFigures{
			{100, 0, 1, 3, true},  // call 1 outgrew its 1 request; calls 2 and 3 still at 1 each
			{200, 0, 2, 2, false}, // call 1 done in 2 pages
			{300, 0, 3, 3, false}, // learned: a call takes 2 pages, so 1 more here and 2 for call 3
			{400, 0, 4, 2, false},
			{500, 0, 5, 1, false},
			{600, 0, 6, 0, false},
		}
		if diff := cmp.Diff(want, figures(events)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

// TestScanProgressLeft checks the per-scan estimate of requests left, case by case.
func TestScanProgressLeft(t *testing.T) {
	type page struct {
		call int
		more bool
	}
	tests := []struct {
		name     string
		est      float64
		calls    int
		limited  bool
		ended    bool
		pages    []page
		want     float64
		exceeded bool
	}{
		{"ended before stripe's last page", 3, 1, false, true, []page{{0, true}}, 0, false},
		{"a pushed limit can end the scan", 1, 1, true, false, []page{{0, true}}, 0, false},
		{"a pushed limit still counts planned pages", 3, 1, true, false, []page{{0, true}}, 2, false},
		{"not started", 7, 1, false, false, nil, 7, false},
		{"halfway", 4, 1, false, false, []page{{0, true}, {0, true}}, 2, false},
		{"done early", 4, 1, false, false, []page{{0, false}}, 0, false},
		{"exceeded", 2, 1, false, false, []page{{0, true}, {0, true}, {0, true}}, 1, true},
		{"retrieves", 3, 3, false, false, []page{{0, false}}, 2, false},
		{"between calls, planned", 4, 2, false, false, []page{{0, true}, {0, false}}, 2, false},
		{"later calls learned", 2, 2, false, false, []page{{0, true}, {0, true}, {0, false}, {1, true}}, 2, false},
		{"learned calls are at least one request", 10, 4, false, false, []page{{0, false}, {1, false}}, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := &scanProgress{est: tt.est, calls: tt.calls, limited: tt.limited, ended: tt.ended}
			for _, p := range tt.pages {
				sp.page(p.call, p.more)
			}
			got, ex := sp.left()
			if got != tt.want || ex != tt.exceeded {
				t.Errorf("left() = %v, %v; want %v, %v", got, ex, tt.want, tt.exceeded)
			}
		})
	}
}

// TestProgressLimitEndsScan checks that a scan a LIMIT stops before Stripe's last page leaves no
// requests behind in the estimate, and is not reported as over its estimate.
func TestProgressLimitEndsScan(t *testing.T) {
	// The LIMIT is pushed into the scan: pages of 100 and 50, the second with has_more.
	events := runProgress(t, "SELECT count(*) FROM (SELECT id FROM widgets LIMIT 150) s", 600, 600, 6)
	want := []progressFigures{{100, 0, 1, 1, false}, {150, 0, 2, 0, false}}
	if diff := cmp.Diff(want, figures(events)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestProgressSubqueries checks that a correlated subquery's requests and rows read are reported
// as the statement's, growing across its runs instead of starting again at each run.
func TestProgressSubqueries(t *testing.T) {
	// One list of owners, then per owner a list of the 200 red widgets (2 pages).
	events := runProgress(t, "SELECT o.id, (SELECT count(*) FROM widgets w WHERE w.color = 'red' AND w.owner = o.id) FROM owners o", 600, 600, 6)
	var got []string
	for _, e := range events {
		got = append(got, fmt.Sprintf("%d requests, %d read, %d returned", e.Requests, e.Scanned, e.Rows))
	}
	want := []string{"1 requests, 5 read, 0 returned"}
	for i := 0; i < 5; i++ {
		want = append(want,
			fmt.Sprintf("%d requests, %d read, %d returned", 2+2*i, 105+200*i, i),
			fmt.Sprintf("%d requests, %d read, %d returned", 3+2*i, 205+200*i, i))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
