package stripeapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

func codeOf(err error) string {
	if se, ok := sqlstate.As(err); ok {
		return se.Code
	}
	return ""
}

func TestRateLimitRetryAfterThenSuccess(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 0 {
			writeJSON(w, 429, rateLimitErr, "Retry-After", "1")
			return
		}
		writeJSON(w, 200, okCustomer)
	})
	c := testClient(t, f.URL, nil)
	obj, err := c.Retrieve(context.Background(), "/v1/customers/cus_1", nil)
	if err != nil {
		t.Fatalf("Retrieve: %v", err)
	}
	if diff := cmp.Diff("cus_1", obj["id"]); diff != "" {
		t.Errorf("id (-want +got):\n%s", diff)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("server saw %d requests, want 2", len(reqs))
	}
	// The back-off is 10-20 ms, so a gap of a second can only come from Retry-After.
	if gap := reqs[1].At.Sub(reqs[0].At); gap < time.Second {
		t.Errorf("retry came %v after the 429, want at least the 1s of Retry-After", gap)
	}
	if got := c.Requests(); got != 2 {
		t.Errorf("Requests() = %d, want 2 (retries count)", got)
	}
}

func TestShouldRetryFalseIsNotRetried(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 429, rateLimitErr, "Stripe-Should-Retry", "false", "Request-Id", "req_429")
	})
	c := testClient(t, f.URL, nil)
	_, err := c.List(context.Background(), "/v1/customers", nil)
	if got := codeOf(err); got != sqlstate.InsufficientResources {
		t.Fatalf("error %v has code %q, want 53000", err, got)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1 (Stripe-Should-Retry: false)", n)
	}
	se, _ := sqlstate.As(err)
	if !strings.Contains(se.Detail, "Stripe-Should-Retry: false") || !strings.Contains(se.Detail, "req_429") {
		t.Errorf("detail %q should name the header and the request id", se.Detail)
	}
}

