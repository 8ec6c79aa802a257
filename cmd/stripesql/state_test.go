package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/pgtest"
)

// testStateHome is the XDG_STATE_HOME of every command the tests run, so that no test writes a
// state store into the home directory of whoever runs them.
var testStateHome string

// TestMain also lets a test run this binary as the stripesql command (STRIPESQL_TEST_MAIN=1: a
// real subprocess to kill, sync_test.go).
func TestMain(m *testing.M) {
	if os.Getenv("STRIPESQL_TEST_MAIN") == "1" {
		main()
		return
	}
	dir, err := os.MkdirTemp("", "stripesql-cmd-state-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testStateHome = dir
	os.Setenv("XDG_STATE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestDefaultDataDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/srv/state")
	if got, err := defaultDataDir(); err != nil || got != "/srv/state/stripesql" {
		t.Errorf("with XDG_STATE_HOME: %q, %v; want /srv/state/stripesql", got, err)
	}
	t.Setenv("XDG_STATE_HOME", "relative/ignored")
	t.Setenv("HOME", "/home/ana")
	if got, err := defaultDataDir(); err != nil || got != "/home/ana/.local/state/stripesql" {
		t.Errorf("without XDG_STATE_HOME: %q, %v; want /home/ana/.local/state/stripesql", got, err)
	}
}

// TestQueryKeepsStateInDataDir: the demo's store is DIR/demo/state.db, created by the first
// query and opened again by the next.
func TestQueryKeepsStateInDataDir(t *testing.T) {
	demoEnv(t)
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		code, _, errOut := runCmd(t, "query", "--data-dir", dir, "SELECT 1")
		if code != 0 {
			t.Fatalf("run %d: exit %d:\n%s", i, code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "demo", "state.db")); err != nil {
		t.Errorf("the demo's store is not in DIR/demo: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "state.db")); err == nil {
		t.Errorf("the demo wrote DIR/state.db, where a real account's store lives")
	}
}

// TestBadStateStoreStopsCommands: serve and query stop at start, exit status 1, with the store's
// error printed like psql's; a --state that is no PostgreSQL URL is a usage error.
func TestBadStateStoreStopsCommands(t *testing.T) {
	demoEnv(t)
	corrupt := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(corrupt, "demo"), 0o700))
	must(os.WriteFile(filepath.Join(corrupt, "demo", "state.db"), []byte(strings.Repeat("garbage ", 512)), 0o600))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	refused := fmt.Sprintf("postgres://node:pa55-w0rd@127.0.0.1:%d/state?sslmode=disable", l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"query, corrupt file", []string{"query", "--data-dir", corrupt, "SELECT 1"}, 1, []string{
			"ERROR:  state store " + filepath.Join(corrupt, "demo", "state.db") + " is corrupt",
			"HINT:  move " + filepath.Join(corrupt, "demo", "state.db") + " away"}},
		{"serve, corrupt file", []string{"serve", "--listen", "127.0.0.1:0", "--data-dir", corrupt}, 1, []string{
			"ERROR:  state store " + filepath.Join(corrupt, "demo", "state.db") + " is corrupt"}},
		{"query, refused PostgreSQL", []string{"query", "--state", refused, "SELECT 1"}, 1, []string{
			"ERROR:  could not connect to state store postgres://node:xxxxx@127.0.0.1"}},
		{"serve, refused PostgreSQL", []string{"serve", "--listen", "127.0.0.1:0", "--state", refused}, 1, []string{
			"ERROR:  could not connect to state store postgres://node:xxxxx@127.0.0.1"}},
		{"query, --state not a URL", []string{"query", "--state", "/var/lib/x", "SELECT 1"}, 2, []string{
			"--state must be a postgres:// or postgresql:// URL"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, c.args...)
			if code != c.code {
				t.Fatalf("exit %d; want %d\nstdout %s\nstderr %s", code, c.code, out, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr does not hold %q:\n%s", w, errOut)
				}
			}
			if strings.Contains(errOut+out, "pa55-w0rd") {
				t.Errorf("output shows the password:\n%s", errOut)
			}
			if strings.Contains(errOut, "serving on") {
				t.Errorf("serve started despite the bad store:\n%s", errOut)
			}
		})
	}
}

// TestRestartKnowsTableSize is issue 11's restart proof: a node in front of an emulator it has
// never seen counts charges (measuring the table on the way), and after a restart on the same
// store its EXPLAIN knows the size and sends nothing to Stripe — with the store in a --data-dir,
// and in PostgreSQL, where the second node may as well be another machine behind the same address.
func TestRestartKnowsTableSize(t *testing.T) {
	emu, url, stop, err := emulator.Start(emulator.Config{Seed: 21, Scale: emulator.ScaleN(1200)})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	t.Setenv("STRIPE_API_KEY", "")
	stores := map[string][]string{"data-dir": {"--data-dir", t.TempDir()}}
	if pgtest.BinDir() != "" {
		stores["postgres"] = []string{"--state", pgtest.Start(t).URL()}
	}
	for name, store := range stores {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"query", "--rate", "1000", "--api-base", url}, store...)
			code, out, errOut := runCmd(t, append(args, "--format", "csv", "SELECT count(*) FROM charges")...)
			if code != 0 || out != "count\n1200\n" {
				t.Fatalf("exit %d, out %q: %s", code, out, errOut)
			}
			emu.ResetRequests()
			code, out, errOut = runCmd(t, append(args, "EXPLAIN SELECT count(*) FROM charges")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.Contains(out, "Estimated Stripe requests: 12 ") || !strings.Contains(out, "table size charges: counted by a complete scan") {
				t.Errorf("EXPLAIN after a restart does not know the size from the store:\n%s", out)
			}
			if reqs := emu.Requests(); len(reqs) != 0 {
				t.Errorf("the restarted node sent %d requests for an EXPLAIN: %v", len(reqs), reqs)
			}
		})
	}
}
