package exec

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// lookupWallTime runs a lookup join of keys customer ids (a VALUES list joined to customers, so
// every request is a retrieve per key) through the real client at 6 requests/s against an
// emulator that answers after latency, with workers lookup workers, and returns the wall time.
func lookupWallTime(tb testing.TB, keys int, latency time.Duration, workers int) time.Duration {
	tb.Helper()
	emu, base, stop, err := emulator.Start(emulator.Config{Seed: 7, Scale: emulator.ScaleSmall, Latency: latency})
	if err != nil {
		tb.Fatal(err)
	}
	defer stop()
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_lookup", BaseURL: base, Scheduler: stripeapi.NewScheduler(6)})
	if err != nil {
		tb.Fatal(err)
	}
	var vals []string
	for _, o := range emu.Objects("customers")[:keys] {
		vals = append(vals, fmt.Sprintf("('%s')", o["id"]))
	}
	sql := "SELECT v.id, c.email FROM (VALUES " + strings.Join(vals, ", ") + ") v(id) JOIN customers c ON c.id = v.id"
	sess := planner.NewSession(planner.SessionConfig{Catalog: catalog.New(catalog.StripeTables()...), Rate: 6})
	var n int
	start := time.Now()
	withWorkers(workers, func() {
		p := planOne(tb, sess, sql)
		if j := findJoin(p.Root); j == nil || !j.Lookup {
			tb.Fatalf("not a lookup join: %s", strings.Join(planner.ExplainLines(sess, p, nil), "\n"))
		}
		var err error
		if n, err = drain(context.Background(), client, sess, p); err != nil {
			tb.Fatal(err)
		}
	})
	if n != keys {
		tb.Fatalf("%d rows; want %d", n, keys)
	}
	return time.Since(start)
}

// TestLookupWallTime: with round trips longer than the limiter's spacing (300 ms against one
// start per 183 ms at 6/s), concurrent lookups are bound by the rate, where one at a time they
// are bound by the round trips.
func TestLookupWallTime(t *testing.T) {
	if testing.Short() {
		t.Skip("measures seconds of wall time")
	}
	const keys, latency = 10, 300 * time.Millisecond
	one := lookupWallTime(t, keys, latency, 1)
	many := lookupWallTime(t, keys, latency, 0)
	t.Logf("%d keys at 6/s, %v latency: one worker %v, default workers %v", keys, latency, one, many)
	if one < keys*latency {
		t.Errorf("one worker took %v; want at least %d round trips (%v)", one, keys, keys*latency)
	}
	// Rate-bound: keys-1 limiter intervals of 183 ms and one round trip, ≈ 2 s.
	if limit := time.Duration(float64(one) * 0.8); many > limit {
		t.Errorf("default workers took %v; want under %v (80%% of one worker's %v)", many, limit, one)
	}
}

// BenchmarkLookupWallTime reports the wall time of a 30-key lookup join at 6 requests/s, one
// worker against the default, at 100 ms and 400 ms of emulated latency.
func BenchmarkLookupWallTime(b *testing.B) {
	for _, latency := range []time.Duration{100 * time.Millisecond, 400 * time.Millisecond} {
		for _, workers := range []int{1, 0} {
			b.Run(fmt.Sprintf("latency=%v/workers=%d", latency, workers), func(b *testing.B) {
				for range b.N {
					d := lookupWallTime(b, 30, latency, workers)
					b.ReportMetric(d.Seconds(), "s/query")
				}
			})
		}
	}
}