func TestRateLimitRetriesExhausted(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 429, rateLimitErr)
	})
	c := testClient(t, f.URL, func(cfg *Config) { cfg.MaxRetryTime = 300 * time.Millisecond })
	start := time.Now()
	_, err := c.List(context.Background(), "/v1/charges", url.Values{"limit": {"100"}})
	took := time.Since(start)
	se, ok := sqlstate.As(err)
	if !ok || se.Code != sqlstate.InsufficientResources {
		t.Fatalf("got %v, want a 53000 error", err)
	}
	n := len(f.requests())
	if n < 3 {
		t.Errorf("server saw %d requests, want several retries within 300ms", n)
	}
	want := "stripe rate limit exceeded after " + itoa(n-1) + " retries"
	if diff := cmp.Diff(want, se.Message); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	if !strings.Contains(se.Hint, "--rate") {
		t.Errorf("hint %q should mention --rate", se.Hint)
	}
	if took > 2*time.Second {
		t.Errorf("took %v, want the retries bounded by MaxRetryTime (300ms)", took)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestWritesKeepIdempotencyKeyAcrossRetries(t *testing.T) {
	tests := []struct {
		name   string
		method string
		fail   func(w http.ResponseWriter)
	}{
		{"post after 500", http.MethodPost, func(w http.ResponseWriter) { writeJSON(w, 500, serverErr) }},
		{"post after 429", http.MethodPost, func(w http.ResponseWriter) { writeJSON(w, 429, rateLimitErr) }},
		{"post after dropped connection", http.MethodPost, dropConnection},
		{"delete after 503", http.MethodDelete, func(w http.ResponseWriter) { writeJSON(w, 503, serverErr) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n < 2 {
					tt.fail(w)
					return
				}
				writeJSON(w, 200, okCustomer)
			})
			c := testClient(t, f.URL, nil)
			params := url.Values{"metadata[plan]": {"gold"}, "email": {"a@example.com"}}
			var err error
			if tt.method == http.MethodPost {
				_, err = c.Post(context.Background(), "/v1/customers/cus_1", params, "idem-123")
			} else {
				_, err = c.Delete(context.Background(), "/v1/customers/cus_1", nil, "idem-123")
			}
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			var keys, bodies []string
			for _, r := range f.requests() {
				keys = append(keys, r.Header.Get("Idempotency-Key"))
				bodies = append(bodies, r.Body)
			}
			if diff := cmp.Diff([]string{"idem-123", "idem-123", "idem-123"}, keys); diff != "" {
				t.Errorf("idempotency keys (-want +got):\n%s", diff)
			}
			if tt.method == http.MethodPost {
				b := "email=a%40example.com&metadata[plan]=gold"
				if diff := cmp.Diff([]string{b, b, b}, bodies); diff != "" {
					t.Errorf("bodies (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// dropConnection closes the connection without an answer: a network failure for the client.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func TestWritesNeedIdempotencyKey(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, okCustomer) })
	c := testClient(t, f.URL, nil)
	if _, err := c.Post(context.Background(), "/v1/customers", nil, ""); codeOf(err) != sqlstate.InternalError {
		t.Errorf("Post without key: %v, want XX000", err)
	}
	if _, err := c.Delete(context.Background(), "/v1/customers/cus_1", nil, " "); codeOf(err) != sqlstate.InternalError {
		t.Errorf("Delete without key: %v, want XX000", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("server saw %d requests, want none", n)
	}
}

func TestServerErrorsOnGet(t *testing.T) {
	t.Run("retried then success", func(t *testing.T) {
		f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 0 {
				writeJSON(w, 502, `<html>bad gateway</html>`)
				return
			}
			if n == 1 {
				writeJSON(w, 500, serverErr)
				return
			}
			writeJSON(w, 200, `{"object":"list","data":[{"id":"ch_1","amount":1099}],"has_more":true,"url":"/v1/charges"}`)
		})
		c := testClient(t, f.URL, nil)
		page, err := c.List(context.Background(), "/v1/charges", nil)
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		want := &Page{Data: []Object{{"id": "ch_1", "amount": json.Number("1099")}}, HasMore: true}
		if diff := cmp.Diff(want, page); diff != "" {
			t.Errorf("page (-want +got):\n%s", diff)
		}
		if n := len(f.requests()); n != 3 {
			t.Errorf("server saw %d requests, want 3", n)
		}
	})
	t.Run("exhausted is 58000", func(t *testing.T) {
		f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 500, serverErr, "Request-Id", "req_500")
		})
		c := testClient(t, f.URL, func(cfg *Config) { cfg.MaxRetryTime = 150 * time.Millisecond })
		_, err := c.Retrieve(context.Background(), "/v1/charges/ch_1", nil)
		var se *Error
		if !errors.As(err, &se) {
			t.Fatalf("got %T %v, want *Error", err, err)
		}
		if diff := cmp.Diff(&Error{Status: 500, Type: "api_error", Message: "Something went wrong on Stripe's end.", RequestID: "req_500"}, se); diff != "" {
			t.Errorf("error (-want +got):\n%s", diff)
		}
		if got := codeOf(err); got != sqlstate.SystemError {
			t.Errorf("code %q, want 58000", got)
		}
		if n := len(f.requests()); n < 2 {
			t.Errorf("server saw %d requests, want retries", n)
		}
	})
}

func TestNetworkFailureIs58000(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: every attempt is refused
	c := testClient(t, "http://"+addr, func(cfg *Config) { cfg.MaxRetryTime = 100 * time.Millisecond })
	_, err = c.List(context.Background(), "/v1/customers", nil)
	se, ok := sqlstate.As(err)
	if !ok || se.Code != sqlstate.SystemError {
		t.Fatalf("got %v, want 58000", err)
	}
	if !strings.HasPrefix(se.Message, "could not reach stripe after ") {
		t.Errorf("message %q", se.Message)
	}
	if strings.Contains(err.Error(), testKey) || strings.Contains(se.Detail+se.Hint, testKey) {
		t.Errorf("error carries the key: %v", err)
	}
	if c.Requests() < 2 {
		t.Errorf("Requests() = %d, want retries", c.Requests())
	}
}

func TestCancellationIs57014(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, okCustomer) })
	t.Run("cancel during limiter wait", func(t *testing.T) {
		lim := NewScheduler(0.1) // one start per 10 s
		c := testClient(t, f.URL, func(cfg *Config) { cfg.Scheduler = lim })
		if _, err := c.Retrieve(context.Background(), "/v1/customers/cus_1", nil); err != nil {
			t.Fatalf("first call: %v", err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.Retrieve(ctx, "/v1/customers/cus_1", nil)
		if got := codeOf(err); got != sqlstate.QueryCanceled {
			t.Fatalf("got %v, want 57014", err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("cancellation took %v, want it prompt", took)
		}
		if n := c.Requests(); n != 1 {
			t.Errorf("Requests() = %d, want 1 (the cancelled call never started)", n)
		}
	})
	t.Run("deadline shorter than limiter wait", func(t *testing.T) {
		lim := NewScheduler(0.1)
		c := testClient(t, f.URL, func(cfg *Config) { cfg.Scheduler = lim })
		if _, err := c.Retrieve(context.Background(), "/v1/customers/cus_1", nil); err != nil {
			t.Fatalf("first call: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Retrieve(ctx, "/v1/customers/cus_1", nil)
		se, ok := sqlstate.As(err)
		if !ok || se.Code != sqlstate.QueryCanceled {
			t.Fatalf("got %v, want 57014", err)
		}
		if !strings.Contains(se.Message, "timeout") {
			t.Errorf("message %q should say timeout", se.Message)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("took %v, want prompt", took)
		}
	})
	t.Run("cancel during back-off", func(t *testing.T) {
		slow := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 429, rateLimitErr, "Retry-After", "30")
		})
		c := testClient(t, slow.URL, func(cfg *Config) { cfg.MaxRetryTime = time.Minute })
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.List(ctx, "/v1/customers", nil)
		if got := codeOf(err); got != sqlstate.QueryCanceled {
			t.Fatalf("got %v, want 57014", err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("took %v, want prompt", took)
		}
	})
	t.Run("cancel while stripe is answering", func(t *testing.T) {
		hang := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		})
		c := testClient(t, hang.URL, nil)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.Post(ctx, "/v1/customers", url.Values{"name": {"x"}}, "k-hang")
		if got := codeOf(err); got != sqlstate.QueryCanceled {
			t.Fatalf("got %v, want 57014", err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("took %v, want prompt", took)
		}
		if n := len(hang.requests()); n != 1 {
			t.Errorf("server saw %d requests, want 1 (no retry after cancellation)", n)
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		c := testClient(t, f.URL, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := c.Retrieve(ctx, "/v1/customers/cus_1", nil); codeOf(err) != sqlstate.QueryCanceled {
			t.Fatalf("got %v, want 57014", err)
		}
	})
}

func TestHeaders(t *testing.T) {
	tests := []struct {
		name    string
		account string
		ctxAcct string // set with WithAccount on the call's context
		method  string
		want    map[string]string
	}{
		{"connect account", "acct_123", "", http.MethodGet, map[string]string{
			"Stripe-Account": "acct_123", "Stripe-Version": "2023-10-16", "Authorization": "Bearer " + testKey, "Idempotency-Key": ""}},
		{"own account", "", "", http.MethodGet, map[string]string{
			"Stripe-Account": "", "Stripe-Version": "2023-10-16", "Authorization": "Bearer " + testKey, "Idempotency-Key": ""}},
		{"connect post", "acct_9", "", http.MethodPost, map[string]string{
			"Stripe-Account": "acct_9", "Stripe-Version": "2023-10-16", "Authorization": "Bearer " + testKey, "Idempotency-Key": "k1"}},
		{"context account over the client's", "acct_9", "acct_ctx", http.MethodGet, map[string]string{
			"Stripe-Account": "acct_ctx", "Stripe-Version": "2023-10-16", "Authorization": "Bearer " + testKey, "Idempotency-Key": ""}},
		{"context account post", "", "acct_ctx", http.MethodPost, map[string]string{
			"Stripe-Account": "acct_ctx", "Stripe-Version": "2023-10-16", "Authorization": "Bearer " + testKey, "Idempotency-Key": "k1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, okCustomer) })
			c := testClient(t, f.URL, func(cfg *Config) { cfg.Account = tt.account })
			ctx := WithAccount(context.Background(), tt.ctxAcct)
			var err error
			if tt.method == http.MethodGet {
				_, err = c.Retrieve(ctx, "/v1/customers/cus_1", nil)
			} else {
				_, err = c.Post(ctx, "/v1/customers/cus_1", url.Values{"name": {"x"}}, "k1")
			}
			if err != nil {
				t.Fatal(err)
			}
			h := f.requests()[0].Header
			got := map[string]string{}
			for k := range tt.want {
				got[k] = h.Get(k)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProxyWithBasicAuth(t *testing.T) {
	var mu sync.Mutex
	var seenAuth, seenURL string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A forward proxy receives the absolute URL; this one answers in place of the origin.
		mu.Lock()
		seenAuth, seenURL = r.Header.Get("Proxy-Authorization"), r.URL.String()
		mu.Unlock()
		writeJSON(w, 200, okCustomer)
	}))
	defer proxy.Close()
	pu, _ := url.Parse(proxy.URL)
	pu.User = url.UserPassword("alice", "s3cret")
	c := testClient(t, "http://api.stripe.invalid", func(cfg *Config) { cfg.Proxy = pu.String() })
	obj, err := c.Retrieve(context.Background(), "/v1/customers/cus_1", nil)
	if err != nil {
		t.Fatalf("Retrieve through proxy: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	got := []string{seenAuth, seenURL, obj["id"].(string)}
	want := []string{"Basic " + base64.StdEncoding.EncodeToString([]byte("alice:s3cret")),
		"http://api.stripe.invalid/v1/customers/cus_1", "cus_1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("proxy saw (-want +got):\n%s", diff)
	}
}

func TestBadProxyURLDoesNotEchoPassword(t *testing.T) {
	_, err := NewClient(Config{APIKey: testKey, Proxy: "ftp://bob:hunter2@proxy:21"})
	se, ok := sqlstate.As(err)
	if !ok || se.Code != sqlstate.InvalidParameterValue {
		t.Fatalf("got %v, want 22023", err)
	}
	if strings.Contains(se.Error(), "hunter2") {
		t.Errorf("error echoes the proxy password: %v", se)
	}
}

func TestKeyNeverInLogsOrErrors(t *testing.T) {
	// The fake answers like stripe-mock does to a bad request: it quotes the Authorization header
	// back in the error message.
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 0 {
			writeJSON(w, 200, `{"id":"cus_1","object":"customer","note":"key `+testKey+`"}`)
			return
		}
		msg := "Invalid API Key provided. Authorization was '" + r.Header.Get("Authorization") + "'."
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"type": "invalid_request_error", "message": msg}})
		writeJSON(w, 401, string(b))
	})
	var buf bytes.Buffer
	lg := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := testClient(t, f.URL, func(cfg *Config) { cfg.Verbosity = 5; cfg.Logger = lg })
	if _, err := c.Retrieve(context.Background(), "/v1/customers/cus_1", url.Values{"expand[]": {"sources"}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Post(context.Background(), "/v1/customers", url.Values{"description": {testKey}}, "k")
	if err == nil {
		t.Fatal("want an error")
	}
	var se *Error
	if !errors.As(err, &se) || se.Status != 401 {
		t.Fatalf("got %v, want a 401 *Error", err)
	}
	sq := sqlstate.Wrap(err)
	if sq.Code != sqlstate.InvalidAuthorization {
		t.Errorf("code %q, want 28000", sq.Code)
	}
	texts := map[string]string{
		"log":     buf.String(),
		"Error()": err.Error(),
		"sql":     sq.Error() + sq.Detail + sq.Hint,
		"message": se.Message,
	}
	for name, s := range texts {
		if strings.Contains(s, testKey) || strings.Contains(s, testKey[8:]) {
			t.Errorf("%s carries the api key:\n%s", name, s)
		}
	}
	// Verbosity 5 logs whole requests and responses: the dumps are there, with the key redacted.
	for _, want := range []string{"stripe request dump", "stripe response dump", "GET ", "expand", "Bearer [redacted]",
		"Idempotency-Key: k", "HTTP/1.1 401", "sk_test_[redacted]"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestVerbosityLevels(t *testing.T) {
	msgs := []string{"stripe request retrying", "stripe request", "stripe request params", "stripe request dump", "stripe-go: "}
	tests := []struct {
		verbosity int
		want      map[string]bool
	}{
		{0, map[string]bool{}},
		{1, map[string]bool{"stripe-go: ": true}},
		{2, map[string]bool{"stripe-go: ": true, "stripe request retrying": true}},
		{3, map[string]bool{"stripe-go: ": true, "stripe request retrying": true, "stripe request": true}},
		{4, map[string]bool{"stripe-go: ": true, "stripe request retrying": true, "stripe request": true, "stripe request params": true}},
		{5, map[string]bool{"stripe-go: ": true, "stripe request retrying": true, "stripe request": true, "stripe request dump": true}},
	}
	for _, tt := range tests {
		t.Run(itoa(tt.verbosity), func(t *testing.T) {
			f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
				switch n {
				case 0:
					writeJSON(w, 500, serverErr)
				case 1:
					writeJSON(w, 200, okCustomer)
				default:
					writeJSON(w, 404, `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such customer: 'cus_2'"}}`)
				}
			})
			var buf bytes.Buffer
			lg := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c := testClient(t, f.URL, func(cfg *Config) { cfg.Verbosity = tt.verbosity; cfg.Logger = lg })
			c.Retrieve(context.Background(), "/v1/customers/cus_1", nil)
			c.Retrieve(context.Background(), "/v1/customers/cus_2", nil)
			got := map[string]bool{}
			dec := json.NewDecoder(&buf)
			for dec.More() {
				var line struct{ Msg string }
				if err := dec.Decode(&line); err != nil {
					t.Fatal(err)
				}
				for _, m := range msgs {
					if line.Msg == m || (m == "stripe-go: " && strings.HasPrefix(line.Msg, m)) {
						got[m] = true
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("messages logged (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewClientChecksConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		code string
	}{
		{"secret test key", Config{APIKey: "sk_test_abc123"}, ""},
		{"restricted live key", Config{APIKey: "rk_live_abc123"}, ""},
		{"emulator key with underscores", Config{APIKey: "sk_test_stripesql_demo"}, ""},
		{"no key", Config{}, sqlstate.InvalidAuthorization},
		{"publishable key", Config{APIKey: "pk_test_abcdef123456"}, sqlstate.InvalidAuthorization},
		{"truncated key", Config{APIKey: "sk_test_"}, sqlstate.InvalidAuthorization},
		{"not a key", Config{APIKey: "hunter2hunter2"}, sqlstate.InvalidAuthorization},
		{"key with junk", Config{APIKey: "sk_test_abc def"}, sqlstate.InvalidAuthorization},
		{"verbosity", Config{APIKey: "sk_test_abc", Verbosity: 6}, sqlstate.InvalidParameterValue},
		{"negative rate", Config{APIKey: "sk_test_abc", Rate: -1}, sqlstate.InvalidParameterValue},
		{"account", Config{APIKey: "sk_test_abc", Account: "cus_1"}, sqlstate.InvalidParameterValue},
		{"base url", Config{APIKey: "sk_test_abc", BaseURL: "api.stripe.com"}, sqlstate.InvalidParameterValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClient(tt.cfg)
			if diff := cmp.Diff(tt.code, codeOf(err)); diff != "" {
				t.Errorf("code (-want +got):\n%s (err %v)", diff, err)
			}
			if err != nil && tt.cfg.APIKey != "" && strings.Contains(err.Error(), tt.cfg.APIKey) {
				t.Errorf("error echoes the key: %v", err)
			}
		})
	}
}

func TestStripeErrorAnswers(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		want     *Error
		code     string
		notFound bool
	}{
		{"missing object", 404, `{"error":{"type":"invalid_request_error","code":"resource_missing","param":"id","message":"No such customer: 'cus_x'"}}`,
			&Error{Status: 404, Type: "invalid_request_error", Code: "resource_missing", Param: "id", Message: "No such customer: 'cus_x'", RequestID: "req_1"},
			sqlstate.UndefinedObject, true},
		{"card declined", 402, `{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds."}}`,
			&Error{Status: 402, Type: "card_error", Code: "card_declined", DeclineCode: "insufficient_funds", Message: "Your card has insufficient funds.", RequestID: "req_1"},
			sqlstate.ExternalRoutineException, false},
		{"bad parameter", 400, `{"error":{"type":"invalid_request_error","param":"limit","message":"Invalid integer: 1000"}}`,
			&Error{Status: 400, Type: "invalid_request_error", Param: "limit", Message: "Invalid integer: 1000", RequestID: "req_1"},
			sqlstate.InvalidParameterValue, false},
		{"forbidden", 403, `{"error":{"type":"invalid_request_error","message":"The provided key does not have access"}}`,
			&Error{Status: 403, Type: "invalid_request_error", Message: "The provided key does not have access", RequestID: "req_1"},
			sqlstate.InsufficientPrivilege, false},
		{"not json", 400, `oops`,
			&Error{Status: 400, Type: "api_error", Message: "bad request", RequestID: "req_1"},
			sqlstate.InvalidParameterValue, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
				writeJSON(w, tt.status, tt.body, "Request-Id", "req_1")
			})
			c := testClient(t, f.URL, nil)
			_, err := c.Retrieve(context.Background(), "/v1/customers/cus_x", nil)
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("got %T %v, want *Error", err, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.code, sqlstate.Wrap(err).Code); diff != "" {
				t.Errorf("code (-want +got):\n%s", diff)
			}
			if IsNotFound(err) != tt.notFound {
				t.Errorf("IsNotFound = %v, want %v", IsNotFound(err), tt.notFound)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("server saw %d requests, want 1 (4xx is not retried)", n)
			}
		})
	}
}

func TestDecodesPagesAndObjects(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/customers/search":
			writeJSON(w, 200, `{"object":"search_result","data":[{"id":"cus_2","balance":-5,"metadata":{"a":"b"}}],"has_more":true,"next_page":"pg_2","url":"/v1/customers/search"}`)
		case "/v1/customers":
			writeJSON(w, 200, `{"object":"list","data":[],"has_more":false,"url":"/v1/customers"}`)
		case "/v1/customers/cus_2":
			writeJSON(w, 200, `{"id":"cus_2","deleted":true,"amount":12345678901234567}`)
		default:
			writeJSON(w, 200, `{"id":"x"} trailing`)
		}
	})
	c := testClient(t, f.URL, nil)
	ctx := context.Background()
	sp, err := c.Search(ctx, "/v1/customers/search", url.Values{"query": {"email:'a@b.co'"}, "limit": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	wantSearch := &Page{Data: []Object{{"id": "cus_2", "balance": json.Number("-5"), "metadata": map[string]any{"a": "b"}}}, HasMore: true, NextPage: "pg_2"}
	if diff := cmp.Diff(wantSearch, sp); diff != "" {
		t.Errorf("search page (-want +got):\n%s", diff)
	}
	lp, err := c.List(ctx, "/v1/customers", nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Page{Data: []Object{}}, lp); diff != "" {
		t.Errorf("empty page (-want +got):\n%s", diff)
	}
	obj, err := c.Delete(ctx, "/v1/customers/cus_2", nil, "del-1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Object{"id": "cus_2", "deleted": true, "amount": json.Number("12345678901234567")}, obj); diff != "" {
		t.Errorf("object (-want +got):\n%s", diff)
	}
	if _, err := c.Retrieve(ctx, "/v1/weird", nil); codeOf(err) != sqlstate.SystemError {
		t.Errorf("malformed answer: %v, want 58000", err)
	}
	if _, err := c.List(ctx, "/v1/weird", nil); codeOf(err) != sqlstate.SystemError {
		t.Errorf("list without data: %v, want 58000", err)
	}
	if _, err := c.Retrieve(ctx, "customers", nil); codeOf(err) != sqlstate.InternalError {
		t.Errorf("bad path: %v, want XX000", err)
	}
	q := f.requests()[0].Query
	if diff := cmp.Diff("limit=1&query=email%3A%27a%40b.co%27", q); diff != "" {
		t.Errorf("search query string (-want +got):\n%s", diff)
	}
}

func TestRedactKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"key sk_test_51AbC9 here", "key sk_test_[redacted] here"},
		{"sk_live_XYZ,rk_test_abc pk_live_1", "sk_live_[redacted],rk_test_[redacted] pk_live_[redacted]"},
		{"Authorization: Bearer sk_test_123", "Authorization: Bearer [redacted]"},
		{"Proxy-Authorization: Basic YWxpY2U6czNjcmV0", "Proxy-Authorization: Basic [redacted]"},
		{"legacy sk_0123456789abcdefXYZ", "legacy sk_[redacted]"},
		{"key sk_test_stripesql_demo.", "key sk_test_[redacted]."},
		{"no such customer: 'cus_123'", "no such customer: 'cus_123'"},
		{"task_test_1 and desk_test_1", "task_test_1 and desk_test_1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, RedactKey(tt.in)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRetryAfterParsing(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"2", 2 * time.Second, true},
		{"0.5", 500 * time.Millisecond, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := retryAfter(tt.in)
			if diff := cmp.Diff([]any{tt.want, tt.ok}, []any{got, ok}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestBackoffIsJitteredAndBounded(t *testing.T) {
	tr := &transport{backoffBase: 500 * time.Millisecond, backoffMax: 8 * time.Second}
	for attempt, full := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second} {
		seen := map[time.Duration]bool{}
		for i := 0; i < 50; i++ {
			d := tr.backoff(attempt)
			if d < full/2 || d > full {
				t.Fatalf("attempt %d: backoff %v outside [%v, %v]", attempt, d, full/2, full)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("attempt %d: only %d distinct delays in 50 draws, want jitter", attempt, len(seen))
		}
	}
}

func TestBudgetWaitLoggedFromVerbosity2(t *testing.T) {
	for _, v := range []int{1, 2} {
		t.Run(itoa(v), func(t *testing.T) {
			f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, okCustomer) })
			var buf bytes.Buffer
			lg := slog.New(slog.NewTextHandler(&buf, nil))
			c := testClient(t, f.URL, func(cfg *Config) { cfg.Scheduler = NewScheduler(4); cfg.Verbosity = v; cfg.Logger = lg })
			for i := 0; i < 2; i++ {
				if _, err := c.Retrieve(context.Background(), "/v1/customers/cus_1", nil); err != nil {
					t.Fatal(err)
				}
			}
			if got, want := strings.Contains(buf.String(), "waited for the request budget"), v >= 2; got != want {
				t.Errorf("budget wait logged = %v, want %v:\n%s", got, want, buf.String())
			}
		})
	}
}

func TestClientsShareTheNodeScheduler(t *testing.T) {
	a, err := NewClient(Config{APIKey: "sk_test_a", Rate: 7})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewClient(Config{APIKey: "sk_test_b", Rate: 7})
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewClient(Config{APIKey: "sk_test_d"})
	if err != nil {
		t.Fatal(err)
	}
	if a.tr.sched != b.tr.sched {
		t.Error("two clients at the same rate have separate schedulers, want one per process")
	}
	if a.tr.sched == d.tr.sched {
		t.Error("clients at different rates share a scheduler")
	}
	if got := d.tr.sched.Rate(); got != DefaultRate {
		t.Errorf("rate %v, want %v", got, DefaultRate)
	}
	if a.cache != d.cache {
		t.Error("clients built without a cache have separate ones, want one per process")
	}
}

func TestUntrustedCertificateIsNotRetried(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, okCustomer) }))
	defer srv.Close()
	c := testClient(t, srv.URL, nil) // Go's default roots do not trust httptest's certificate
	start := time.Now()
	_, err := c.Retrieve(context.Background(), "/v1/customers/cus_1", nil)
	se, ok := sqlstate.As(err)
	if !ok || se.Code != sqlstate.SystemError {
		t.Fatalf("got %v, want 58000", err)
	}
	if !strings.Contains(se.Message, "after 0 retries") || !strings.Contains(se.Message, "certificate") {
		t.Errorf("message %q, want a certificate failure without retries", se.Message)
	}
	if c.Requests() != 1 || time.Since(start) > 2*time.Second {
		t.Errorf("Requests() = %d after %v, want one prompt attempt", c.Requests(), time.Since(start))
	}
}

