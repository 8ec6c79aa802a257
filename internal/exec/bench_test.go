package exec_test

import (
	"context"
	"testing"

	"github.com/stripesql/stripesql/internal/emulator"
)

// BenchmarkSuiteRequests runs the pushdown suite against the emulator and reports the Stripe
// requests it sent against the suite's stated minimum (1.00 is optimal), and against what the same
// queries cost with pushdown off.
func BenchmarkSuiteRequests(b *testing.B) {
	e := startEnv(b, emulator.ScaleN(200))
	learnSizes(b, e)
	ctx := context.Background()
	var sent, minimum, full int
	for i := 0; i < b.N; i++ {
		for _, q := range pushdownSuite {
			sql := fillSuite(b, e, q.sql)
			e.emu.ResetRequests()
			if _, _, err := run(ctx, e.client, e.session(nil), sql); err != nil {
				b.Fatalf("%s: %v", sql, err)
			}
			sent += len(e.emu.Requests())
			minimum += q.minRequests
			e.emu.ResetRequests()
			if _, _, err := run(ctx, e.client, e.session(map[string]string{"stripesql.pushdown": "off"}), sql); err != nil {
				b.Fatalf("%s: %v", sql, err)
			}
			full += len(e.emu.Requests())
		}
	}
	b.ReportMetric(float64(sent)/float64(b.N*len(pushdownSuite)), "requests/query")
	b.ReportMetric(float64(sent)/float64(minimum), "requests/minimum")
	b.ReportMetric(float64(sent)/float64(full), "requests/pushdown-off")
}
