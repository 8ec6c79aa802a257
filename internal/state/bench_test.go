package state

import (
	"fmt"
	"testing"
	"time"

	"github.com/stripesql/stripesql/internal/pgtest"
)

// Benchmarks of what a node pays at start (Open of an existing store: connect, check, migrate
// nothing) and per learned fact (SaveStats), and to load an account's statistics (Stats of 50
// tables), on both backends side by side: go test -run - -bench . ./internal/state/

func benchSpecs(b *testing.B) map[string]string {
	pg := pgtest.Start(b)
	return map[string]string{
		"sqlite":     b.TempDir(),
		"postgresql": fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.Port),
	}
}

func BenchmarkStore(b *testing.B) {
	specs := benchSpecs(b)
	for _, backend := range []string{"sqlite", "postgresql"} {
		spec := specs[backend]
		s, err := Open(ctx, spec)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < 50; i++ {
			if err := s.SaveStats(ctx, TableStats{Account: "acct_bench", Table: fmt.Sprintf("t%02d", i), Rows: 1, How: "x"}); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(backend+"/Open", func(b *testing.B) {
			for b.Loop() {
				s, err := Open(ctx, spec)
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
		b.Run(backend+"/SaveStats", func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				err := s.SaveStats(ctx, TableStats{Account: "acct_bench", Table: "charges", Rows: int64(i),
					How: "5 probe pages", LearnedAt: time.Unix(int64(i), 0)})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(backend+"/Stats50", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Stats(ctx, "acct_bench"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(backend+"/StartFinishRun", func(b *testing.B) {
			if _, err := s.CreateFlow(ctx, hourly("bench", time.Unix(0, 0))); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				r, err := s.StartRun(ctx, "bench", "node", time.Minute)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.FinishRun(ctx, r.ID, "node", Outcome{Status: Succeeded}); err != nil {
					b.Fatal(err)
				}
			}
		})
		s.Close()
	}
}
