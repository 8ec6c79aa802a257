package pgtest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"
)

// Server is a running throwaway PostgreSQL server.
type Server struct {
	// Port is the TCP port on 127.0.0.1.
	Port int
	// BinDir holds the server's binaries (psql, pg_ctl, …).
	BinDir  string
	dataDir string
	runAs   string
}

// DataDir is the server's data directory, where relative paths of settings such as
// log_directory point.
func (s *Server) DataDir() string { return s.dataDir }

// DSN returns a key=value connection string for the superuser on database postgres.
func (s *Server) DSN() string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=postgres sslmode=disable", s.Port)
}

// URL returns a postgres:// URL for the superuser on database postgres.
func (s *Server) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.Port)
}

// BinDir finds the newest installed PostgreSQL server's binary directory, or "" when none is.
func BinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d
		}
	}
	return ""
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Start initialises and starts a server, or skips tb when PostgreSQL is not installed. The server
// is stopped and its directory removed when the test ends. Each setting ("log_statement=all") is
// passed to the server as -c name=value.
func Start(tb testing.TB, settings ...string) *Server {
	tb.Helper()
	bin := BinDir()
	if bin == "" {
		tb.Skip("PostgreSQL server binaries not installed (./.ci/run installs Debian's postgresql)")
	}
	s := &Server{BinDir: bin}
	// initdb refuses to run as root; run the server as the postgres system user then.
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			tb.Skip("running as root and no postgres system user to run PostgreSQL as")
		}
		s.runAs = "postgres"
	}
	dir, err := os.MkdirTemp("", "stripesql-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	s.dataDir = filepath.Join(dir, "data")
	if s.runAs != "" {
		if out, err := exec.Command("chown", "-R", s.runAs, dir).CombinedOutput(); err != nil {
			tb.Fatalf("chown %s: %v: %s", dir, err, out)
		}
	}
	if out, err := s.command("initdb", "-D", s.dataDir, "-U", "postgres", "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		tb.Fatalf("initdb: %v\n%s", err, out)
	}
	s.Port = freePort(tb)
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s -c fsync=off -c timezone=UTC -c datestyle='ISO, MDY' -c max_connections=40", s.Port, dir)
	for _, kv := range settings {
		opts += " -c '" + kv + "'"
	}
	if out, err := s.command("pg_ctl", "-D", s.dataDir, "-o", opts, "-w", "-t", "60",
		"-l", filepath.Join(dir, "log"), "start").CombinedOutput(); err != nil {
		logText, _ := os.ReadFile(filepath.Join(dir, "log"))
		tb.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, logText)
	}
	tb.Cleanup(func() {
		s.command("pg_ctl", "-D", s.dataDir, "-m", "immediate", "-w", "stop").Run()
	})
	return s
}

// Psql runs SQL through psql on the server and returns its unaligned, tuples-only output.
func (s *Server) Psql(tb testing.TB, sql string) string {
	tb.Helper()
	cmd := exec.Command(filepath.Join(s.BinDir, "psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", s.DSN())
	cmd.Stdin = bytes.NewBufferString(sql)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("psql: %v\n%s", err, out)
	}
	return string(out)
}

func (s *Server) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(s.BinDir, name)
	if s.runAs == "" {
		return exec.Command(path, args...)
	}
	return exec.Command("runuser", append([]string{"-u", s.runAs, "--", path}, args...)...)
}

func freePort(tb testing.TB) int {
	tb.Helper()
	for i := 0; i < 20; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		return port
	}
	tb.Fatal("no free port on 127.0.0.1")
	return 0
}
