package planner

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
)

// SessionConfig is what a front end knows when a connection starts.
type SessionConfig struct {
	// Catalog is the set of tables the session can query.
	Catalog *catalog.Catalog
	// Rate is the node's Stripe requests per second, used to turn request estimates into seconds.
	// Zero means 6, the node default.
	Rate float64
	// Stats holds table sizes learned from earlier scans; sessions of one node share it so that one
	// connection's full scan improves every later estimate. Nil gives the session its own.
	Stats *Stats
	// Account is the connected account (acct_…) the session reads, "" for the API key's own; its
	// table sizes are kept apart in Stats.
	Account string
	// Accounts, when not empty, are the only accounts the session may read or write (a user
	// limited to connected accounts by the users file): any other, the API key's own included,
	// is refused with 42501 while planning, before a request is sent. Account defaults to the
	// first of them.
	Accounts []string
	// User and Database are what the client asked for at startup.
	User, Database string
	// ReadOnly sessions refuse statements that would write to Stripe.
	ReadOnly bool
	// BackendPID identifies the connection (pg_backend_pid, cancel requests).
	BackendPID int32
	// Settings are initial values, for example the startup parameters a client sent.
	Settings map[string]string
	// Progress, when set, is called every few seconds during long scans.
	Progress func(ProgressEvent)
	// Notice, when set, receives messages the executor reports to the client while a statement
	// runs (the server sends them as NOTICEs): a connected account skipped by a fan-out, say.
	Notice func(message string)
	// Clock, when set, gives the statement time instead of time.Now (tests, reproducible plans).
	Clock func() time.Time
	// Flows, when set, is the node's flows (its state store): the rows of stripesql.flows and
	// stripesql.flow_runs, CALL CreateFlow and RunFlow (flows.go). Nil refuses them with a hint.
	Flows Flows
}

// ProgressEvent reports how far a running statement has come, for the server's progress NOTICEs
// and the CLI's progress line (both print String, progress.go).
type ProgressEvent struct {
	// Rows is the rows the statement has returned so far: zero until an aggregate or sort ends.
	Rows int64
	// Scanned is the Stripe objects read so far (every page's rows, before any filter), which
	// grows while an aggregate or sort is still reading.
	Scanned  int64
	Requests int64
	Pages    int64
	Elapsed  time.Duration
	// EstimatedRequests is the planner's estimate for the whole statement, made before it ran.
	EstimatedRequests float64
	// RequestsLeft is the executor's current estimate of the requests still to send, re-made on
	// every page from what the scans have seen (pages per call, has_more). When Exceeded, it is
	// the known minimum.
	RequestsLeft float64
	// SecondsLeft is RequestsLeft at the pace requests are being answered: the node's rate, or the
	// observed pace when Stripe answers slower than the rate allows.
	SecondsLeft float64
	// Exceeded is true when a scan has read more pages than estimated and Stripe says more follow:
	// the end is unknown, bounded only by MaxRequests.
	Exceeded bool
	// MaxRequests is the statement's request budget (stripesql.max_requests), where a scan stops.
	MaxRequests int64
	// Accounts, AccountsDone and AccountsSkipped count a Connect fan-out's accounts: all of them
	// (as far as known: a join with accounts learns them as it reads), those read to their end,
	// and those skipped because Stripe refused them. Zero for a statement that reads one account.
	Accounts, AccountsDone, AccountsSkipped int
}

// Session is one connection's state: its catalog, settings, user and the node-wide statistics. It
// implements expr.Session so functions such as current_setting() and now() AT TIME ZONE can read it.
// A Session is used by one statement at a time; its settings are guarded so a cancel or progress
// reader on another goroutine is safe.
type Session struct {
	cfg      SessionConfig
	mu       sync.Mutex
	settings map[string]string
	loc      *time.Location
	written  map[string]time.Time // tables written, for RecentlyWritten (write.go)
	tx       txState              // the open transaction block, if any (transaction.go)
	cursors  Cursors              // the open cursors, kept by package exec (cursor.go)
	startErr error                // the first invalid initial setting (StartupError)
}

var _ expr.Session = (*Session)(nil)

