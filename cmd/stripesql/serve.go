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
	"os"

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
                  [--tls MODE] [--tls-cert FILE --tls-key FILE] [--user NAME]

Without --user, clients are trusted and only a loopback --listen address is allowed. With --user,
clients authenticate with SCRAM-SHA-256 as NAME and the password in $STRIPESQL_PASSWORD.

Examples:
  stripesql serve                                   # demo data from the built-in emulator
  STRIPE_API_KEY=sk_test_… stripesql serve --rate 6 --read-only
  stripesql serve --api-base http://127.0.0.1:12111 --listen 127.0.0.1:6543
  STRIPESQL_PASSWORD=… stripesql serve --listen 0.0.0.0:5433 --user analyst --tls required
  psql "host=127.0.0.1 port=5433 dbname=stripe user=$USER"
`

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cf connFlags
	listen := fs.String("listen", server.DefaultAddr, "address to listen on, e.g. --listen 127.0.0.1:6543 (only loopback\naddresses are served without passwords)")
	tlsMode := fs.String("tls", string(server.TLSOff), "TLS for client connections: off; auto (offered, with --tls-cert or a\nself-signed certificate); on (offered, needs --tls-cert); required (plaintext\nrefused), e.g. --tls auto")
	tlsCert := fs.String("tls-cert", "", "PEM certificate file for TLS, e.g. --tls-cert server.crt")
	tlsKey := fs.String("tls-key", "", "PEM private key file for TLS, e.g. --tls-key server.key")
	user := fs.String("user", "", "require password authentication as this user; the password comes from\n$STRIPESQL_PASSWORD, e.g. --user analyst")
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
	var users []server.User
	if *user != "" {
		pw := os.Getenv("STRIPESQL_PASSWORD")
		if pw == "" {
			return sqlstate.New(sqlstate.InvalidPassword, "--user %s needs a password in STRIPESQL_PASSWORD", *user)
		}
		users = append(users, server.User{Name: *user, Password: pw})
	}
	backend, stats, stop, err := cf.backend(stderr)
	if err != nil {
		return err
	}
	defer stop()
	var logger *slog.Logger
	if cf.verbosity > 0 {
		logger = cf.logger(stderr)
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
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", *listen, err)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); len(users) == 0 && (ip == nil || !ip.IsLoopback()) {
		ln.Close()
		return sqlstate.New(sqlstate.InvalidAuthorization, "refusing to serve %s without passwords", ln.Addr()).
			WithHint("listen on 127.0.0.1, or add --user NAME with the password in STRIPESQL_PASSWORD")
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	who := "$USER"
	if *user != "" {
		who = *user
	}
	fmt.Fprintf(stderr, "stripesql: serving on %s; connect with:\n  psql \"host=%s port=%s dbname=stripe user=%s\"\n", ln.Addr(), host, port, who)
	err = srv.Serve(ctx, ln)
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "stripesql: stopped")
		return nil
	}
	return err
}
