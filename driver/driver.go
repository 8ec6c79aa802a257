package driver

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"log/slog"
	"math"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// Error is the coded error every failure of this driver carries: SQLSTATE code, message, detail,
// hint and position, exactly as the wire server sends them. It is re-exported so that callers can
// use errors.As without importing an internal package.
type Error = sqlstate.Error

// DriverName is the name the driver registers with database/sql.
const DriverName = "stripe"

// EnvAPIKey is the environment variable the API key is taken from when a Config or DSN has none.
const EnvAPIKey = "STRIPE_API_KEY"

// emulatorKey is the key sent when a DSN points api_base at an emulator without giving a key: the
// emulator (and stripe-mock) accept any test-mode secret key, and stripe-go refuses to send none.
const emulatorKey = "sk_test_stripesql"

func init() {
	sql.Register(DriverName, &Driver{})
}

// Driver is the database/sql driver registered as "stripe". Each sql.Open builds one Connector
// through OpenConnector, so every connection of one sql.DB shares one request budget.
type Driver struct{}

// Config is what a Connector needs. The fields that can travel in a DSN are listed in ParseDSN;
// the others are for programs that build a Connector themselves.
type Config struct {
	// APIKey is a secret (sk_…) or restricted (rk_…) key; empty takes STRIPE_API_KEY.
	APIKey string
	// Account is a connected account (acct_…) to act as, sent as Stripe-Account (Connect).
	Account string
	// BaseURL replaces https://api.stripe.com, for the emulator or stripe-mock (DSN: api_base).
	BaseURL string
	// Rate is the node's budget in Stripe requests per second; 0 means 6.
	Rate float64
	// MaxRequests is each query's request budget (stripesql.max_requests); 0 means 1,000.
	MaxRequests int
	// ReadOnly refuses statements that would write to Stripe.
	ReadOnly bool
	// Proxy is an HTTP(S) proxy URL; empty uses HTTP_PROXY / HTTPS_PROXY.
	Proxy string
	// Verbosity is the Stripe client's log level, 0 (silent) to 5 (whole requests and responses).
	Verbosity int

	// Backend, when set, is used instead of building a Stripe client: tests and the stripesql
	// command pass a client of the emulator here. APIKey, BaseURL, Proxy and Verbosity are then
	// ignored, and Rate only feeds the planner's time estimates.
	Backend stripeapi.Backend
	// Catalog is the set of tables; nil means the full Stripe catalog.
	Catalog *catalog.Catalog
	// Stats holds the table sizes the planner estimates with, shared by every connection of the
	// connector; nil starts empty and learns from complete scans.
	Stats *planner.Stats
	// Logger receives the Stripe client's log lines (redacted); nil means slog.Default().
	Logger *slog.Logger
	// Progress, when set, is called every few seconds while a long scan runs (the CLI's progress
	// line). It is called on the goroutine running the query.
	Progress func(planner.ProgressEvent)
	// Notice, when set, receives the messages a statement reports while it runs, which the wire
	// server sends as NOTICEs (a connected account a fan-out skipped, say); unset, they are dropped.
	Notice func(message string)
	// Settings are initial session settings of every connection (for example "TimeZone").
	Settings map[string]string
	// Flows, when set, is the node's flows in its state store (stripesql.flows, stripesql.flow_runs,
	// CALL CreateFlow and RunFlow); the DSN cannot name a state store, so only a program that holds
	// one (stripesql query) sets it. Nil refuses them with a hint.
	Flows planner.Flows
}

// Connector opens connections that share one Stripe backend, one token bucket and one set of
// learned table sizes. It is safe for concurrent use; sql.OpenDB(connector) is the way to use it.
type Connector struct {
	cfg     Config
	backend stripeapi.Backend
	sched   *stripeapi.Scheduler
	stats   *planner.Stats
	drv     *Driver
	nextPID atomic.Int32
}

// Compile-time checks that the driver implements every optional interface it promises.
var (
	_ sqldriver.Driver        = (*Driver)(nil)
	_ sqldriver.DriverContext = (*Driver)(nil)
	_ sqldriver.Connector     = (*Connector)(nil)
)

// Open implements driver.Driver. database/sql prefers OpenConnector; Open exists for callers that
// use the Driver directly, and gets a connection with a budget of its own.
func (d *Driver) Open(dsn string) (sqldriver.Conn, error) {
	c, err := d.OpenConnector(dsn)
	if err != nil {
		return nil, err
	}
	return c.Connect(context.Background())
}

