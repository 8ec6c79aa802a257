package main

import (
	"strings"
	"testing"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/lake"
)

// TestFlowCommand creates, lists, runs, changes and deletes a flow on the command line.
func TestFlowCommand(t *testing.T) {
	emu, base, stop, err := emulator.Start(emulator.Config{Seed: 2, Scale: emulator.ScaleN(100)})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	t.Setenv("STRIPE_API_KEY", "sk_test_cli")
	data, lakeDir := t.TempDir(), t.TempDir()
	conn := []string{"--data-dir", data, "--api-base", base, "--rate", "1000"}
	steps := []struct {
		name     string
		args     []string
		code     int
		out, err []string // substrings of stdout, stderr
	}{
		{name: "create", args: []string{"create", "billing", "--target", lakeDir, "--tables", "customers,invoices", "--frequency", "day", "--start", "2026-01-01T00:00:00Z"},
			out: []string{"billing", "customers,invoices", "day", "2026-01-01T00:00:00Z", "true"}},
		{name: "duplicate name", args: []string{"create", "billing", "--target", lakeDir, "--tables", "customers"}, code: 1,
			err: []string{"ERROR:  flow billing already exists"}},
		{name: "bad frequency", args: []string{"create", "x", "--target", lakeDir, "--tables", "customers", "--frequency", "fortnight"}, code: 1,
			err: []string{`invalid flow frequency "fortnight"`}},
		{name: "unknown table", args: []string{"create", "x", "--target", lakeDir, "--tables", "customers,invoicse"}, code: 1,
			err: []string{`relation "invoicse" does not exist`, `Perhaps you meant "invoices"?`}},
		{name: "bad start", args: []string{"create", "x", "--target", lakeDir, "--tables", "customers", "--start", "tomorrow"}, code: 2,
			err: []string{"--start must be now or an RFC 3339 time"}},
		{name: "list", args: []string{"list"}, out: []string{"name", "billing", "next run"}},
		{name: "run", args: []string{"run", "billing", "--node", "cli-node"}, out: []string{"succeeded", "cli-node", "customers", "invoices"}},
		{name: "runs", args: []string{"runs", "billing"}, out: []string{"succeeded", "cli-node", "customers"}},
		{name: "update", args: []string{"update", "billing", "--interval", "6", "--enabled=false"}, out: []string{"billing", "customers,invoices", "day", "6", "false"}},
		{name: "list shows the last run", args: []string{"list"}, out: []string{"succeeded", "false"}},
		{name: "delete", args: []string{"delete", "billing"}, out: []string{"flow billing deleted"}},
		{name: "delete again", args: []string{"delete", "billing"}, code: 1, err: []string{"ERROR:  flow billing does not exist"}},
		{name: "run unknown", args: []string{"run", "billing"}, code: 1, err: []string{"flow billing does not exist"}},
		{name: "no subcommand", args: []string{}, code: 2, err: []string{"name a subcommand"}},
		{name: "unknown subcommand", args: []string{"pause", "x"}, code: 2, err: []string{`unknown subcommand "pause"`}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			args := append([]string{"flow"}, st.args...)
			if len(st.args) > 0 && st.args[0] != "pause" {
				args = append(args, conn...)
			}
			code, out, errOut := runCmd(t, args...)
			if code != st.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, st.code, out, errOut)
			}
			for _, w := range st.out {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range st.err {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
	m, err := lake.ReadManifest(lakeDir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Tables["customers"].Rows, int64(emu.Count("customers")); got != want {
		t.Errorf("customers: %d rows in the flow's lake, %d in stripe", got, want)
	}
}

// TestServeRunsDueFlows: serve runs a due flow in the background, and stops cleanly.
func TestServeRunsDueFlows(t *testing.T) {
	emu, base, stop, err := emulator.Start(emulator.Config{Seed: 2, Scale: emulator.ScaleN(100)})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	t.Setenv("STRIPE_API_KEY", "sk_test_cli")
	data, lakeDir := t.TempDir(), t.TempDir()
	if code, _, errOut := runCmd(t, "flow", "create", "bg", "--target", lakeDir, "--tables", "customers", "--frequency", "hour",
		"--data-dir", data); code != 0 {
		t.Fatalf("create: exit %d: %s", code, errOut)
	}
	_, stopServe := startCmd(t, `flow bg: run (\d+) succeeded`, "serve", "--listen", "127.0.0.1:0", "--data-dir", data,
		"--api-base", base, "--rate", "1000", "--node", "serve-node")
	err, errOut := stopServe()
	if err != nil {
		t.Errorf("serve exited with %v\n%s", err, errOut)
	}
	if n := strings.Count(errOut, "flow bg: run"); n != 2 { // started, succeeded
		t.Errorf("serve ran the flow other than once:\n%s", errOut)
	}
	m, err := lake.ReadManifest(lakeDir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Tables["customers"].Rows, int64(emu.Count("customers")); got != want {
		t.Errorf("customers: %d rows in the lake, %d in stripe", got, want)
	}
	code, out, _ := runCmd(t, "flow", "runs", "bg", "--data-dir", data)
	if code != 0 || !strings.Contains(out, "serve-node") || !strings.Contains(out, "succeeded") {
		t.Errorf("runs after serve: exit %d\n%s", code, out)
	}

	t.Run("--flows=false runs nothing", func(t *testing.T) {
		other := t.TempDir()
		if code, _, errOut := runCmd(t, "flow", "create", "off", "--target", other, "--tables", "customers", "--data-dir", data); code != 0 {
			t.Fatalf("create: %s", errOut)
		}
		_, stopServe := startCmd(t, `serving on (\S+);`, "serve", "--listen", "127.0.0.1:0", "--data-dir", data,
			"--api-base", base, "--rate", "1000", "--flows=false")
		_, errOut := stopServe()
		if strings.Contains(errOut, "flow off") {
			t.Errorf("serve --flows=false ran a flow:\n%s", errOut)
		}
	})
}