// setting describes one session setting: its default, and a check of new values.
type setting struct {
	def   string
	desc  string
	check func(v string) (string, error)
	// vartype, unit, min, max and enum describe the setting in pg_settings (settings_pg.go).
	vartype, unit, min, max string
	enum                    []string
}

// DefaultMaxRequests is the per-query Stripe request budget when stripesql.max_requests is unset.
const DefaultMaxRequests = 1000

// DefaultPageSize is the list page size used when no LIMIT lets it shrink (Stripe's maximum).
const DefaultPageSize = 100

var settingsTable = map[string]setting{
	"application_name":              {def: "", desc: "sets the application name to be reported in statistics and logs"},
	"client_encoding":               {def: "UTF8", desc: "sets the client's character set encoding", check: checkEncoding},
	"server_encoding":               {def: "UTF8", desc: "shows the server (database) character set encoding"},
	"datestyle":                     {def: "ISO, MDY", desc: "sets the display format for date and time values"},
	"timezone":                      {def: "UTC", desc: "sets the time zone for displaying and interpreting time stamps", check: checkTimeZone},
	"intervalstyle":                 {def: "postgres", desc: "sets the display format for interval values"},
	"search_path":                   {def: `"$user", public`, desc: "sets the schema search order for names that are not schema-qualified"},
	"server_version":                {def: catalog.ServerVersion, desc: "shows the server version"},
	"server_version_num":            {def: catalog.ServerVersionNum, desc: "shows the server version as an integer"},
	"standard_conforming_strings":   boolSetting("on", "causes '...' strings to treat backslashes literally"),
	"integer_datetimes":             {def: "on", desc: "shows whether datetimes are integer based"},
	"extra_float_digits":            intSetting("1", "sets the number of digits displayed for floating-point values", -15, 3),
	"transaction_isolation":         {def: "read committed", desc: "sets the current transaction's isolation level"},
	"default_transaction_read_only": boolSetting("off", "sets the default read-only status of new transactions"),
	"transaction_read_only":         boolSetting("off", "sets the current transaction's read-only status"),
	"lc_messages":                   {def: "C", desc: "sets the language in which messages are displayed"},
	"lc_monetary":                   {def: "C", desc: "sets the locale for formatting monetary amounts"},
	"lc_numeric":                    {def: "C", desc: "sets the locale for formatting numbers"},
	"lc_time":                       {def: "C", desc: "sets the locale for formatting date and time values"},
	"is_superuser":                  {def: "off", desc: "shows whether the current user is a superuser"},
	"max_identifier_length":         {def: "63", desc: "shows the maximum identifier length"},
	"max_index_keys":                {def: "32", desc: "shows the maximum number of index keys"}, // pgjdbc's getImportedKeys reads it
	"stripesql.max_requests":        intSetting(strconv.Itoa(DefaultMaxRequests), "the most stripe requests one query may send; plans estimated above it are refused", 1, 1<<30),
	SettingMaxStaleness:             {def: "0", desc: "how old a cached stripe page this session accepts (0: always live); e.g. '30s', '5 min'", check: checkStaleness},
	"stripesql.pushdown":            boolSetting("on", "push filters into stripe list, retrieve and search calls"),
	"stripesql.page_size":           intSetting(strconv.Itoa(DefaultPageSize), "the stripe list page size when no limit lets it shrink", 1, 100),
	SettingWorkMemRows:              intSetting(strconv.Itoa(DefaultWorkMemRows), "the most rows one sort, hash, window or set operation may hold in memory before the query fails with 53200", 1, 1<<40),
	"stripesql.search":              boolSetting("on", "allow stripe search as an access path"),
	SettingIdempotencyKey:           {def: "", desc: "client prefix of idempotency keys: re-running a statement with the same prefix is exactly-once", check: checkKeyPrefix},
	SettingDryRun:                   boolSetting("off", "print the stripe requests of writes and calls instead of sending them"),
	SettingAccount:                  {def: "", desc: "the stripe account (acct_…) statements read and write when they name none; empty for the api key's own", check: checkAccount},
}

func checkBool(v string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "yes", "1", "t", "y":
		return "on", nil
	case "off", "false", "no", "0", "f", "n":
		return "off", nil
	}
	return "", sqlstate.New(sqlstate.InvalidParameterValue, "invalid value for a boolean setting: %q", v)
}

