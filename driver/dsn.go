package driver

import (
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// DSN parameter names, shared by the URL form (query parameters) and the key=value form.
const (
	paramAPIKey      = "api_key"
	paramAccount     = "account"
	paramRate        = "rate"
	paramAPIBase     = "api_base"
	paramMaxRequests = "max_requests"
	paramReadOnly    = "read_only"
	paramProxy       = "proxy"
	paramVerbosity   = "verbosity"
)

// dsnParams lists every parameter a DSN may carry, for error hints.
var dsnParams = []string{paramAPIKey, paramAccount, paramRate, paramAPIBase, paramMaxRequests, paramReadOnly, paramProxy, paramVerbosity}

var (
	keyShape     = regexp.MustCompile(`^(sk|rk)_(test|live)_[0-9A-Za-z_]+$`)
	accountShape = regexp.MustCompile(`^acct_[0-9A-Za-z]+$`)
)

// maxRate bounds the rate a DSN may ask for; Stripe's own live-mode limit is 100 requests per
// second, and anything far above it is a typo rather than a plan.
const maxRate = 10000

// ParseDSN reads a data source name in either of its two forms:
//
//	stripe://sk_test_…@/?account=acct_…&rate=6&api_base=http://127.0.0.1:12111&max_requests=500&read_only=true
//	api_key=sk_test_… account=acct_… rate=6 read_only=true
//
// The key=value form follows libpq's conninfo rules: pairs separated by spaces, values in single
// quotes when they hold spaces, with \' and \\ escapes. An empty DSN is valid and means every
// default. ParseDSN does not read the environment: NewConnector and sql.Open take the key from
// STRIPE_API_KEY when the DSN has none.
//
// A malformed DSN is a *sqlstate.Error: 28000 for a bad key, 22023 for anything else. No error
// ever repeats the key, so a DSN can be logged by whoever receives the error.
func ParseDSN(dsn string) (Config, error) {
	dsn = strings.TrimSpace(dsn)
	if dsn == "" {
		return Config{}, nil
	}
	if i := strings.Index(dsn, "://"); i >= 0 && isScheme(dsn[:i]) {
		if !strings.EqualFold(dsn[:i], "stripe") {
			return Config{}, dsnError("unsupported dsn scheme %q", strings.ToLower(dsn[:i])).
				WithHint("use stripe://KEY@/?param=value or key=value pairs")
		}
		return parseURLDSN(dsn)
	}
	return parseKeyValueDSN(dsn)
}

func isScheme(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}

func dsnError(format string, args ...any) *sqlstate.Error {
	return sqlstate.New(sqlstate.InvalidParameterValue, format, args...)
}

func parseURLDSN(dsn string) (Config, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		// url.Parse's message quotes the whole input, key included; say what is wrong without it.
		return Config{}, dsnError("malformed dsn url").
			WithHint("write the dsn as stripe://KEY@/?param=value, with special characters percent-encoded")
	}
	if u.Host != "" {
		return Config{}, dsnError("a stripe dsn has no host").
			WithHint("write stripe://KEY@/?…; to reach another api endpoint use the api_base parameter")
	}
	if u.Fragment != "" {
		return Config{}, dsnError("a stripe dsn has no fragment")
	}
	var c Config
	seen := map[string]bool{}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			return Config{}, sqlstate.New(sqlstate.InvalidAuthorization, "unexpected password in dsn").
				WithHint("put the api key alone before the @: stripe://KEY@/")
		}
		if key := u.User.Username(); key != "" {
			if err := c.set(paramAPIKey, key); err != nil {
				return Config{}, err
			}
			seen[paramAPIKey] = true
		}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Config{}, dsnError("malformed dsn query string").
			WithHint("percent-encode special characters in parameter values")
	}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		vals := q[name]
		if len(vals) > 1 || seen[name] {
			return Config{}, dsnError("dsn parameter %q given more than once", safeName(name))
		}
		seen[name] = true
		if err := c.set(name, vals[0]); err != nil {
			return Config{}, err
		}
	}
	return c, nil
}

