package driver_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/stripesql/stripesql/driver"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// BenchmarkScan reads every charge of a 2,000-charge emulator through database/sql, reporting
// rows per second end to end (HTTP, JSON decoding, executor, driver conversion) and requests per
// query against the minimum of 20 pages.
func BenchmarkScan(b *testing.B) {
	emu, url, stop, err := emulator.Start(emulator.Config{Seed: 1, Scale: emulator.ScaleN(2000)})
	if err != nil {
		b.Fatal(err)
	}
	defer stop()
	db := openBench(b, url)
	defer db.Close()
	if _, err := db.Exec("SELECT 1"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	rows := 0
	emu.ResetRequests()
	for i := 0; i < b.N; i++ {
		r, err := db.Query("SELECT id, amount, created, metadata FROM charges")
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
			var id string
			var amount int64
			var created time.Time
			var meta []byte
			if err := r.Scan(&id, &amount, &created, &meta); err != nil {
				b.Fatal(err)
			}
			rows++
		}
		if err := r.Err(); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
	b.ReportMetric(float64(len(emu.Requests()))/float64(b.N)/20, "requests/minimum")
}

func openBench(b *testing.B, url string) *sql.DB {
	b.Helper()
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_bench", BaseURL: url, Rate: 10000, Scheduler: stripeapi.NewScheduler(10000)})
	if err != nil {
		b.Fatal(err)
	}
	conn, err := driver.NewConnector(driver.Config{Backend: client, Rate: 10000, MaxRequests: 10000})
	if err != nil {
		b.Fatal(err)
	}
	return sql.OpenDB(conn)
}