func checkInt(lo, hi int) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return "", sqlstate.New(sqlstate.InvalidParameterValue, "invalid value for an integer setting: %q", v)
		}
		if n < lo || n > hi {
			return "", sqlstate.New(sqlstate.InvalidParameterValue, "%d is outside the valid range for this setting (%d .. %d)", n, lo, hi)
		}
		return strconv.Itoa(n), nil
	}
}

func checkEncoding(v string) (string, error) {
	switch strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(v), "-", "")) {
	case "UTF8", "UNICODE":
		return "UTF8", nil
	case "SQL_ASCII":
		return "SQL_ASCII", nil
	}
	return "", sqlstate.New(sqlstate.InvalidParameterValue, "invalid value for parameter \"client_encoding\": %q", v).
		WithHint("stripesql speaks UTF8 only")
}

func checkTimeZone(v string) (string, error) {
	if _, err := loadLocation(v); err != nil {
		return "", err
	}
	return v, nil
}

// loadLocation reads a TimeZone value: an IANA name, UTC/GMT, or a numeric offset in hours
// (POSIX sign convention is not used: '+2' means two hours east, as SET TIME ZONE 2 does).
func loadLocation(v string) (*time.Location, error) {
	s := strings.TrimSpace(v)
	switch strings.ToLower(s) {
	case "utc", "gmt", "z", "zulu", "etc/utc", "default", "local":
		return time.UTC, nil
	}
	if h, err := strconv.ParseFloat(s, 64); err == nil {
		return time.FixedZone(s, int(h*3600)), nil
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, sqlstate.New(sqlstate.InvalidParameterValue, "invalid value for parameter \"TimeZone\": %q", v)
	}
	return loc, nil
}

// NewSession starts a session. An unknown or invalid initial setting is skipped and kept for
// StartupError, which front ends check to refuse the connection as PostgreSQL does.
func NewSession(cfg SessionConfig) *Session {
	registerRoutines.Do(func() { catalog.RegisterRoutines(procedureRoutines) })
	if cfg.Catalog == nil {
		cfg.Catalog = catalog.New()
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 6
	}
	if cfg.Stats == nil {
		cfg.Stats = NewStats()
	}
	if len(cfg.Accounts) > 0 && cfg.Account == "" {
		cfg.Account = cfg.Accounts[0]
	}
	s := &Session{cfg: cfg, settings: map[string]string{}, loc: time.UTC}
	if v, ok := cfg.Settings[SettingAccount]; ok {
		// A startup stripesql.account (DSN, -c option) is the session's default: RESET returns to it.
		if acct, err := checkAccount(v); err != nil {
			s.startErr = invalidSetting(SettingAccount, v, err)
		} else if err := s.CheckAccount(acct); err != nil {
			s.startErr = err
		} else {
			s.cfg.Account = acct
		}
	}
	if err := s.CheckAccount(s.cfg.Account); err != nil && s.startErr == nil {
		s.startErr = err
	}
	names := make([]string, 0, len(cfg.Settings))
	for k := range cfg.Settings {
		if canonicalSetting(k) == SettingAccount {
			continue
		}
		names = append(names, k)
	}
	sort.Strings(names) // the same startup error every time
	for _, k := range names {
		if err := s.SetSetting(k, cfg.Settings[k]); err != nil && s.startErr == nil {
			s.startErr = err
		}
	}
	return s
}

// StartupError is the first unknown or invalid setting among SessionConfig.Settings (startup
// parameters, -c options, DSN options), or nil. PostgreSQL refuses such a connection with FATAL
// 42704 or 22023 rather than run with a budget or time zone the user did not ask for.
func (s *Session) StartupError() error { return s.startErr }

// now returns the statement time.
func (s *Session) now() time.Time {
	if s.cfg.Clock != nil {
		return s.cfg.Clock()
	}
	return time.Now()
}

// Catalog returns the tables the session can query.
func (s *Session) Catalog() *catalog.Catalog { return s.cfg.Catalog }

// Rate returns the node's requests per second.
func (s *Session) Rate() float64 { return s.cfg.Rate }

// Stats returns the node-wide learned table sizes.
func (s *Session) Stats() *Stats { return s.cfg.Stats }

// Account returns the Stripe account the session reads and writes when a statement names none
// (stripesql.account; "" for the API key's own).
func (s *Session) Account() string {
	v, _ := s.Setting(SettingAccount)
	return v
}

