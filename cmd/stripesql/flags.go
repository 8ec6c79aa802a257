package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/state"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// connFlags are the flags serve and query share: where Stripe is, how fast it may be asked, and
// where the node keeps what it learns.
type connFlags struct {
	apiKey    string
	apiBase   string
	account   string
	rate      float64
	readOnly  bool
	verbosity int
	proxy     string
	dataDir   string
	stateURL  string
	// observer, when set (serve --metrics-listen), is told of every Stripe request (metrics).
	observer stripeapi.Observer
}

func (c *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.apiKey, "api-key", "", "Stripe secret or restricted key; default $STRIPE_API_KEY\n(prefer the environment: flags show up in ps)")
	fs.StringVar(&c.apiBase, "api-base", "", "Stripe API base URL, e.g. http://127.0.0.1:12111 for a running\nstripesql emulator; default https://api.stripe.com")
	fs.Float64Var(&c.rate, "rate", stripeapi.DefaultRate, "Stripe requests per second this node may start, above 0 and at most 10000,\ne.g. --rate 25")
	fs.StringVar(&c.account, "account", "", "connected account to act as (Stripe-Account header), e.g. --account acct_1Ab2C3")
	fs.BoolVar(&c.readOnly, "read-only", false, "refuse statements that would write to Stripe")
	fs.IntVar(&c.verbosity, "verbosity", 0, "Stripe client log level on stderr: 0 silent, 1 errors, 3 one line per\nrequest, 5 whole requests and responses (keys are always redacted)")
	fs.StringVar(&c.proxy, "proxy", "", "HTTP(S) proxy, e.g. --proxy http://user:pass@proxy:3128; default\n$HTTPS_PROXY / $HTTP_PROXY")
	fs.StringVar(&c.dataDir, "data-dir", "", "directory of the node's state store, DIR/state.db (table sizes learned per\nStripe account); default $XDG_STATE_HOME/stripesql or ~/.local/state/stripesql;\nthe built-in emulator's demo uses DIR/demo, e.g. --data-dir /var/lib/stripesql")
	fs.StringVar(&c.stateURL, "state", "", "PostgreSQL URL of a state store several nodes share (overrides --data-dir),\ne.g. --state postgres://stripesql:…@db:5432/stripesql")
}

// stateUsage explains the state store flags, in the usage of serve and query.
const stateUsage = `What the node learns (table sizes per Stripe account, the account's age) is kept across
restarts in a state store: DIR/state.db in --data-dir DIR (default $XDG_STATE_HOME/stripesql,
or ~/.local/state/stripesql), or the PostgreSQL database of --state postgres://USER:PASSWORD@HOST/DB,
which several nodes share (tables in its schema stripesql_state). The built-in emulator's demo
keeps its own store in DIR/demo. A store that cannot be read, or a server that refuses the
connection, stops the command at start with exit status 1.
`

// maxRate is the highest --rate accepted, the same bound as a DSN's rate= (package driver).
const maxRate = 10000

// validate checks the values flag parsing accepts but stripesql cannot use. A rate of 0 or less
// is refused rather than replaced by the default, so a typo never runs at a rate nobody asked for.
func (c *connFlags) validate() error {
	switch {
	case !(c.rate > 0) || c.rate > maxRate: // !(> 0) also catches NaN
		return fmt.Errorf("--rate must be a number of Stripe requests per second above 0 and at most %d, not %v (e.g. --rate 6)", maxRate, c.rate)
	case c.verbosity < 0 || c.verbosity > 5:
		return fmt.Errorf("--verbosity must be 0 (silent) to 5, not %d", c.verbosity)
	case c.stateURL != "" && !strings.HasPrefix(c.stateURL, "postgres://") && !strings.HasPrefix(c.stateURL, "postgresql://"):
		return fmt.Errorf("--state must be a postgres:// or postgresql:// URL (for a local store use --data-dir DIR)")
	}
	return nil
}

// openStore opens the node's state store: the PostgreSQL database of --state, or else
// state.db in --data-dir (by default the user's state directory). The built-in emulator's demo
// keeps its own store in DIR/demo, so that demo figures never mix with a real account's. A store
// that cannot be used is an error here, so the command stops at start rather than plan with
// figures it could not read.
func (c *connFlags) openStore(ctx context.Context) (*state.Store, error) {
	if c.stateURL != "" {
		// A shared store keeps each account's figures under its own id (learned.go), so the
		// demo's, under the built-in emulator's account, never mix with a real account's.
		return state.Open(ctx, c.stateURL)
	}
	dir := c.dataDir
	if dir == "" {
		var err error
		if dir, err = defaultDataDir(); err != nil {
			return nil, err
		}
	}
	if c.useEmulator() {
		dir = filepath.Join(dir, "demo")
	}
	return state.Open(ctx, dir)
}