// OpenConnector implements driver.DriverContext: it parses dsn and builds the Connector that all
// connections of one sql.DB share.
func (d *Driver) OpenConnector(dsn string) (sqldriver.Connector, error) {
	cfg, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	c, err := NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	c.drv = d
	return c, nil
}

// NewConnector checks cfg and builds the Connector, with its Stripe client unless cfg.Backend is
// given. The key comes from STRIPE_API_KEY when cfg has none. With no key, no BaseURL and no
// Backend it fails with 28000: there is nowhere to send requests.
func NewConnector(cfg Config) (*Connector, error) {
	if cfg.Rate < 0 || cfg.Rate > maxRate || math.IsNaN(cfg.Rate) {
		return nil, dsnError("invalid rate: want requests per second, a number above 0 and at most %d", maxRate)
	}
	if cfg.MaxRequests < 0 {
		return nil, dsnError("invalid max_requests: want a whole number of requests above 0")
	}
	rateOrDefault := cfg.Rate
	if rateOrDefault == 0 {
		rateOrDefault = stripeapi.DefaultRate
	}
	if cfg.Catalog == nil {
		cfg.Catalog = catalog.Default()
	}
	if cfg.Stats == nil {
		cfg.Stats = planner.NewStats()
	}
	c := &Connector{cfg: cfg, stats: cfg.Stats, drv: &Driver{}}
	if cfg.Backend != nil {
		c.backend = cfg.Backend
		return c, nil
	}
	key := cfg.APIKey
	if key == "" {
		key = os.Getenv(EnvAPIKey)
	}
	if key == "" && cfg.BaseURL == "" {
		return nil, sqlstate.New(sqlstate.InvalidAuthorization, "no stripe api key given").
			WithHint("set %s, put api_key in the dsn, or point api_base at an emulator (stripesql emulator)", EnvAPIKey)
	}
	if key == "" {
		key = emulatorKey
	} else if err := checkKey(key); err != nil {
		return nil, err
	}
	c.sched = stripeapi.NewScheduler(rateOrDefault)
	client, err := stripeapi.NewClient(stripeapi.Config{
		APIKey:    key,
		BaseURL:   cfg.BaseURL,
		Account:   cfg.Account,
		Rate:      rateOrDefault,
		Scheduler: c.sched,
		Proxy:     cfg.Proxy,
		Verbosity: cfg.Verbosity,
		Logger:    cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	c.backend = client
	return c, nil
}

// Connect implements driver.Connector: a new session over the connector's shared backend.
func (c *Connector) Connect(ctx context.Context) (sqldriver.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, cancelError(err)
	}
	settings := map[string]string{}
	for k, v := range c.cfg.Settings {
		settings[k] = v
	}
	if c.cfg.MaxRequests > 0 {
		settings["stripesql.max_requests"] = strconv.Itoa(c.cfg.MaxRequests)
	}
	sess := planner.NewSession(planner.SessionConfig{
		Catalog:    c.cfg.Catalog,
		Rate:       c.cfg.Rate,
		Stats:      c.stats,
		User:       "stripe",
		Database:   "stripe",
		ReadOnly:   c.cfg.ReadOnly,
		Account:    c.cfg.Account, // the DSN's account: stripesql.account's default, which RESET returns to
		BackendPID: c.nextPID.Add(1),
		Settings:   settings,
		Progress:   c.cfg.Progress,
		Flows:      c.cfg.Flows,
		Notice:     c.cfg.Notice,
	})
	if err := sess.StartupError(); err != nil {
		return nil, err // an unknown or invalid DSN setting, as PostgreSQL refuses a bad startup option
	}
	return &Conn{connector: c, sess: sess}, nil
}

// Driver implements driver.Connector.
func (c *Connector) Driver() sqldriver.Driver { return c.drv }

// Stats returns the table sizes learned by every connection of this connector, which the planner
// uses for its request estimates.
func (c *Connector) Stats() *planner.Stats { return c.stats }

// Backend returns the Stripe backend all connections share.
func (c *Connector) Backend() stripeapi.Backend { return c.backend }

// Requests returns how many Stripe requests the connector's own client has sent, or -1 when the
// backend was handed in through Config.Backend and does not count them.
func (c *Connector) Requests() int64 {
	if r, ok := c.backend.(interface{ Requests() int64 }); ok {
		return r.Requests()
	}
	return -1
}
