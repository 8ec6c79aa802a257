package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/stripesql/stripesql/internal/emulator"
)

const emulatorUsage = `Run the built-in Stripe emulator: a stateful, in-memory Stripe API over HTTP with
deterministic seed data, that stripe-go and stripesql talk to with any sk_test_ key.

Usage:
  stripesql emulator [--listen ADDR] [--seed N] [--scale small|medium|large|none|N]
                     [--connected-accounts N] [--latency D] [--rate-limit N]

Examples:
  stripesql emulator --listen 127.0.0.1:12111 --seed 1 --scale small
  stripesql emulator --scale medium --latency 300ms --rate-limit 25
  stripesql emulator --connected-accounts 50
  STRIPE_API_KEY=sk_test_x stripesql query --api-base http://127.0.0.1:12111 "SELECT count(*) FROM customers"

With --connected-accounts, GET /v1/accounts lists the platform's Connect accounts, each with data
of its own (3 to 400 charges); a request with a Stripe-Account: acct_… header reads and writes that
account's data only, and a header naming no connected account is refused with 403 account_invalid.
Stripe's test payment methods and tokens (pm_card_visa, pm_card_chargeDeclined, tok_visa, …) work
where Stripe accepts them.

The request log is at GET /_emulator/requests (DELETE clears it).
`

func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:12111", "address to listen on, e.g. --listen 127.0.0.1:0 for any free port")
	seed := fs.Int64("seed", 1, "seed of the generated data and ids; the same seed gives the same data, e.g. --seed 42")
	scale := fs.String("scale", "small", "how much data to seed, counted in charges: small (500), medium (10000),\nlarge (100000), none, or a number, e.g. --scale 2500")
	latency := fs.Duration("latency", 0, "delay added to every API request, to make slow networks visible, e.g. --latency 300ms")
	rateLimit := fs.Int("rate-limit", 0, "API requests per second accepted before answering 429 as Stripe does\n(0 = unlimited), e.g. --rate-limit 25")
	accounts := fs.Int("connected-accounts", 0, "how many Connect accounts to seed, each with its own data, read and written with a\nStripe-Account header, e.g. --connected-accounts 100")
	pos, err := parseFlags(fs, args, emulatorUsage, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageFailure(stderr, "emulator", emulatorUsage, fmt.Sprintf("unexpected argument %q", pos[0]))
	}
	sc, err := emulator.ParseScale(*scale)
	if err != nil {
		return usageFailure(stderr, "emulator", emulatorUsage, err.Error())
	}
	if *latency < 0 || *rateLimit < 0 {
		return usageFailure(stderr, "emulator", emulatorUsage, "--latency and --rate-limit cannot be negative")
	}
	if *accounts < 0 || *accounts > 100_000 {
		return usageFailure(stderr, "emulator", emulatorUsage, "--connected-accounts must be between 0 and 100000")
	}
	if os.Getenv("GOGC") == "" {
		// The process is its data set: collect when the heap has grown by half of what is live
		// rather than doubled, which keeps a large seed's memory near its size (see
		// docs/benchmarks.md) for a little more collection work. GOGC set by the user wins.
		debug.SetGCPercent(50)
	}
	emu, err := emulator.New(emulator.Config{Seed: *seed, Scale: sc, Latency: *latency, RateLimit: *rateLimit, ConnectedAccounts: *accounts})
	if err != nil {
		return err
	}
	// Seeding leaves garbage several times the size of what it keeps; hand it back to the system
	// now rather than when the runtime gets round to it, so the process's memory is its data.
	debug.FreeOSMemory()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", *listen, err)
	}
	srv := &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stderr, "stripesql emulator: listening on %s (seed %d, %d charges, %d connected accounts)\n", base, *seed, int(sc), *accounts)
	fmt.Fprintf(stderr, "connect with: STRIPE_API_KEY=sk_test_x stripesql query --api-base %s \"SELECT count(*) FROM customers\"\n", base)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return err
	}
	<-done
	fmt.Fprintln(stderr, "stripesql emulator: stopped")
	return nil
}
