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

// BenchmarkDashboardCoalescing measures the Stripe requests of 50 sessions that run the same
// dashboard query at once on one node (one Client, one Scheduler, one Cache), with identical GETs
// in flight coalesced and, side by side, with every GET sent on its own (Config.NoCoalescing).
// The emulator answers in 300 ms, so the sessions' requests overlap as a dashboard's refreshes
// do. Run it by hand: go test ./internal/exec -run '^$' -bench DashboardCoalescing -benchtime 1x
func BenchmarkDashboardCoalescing(b *testing.B) {
	const sessions = 50
	const query = "SELECT status, count(*), sum(amount) FROM charges WHERE created >= now() - interval '365 days' GROUP BY status"
	for _, mode := range []string{"coalesced", "separate"} {
		b.Run(mode, func(b *testing.B) {
			emu, base, stop, err := emulator.Start(emulator.Config{Seed: 5, Scale: emulator.ScaleN(600), Latency: 300 * time.Millisecond})
			if err != nil {
				b.Fatal(err)
			}
			defer stop()
			var requests, seconds float64
			for i := 0; i < b.N; i++ {
				client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_bench", BaseURL: base,
					Scheduler: stripeapi.NewScheduler(stripeapi.DefaultRate), Cache: stripeapi.NewCache(0, 0),
					NoCoalescing: mode == "separate"})
				if err != nil {
					b.Fatal(err)
				}
				emu.ResetRequests()
				start := time.Now()
				errs := make(chan error, sessions)
				for range sessions {
					go func() {
						sess := planner.NewSession(planner.SessionConfig{Catalog: catalog.New(catalog.StripeTables()...), Rate: stripeapi.DefaultRate,
							Settings: map[string]string{"stripesql.max_requests": "100000"}})
						sts, err := planner.Parse(query)
						if err == nil {
							var p *planner.Planned
							if p, err = planner.Plan(sess, sts[0], nil); err == nil {
								_, err = drain(context.Background(), client, sess, p)
							}
						}
						errs <- err
					}()
				}
				for range sessions {
					if err := <-errs; err != nil {
						b.Fatal(err)
					}
				}
				seconds += time.Since(start).Seconds()
				requests += float64(len(emu.Requests()))
			}
			b.ReportMetric(requests/float64(b.N), "requests")
			b.ReportMetric(seconds/float64(b.N), "s/dashboard")
		})
	}
}