// CheckAccount refuses (42501) an account the session may not read or write: one outside
// SessionConfig.Accounts when that is set.
func (s *Session) CheckAccount(acct string) error {
	if len(s.cfg.Accounts) == 0 {
		return nil
	}
	for _, a := range s.cfg.Accounts {
		if a == acct {
			return nil
		}
	}
	name := acct
	if name == "" {
		name = "the platform's own account"
	}
	return sqlstate.New(sqlstate.InsufficientPrivilege, "permission denied for stripe account %s", name).
		WithDetail("user %q may use only %s", s.cfg.User, strings.Join(s.cfg.Accounts, ", "))
}

// ReadOnly reports whether the session refuses writes.
func (s *Session) ReadOnly() bool { return s.cfg.ReadOnly }

// Progress returns the progress callback, or nil.
func (s *Session) Progress() func(ProgressEvent) { return s.cfg.Progress }

// Notice reports msg to the client (SessionConfig.Notice), or drops it when the front end has no
// way to show it. It may be called from any goroutine.
func (s *Session) Notice(msg string) {
	if s.cfg.Notice != nil {
		s.cfg.Notice(msg)
	}
}

// User implements expr.Session.
func (s *Session) User() string { return s.cfg.User }

// Database implements expr.Session.
func (s *Session) Database() string { return s.cfg.Database }

// BackendPID implements expr.Session.
func (s *Session) BackendPID() int32 { return s.cfg.BackendPID }

// Location implements expr.Session: the TimeZone setting.
func (s *Session) Location() *time.Location {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loc
}