// TestProxyFromEnvironment runs a child test process with HTTP_PROXY set, because Go reads the
// proxy environment once per process.
func TestProxyFromEnvironment(t *testing.T) {
	if os.Getenv("STRIPEAPI_PROXY_CHILD") == "1" {
		c, err := NewClient(Config{APIKey: testKey, BaseURL: "http://api.stripe.invalid", Scheduler: NewScheduler(1000), MaxRetryTime: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Retrieve(context.Background(), "/v1/customers/cus_env", nil); err != nil {
			t.Fatal(err)
		}
		return
	}
	var mu sync.Mutex
	var seenAuth, seenURL string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seenAuth, seenURL = r.Header.Get("Proxy-Authorization"), r.URL.String()
		mu.Unlock()
		writeJSON(w, 200, okCustomer)
	}))
	defer proxy.Close()
	pu, _ := url.Parse(proxy.URL)
	pu.User = url.UserPassword("env", "pw")
	cmd := exec.Command(os.Args[0], "-test.run=^TestProxyFromEnvironment$", "-test.count=1")
	cmd.Env = append(os.Environ(), "STRIPEAPI_PROXY_CHILD=1", "HTTP_PROXY="+pu.String(), "http_proxy="+pu.String(), "NO_PROXY=", "no_proxy=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"Basic " + base64.StdEncoding.EncodeToString([]byte("env:pw")), "http://api.stripe.invalid/v1/customers/cus_env"}
	if diff := cmp.Diff(want, []string{seenAuth, seenURL}); diff != "" {
		t.Errorf("proxy saw (-want +got):\n%s", diff)
	}
}

// countingTransport is a caller's own RoundTripper, to show Config.HTTPClient is used under the
// limiter and retries.
type countingTransport struct {
	mu    sync.Mutex
	calls int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.calls++
	n := c.calls
	c.mu.Unlock()
	rec := httptest.NewRecorder()
	if n == 1 {
		writeJSON(rec, 503, serverErr)
	} else {
		writeJSON(rec, 200, okCustomer)
	}
	return rec.Result(), nil
}

func TestCustomHTTPClient(t *testing.T) {
	ct := &countingTransport{}
	c := testClient(t, "https://api.stripe.com", func(cfg *Config) { cfg.HTTPClient = &http.Client{Transport: ct} })
	obj, err := c.Retrieve(context.Background(), "/v1/customers/cus_1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{"cus_1", 2, int64(2)}, []any{obj["id"], ct.calls, c.Requests()}); diff != "" {
		t.Errorf("(id, transport calls, Requests) (-want +got):\n%s", diff)
	}
	if _, err := NewClient(Config{APIKey: testKey, Proxy: "http://p:1", HTTPClient: &http.Client{Transport: ct}}); codeOf(err) != sqlstate.InvalidParameterValue {
		t.Errorf("proxy with a custom transport: %v, want 22023", err)
	}
}
