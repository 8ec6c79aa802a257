package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/stripesql/stripesql/internal/flows"
	"github.com/stripesql/stripesql/internal/metrics"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/server"
)

const serveUsage = `Serve a Stripe account over the PostgreSQL wire protocol, so psql, JDBC, ODBC, pgx and
BI tools query Stripe objects as tables.

The key comes from STRIPE_API_KEY (or --api-key). With neither a key nor --api-base, serve starts
the built-in emulator with demo data, so it works on a fresh machine.

Usage:
  stripesql serve [--listen ADDR] [--api-base URL] [--rate N] [--account acct_…] [--read-only]
                  [--verbosity 0-5] [--proxy URL] [--api-key KEY]
                  [--data-dir DIR | --state postgres://…]
                  [--tls MODE | --tls-required] [--tls-cert FILE --tls-key FILE]
                  [--user NAME[:ro|:rw]]... [--users-file PATH] [--metrics-listen ADDR]
                  [--flows=false] [--node NAME]

Without users, clients are trusted and only a loopback --listen address is allowed. With users,
clients authenticate with SCRAM-SHA-256; passwords are never logged.
A user is read-write (rw) unless marked ro; --read-only makes every user read-only.

--user NAME[:ro|:rw] may be repeated; the password of NAME comes from the environment variable
STRIPESQL_PASSWORD_NAME (NAME upper-cased, other characters than letters and digits as _), or,
when only one --user is given, from $STRIPESQL_PASSWORD.

--users-file PATH lists users, read at start; one per line, # starts a comment line:
  # name     password        mode
  analyst    s3cret-pass     ro
  loader     an0ther-pass    rw
  tenant     th1rd-pass      ro   accounts=acct_1A2b3C,acct_1D4e5F
  ops        f0urth-pass     rw   account=acct_1A2b3C
After the mode, account=acct_… is the user's default Stripe account (stripesql.account) and
accounts=acct_…,… the only connected accounts the user may read or write (any other, the
platform's own included, is refused with 42501 before a request is sent; the default is the
first unless account= names another of them).
Fields are separated by spaces or tabs, so a password cannot contain them. The file holds plain
passwords, so serve refuses a file the group or other users may read: chmod 600 it. An unknown
mode, a user named twice (in the file or with --user) or an unreadable file stops serve with
exit status 2.

--metrics-listen ADDR (off unless given) serves, over plain HTTP, Prometheus metrics at /metrics
(Stripe requests by endpoint and status, 429s, time waited for the request budget, queries by
outcome, sessions), /healthz (200 while the process answers) and /readyz (200 when the node
reached Stripe with its key; checked with GET /v1/account at most once a minute, inside --rate).
Metrics carry no keys, customer data, object ids or query text, so any address is allowed;
loopback is enough when Prometheus runs on the same machine.

Flows (see "stripesql flow --help") kept in the state store are run in the background when due:
every 15 s serve looks for due flows and for runs whose node died (their lease, renewed every
10 s, expired after 30 s), runs them one at a time within --rate, and on shutdown stops the
running one (recorded as failed or partial; the next run resumes incrementally). --flows=false turns
this off; --node names this node in the leases (default HOSTNAME-PID). With
--metrics-listen, stripesql_flow_runs_total counts the runs finished here by status. In SQL,
CALL CreateFlow(…) and CALL RunFlow('name') create and run flows (RunFlow works with --flows=false
too), stripesql.flows and stripesql.flow_runs list them, and UPDATE and DELETE of stripesql.flows
change them; read-only users may only read them.

` + stateUsage + `
Examples:
  stripesql serve                                   # demo data from the built-in emulator
  STRIPE_API_KEY=sk_test_… stripesql serve --rate 6 --read-only
  stripesql serve --api-base http://127.0.0.1:12111 --listen 127.0.0.1:6543
  stripesql serve --metrics-listen 127.0.0.1:9433      # Prometheus scrapes http://127.0.0.1:9433/metrics
  stripesql serve --data-dir /var/lib/stripesql         # keep what it learns there
  STRIPESQL_PASSWORD_ANALYST=… stripesql serve --listen 0.0.0.0:5433 --user analyst:ro --tls-required
  STRIPESQL_PASSWORD_ANALYST=… STRIPESQL_PASSWORD_LOADER=… stripesql serve --user analyst:ro --user loader:rw
  psql "host=127.0.0.1 port=5433 dbname=stripe user=$USER"
`

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cf connFlags
	listen := fs.String("listen", server.DefaultAddr, "address to listen on, e.g. --listen 127.0.0.1:6543 (only loopback\naddresses are served without passwords)")
	tlsMode := fs.String("tls", string(server.TLSOff), "TLS for client connections: off; auto (offered, with --tls-cert or a\nself-signed certificate); on (offered, needs --tls-cert); required (plaintext\nrefused, the same as --tls-required), e.g. --tls auto")
	tlsRequired := fs.Bool("tls-required", false, "refuse plaintext connections: clients must use TLS (with --tls-cert or a\nself-signed certificate)")
	tlsCert := fs.String("tls-cert", "", "PEM certificate file for TLS, e.g. --tls-cert server.crt")
	tlsKey := fs.String("tls-key", "", "PEM private key file for TLS, e.g. --tls-key server.key")
	var userSpecs userFlag
	fs.Var(&userSpecs, "user", "a user clients authenticate as, read-write unless marked :ro; repeatable; the\npassword comes from $STRIPESQL_PASSWORD_NAME, e.g. --user analyst:ro")
	usersFile := fs.String("users-file", "", "file of users, one \"name password ro|rw\" per line (mode 600), e.g.\n--users-file /etc/stripesql/users")
	metricsListen := fs.String("metrics-listen", "", "address to serve Prometheus /metrics, /healthz and /readyz on, e.g.\n--metrics-listen 127.0.0.1:9433 (off by default; metrics carry no secrets)")
	runFlows := fs.Bool("flows", true, "run due flows of the state store in the background, e.g. --flows=false")
	node := fs.String("node", defaultNode(), "this node's name in flow runs' leases, e.g. --node worker-1")
	cf.register(fs)
	pos, err := parseFlags(fs, args, serveUsage, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageFailure(stderr, "serve", serveUsage, fmt.Sprintf("unexpected argument %q", pos[0]))
	}
	if err := cf.validate(); err != nil {
		return usageFailure(stderr, "serve", serveUsage, err.Error())
	}
	mode := server.TLSMode(*tlsMode)
	if *tlsRequired {
		if mode != server.TLSOff && mode != server.TLSRequired {
			return usageFailure(stderr, "serve", serveUsage, fmt.Sprintf("--tls-required contradicts --tls %s", *tlsMode))
		}
		mode = server.TLSRequired
	}
	switch mode {
	case server.TLSOff, server.TLSAuto, server.TLSOn, server.TLSRequired:
	default:
		return usageFailure(stderr, "serve", serveUsage, fmt.Sprintf("invalid --tls %q: want off, auto, on or required", *tlsMode))
	}
	if (*tlsCert == "") != (*tlsKey == "") || (mode == server.TLSOn && *tlsCert == "") {
		return usageFailure(stderr, "serve", serveUsage, "--tls-cert and --tls-key go together, and --tls on needs both")
	}
	var tlsConfig *tls.Config
	if *tlsCert != "" {
		if mode == server.TLSOff {
			mode = server.TLSOn
		}
		if tlsConfig, err = server.LoadTLS(*tlsCert, *tlsKey); err != nil {
			return err
		}
	}
	users, err := serveUsers(userSpecs, *usersFile)
	if err != nil {
		return usageFailure(stderr, "serve", serveUsage, err.Error())
	}
	var obs *metrics.Metrics
	if *metricsListen != "" {
		if _, _, err := net.SplitHostPort(*metricsListen); err != nil {
			return usageFailure(stderr, "serve", serveUsage, fmt.Sprintf("invalid --metrics-listen %q: want host:port, e.g. 127.0.0.1:9433", *metricsListen))
		}
		obs = metrics.New(cf.rate)
		cf.observer = obs
	}
	store, err := cf.openStore(ctx) // flags.go
	if err != nil {
		return err
	}
	defer store.Close()
	backend, stats, stop, err := cf.backend(stderr)
	if err != nil {
		return err
	}
	defer stop()
	if err := keepLearned(ctx, store, stats, backend, cf.effectiveKey(), stderr); err != nil { // learned.go
		return err
	}
	var logger *slog.Logger
	if cf.verbosity > 0 {
		logger = cf.logger(stderr)
	}
	// The flow service runs CALL RunFlow whether or not --flows runs due flows in the background.
	flowSvc, err := newFlowService(store, backend, stats, cf.rate, *node, obs, stderr) // flow.go
	if err != nil {
		return err
	}
	srv, err := server.New(server.Config{
		Backend:   backend,
		Stats:     stats,
		Rate:      cf.rate,
		ReadOnly:  cf.readOnly,
		TLSMode:   mode,
		TLSConfig: tlsConfig,
		Users:     users,
		Logger:    logger,
		Observer:  serverObserver(obs),
		Flows:     flows.NewSQL(store, flowSvc, nil),
	})
	if err != nil {
		return err
	}
	if obs != nil {
		mln, err := net.Listen("tcp", *metricsListen)
		if err != nil {
			return fmt.Errorf("cannot listen on %s for metrics: %w", *metricsListen, err)
		}
		ready := metrics.NewReadiness(metrics.ReadinessConfig{Backend: backend})
		mctx, mcancel := context.WithCancel(ctx)
		mdone := make(chan struct{})
		go func() {
			defer close(mdone)
			if err := metrics.Serve(mctx, mln, metrics.Handler(obs, ready)); err != nil {
				fmt.Fprintf(stderr, "stripesql: metrics listener stopped: %v\n", err)
			}
		}()
		defer func() { mcancel(); <-mdone }()
		fmt.Fprintf(stderr, "stripesql: metrics on http://%s/metrics (and /healthz, /readyz)\n", mln.Addr())
	}
	if *runFlows {
		defer startFlows(ctx, flowSvc)()
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", *listen, err)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); len(users) == 0 && (ip == nil || !ip.IsLoopback()) {
		ln.Close()
		return sqlstate.New(sqlstate.InvalidAuthorization, "refusing to serve %s without passwords", ln.Addr()).
			WithHint("listen on 127.0.0.1, or add --user NAME with the password in STRIPESQL_PASSWORD_NAME, or --users-file")
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	who := "$USER"
	if len(users) > 0 {
		who = users[0].Name
	}
	fmt.Fprintf(stderr, "stripesql: serving on %s; connect with:\n  psql \"host=%s port=%s dbname=stripe user=%s\"\n", ln.Addr(), host, port, who)
	err = srv.Serve(ctx, ln)
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "stripesql: stopped")
		return nil
	}
	return err
}

// serverObserver returns m as the server's Observer, or nil when metrics are off (a nil
// *metrics.Metrics in the interface would not be nil).
func serverObserver(m *metrics.Metrics) server.Observer {
	if m == nil {
		return nil
	}
	return m
}
