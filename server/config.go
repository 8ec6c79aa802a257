package server

import (
	"crypto/tls"
	"log/slog"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// DefaultAddr is where `stripesql serve` listens unless told otherwise: loopback, so that trust
// authentication is only ever offered to local clients, on 5433 so it does not collide with a
// local PostgreSQL on 5432.
const DefaultAddr = "127.0.0.1:5433"

// TLSMode says whether and how connections are encrypted.
type TLSMode string

// TLS modes.
const (
	// TLSOff answers SSLRequest with 'N'.
	TLSOff TLSMode = "off"
	// TLSAuto offers TLS with Config.TLSConfig, or with a generated self-signed certificate when
	// none is given; plaintext is still accepted.
	TLSAuto TLSMode = "auto"
	// TLSOn offers TLS with Config.TLSConfig (required); plaintext is still accepted.
	TLSOn TLSMode = "on"
	// TLSRequired is TLSOn (or TLSAuto's generated pair when no TLSConfig is given) and refuses
	// plaintext connections with 28000.
	TLSRequired TLSMode = "required"
)

// User is an account that may connect when authentication is on.
type User struct {
	Name     string
	Password string
	// ReadOnly users cannot run statements that write to Stripe.
	ReadOnly bool
	// Account is the user's default Stripe account (stripesql.account at connection start; a
	// startup option may replace it); empty for the server's --account.
	Account string
	// Accounts, when not empty, are the only Stripe accounts the user may read or write (a
	// Connect platform's user limited to its connected accounts): any other is refused with
	// 42501 before a request is sent. The default account is then the first, unless Account is
	// one of them.
	Accounts []string
}

// Config configures a Server. The zero value of every field except Backend (or Engine) is usable.
type Config struct {
	// Backend is where Stripe requests go; the default engine needs it.
	Backend stripeapi.Backend
	// Catalog is the set of tables; nil means catalog.Default().
	Catalog *catalog.Catalog
	// Rate is the node's Stripe requests per second (0 means the planner's default of 6).
	Rate float64
	// Stats holds the table sizes the planner estimates with, shared by every session of the node;
	// nil starts empty. A caller that already knows sizes (the demo emulator) passes them here.
	Stats *planner.Stats
	// ReadOnly refuses writes for every connection.
	ReadOnly bool
	// Users enables password authentication. With no users the server only accepts connections on
	// a loopback listener (trust), and Serve refuses any other listener.
	Users []User
	// Cleartext asks for a cleartext password instead of SCRAM-SHA-256; it is only allowed over TLS.
	Cleartext bool
	// TLSConfig holds the certificate for TLSOn, TLSRequired and TLSAuto.
	TLSConfig *tls.Config
	// TLSMode is off unless set.
	TLSMode TLSMode
	// MaxConnections caps concurrent client connections (0 means 100); more are refused with 53300.
	MaxConnections int
	// MaxMessageSize caps one client message in bytes (0 means 64 MiB); a larger one closes the
	// connection with 08P01.
	MaxMessageSize int
	// IdleSessionTimeout closes a connection that sends nothing for this long (57P05); 0 disables.
	IdleSessionTimeout time.Duration
	// ProgressInterval is how often long scans report progress as a NOTICE, and how long a
	// statement runs before its first (0 means 5 s).
	ProgressInterval time.Duration
	// AuthFailureDelay is the base delay added per recent failed login from one address, so that
	// password guessing is slowed down (0 means 500 ms; negative disables).
	AuthFailureDelay time.Duration
	// Logger receives connection-level logs; nil discards them.
	Logger *slog.Logger
	// Engine answers statements; nil means the planner and executor over Backend and Catalog.
	Engine Engine
	// Observer, when set, is told of sessions and statements (metrics); see Observer.
	Observer Observer
	// Flows, when set, is the node's flows in its state store, given to every session: the rows of
	// stripesql.flows and stripesql.flow_runs, CALL CreateFlow and RunFlow. Nil refuses them with
	// a hint to configure a state store.
	Flows planner.Flows
}

func (c *Config) maxConnections() int {
	if c.MaxConnections <= 0 {
		return 100
	}
	return c.MaxConnections
}

func (c *Config) maxMessageSize() int {
	if c.MaxMessageSize <= 0 {
		return 64 << 20
	}
	return c.MaxMessageSize
}

func (c *Config) progressInterval() time.Duration {
	if c.ProgressInterval <= 0 {
		return 5 * time.Second
	}
	return c.ProgressInterval
}

func (c *Config) authFailureDelay() time.Duration {
	switch {
	case c.AuthFailureDelay < 0:
		return 0
	case c.AuthFailureDelay == 0:
		return 500 * time.Millisecond
	}
	return c.AuthFailureDelay
}