func parseKeyValueDSN(dsn string) (Config, error) {
	var c Config
	seen := map[string]bool{}
	s := dsn
	for {
		s = strings.TrimLeft(s, " \t\n\r\f\v")
		if s == "" {
			return c, nil
		}
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			return Config{}, dsnError("malformed dsn: expected key=value pairs or a stripe:// url").
				WithHint("for example: api_key=sk_test_… rate=6")
		}
		name := strings.TrimRight(s[:eq], " \t\n\r\f\v")
		if name == "" || strings.ContainsAny(name, " \t\n\r\f\v'") {
			return Config{}, dsnError("malformed dsn: expected key=value pairs or a stripe:// url").
				WithHint("for example: api_key=sk_test_… rate=6")
		}
		s = strings.TrimLeft(s[eq+1:], " \t\n\r\f\v")
		var val strings.Builder
		if strings.HasPrefix(s, "'") {
			i := 1
			closed := false
			for i < len(s) {
				ch := s[i]
				if ch == '\\' && i+1 < len(s) {
					val.WriteByte(s[i+1])
					i += 2
					continue
				}
				if ch == '\'' {
					closed = true
					i++
					break
				}
				val.WriteByte(ch)
				i++
			}
			if !closed {
				return Config{}, dsnError("unterminated quoted value in dsn for parameter %q", safeName(name))
			}
			s = s[i:]
			if s != "" && !strings.ContainsAny(s[:1], " \t\n\r\f\v") {
				return Config{}, dsnError("missing space after the quoted value of dsn parameter %q", safeName(name))
			}
		} else {
			i := 0
			for i < len(s) && !strings.ContainsAny(s[i:i+1], " \t\n\r\f\v") {
				if s[i] == '\\' && i+1 < len(s) {
					val.WriteByte(s[i+1])
					i += 2
					continue
				}
				val.WriteByte(s[i])
				i++
			}
			s = s[i:]
		}
		if seen[name] {
			return Config{}, dsnError("dsn parameter %q given more than once", safeName(name))
		}
		seen[name] = true
		if err := c.set(name, val.String()); err != nil {
			return Config{}, err
		}
	}
}

// safeName makes a parameter name fit to quote in an error. Only plain lowercase names are
// echoed; anything that could be a key typed where a name belongs (sk_…, rk_…, pk_…) or other
// text is described instead of quoted.
func safeName(name string) string {
	if !plainName.MatchString(name) || keyPrefix.MatchString(name) {
		return "(a name that is not a parameter)"
	}
	return name
}

var (
	plainName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	keyPrefix = regexp.MustCompile(`\b(sk|rk|pk)_`)
)

// set applies one DSN parameter to c, validating its value.
func (c *Config) set(name, v string) error {
	switch name {
	case paramAPIKey:
		return c.setKey(v)
	case paramAccount:
		if !accountShape.MatchString(v) {
			return dsnError("invalid account in dsn: want a connected account id such as acct_1A2b3C")
		}
		c.Account = v
	case paramRate:
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(r) || math.IsInf(r, 0) || r <= 0 || r > maxRate {
			return dsnError("invalid rate in dsn: want requests per second, a number above 0 and at most %d", maxRate)
		}
		c.Rate = r
	case paramAPIBase:
		if err := checkHTTPURL(v, "http", "https"); err != nil {
			return dsnError("invalid api_base in dsn: %s", err).
				WithHint("for example api_base=http://127.0.0.1:12111 for the emulator")
		}
		c.BaseURL = v
	case paramMaxRequests:
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return dsnError("invalid max_requests in dsn: want a whole number of requests above 0")
		}
		c.MaxRequests = n
	case paramReadOnly:
		b, ok := parseBool(v)
		if !ok {
			return dsnError("invalid read_only in dsn: want true or false")
		}
		c.ReadOnly = b
	case paramProxy:
		if err := checkHTTPURL(v, "http", "https", "socks5"); err != nil {
			return dsnError("invalid proxy in dsn: %s", err).
				WithHint("for example proxy=http://user:password@proxy.internal:3128")
		}
		c.Proxy = v
	case paramVerbosity:
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 5 {
			return dsnError("invalid verbosity in dsn: want a number from 0 to 5")
		}
		c.Verbosity = n
	default:
		return dsnError("unknown dsn parameter %q", safeName(name)).
			WithHint("known parameters: %s", strings.Join(dsnParams, ", "))
	}
	return nil
}

// setKey validates an API key without ever quoting it.
func (c *Config) setKey(v string) error {
	if err := checkKey(v); err != nil {
		return err
	}
	c.APIKey = v
	return nil
}

