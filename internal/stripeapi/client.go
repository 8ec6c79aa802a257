package stripeapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/form"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// Config says how a Client reaches Stripe. The zero value of every field but APIKey has a
// sensible default.
type Config struct {
	// APIKey is a secret (sk_test_…, sk_live_…) or restricted (rk_…) key. It is sent only in the
	// Authorization header and never appears in an error or a log line.
	APIKey string
	// BaseURL is the API's base URL; default https://api.stripe.com. Override it to talk to the
	// built-in emulator or to stripe-mock.
	BaseURL string
	// Account is a connected account id (acct_…) sent as Stripe-Account on every request, to act
	// as that account (Connect). Empty acts as the key's own account.
	Account string
	// Rate is the node's request budget in requests per second (default 6); see NewScheduler. It
	// is used only when Scheduler is nil.
	Rate float64
	// Scheduler is the node's request budget, shared fairly between statements. Every Client of a
	// process must share one, made by NewScheduler. When nil, the Client uses a process-wide
	// Scheduler for Rate, shared by every Client built with the same Rate.
	Scheduler *Scheduler
	// Cache holds the node's GET answers, for coalescing identical GETs in flight and for
	// sessions that accept stale pages (WithMaxStaleness). Every Client of a process should share
	// one; when nil, the Client uses a process-wide Cache of DefaultCacheEntries and
	// DefaultCacheBytes.
	Cache *Cache
	// Proxy is an HTTP(S) proxy URL, with optional basic auth (http://user:pass@host:port). Empty
	// uses the standard HTTP_PROXY, HTTPS_PROXY and NO_PROXY environment variables.
	Proxy string
	// Verbosity is 0 (silent) to 5: 1 errors, 2 also retries and budget waits, 3 also one line per
	// request (method, path, status, ms), 4 also parameters, 5 whole requests and responses.
	Verbosity int
	// Logger receives the log lines; nil means slog.Default(). Every line is redacted.
	Logger *slog.Logger
	// MaxRetryTime bounds the total time spent retrying one call after 429s, 5xx answers and
	// network failures (default 30 s).
	MaxRetryTime time.Duration
	// HTTPClient is an optional HTTP client; its Transport is wrapped by the budget and retries.
	HTTPClient *http.Client
	// NoCoalescing makes every GET send its own request even when an identical one is in flight.
	// It exists to measure what coalescing saves (docs/benchmarks.md) and to rule it out when
	// debugging; the cache still serves sessions that accept staleness.
	NoCoalescing bool
	// Observer, when set, is told of every request attempt, budget wait, cache hit and coalesced
	// GET (metrics).
	Observer Observer
}

// responseHeaderTimeout is how long one attempt waits for Stripe's answer to begin (stripe-go's
// own default client allows 80 s for a whole request).
const responseHeaderTimeout = 80 * time.Second

// DefaultMaxRetryTime bounds the retries of one call when Config.MaxRetryTime is zero.
const DefaultMaxRetryTime = 30 * time.Second

// Client is the real Backend: stripe-go v76 over an HTTP transport that holds the node's request
// budget and the retry policy, with GETs shared through the node's Cache. It is safe for
// concurrent use.
type Client struct {
	key      string
	account  string
	rate     float64
	backend  stripe.Backend
	tr       *transport
	cache    *Cache
	scope    string // cache key prefix: base URL and key digest (cacheKey adds the account)
	requests atomic.Int64
	redact   redactor
	observer Observer
	share    bool // coalesce identical GETs in flight (not Config.NoCoalescing)
}

var _ Backend = (*Client)(nil)

// keyShape accepts Stripe's secret and restricted keys. Stripe's own keys are letters and digits
// after the prefix; underscores are allowed too because emulator keys such as
// sk_test_stripesql_demo use them.
var keyShape = regexp.MustCompile(`^(sk|rk)_(test|live)_[0-9A-Za-z_]+$`)

