package exec

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// BenchmarkScanBudgetShare measures, side by side in one run, how much of the node's budget (6
// requests per second) a full scan keeps busy when each request takes 100, 300 or 600 ms: read
// sequentially (one request in flight) and partitioned into created windows. It reports the
// share of the budget (requests started per second between the first and the last start, over
// 6), the requests sent and the seconds taken, on a node that has never seen the account. Run it
// by hand (about two minutes): go test ./internal/exec -run '^$' -bench BudgetShare -benchtime 1x
func BenchmarkScanBudgetShare(b *testing.B) {
	const charges = 6000
	for _, latency := range []time.Duration{100 * time.Millisecond, 300 * time.Millisecond, 600 * time.Millisecond} {
		for _, mode := range []string{"sequential", "partitioned"} {
			b.Run(fmt.Sprintf("%s/%dms", mode, latency.Milliseconds()), func(b *testing.B) {
				emu, base, stop, err := emulator.Start(emulator.Config{Seed: 5, Scale: emulator.ScaleN(charges), Latency: latency})
				if err != nil {
					b.Fatal(err)
				}
				defer stop()
				partitioning = mode == "partitioned"
				defer func() { partitioning = true }()
				var share, requests, seconds float64
				for i := 0; i < b.N; i++ {
					client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_bench", BaseURL: base, Scheduler: stripeapi.NewScheduler(stripeapi.DefaultRate)})
					if err != nil {
						b.Fatal(err)
					}
					sess := planner.NewSession(planner.SessionConfig{Catalog: catalog.New(catalog.StripeTables()...), Rate: stripeapi.DefaultRate})
					emu.ResetRequests()
					start := time.Now()
					sts, _ := planner.Parse("SELECT count(*) FROM charges")
					p, err := planner.Plan(sess, sts[0], nil)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := drain(context.Background(), client, sess, p); err != nil { // lookup_test.go
						b.Fatal(err)
					}
					seconds += time.Since(start).Seconds()
					reqs := emu.Requests()
					requests += float64(len(reqs))
					first, last := reqs[0].Received, reqs[len(reqs)-1].Received
					for _, r := range reqs {
						first, last = minTime(first, r.Received), maxTime(last, r.Received)
					}
					share += float64(len(reqs)-1) / last.Sub(first).Seconds() / stripeapi.DefaultRate
				}
				n := float64(b.N)
				b.ReportMetric(share/n, "budget-share")
				b.ReportMetric(requests/n, "requests")
				b.ReportMetric(seconds/n, "s/scan")
			})
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
