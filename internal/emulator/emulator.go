package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Scale is the size of the seeded data set, counted in charges.
type Scale int

// Seed sizes. Other objects (customers, subscriptions, invoices, refunds, …) scale with the charges.
const (
	ScaleNone   Scale = 0
	ScaleSmall  Scale = 500
	ScaleMedium Scale = 10_000
	ScaleLarge  Scale = 100_000
)

// ScaleN is a data set of exactly n charges.
func ScaleN(n int) Scale { return Scale(n) }

// ParseScale reads a --scale flag: none, small, medium, large or a number of charges.
func ParseScale(s string) (Scale, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "none", "empty":
		return ScaleNone, nil
	case "small", "demo", "":
		return ScaleSmall, nil
	case "medium":
		return ScaleMedium, nil
	case "large":
		return ScaleLarge, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 5_000_000 {
		return 0, fmt.Errorf("invalid scale %q: want none, small, medium, large or a number of charges up to 5000000", s)
	}
	return ScaleN(n), nil
}

// Config configures an Emulator.
type Config struct {
	// Seed makes the seeded data and generated ids deterministic.
	Seed int64
	// Scale is how much data to seed.
	Scale Scale
	// Latency is added to every API request, to make slow-network behaviour visible in tests and demos.
	Latency time.Duration
	// RateLimit is the number of API requests per second accepted before answering 429 the way
	// Stripe does (0 = unlimited).
	RateLimit int
	// FailAfterApply is the fraction (0..1) of mutating requests that are applied and then answered
	// with a 500 or a dropped connection, to prove that clients retry safely with idempotency keys.
	FailAfterApply float64
	// FailMode is "500", "drop" or "mixed" (default "500").
	FailMode string
	// Now is the clock (default time.Now). Seeded objects are created during the two years before it.
	Now func() time.Time
	// ConnectedAccounts is how many Connect accounts to seed. Each has its own deterministic data
	// (AccountScale charges, created since the account was), read and written with a
	// Stripe-Account header; GET /v1/accounts lists them.
	ConnectedAccounts int
	// AccountScale is the size of connected account i's data (0-based, in creation order); nil
	// gives DefaultAccountScale. The platform's own data stays Scale.
	AccountScale func(i int) Scale
}

// Request is one API request as the emulator received it, for tests that assert calls.
type Request struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	// Account is the Stripe-Account header the request carried ("" for the platform).
	Account string     `json:"account,omitempty"`
	Query   url.Values `json:"query"`
	Body    url.Values `json:"body"`
	Time    time.Time  `json:"time"`
	// Received is the wall-clock time the request arrived, whatever Config.Now says, so tests
	// can measure request rates (Time follows the emulator's clock).
	Received       time.Time `json:"received"`
	IdempotencyKey string    `json:"idempotency_key,omitempty"`
	Status         int       `json:"status"`
	RequestID      string    `json:"request_id"`
}

// idemRecord is a stored answer to an idempotent request.
type idemRecord struct {
	at          time.Time
	fingerprint string
	status      int
	body        []byte
}

// Emulator is a stateful, in-memory Stripe API. It is safe for concurrent use: reads share a lock,
// writes (and everything they cause: events, idempotency records) hold it exclusively.
type Emulator struct {
	cfg     Config
	now     func() time.Time
	limiter *rate.Limiter

	// A connected account is an Emulator of its own data under the platform's (root's) lock,
	// codec, clock and request log; accounts (on the platform) holds them by id.
	root     *Emulator
	accounts map[string]*Emulator
	// self is the account object this emulator answers GET /v1/account with: the platform's own,
	// or the connected account's entry in the platform's accounts.
	self *entry
	// since is when the account's seeded history begins.
	since int64
	res   []*resource

	mu       sync.RWMutex
	cd       *codec
	rng      *rand.Rand
	seq      uint64
	colls    map[string]*collection // by resource name
	byPath   map[string]*collection // by list path ("/v1/charges")
	idem     map[string]*idemRecord
	faultRng *rand.Rand

	others []inventoryList
	// curRequest is the request being applied (under mu), so events can name it.
	curRequest *Request
	// seeding is true while New builds the seed data (no events are emitted for it).
	seeding bool
	// invoiceNo numbers finalized invoices.
	invoiceNo int
	quoteNo   int
	// priceRefs caches rendered prices embedded in line and subscription items (shared, immutable).
	priceRefs map[string]map[string]any
	// linesByInvoice and itemsBySub index child objects by parent id, oldest first, so rendering an
	// invoice or subscription does not scan every line or item.
	linesByInvoice map[string][]*entry
	itemsBySub     map[string][]*entry
	// cardDetails shares one payment_method_details map per test card (immutable once built).
	cardDetails map[card]map[string]any

	logMu  sync.Mutex
	log    []Request
	reqSeq uint64
}