// NewClient checks cfg and builds a Client. A key that is missing or not shaped like a secret or
// restricted key is refused with 28000 before any request is sent; the message never repeats it.
func NewClient(cfg Config) (*Client, error) {
	key := strings.TrimSpace(cfg.APIKey)
	switch {
	case key == "":
		return nil, sqlstate.New(sqlstate.InvalidAuthorization, "no stripe api key given").
			WithHint("set STRIPE_API_KEY to a secret key (sk_test_… or sk_live_…) or a restricted key (rk_…)")
	case strings.HasPrefix(key, "pk_"):
		return nil, sqlstate.New(sqlstate.InvalidAuthorization, "a publishable stripe key cannot read or change data").
			WithHint("use a secret key (sk_…) or a restricted key (rk_…)")
	case !keyShape.MatchString(key):
		return nil, sqlstate.New(sqlstate.InvalidAuthorization, "malformed stripe api key").
			WithDetail("a key starts with sk_test_, sk_live_, rk_test_ or rk_live_ followed by letters, digits and underscores").
			WithHint("copy the key again from the stripe dashboard")
	}
	if cfg.Verbosity < 0 || cfg.Verbosity > 5 {
		return nil, sqlstate.New(sqlstate.InvalidParameterValue, "verbosity must be between 0 and 5, not %d", cfg.Verbosity)
	}
	if cfg.Rate < 0 || math.IsNaN(cfg.Rate) || math.IsInf(cfg.Rate, 0) {
		return nil, sqlstate.New(sqlstate.InvalidParameterValue, "request rate must be a positive number of requests per second")
	}
	account := strings.TrimSpace(cfg.Account)
	if account != "" && !strings.HasPrefix(account, "acct_") {
		return nil, sqlstate.New(sqlstate.InvalidParameterValue, "stripe account must be an account id starting with acct_")
	}
	base := strings.TrimSpace(cfg.BaseURL)
	if base == "" {
		base = stripe.APIURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := "(unparsable)"
		if err == nil {
			shown = fmt.Sprintf("%q", RedactKey(u.Redacted()))
		}
		return nil, sqlstate.New(sqlstate.InvalidParameterValue, "invalid stripe api base url %s", shown).
			WithHint("give a url such as https://api.stripe.com or http://127.0.0.1:12111")
	}
	r := cfg.Rate
	if r == 0 {
		r = DefaultRate
	}
	sched := cfg.Scheduler
	if sched == nil {
		sched = nodeScheduler(r)
	}
	cache := cfg.Cache
	if cache == nil {
		cache = nodeCache
	}
	maxRetry := cfg.MaxRetryTime
	if maxRetry <= 0 {
		maxRetry = DefaultMaxRetryTime
	}
	red := redactor{key: key}
	lg := logger{v: cfg.Verbosity}
	if cfg.Verbosity > 0 {
		l := cfg.Logger
		if l == nil {
			l = slog.Default()
		}
		lg.l = slog.New(&redactHandler{inner: l.Handler(), r: red})
	}

	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		hc = &c
	}
	baseRT, err := baseTransport(hc.Transport, cfg.Proxy)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256([]byte(key))
	c := &Client{key: key, account: account, rate: r, redact: red, cache: cache, observer: cfg.Observer, share: !cfg.NoCoalescing,
		scope: base + "\x00" + hex.EncodeToString(digest[:8]) + "\x00"}
	_, traced := baseRT.(*http.Transport)
	c.tr = &transport{
		base:         baseRT,
		traced:       traced,
		sched:        sched,
		log:          lg,
		maxRetryTime: maxRetry,
		backoffBase:  500 * time.Millisecond,
		backoffMax:   8 * time.Second,
		requests:     &c.requests,
		observer:     cfg.Observer,
	}
	hc.Transport = c.tr
	c.backend = stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL:               stripe.String(base),
		HTTPClient:        hc,
		LeveledLogger:     stripeGoLogger{lg: lg},
		MaxNetworkRetries: stripe.Int64(0),
		EnableTelemetry:   stripe.Bool(false),
	})
	return c, nil
}