// checkKey refuses keys that cannot work, with 28000 and a message that never holds the key.
func checkKey(v string) error {
	switch {
	case strings.HasPrefix(v, "pk_"):
		return sqlstate.New(sqlstate.InvalidAuthorization, "a publishable stripe key cannot read or change data").
			WithHint("use a secret key (sk_…) or a restricted key (rk_…)")
	case !keyShape.MatchString(v):
		return sqlstate.New(sqlstate.InvalidAuthorization, "malformed stripe api key in dsn").
			WithDetail("a key starts with sk_test_, sk_live_, rk_test_ or rk_live_ followed by letters, digits and underscores")
	}
	return nil
}

// checkHTTPURL checks that v is an absolute URL with one of the schemes and a host. Its error
// never quotes v, which may carry proxy credentials.
func checkHTTPURL(v string, schemes ...string) error {
	u, err := url.Parse(v)
	if err != nil {
		return errText("not a url")
	}
	ok := false
	for _, s := range schemes {
		if u.Scheme == s {
			ok = true
		}
	}
	if !ok {
		return errText("the scheme must be " + strings.Join(schemes, " or "))
	}
	if u.Host == "" {
		return errText("the url has no host")
	}
	return nil
}

type errText string

func (e errText) Error() string { return string(e) }

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true", "t", "on", "yes", "y", "1":
		return true, true
	case "false", "f", "off", "no", "n", "0":
		return false, true
	}
	return false, false
}

// dsnValues returns the parameters of c that differ from their defaults, by name.
func (c Config) dsnValues() map[string]string {
	m := map[string]string{}
	if c.APIKey != "" {
		m[paramAPIKey] = c.APIKey
	}
	if c.Account != "" {
		m[paramAccount] = c.Account
	}
	if c.Rate != 0 {
		m[paramRate] = strconv.FormatFloat(c.Rate, 'g', -1, 64)
	}
	if c.BaseURL != "" {
		m[paramAPIBase] = c.BaseURL
	}
	if c.MaxRequests != 0 {
		m[paramMaxRequests] = strconv.Itoa(c.MaxRequests)
	}
	if c.ReadOnly {
		m[paramReadOnly] = "true"
	}
	if c.Proxy != "" {
		m[paramProxy] = c.Proxy
	}
	if c.Verbosity != 0 {
		m[paramVerbosity] = strconv.Itoa(c.Verbosity)
	}
	return m
}

// FormatDSN writes c's DSN parameters as a stripe:// URL that ParseDSN reads back to the same
// Config. Fields that cannot travel in a DSN (Backend, Logger, Progress) are left out. The result
// holds the API key: it is for handing a configuration to sql.Open, not for logs.
func (c Config) FormatDSN() string {
	m := c.dsnValues()
	u := url.URL{Scheme: "stripe", Path: "/"}
	if key, ok := m[paramAPIKey]; ok {
		u.User = url.User(key)
		delete(m, paramAPIKey)
	}
	q := url.Values{}
	for k, v := range m {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	// url.URL drops the "@" and the empty host unless there is user info; "stripe:///" is what a
	// key-less DSN looks like, which ParseDSN reads as well.
	return u.String()
}

// FormatKeyValueDSN writes c's DSN parameters as libpq-style key=value pairs, quoting values
// where needed, in a form ParseDSN reads back to the same Config.
func (c Config) FormatKeyValueDSN() string {
	m := c.dsnValues()
	var parts []string
	for _, name := range dsnParams {
		v, ok := m[name]
		if !ok {
			continue
		}
		parts = append(parts, name+"="+quoteConninfo(v))
	}
	return strings.Join(parts, " ")
}

func quoteConninfo(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\n\r\f\v'\\") {
		return v
	}
	var sb strings.Builder
	sb.WriteByte('\'')
	for i := 0; i < len(v); i++ {
		if v[i] == '\'' || v[i] == '\\' {
			sb.WriteByte('\\')
		}
		sb.WriteByte(v[i])
	}
	sb.WriteByte('\'')
	return sb.String()
}

// String describes c for logs and error messages: the API key and any proxy password are
// replaced by [redacted].
func (c Config) String() string {
	hadKey := c.APIKey != ""
	c.APIKey = ""
	if u, err := url.Parse(c.Proxy); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "redacted")
			c.Proxy = u.String()
		}
	}
	s := c.FormatKeyValueDSN()
	if hadKey {
		s = strings.TrimSpace("api_key=[redacted] " + s)
	}
	return stripeapi.RedactKey(s)
}