// New builds an emulator and seeds it deterministically from cfg.Seed.
func New(cfg Config) (*Emulator, error) {
	if cfg.Scale < 0 {
		return nil, fmt.Errorf("emulator: negative scale %d", cfg.Scale)
	}
	if cfg.FailAfterApply < 0 || cfg.FailAfterApply > 1 {
		return nil, fmt.Errorf("emulator: fail-after-apply fraction %v outside 0..1", cfg.FailAfterApply)
	}
	switch cfg.FailMode {
	case "", "500", "drop", "mixed":
	default:
		return nil, fmt.Errorf("emulator: unknown fail mode %q (want 500, drop or mixed)", cfg.FailMode)
	}
	if cfg.ConnectedAccounts < 0 || cfg.ConnectedAccounts > maxConnectedAccounts {
		return nil, fmt.Errorf("emulator: %d connected accounts outside 0..%d", cfg.ConnectedAccounts, maxConnectedAccounts)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	e := newStore(cfg, nil, coreResources(), otherLists(), newCodec())
	e.faultRng = rand.New(rand.NewPCG(uint64(cfg.Seed), 0xfa17))
	e.accounts = map[string]*Emulator{}
	if cfg.RateLimit > 0 {
		e.limiter = rate.NewLimiter(rate.Limit(cfg.RateLimit), cfg.RateLimit)
	}
	e.since = e.now().Unix() - 2*365*86400
	objects := int(cfg.Scale) * 4 // a charge brings its intent, balance transaction and a share of the rest
	for i := 0; i < cfg.ConnectedAccounts; i++ {
		objects += 4*int(e.accountScale(i)) + 300 // and every account its payouts and catalog
	}
	e.cd.startSeeding(objects)
	stores := e.connectAccounts(e.planAccounts())
	e.seed()
	seedAccounts(stores)
	e.cd.stopSeeding()
	return e, nil
}

// newStore builds an empty emulator (the platform when root is nil, else a connected account of
// root) over shared resource descriptions and codec.
func newStore(cfg Config, root *Emulator, res []*resource, others []inventoryList, cd *codec) *Emulator {
	e := &Emulator{
		cfg:            cfg,
		now:            cfg.Now,
		root:           root,
		res:            res,
		rng:            rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed)),
		colls:          make(map[string]*collection, len(res)),
		byPath:         make(map[string]*collection, len(res)),
		idem:           map[string]*idemRecord{},
		priceRefs:      map[string]map[string]any{},
		linesByInvoice: map[string][]*entry{},
		itemsBySub:     map[string][]*entry{},
		cardDetails:    map[card]map[string]any{},
		others:         others,
		cd:             cd,
	}
	for _, r := range res {
		c := newCollection(r)
		e.colls[r.name] = c
		if r.parentRes == "" {
			e.byPath[r.path] = c
		}
	}
	return e
}