// baseTransport returns the transport under the budget: the given one (or Go's default), with
// the proxy from proxyURL or, when that is empty, from the environment.
func baseTransport(rt http.RoundTripper, proxyURL string) (http.RoundTripper, error) {
	if rt == nil {
		rt = http.DefaultTransport
	}
	ht, ok := rt.(*http.Transport)
	if !ok {
		if proxyURL != "" {
			return nil, sqlstate.New(sqlstate.InvalidParameterValue, "a proxy cannot be combined with a custom http transport")
		}
		return rt, nil
	}
	ht = ht.Clone()
	startConns(ht) // wire.go: HTTP/1 connections report when a request's bytes left
	// Keep a connection per concurrent caller: with Go's default of 2 idle connections per host,
	// busy scans keep dialling, which costs time and makes request starts (as Stripe sees them)
	// drift from the moments the budget granted them.
	if ht.MaxIdleConnsPerHost < 32 {
		ht.MaxIdleConnsPerHost = 32
	}
	// A Stripe that accepts the connection and never answers must not hold a query forever; the
	// timeout counts as a network failure, which is retried (writes with the same idempotency key).
	if ht.ResponseHeaderTimeout == 0 {
		ht.ResponseHeaderTimeout = responseHeaderTimeout
	}
	if proxyURL == "" {
		if ht.Proxy == nil {
			ht.Proxy = http.ProxyFromEnvironment
		}
		return ht, nil
	}
	u, err := url.Parse(proxyURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
		shown := "the given value"
		if err == nil {
			shown = fmt.Sprintf("%q", u.Redacted())
		}
		return nil, sqlstate.New(sqlstate.InvalidParameterValue, "invalid proxy url %s", shown).
			WithHint("give a url such as http://user:password@proxy.example.com:3128")
	}
	// Go's transport turns the URL's user and password into Proxy-Authorization, both for plain
	// HTTP requests through the proxy and for the CONNECT that tunnels HTTPS.
	ht.Proxy = http.ProxyURL(u)
	return ht, nil
}

// Requests returns how many HTTP requests this Client has sent, retries included; the figure the
// request budget counts.
func (c *Client) Requests() int64 { return c.requests.Load() }

// List fetches one page of a list endpoint (shared with an identical GET in flight, or from the
// cache when ctx accepts staleness; see Cache).
func (c *Client) List(ctx context.Context, path string, params url.Values) (*Page, error) {
	raw, err := c.get(ctx, path, params)
	if err != nil {
		return nil, err
	}
	return decodePage(raw, path)
}

// Search fetches one page of a search endpoint, shared like List.
func (c *Client) Search(ctx context.Context, path string, params url.Values) (*Page, error) {
	raw, err := c.get(ctx, path, params)
	if err != nil {
		return nil, err
	}
	return decodePage(raw, path)
}

// Retrieve fetches one object, shared like List.
func (c *Client) Retrieve(ctx context.Context, path string, params url.Values) (Object, error) {
	raw, err := c.get(ctx, path, params)
	if err != nil {
		return nil, err
	}
	return decodeObject(raw, path)
}

// Post creates, updates or runs an action, with the idempotency key kept across retries. It
// drops the node's cached GET answers (see Cache).
func (c *Client) Post(ctx context.Context, path string, params url.Values, idempotencyKey string) (Object, error) {
	raw, err := c.call(ctx, http.MethodPost, path, params, idempotencyKey)
	c.cache.invalidate()
	if err != nil {
		return nil, err
	}
	return decodeObject(raw, path)
}

// Delete deletes an object, with the idempotency key kept across retries. It drops the node's
// cached GET answers (see Cache).
func (c *Client) Delete(ctx context.Context, path string, params url.Values, idempotencyKey string) (Object, error) {
	raw, err := c.call(ctx, http.MethodDelete, path, params, idempotencyKey)
	c.cache.invalidate()
	if err != nil {
		return nil, err
	}
	return decodeObject(raw, path)
}

