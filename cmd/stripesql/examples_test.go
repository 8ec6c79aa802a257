package main

import (
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stripesql/stripesql/internal/emulator"
)

// TestHelpExamplesRun runs every example command line of every --help, so none of them can fail
// the way "SELECT count(*) FROM charges" against a fresh emulator once did (over the default
// budget). Hermetic: an address or --api-base in an example is pointed at an emulator the test
// starts, a key from the environment never reaches Stripe, and --listen becomes 127.0.0.1:0.
// serve and emulator run until they listen and are then stopped; query runs to completion.
// Lines that are not stripesql commands (psql) are not run.
func TestHelpExamplesRun(t *testing.T) {
	emu, err := emulator.New(emulator.Config{Seed: 1, Scale: emulator.ScaleSmall})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(emu)
	defer hs.Close()
	for _, usage := range []string{topUsage, queryUsage, serveUsage, emulatorUsage} {
		for _, line := range exampleLines(usage) {
			t.Run(line, func(t *testing.T) {
				env, args := splitExample(t, line)
				if len(args) == 0 || args[0] != "stripesql" {
					t.Skipf("not a stripesql command: %s", line)
				}
				t.Setenv("STRIPE_API_KEY", "")
				t.Setenv("STRIPESQL_PASSWORD", "")
				for k, v := range env {
					// "…" is a placeholder for the reader's own key or password
					t.Setenv(k, strings.ReplaceAll(v, "…", "x"))
				}
				args = hermetic(args[1:], hs.URL, env["STRIPE_API_KEY"] != "")
				if args[0] == "query" {
					code, _, errOut := runCmd(t, args...)
					if code != 0 {
						t.Fatalf("exit %d running %q:\n%s", code, args, errOut)
					}
					return
				}
				runUntilListening(t, args)
			})
		}
	}
}

// exampleLines returns the command lines under "Examples:" in a usage text.
func exampleLines(usage string) []string {
	_, rest, ok := strings.Cut(usage, "Examples:\n")
	if !ok {
		return nil
	}
	var lines []string
	for _, l := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(l, "  ") {
			break
		}
		lines = append(lines, strings.TrimSpace(l))
	}
	return lines
}

// splitExample splits a shell command line: leading NAME=value assignments, then words with
// "…" and '…' quoting; a "# comment" and a "> file" redirection end it.
func splitExample(t *testing.T, line string) (map[string]string, []string) {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '"' || c == '\'':
			j := strings.IndexByte(line[i+1:], c)
			if j < 0 {
				t.Fatalf("unbalanced quote in %q", line)
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == ' ':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case (c == '#' || c == '>') && !inWord:
			i = len(line)
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	env := map[string]string{}
	for len(words) > 0 {
		k, v, ok := strings.Cut(words[0], "=")
		if !ok || strings.ContainsAny(k, "-.") {
			break
		}
		env[k], words = v, words[1:]
	}
	return env, words
}

// hermetic rewrites an example's arguments so it runs on this machine only: the emulator address
// of the examples (127.0.0.1:12111) becomes the test emulator's, every --listen and
// --metrics-listen 127.0.0.1:0, every --data-dir a directory under the test's state home, and a
// command given a key but no --api-base gets the test emulator's.
func hermetic(args []string, emuURL string, hasKey bool) []string {
	out := make([]string, 0, len(args)+2)
	hasBase := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--api-base" && i+1 < len(args):
			hasBase = true
			out = append(out, a, emuURL)
			i++
		case (a == "--listen" || a == "--metrics-listen") && i+1 < len(args):
			out = append(out, a, "127.0.0.1:0")
			i++
		case a == "--data-dir" && i+1 < len(args):
			out = append(out, a, filepath.Join(testStateHome, "example"+args[i+1])) // state_test.go
			i++
		default:
			out = append(out, a)
		}
	}
	if hasKey && !hasBase && out[0] != "emulator" {
		out = append([]string{out[0], "--api-base", emuURL}, out[1:]...)
	}
	return out
}

// runUntilListening runs a long-running subcommand until it says it is listening, then stops it
// and requires a clean exit.
func runUntilListening(t *testing.T, args []string) {
	t.Helper()
	_, stop := startCmd(t, `(listening on|serving on)`, args...) // main_test.go
	if err, errOut := stop(); err != nil {
		t.Fatalf("%q: %v\n%s", args, err, errOut)
	}
}