// Start runs an emulator on a fresh 127.0.0.1 port and returns it with its base URL and a stop
// function, like httptest.NewServer.
func Start(cfg Config) (*Emulator, string, func(), error) {
	e, err := New(cfg)
	if err != nil {
		return nil, "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}
	return e, "http://" + ln.Addr().String(), stop, nil
}

// Requests returns a copy of the request log, oldest first; a connected account's store
// (Account) returns only the requests made with its Stripe-Account header. The log keeps at
// most the last 100,000 requests (older ones are dropped in halves).
func (e *Emulator) Requests() []Request {
	if e.root != nil {
		var out []Request
		for _, r := range e.root.Requests() {
			if r.Account == e.self.id() {
				out = append(out, r)
			}
		}
		return out
	}
	e.logMu.Lock()
	defer e.logMu.Unlock()
	out := make([]Request, len(e.log))
	copy(out, e.log)
	return out
}

// ResetRequests clears the request log (all of it, from any account's store).
func (e *Emulator) ResetRequests() {
	if e.root != nil {
		e.root.ResetRequests()
		return
	}
	e.logMu.Lock()
	e.log = nil
	e.logMu.Unlock()
}

// Objects returns a snapshot of every live object of a resource ("charges", "customers", …) as the
// API would render it, newest first, for differential tests. Unknown resources return nil.
func (e *Emulator) Objects(resource string) []map[string]any {
	e.rw().RLock()
	defer e.rw().RUnlock()
	c := e.colls[resource]
	if c == nil {
		return nil
	}
	out := make([]map[string]any, 0, len(c.order))
	for i := len(c.order) - 1; i >= 0; i-- {
		out = append(out, normalize(e.render(c, c.order[i])))
	}
	return out
}

// Count returns how many objects a resource holds (0 for resources the emulator does not keep),
// without rendering them.
func (e *Emulator) Count(resource string) int {
	e.rw().RLock()
	defer e.rw().RUnlock()
	if c := e.colls[resource]; c != nil {
		return len(c.order)
	}
	return 0
}

// normalize round-trips a rendered object through JSON so callers get plain JSON values
// (float64 numbers, []any, map[string]any), exactly what a client decoding the API would see.
func normalize(m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		return m
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return m
	}
	return out
}

// apiError is an error answer in Stripe's shape.
type apiError struct {
	status      int
	typ         string
	code        string
	message     string
	param       string
	declineCode string
	charge      string         // the failed charge, on card errors
	extra       map[string]any // more fields of the error object (a card error's payment_intent)
}

func (a *apiError) body() map[string]any {
	m := map[string]any{"type": a.typ, "message": a.message}
	if a.code != "" {
		m["code"] = a.code
		m["doc_url"] = "https://stripe.com/docs/error-codes/" + strings.ReplaceAll(a.code, "_", "-")
	}
	if a.param != "" {
		m["param"] = a.param
	}
	if a.declineCode != "" {
		m["decline_code"] = a.declineCode
	}
	if a.charge != "" {
		m["charge"] = a.charge
	}
	for k, v := range a.extra {
		m[k] = v
	}
	return map[string]any{"error": m}
}

func invalid(param, format string, args ...any) *apiError {
	return &apiError{status: 400, typ: "invalid_request_error", param: param, message: fmt.Sprintf(format, args...)}
}

func missing(objType, id string) *apiError {
	return &apiError{status: 404, typ: "invalid_request_error", code: "resource_missing", param: "id",
		message: fmt.Sprintf("No such %s: '%s'", objType, id)}
}

func unrecognized(method, path string) *apiError {
	return &apiError{status: 404, typ: "invalid_request_error",
		message: fmt.Sprintf("Unrecognized request URL (%s: %s). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.", method, path)}
}

// response is a finished answer: status and JSON body, or a dropped connection.
type response struct {
	status   int
	body     []byte
	drop     bool
	replayed bool
}

func marshalAnswer(status int, v any) response {
	if ae, ok := v.(*apiError); ok {
		status = ae.status
		v = ae.body()
	}
	b, err := appendJSON(make([]byte, 0, 4096), v)
	if err != nil {
		status = 500
		b, _ = json.Marshal((&apiError{status: 500, typ: "api_error", message: "An unknown error occurred"}).body())
	}
	return response{status: status, body: b}
}

const maxBody = 1 << 20