func canonicalSetting(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// Setting implements expr.Session: the current value of a setting, and whether it exists.
func (s *Session) Setting(name string) (string, bool) {
	n := canonicalSetting(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.readOnlySetting(n); ok {
		return v, true
	}
	if v, ok := s.settings[n]; ok {
		return v, true
	}
	if n == SettingAccount {
		return s.cfg.Account, true
	}
	if d, ok := settingsTable[n]; ok {
		return d.def, true
	}
	return "", false
}

// SetSetting implements expr.Session: it validates and stores a new value. An unknown name is 42704
// as in PostgreSQL; names with a dot (custom placeholders such as myapp.tenant) are accepted.
func (s *Session) SetSetting(name, value string) error {
	n := canonicalSetting(name)
	d, known := settingsTable[n]
	if !known && !strings.Contains(n, ".") {
		return errUnknownSetting(name)
	}
	if !known && strings.HasPrefix(n, "stripesql.") {
		// a typo of one of ours must not pass as a custom placeholder, as PostgreSQL 15 refuses
		// unknown names under an extension's prefix
		return sqlstate.New("42602", "invalid configuration parameter name %q", name).
			WithDetail("\"stripesql\" is a reserved prefix.").WithHint("SHOW ALL lists the stripesql settings")
	}
	if known && strings.HasPrefix(n, "stripesql.") == false && d.check == nil && isReadOnlySetting(n) {
		return sqlstate.New(sqlstate.InvalidParameterValue, "parameter %q cannot be changed", n)
	}
	if known && d.check != nil {
		v, err := d.check(value)
		if err != nil {
			return invalidSetting(n, value, err)
		}
		value = v
	}
	if n == SettingAccount {
		if err := s.CheckAccount(value); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if done, err := s.setReadOnly(n, value); done {
		return err
	}
	if n == "timezone" {
		loc, err := loadLocation(value)
		if err != nil {
			return err
		}
		s.loc = loc
	}
	s.settings[n] = value
	return nil
}

func isReadOnlySetting(n string) bool {
	switch n {
	case "server_version", "server_version_num", "server_encoding", "integer_datetimes", "max_identifier_length", "max_index_keys", "is_superuser":
		return true
	}
	return false
}

// ResetSetting restores a setting's default (RESET name).
func (s *Session) ResetSetting(name string) error {
	n := canonicalSetting(name)
	if _, known := settingsTable[n]; !known && !strings.Contains(n, ".") {
		return errUnknownSetting(name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.settings, n)
	if n == "timezone" {
		s.loc = time.UTC
	}
	return nil
}

// ResetAll restores every setting's default (RESET ALL).
func (s *Session) ResetAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings = map[string]string{}
	s.loc = time.UTC
}

// AllSettings lists every setting with its current value and description, sorted by name, for
// SHOW ALL.
func (s *Session) AllSettings() [][3]string {
	names := make([]string, 0, len(settingsTable))
	for n := range settingsTable {
		names = append(names, n)
	}
	s.mu.Lock()
	for n := range s.settings {
		if _, ok := settingsTable[n]; !ok {
			names = append(names, n)
		}
	}
	s.mu.Unlock()
	sort.Strings(names)
	out := make([][3]string, 0, len(names))
	for _, n := range names {
		v, _ := s.Setting(n)
		out = append(out, [3]string{displaySettingName(n), v, settingsTable[n].desc})
	}
	return out
}

func displaySettingName(n string) string {
	switch n {
	case "timezone":
		return "TimeZone"
	case "datestyle":
		return "DateStyle"
	case "intervalstyle":
		return "IntervalStyle"
	}
	return n
}

func errUnknownSetting(name string) error {
	return sqlstate.New(sqlstate.UndefinedObject, "unrecognized configuration parameter %q", name)
}

func (s *Session) intSetting(name string, def int) int {
	v, ok := s.Setting(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def
	}
	return n
}

func (s *Session) boolSetting(name string) bool {
	v, _ := s.Setting(name)
	return v == "on"
}

// MaxRequests is the per-query request budget (stripesql.max_requests).
func (s *Session) MaxRequests() int {
	return s.intSetting("stripesql.max_requests", DefaultMaxRequests)
}

// SettingMaxStaleness is how old a cached Stripe answer the session accepts (MaxStaleness).
const SettingMaxStaleness = "stripesql.max_staleness"

// stalenessUnits are the units stripesql.max_staleness accepts, as PostgreSQL's time settings
// spell them; a bare number is seconds.
var stalenessUnits = map[string]time.Duration{
	"ms": time.Millisecond, "s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
	"min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hour": time.Hour, "hours": time.Hour, "d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
}

// parseStaleness reads a stripesql.max_staleness value: a non-negative number with an optional
// unit ('30s', '5 min', '250ms', '2'); it is at most a day, which is already far past "recent".
func parseStaleness(v string) (time.Duration, error) {
	t := strings.ToLower(strings.TrimSpace(v))
	i := strings.IndexFunc(t, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	scale := time.Second
	if unit != "" {
		scale = stalenessUnits[unit]
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || scale == 0 {
		return 0, sqlstate.New(sqlstate.InvalidParameterValue, "invalid value for parameter \"%s\": %q", SettingMaxStaleness, v).
			WithHint("give an age such as '30s', '5 min' or '0' (always live)")
	}
	d := time.Duration(n * float64(scale))
	if d > 24*time.Hour {
		return 0, sqlstate.New(sqlstate.InvalidParameterValue, "%s is outside the valid range for parameter \"%s\" (0 .. 1 day)", strings.TrimSpace(v), SettingMaxStaleness)
	}
	return d, nil
}

func checkStaleness(v string) (string, error) {
	d, err := parseStaleness(v)
	if err != nil {
		return "", err
	}
	if d == 0 {
		return "0", nil
	}
	// Shown as PostgreSQL shows a time setting, in the largest unit that divides it, which
	// parseStaleness reads back.
	for _, u := range []struct {
		name string
		d    time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"min", time.Minute}, {"s", time.Second}} {
		if d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.name, nil
		}
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms", nil
}

// MaxStaleness is how old a cached Stripe answer the session's statements accept
// (stripesql.max_staleness); zero, the default, means every read goes to Stripe.
func (s *Session) MaxStaleness() time.Duration {
	v, _ := s.Setting(SettingMaxStaleness)
	d, err := parseStaleness(v)
	if err != nil {
		return 0
	}
	return d
}

// Pushdown reports whether filters are pushed into Stripe calls (stripesql.pushdown).
func (s *Session) Pushdown() bool { return s.boolSetting("stripesql.pushdown") }

// PageSize is the list page size when no LIMIT lets it shrink (stripesql.page_size).
func (s *Session) PageSize() int { return s.intSetting("stripesql.page_size", DefaultPageSize) }
