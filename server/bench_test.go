package server

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const benchRows = 100_000

// BenchmarkRowsToPgx streams the same rows (bigint, text) to pgx from stripesql (rows already
// fetched, served by the fake engine) and from a real PostgreSQL 15 (generate_series), side by
// side, and reports rows per second for each. PostgreSQL is STRIPESQL_BENCH_PG (a DSN) or a
// throwaway cluster started with initdb when it is installed; otherwise that half is skipped.
func BenchmarkRowsToPgx(b *testing.B) {
	addr, _ := startServer(b, Config{})
	b.Run("stripesql", func(b *testing.B) {
		benchQuery(b, pgxURL(addr, ""), fmt.Sprintf("SELECT numbers(%d)", benchRows))
	})
	b.Run("postgres", func(b *testing.B) {
		dsn := os.Getenv("STRIPESQL_BENCH_PG")
		if dsn == "" {
			dsn = startPostgres(b)
		}
		benchQuery(b, dsn, fmt.Sprintf("SELECT n::int8, 'n' || n AS label FROM generate_series(1, %d) n", benchRows))
	})
}

func benchQuery(b *testing.B, dsn, sql string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	b.ResetTimer()
	start := time.Now()
	total := 0
	for range b.N {
		rows, err := conn.Query(ctx, sql)
		if err != nil {
			b.Fatal(err)
		}
		var n int64
		var label string
		for rows.Next() {
			if err := rows.Scan(&n, &label); err != nil {
				b.Fatal(err)
			}
			total++
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "rows/s")
}

// startPostgres runs a throwaway PostgreSQL cluster for the benchmark (as the postgres user when
// running as root, since initdb refuses root) and returns its DSN.
func startPostgres(b *testing.B) string {
	initdb, err := exec.LookPath("initdb")
	if err != nil {
		b.Skip("no PostgreSQL to compare with: set STRIPESQL_BENCH_PG or install postgresql-15")
	}
	pgctl, _ := exec.LookPath("pg_ctl")
	dir, err := os.MkdirTemp("", "stripesql-bench-pg")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	run := func(args ...string) error {
		var cmd *exec.Cmd
		if os.Geteuid() == 0 {
			cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--"}, args...)...)
		} else {
			cmd = exec.Command(args[0], args[1:]...)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %w\n%s", args, err, out)
		}
		return nil
	}
	if os.Geteuid() == 0 {
		if err := exec.Command("chown", "postgres", dir).Run(); err != nil {
			b.Skipf("cannot hand %s to the postgres user: %v", dir, err)
		}
	}
	data := filepath.Join(dir, "data")
	if err := run(initdb, "-D", data, "-U", "postgres", "-A", "trust"); err != nil {
		b.Skipf("initdb failed: %v", err)
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", port, dir)
	if err := run(pgctl, "-D", data, "-o", opts, "-w", "-l", filepath.Join(dir, "log"), "start"); err != nil {
		b.Skipf("pg_ctl start failed: %v", err)
	}
	b.Cleanup(func() { _ = run(pgctl, "-D", data, "-m", "immediate", "stop") })
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
}