// ServeHTTP answers the Stripe API under /v1/ and the emulator's own control endpoints under
// /_emulator/ (the request log).
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := e.newRequestID()
	w.Header().Set("Request-Id", reqID)
	if strings.HasPrefix(r.URL.Path, "/_emulator/") {
		e.serveControl(w, r)
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	rec := Request{Method: r.Method, Path: r.URL.Path, Account: r.Header.Get("Stripe-Account"), Time: e.now(),
		Received: time.Now(), IdempotencyKey: r.Header.Get("Idempotency-Key"), RequestID: reqID}
	var resp response
	switch {
	case err != nil:
		resp = marshalAnswer(0, invalid("", "Could not read the request body"))
	case len(raw) > maxBody:
		resp = marshalAnswer(0, invalid("", "The request body is too large"))
	default:
		resp = e.serve(r, raw, &rec)
	}
	rec.Status = resp.status
	if resp.drop {
		rec.Status = 0
	}
	e.logMu.Lock()
	if len(e.log) >= maxLog {
		e.log = append(e.log[:0:0], e.log[maxLog/2:]...)
	}
	e.log = append(e.log, rec)
	e.logMu.Unlock()
	if resp.drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // closes the connection without an answer
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Stripe-Version", "2023-10-16")
	if resp.replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	if resp.status == http.StatusTooManyRequests {
		w.Header().Set("Stripe-Should-Retry", "true")
		w.Header().Set("Retry-After", "1")
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

func (e *Emulator) newRequestID() string {
	e.logMu.Lock()
	e.reqSeq++
	n := e.reqSeq
	e.logMu.Unlock()
	return fmt.Sprintf("req_emu%017d", n)
}

// serve runs one API request: latency, auth, rate limit, idempotency, then the route.
func (e *Emulator) serve(r *http.Request, raw []byte, rec *Request) response {
	if e.cfg.Latency > 0 {
		t := time.NewTimer(e.cfg.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return marshalAnswer(0, invalid("", "Invalid query string"))
	}
	body, err := url.ParseQuery(string(raw))
	if err != nil {
		return marshalAnswer(0, invalid("", "Invalid request body"))
	}
	rec.Query, rec.Body = query, body
	if ae := checkAuth(r); ae != nil {
		return marshalAnswer(0, ae)
	}
	if e.limiter != nil && !e.limiter.Allow() {
		return marshalAnswer(0, &apiError{status: 429, typ: "invalid_request_error", code: "rate_limit",
			message: "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits."})
	}
	all := url.Values{}
	for k, v := range query {
		all[k] = append(all[k], v...)
	}
	for k, v := range body {
		all[k] = append(all[k], v...)
	}
	params, err := DecodeForm(all)
	if err != nil {
		fe, _ := err.(*formError)
		param := ""
		if fe != nil {
			param = fe.param
		}
		return marshalAnswer(0, invalid(param, "%s", err.Error()))
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	if r.Method == http.MethodGet {
		e.mu.RLock()
		defer e.mu.RUnlock()
		t, ae := e.target(rec.Account)
		if ae != nil {
			return marshalAnswer(0, ae)
		}
		return marshalAnswer(t.route(r.Method, path, params))
	}
	if r.Method != http.MethodPost && r.Method != http.MethodDelete {
		return marshalAnswer(0, unrecognized(r.Method, r.URL.Path))
	}
	key := rec.IdempotencyKey
	e.mu.Lock()
	defer e.mu.Unlock()
	// t is the store the request acts on; idempotency keys are its own, as Stripe scopes them
	// per account.
	t, ae := e.target(rec.Account)
	if ae != nil {
		return marshalAnswer(0, ae)
	}
	fp := ""
	if key != "" {
		if len(key) > 255 {
			return marshalAnswer(0, invalid("", "Idempotency-Key header must be at most 255 characters long"))
		}
		fp = fingerprint(r.Method, path, all)
		if old := t.idem[key]; old != nil && e.now().Sub(old.at) <= idemTTL {
			if old.fingerprint != fp {
				return marshalAnswer(0, &apiError{status: 400, typ: "idempotency_error",
					message: fmt.Sprintf("Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '%s' if you meant to execute a different request.", key)})
			}
			return response{status: old.status, body: old.body, replayed: true}
		}
	}
	t.curRequest = rec
	var status int
	var v any
	if ae := checkPostParams(path, params); ae != nil && r.Method == http.MethodPost {
		v = ae
	} else {
		status, v = t.route(r.Method, path, params)
	}
	t.curRequest = nil
	e.cd.flush()
	resp := marshalAnswer(status, v)
	stored := resp
	if resp.status < 400 && e.cfg.FailAfterApply > 0 && e.faultRng.Float64() < e.cfg.FailAfterApply {
		mode := e.cfg.FailMode
		if mode == "mixed" {
			mode = "500"
			if e.faultRng.IntN(2) == 0 {
				mode = "drop"
			}
		}
		if mode == "drop" {
			// The change is applied and its real answer stored; the client just never sees it,
			// so a retry with the same key gets the original answer.
			resp = response{drop: true}
		} else {
			resp = marshalAnswer(0, &apiError{status: 500, typ: "api_error",
				message: "An unknown error occurred while processing this request (injected by the emulator after the change was applied)"})
			stored = resp
		}
	}
	// Like Stripe, validation failures are not saved (the key can be retried with fixed
	// parameters); successes, card declines and server errors are.
	if key != "" && stored.status != 0 && (stored.status < 400 || stored.status == http.StatusPaymentRequired || stored.status >= 500) {
		t.storeIdem(key, &idemRecord{at: e.now(), fingerprint: fp, status: stored.status, body: stored.body})
	}
	return resp
}

// idemTTL is how long an idempotency key is remembered, like Stripe's 24 hours.
const idemTTL = 24 * time.Hour

// storeIdem remembers an answer under its key, pruning expired keys now and then so a long-running
// emulator does not grow without bound.
func (e *Emulator) storeIdem(key string, rec *idemRecord) {
	if len(e.idem)%1024 == 1023 {
		for k, old := range e.idem {
			if rec.at.Sub(old.at) > idemTTL {
				delete(e.idem, k)
			}
		}
	}
	e.idem[key] = rec
}

// maxLog bounds the request log; beyond it the oldest half is dropped.
const maxLog = 100_000

// fingerprint identifies a request's method, path and parameters for idempotency checks.
func fingerprint(method, path string, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", method, path)
	for _, k := range keys {
		for _, v := range params[k] {
			fmt.Fprintf(h, "%q=%q\n", k, v)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// checkAuth accepts any test-mode secret or restricted key, as Bearer or as the basic-auth user.
// The key itself never appears in an answer.
func checkAuth(r *http.Request) *apiError {
	h := r.Header.Get("Authorization")
	if h == "" {
		return &apiError{status: 401, typ: "invalid_request_error",
			message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/."}
	}
	key := ""
	switch {
	case strings.HasPrefix(h, "Bearer "):
		key = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	case strings.HasPrefix(h, "Basic "):
		dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(h, "Basic ")))
		if err == nil {
			key, _, _ = strings.Cut(string(dec), ":")
		}
	}
	if (strings.HasPrefix(key, "sk_test_") || strings.HasPrefix(key, "rk_test_")) && len(key) > len("sk_test_") {
		return nil
	}
	return &apiError{status: 401, typ: "invalid_request_error", code: "api_key_invalid",
		message: "Invalid API Key provided: the emulator accepts any test-mode key (sk_test_…)"}
}

// serveControl answers GET and DELETE /_emulator/requests.
func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path != "/_emulator/requests" {
		w.WriteHeader(404)
		_ = json.NewEncoder(w).Encode(unrecognized(r.Method, r.URL.Path).body())
		return
	}
	switch r.Method {
	case http.MethodGet:
		reqs := e.Requests()
		_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": reqs, "count": len(reqs)})
	case http.MethodDelete:
		e.ResetRequests()
		_ = json.NewEncoder(w).Encode(map[string]any{"deleted": true})
	default:
		w.WriteHeader(405)
		_ = json.NewEncoder(w).Encode(invalid("", "use GET or DELETE on /_emulator/requests").body())
	}
}
