package ingest

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// BenchmarkBackfillCharges is the first sync of the charges table from an emulator that answers
// every request after a delay, at the node's default budget: how much of the budget the backfill
// uses, budget-fraction = requests ÷ (elapsed × rate). 1 means the run sent requests as fast as
// the node may; a backfill that reads one page at a time waits for each answer, so at 300 ms it
// reaches about 1 ÷ (0.3 s × 6/s) of the budget until the executor reads pages of one list
// concurrently. Defaults: 100,000 charges, 300 ms, 6 requests/s (about 5 minutes); change them
// with STRIPESQL_BENCH_CHARGES, STRIPESQL_BENCH_LATENCY (a duration) and STRIPESQL_BENCH_RATE.
//
//	go test -run '^$' -bench BenchmarkBackfillCharges -benchtime 1x ./internal/ingest
func BenchmarkBackfillCharges(b *testing.B) {
	charges, latency, rate := 100_000, 300*time.Millisecond, float64(stripeapi.DefaultRate)
	if v, err := strconv.Atoi(os.Getenv("STRIPESQL_BENCH_CHARGES")); err == nil && v > 0 {
		charges = v
	}
	if v, err := time.ParseDuration(os.Getenv("STRIPESQL_BENCH_LATENCY")); err == nil {
		latency = v
	}
	if v, err := strconv.ParseFloat(os.Getenv("STRIPESQL_BENCH_RATE"), 64); err == nil && v > 0 {
		rate = v
	}
	emu, base, stop, err := emulator.Start(emulator.Config{Seed: 9, Scale: emulator.ScaleN(charges), Latency: latency})
	if err != nil {
		b.Fatal(err)
	}
	defer stop()
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_bench", BaseURL: base, Rate: rate, Scheduler: stripeapi.NewScheduler(rate)})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		emu.ResetRequests()
		dir := b.TempDir()
		t0 := time.Now()
		rep, err := Run(context.Background(), Config{Dir: dir, Backend: client, Rate: rate, Tables: []string{"charges"}})
		elapsed := time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Failed() {
			b.Fatalf("%+v %v", rep.Tables, rep.CommitErr)
		}
		if got := rep.Tables[0].Rows; got != int64(charges) {
			b.Fatalf("%d charges in the lake, want %d", got, charges)
		}
		reqs := float64(len(emu.Requests()))
		b.ReportMetric(reqs, "requests")
		b.ReportMetric(elapsed.Seconds(), "seconds")
		b.ReportMetric(reqs/(elapsed.Seconds()*rate), "budget-fraction")
		b.ReportMetric(float64(charges)/elapsed.Seconds(), "rows/s")
	}
}