// get answers a GET from the cache when ctx accepts an answer of that age, else from an identical
// GET in flight, else with a request of its own. The body is shared: it is only ever decoded.
func (c *Client) get(ctx context.Context, path string, params url.Values) ([]byte, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, canceled(ctx, err)
	}
	key := c.cacheKey(ctx, path, params)
	maxAge := MaxStaleness(ctx)
	counters := CountersFrom(ctx)
	if maxAge > 0 {
		if body, ok := c.cache.lookup(key, maxAge); ok {
			if counters != nil {
				counters.cacheHits.Add(1)
			}
			if c.observer != nil {
				c.observer.CacheHit(Endpoint(path))
			}
			return body, nil
		}
	}
	body, joined, err := c.cache.do(ctx, key, c.share, maxAge > 0, func(ctx context.Context) ([]byte, error) {
		return c.call(ctx, http.MethodGet, path, params, "")
	})
	if err != nil && ctx.Err() != nil {
		return nil, canceled(ctx, ctx.Err())
	}
	if joined { // served by another caller's request, answer or error
		if counters != nil {
			counters.coalesced.Add(1)
		}
		if c.observer != nil {
			c.observer.Coalesced(Endpoint(path))
		}
	}
	if err != nil {
		return nil, copyError(err)
	}
	return body, nil
}

// cacheKey names a GET in the Cache: the base URL, the key's digest, the account the call acts
// as (accountFor: WithAccount's, else Config.Account), the path and the canonical parameters, so
// that two accounts never share a page.
func (c *Client) cacheKey(ctx context.Context, path string, params url.Values) string {
	return c.scope + c.accountFor(ctx) + "\x00" + path + "?" + formValues(params).Encode()
}

// copyError gives each caller of a shared GET its own error value, so that one caller adding
// detail to it cannot change what another one reports.
func copyError(err error) error {
	switch e := err.(type) {
	case *Error:
		c := *e
		return &c
	case *sqlstate.Error:
		c := *e
		return &c
	}
	return err
}

// rawResponse keeps the JSON body of an answer for our own decoding (objects as maps with
// json.Number), instead of a stripe-go struct.
type rawResponse struct {
	body []byte
	resp *stripe.APIResponse
}

func (r *rawResponse) SetLastResponse(resp *stripe.APIResponse) { r.resp = resp }

func (r *rawResponse) UnmarshalJSON(b []byte) error {
	r.body = append([]byte(nil), b...)
	return nil
}

// accountFor is the account a call on ctx acts as: the context's (WithAccount), else the
// Client's own (Config.Account), else "" for the key's account.
func (c *Client) accountFor(ctx context.Context) string {
	if id := AccountFrom(ctx); id != "" {
		return id
	}
	return c.account
}

// call sends one request through stripe-go and turns every failure into the error a user sees.
func (c *Client) call(ctx context.Context, method, path string, params url.Values, idemKey string) ([]byte, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if !strings.HasPrefix(path, "/v1/") || strings.ContainsAny(path, "?#") {
		return nil, sqlstate.New(sqlstate.InternalError, "stripe: bad api path %q", RedactKey(path))
	}
	p := &stripe.Params{}
	if method != http.MethodGet {
		idemKey = strings.TrimSpace(idemKey)
		if idemKey == "" {
			return nil, sqlstate.New(sqlstate.InternalError, "stripe: %s %s without an idempotency key", method, path)
		}
		if len(idemKey) > 255 {
			return nil, sqlstate.New(sqlstate.InvalidParameterValue, "stripe: idempotency key longer than 255 characters")
		}
		p.IdempotencyKey = stripe.String(idemKey)
	}
	if account := c.accountFor(ctx); account != "" {
		p.StripeAccount = stripe.String(account)
	}
	if err := ctx.Err(); err != nil {
		return nil, canceled(ctx, err)
	}
	ctx, st := withCallState(ctx)
	p.Context = ctx
	var out rawResponse
	err := c.backend.CallRaw(method, path, c.key, formValues(params), p, &out)
	if err != nil {
		return nil, c.mapError(ctx, err, st, method, path)
	}
	if out.body == nil {
		return nil, sqlstate.New(sqlstate.SystemError, "stripe: empty answer to %s %s", method, path)
	}
	return out.body, nil
}