// defaultDataDir is the user's state directory for stripesql, as the XDG base directory
// specification places it: $XDG_STATE_HOME/stripesql, or ~/.local/state/stripesql.
func defaultDataDir() (string, error) {
	if x := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "stripesql"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", sqlstate.New(sqlstate.IOError, "no directory for the state store").
			WithDetail("%v", err).WithHint("give one with --data-dir DIR, or a PostgreSQL store with --state postgres://…")
	}
	return filepath.Join(home, ".local", "state", "stripesql"), nil
}

// usageFailure prints a command line problem of subcommand name with its usage on stderr, and
// returns the usageError that makes the exit status 2.
func usageFailure(stderr io.Writer, name, usage, msg string) error {
	fmt.Fprintf(stderr, "stripesql %s: %s\n\n%s", name, msg, usage)
	return &usageError{msg: msg}
}

// key returns the API key from the flag or the environment.
func (c *connFlags) key() string {
	if c.apiKey != "" {
		return c.apiKey
	}
	return os.Getenv("STRIPE_API_KEY")
}

// effectiveKey is the key the node's client sends: the emulator's when there is no key.
func (c *connFlags) effectiveKey() string {
	if k := c.key(); k != "" && !c.useEmulator() {
		return k
	}
	return emulatorKey
}

// useEmulator reports whether there is nowhere to send requests but the built-in emulator.
func (c *connFlags) useEmulator() bool { return c.key() == "" && c.apiBase == "" }

// logger returns the slog logger the Stripe client writes to, on stderr.
func (c *connFlags) logger(stderr io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// demoSeed and demoScale are the data the built-in emulator serves when no Stripe key is given.
const (
	demoSeed  = 1
	demoScale = emulator.ScaleSmall
)

// emulatorKey is the key sent to an emulator: it accepts any test-mode secret key.
const emulatorKey = "sk_test_stripesql_demo"

// backend builds the Stripe client the flags describe, and the node's table-size statistics. With
// neither a key nor --api-base it starts the built-in emulator with demo data and says so on
// stderr; stop ends it. The emulator knows its table sizes exactly, so the statistics start with
// them, as if every table had been scanned once: a newcomer's first `SELECT count(*) FROM charges`
// is then planned at its true cost instead of the pessimistic default for an unmeasured account.
func (c *connFlags) backend(stderr io.Writer) (b *stripeapi.Client, stats *planner.Stats, stop func(), err error) {
	stop = func() {}
	stats = planner.NewStats()
	key, base := c.key(), c.apiBase
	if c.useEmulator() {
		emu, url, stopEmu, err := emulator.Start(emulator.Config{Seed: demoSeed, Scale: demoScale})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("starting the built-in emulator: %w", err)
		}
		learnSizes(stats, emu)
		fmt.Fprintf(stderr, "stripesql: no STRIPE_API_KEY or --api-base given; using the built-in emulator with demo data (seed %d, %d charges)\n", demoSeed, int(demoScale))
		key, base, stop = emulatorKey, url, stopEmu
	} else if key == "" {
		key = emulatorKey
	}
	client, err := stripeapi.NewClient(stripeapi.Config{
		APIKey:    key,
		BaseURL:   base,
		Account:   c.account,
		Rate:      c.rate,
		Scheduler: stripeapi.NewScheduler(c.rate),
		Proxy:     c.proxy,
		Verbosity: c.verbosity,
		Logger:    c.logger(stderr),
		Observer:  c.observer,
	})
	if err != nil {
		stop()
		return nil, nil, nil, err
	}
	return client, stats, stop, nil
}

// learnSizes records the row count of every top-level Stripe table the emulator holds.
func learnSizes(stats *planner.Stats, emu *emulator.Emulator) {
	for _, t := range catalog.StripeTables() {
		if t.List == nil || len(t.List.Parents) > 0 || len(t.List.Required) > 0 {
			continue
		}
		stats.Learn(t.Name, int64(emu.Count(t.Name)))
	}
}

// parseFlags parses args with fs, allowing flags after positional arguments
// (`stripesql query "SELECT 1" --format csv`). --help prints the usage on stdout and returns
// flag.ErrHelp; a bad flag prints the error and usage on stderr and returns a usageError.
func parseFlags(fs *flag.FlagSet, args []string, usage string, stdout, stderr io.Writer) ([]string, error) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var positional []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			printDefaults(stdout, fs)
			return nil, flag.ErrHelp
		}
		if err != nil {
			fmt.Fprintf(stderr, "stripesql %s: %v\n\n%s", fs.Name(), err, usage)
			printDefaults(stderr, fs)
			return nil, &usageError{msg: err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if rest[0] == "--" {
			return append(positional, rest[1:]...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// printDefaults lists every flag with its explanation and default, GNU style (--name).
func printDefaults(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "\nFlags:")
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		head := "  --" + f.Name
		if name != "" {
			head += " " + name
		}
		fmt.Fprintln(w, head)
		text := strings.ReplaceAll(usage, "\n", "\n      ")
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
			text += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "      %s\n", text)
	})
}