// formValues turns url.Values into stripe-go's ordered form, keys sorted so that a request is
// always encoded the same way (idempotent replays compare parameters).
func formValues(params url.Values) *form.Values {
	f := &form.Values{}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range params[k] {
			f.Add(k, v)
		}
	}
	return f
}

// mapError turns what stripe-go returned into the contract's errors: *Error for Stripe's error
// answers, *sqlstate.Error for cancellation (57014), rate limiting after retries (53000) and
// network failure (58000).
func (c *Client) mapError(ctx context.Context, err error, st *callState, method, path string) error {
	if se, ok := sqlstate.As(err); ok {
		return se
	}
	if ctx.Err() != nil {
		return canceled(ctx, ctx.Err())
	}
	var serr *stripe.Error
	if errors.As(err, &serr) {
		e := &Error{
			Status:      serr.HTTPStatusCode,
			Type:        string(serr.Type),
			Code:        string(serr.Code),
			DeclineCode: string(serr.DeclineCode),
			Param:       serr.Param,
			Message:     c.redact.redact(serr.Msg),
			RequestID:   serr.RequestID,
		}
		if e.Status == 0 {
			e.Status = st.status
		}
		if e.Status == http.StatusTooManyRequests {
			return c.rateLimited(e, st)
		}
		return e
	}
	if st.status >= 400 {
		// An answer that is not Stripe's error JSON, such as a proxy's 502 page.
		e := &Error{Status: st.status, Type: "api_error", Message: strings.ToLower(http.StatusText(st.status)), RequestID: st.requestID}
		if e.Status == http.StatusTooManyRequests {
			return c.rateLimited(e, st)
		}
		return e
	}
	return sqlstate.New(sqlstate.SystemError, "stripe: could not complete %s %s: %s", method, path, c.redact.redact(err.Error()))
}

// rateLimited is the 53000 error for a 429 that retries did not get past.
func (c *Client) rateLimited(e *Error, st *callState) error {
	se := sqlstate.New(sqlstate.InsufficientResources, "stripe rate limit exceeded after %d retries", st.retries)
	detail := "Stripe answered 429"
	if e.Code != "" {
		detail += " (" + e.Code + ")"
	}
	if st.shouldRetry == "false" {
		detail += " with Stripe-Should-Retry: false"
	}
	if e.RequestID != "" {
		detail += ", request_id=" + e.RequestID
	}
	se.Detail = detail
	se.Hint = fmt.Sprintf("lower --rate (now %g requests per second) so that this node stays under the account's stripe limit, or retry later", c.rate)
	return se
}

// decodeObject decodes one object, numbers as json.Number.
func decodeObject(raw []byte, path string) (Object, error) {
	var obj Object
	if err := decodeJSON(raw, &obj); err != nil || obj == nil {
		return nil, sqlstate.New(sqlstate.SystemError, "stripe: malformed answer from %s", path)
	}
	return obj, nil
}

// decodePage decodes a list or search_result answer.
func decodePage(raw []byte, path string) (*Page, error) {
	var env struct {
		Object   string          `json:"object"`
		Data     json.RawMessage `json:"data"`
		HasMore  bool            `json:"has_more"`
		NextPage *string         `json:"next_page"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || env.Data == nil {
		return nil, sqlstate.New(sqlstate.SystemError, "stripe: %s did not answer with a list", path)
	}
	p := &Page{HasMore: env.HasMore}
	if err := decodeJSON(env.Data, &p.Data); err != nil {
		return nil, sqlstate.New(sqlstate.SystemError, "stripe: malformed list from %s", path)
	}
	if env.NextPage != nil {
		p.NextPage = *env.NextPage
	}
	return p, nil
}

func decodeJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after json value")
	}
	return nil
}
