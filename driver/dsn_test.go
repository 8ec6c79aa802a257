package driver

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

const testKey = "sk_test_SECRETkey123"

// keyInText finds key-shaped words in a DSN, to check that no error repeats one.
var keyInText = regexp.MustCompile(`\b(sk|rk)_(test|live)_[0-9A-Za-z_]+`)

func TestParseDSN(t *testing.T) {
	tests := []struct {
		name string
		dsn  string
		want Config
	}{
		{"empty", "", Config{}},
		{"blank", "   ", Config{}},
		{"url key only", "stripe://" + testKey + "@/", Config{APIKey: testKey}},
		{"url no key", "stripe:///?rate=2.5", Config{Rate: 2.5}},
		{"url all", "stripe://" + testKey + "@/?account=acct_1Ab&rate=6&api_base=http://127.0.0.1:12111&max_requests=500&read_only=true&proxy=http://u:p@proxy:3128&verbosity=3",
			Config{APIKey: testKey, Account: "acct_1Ab", Rate: 6, BaseURL: "http://127.0.0.1:12111", MaxRequests: 500, ReadOnly: true, Proxy: "http://u:p@proxy:3128", Verbosity: 3}},
		{"url scheme case", "STRIPE://" + testKey + "@/", Config{APIKey: testKey}},
		{"url with dbname path", "stripe://" + testKey + "@/stripe?rate=1", Config{APIKey: testKey, Rate: 1}},
		{"url read_only off", "stripe:///?read_only=off", Config{}},
		{"url restricted key", "stripe://rk_live_abc@/", Config{APIKey: "rk_live_abc"}},
		{"kv", "api_key=" + testKey + " account=acct_9 rate=6", Config{APIKey: testKey, Account: "acct_9", Rate: 6}},
		{"kv spaces around =", "rate = 3   max_requests= 7", Config{Rate: 3, MaxRequests: 7}},
		{"kv quoted", "api_base='http://127.0.0.1:1' read_only='yes'", Config{BaseURL: "http://127.0.0.1:1", ReadOnly: true}},
		{"kv escaped quote", `proxy='http://u:p\'x@h:1'`, Config{Proxy: "http://u:p'x@h:1"}},
		{"kv tabs and newlines", "rate=1\n\tverbosity=5", Config{Rate: 1, Verbosity: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDSN(tt.dsn)
			if err != nil {
				t.Fatalf("ParseDSN(%q): %v", tt.dsn, err)
			}
			if diff := cmp.Diff(tt.want, got, cmpConfig); diff != "" {
				t.Errorf("ParseDSN(%q) mismatch (-want +got):\n%s", tt.dsn, diff)
			}
		})
	}
}

// cmpConfig compares the DSN fields of Config (the others hold functions and interfaces).
var cmpConfig = cmp.Comparer(func(a, b Config) bool {
	return cmp.Equal(a.dsnValues(), b.dsnValues())
})

func TestParseDSNErrors(t *testing.T) {
	tests := []struct {
		name     string
		dsn      string
		code     string
		contains string
	}{
		{"publishable key url", "stripe://pk_test_abc@/", sqlstate.InvalidAuthorization, "publishable"},
		{"publishable key kv", "api_key=pk_live_abc", sqlstate.InvalidAuthorization, "publishable"},
		{"malformed key", "api_key=" + testKey + "-x", sqlstate.InvalidAuthorization, "malformed stripe api key"},
		{"password in url", "stripe://user:" + testKey + "@/", sqlstate.InvalidAuthorization, "password"},
		{"host in url", "stripe://" + testKey + "@api.stripe.com/", sqlstate.InvalidParameterValue, "no host"},
		{"other scheme", "postgres://" + testKey + "@localhost/", sqlstate.InvalidParameterValue, "scheme"},
		{"bad url escape", "stripe://" + testKey + "%zz@/", sqlstate.InvalidParameterValue, "malformed dsn url"},
		{"unknown param", "stripe:///?colour=red", sqlstate.InvalidParameterValue, `unknown dsn parameter "colour"`},
		{"unknown kv param", "colour=red", sqlstate.InvalidParameterValue, `unknown dsn parameter "colour"`},
		{"key as param name", testKey + "=1", sqlstate.InvalidParameterValue, "unknown dsn parameter \"(a name that is not a parameter)\""},
		{"bare key", testKey, sqlstate.InvalidParameterValue, "expected key=value"},
		{"duplicate url", "stripe:///?rate=1&rate=2", sqlstate.InvalidParameterValue, "more than once"},
		{"duplicate key", "stripe://" + testKey + "@/?api_key=" + testKey, sqlstate.InvalidParameterValue, "more than once"},
		{"duplicate kv", "rate=1 rate=2", sqlstate.InvalidParameterValue, "more than once"},
		{"zero rate", "rate=0", sqlstate.InvalidParameterValue, "invalid rate"},
		{"nan rate", "rate=NaN", sqlstate.InvalidParameterValue, "invalid rate"},
		{"huge rate", "rate=1e9", sqlstate.InvalidParameterValue, "invalid rate"},
		{"bad account", "account=cus_123", sqlstate.InvalidParameterValue, "invalid account"},
		{"bad api_base", "api_base=ftp://x", sqlstate.InvalidParameterValue, "invalid api_base"},
		{"api_base without host", "api_base=http://", sqlstate.InvalidParameterValue, "invalid api_base"},
		{"bad max_requests", "max_requests=-1", sqlstate.InvalidParameterValue, "invalid max_requests"},
		{"bad read_only", "read_only=maybe", sqlstate.InvalidParameterValue, "invalid read_only"},
		{"bad verbosity", "verbosity=6", sqlstate.InvalidParameterValue, "invalid verbosity"},
		{"bad proxy", "proxy=" + testKey, sqlstate.InvalidParameterValue, "invalid proxy"},
		{"unterminated quote", "api_key='" + testKey, sqlstate.InvalidParameterValue, "unterminated"},
		{"no space after quote", "rate='1'verbosity=2", sqlstate.InvalidParameterValue, "missing space"},
		{"empty name", "=1", sqlstate.InvalidParameterValue, "expected key=value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDSN(tt.dsn)
			e, ok := sqlstate.As(err)
			if !ok {
				t.Fatalf("ParseDSN(%q) = %v, want a *sqlstate.Error", tt.dsn, err)
			}
			if diff := cmp.Diff(tt.code, e.Code); diff != "" {
				t.Errorf("code mismatch (-want +got):\n%s", diff)
			}
			if !strings.Contains(e.Message, tt.contains) {
				t.Errorf("message %q does not contain %q", e.Message, tt.contains)
			}
			if leaked := leaksKey(e); leaked {
				t.Errorf("error repeats the api key: %+v", e)
			}
		})
	}
}

// leaksKey reports whether any field of e holds the secret part of a test key.
func leaksKey(e *sqlstate.Error) bool {
	all := e.Error() + "\n" + e.Detail + "\n" + e.Hint
	return strings.Contains(all, "SECRETkey123")
}

func TestFormatDSNRoundTrip(t *testing.T) {
	configs := []Config{
		{},
		{APIKey: testKey},
		{Rate: 0.5, MaxRequests: 1},
		{APIKey: testKey, Account: "acct_1", Rate: 6, BaseURL: "http://127.0.0.1:12111/v?x=1&y=2", MaxRequests: 10, ReadOnly: true, Proxy: "http://u:p'w@h:1", Verbosity: 5},
	}
	for _, c := range configs {
		for _, form := range []struct {
			name string
			dsn  string
		}{{"url", c.FormatDSN()}, {"kv", c.FormatKeyValueDSN()}} {
			t.Run(form.name+" "+form.dsn, func(t *testing.T) {
				got, err := ParseDSN(form.dsn)
				if err != nil {
					t.Fatalf("ParseDSN(%q): %v", form.dsn, err)
				}
				if diff := cmp.Diff(c, got, cmpConfig); diff != "" {
					t.Errorf("round trip mismatch (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestConfigStringRedactsKey(t *testing.T) {
	tests := []struct {
		c    Config
		want string
	}{
		{Config{APIKey: testKey, Rate: 2}, "api_key=[redacted] rate=2"},
		{Config{Proxy: "http://u:pw@h:1"}, "proxy=http://u:redacted@h:1"},
		{Config{}, ""},
	}
	for _, tt := range tests {
		got := tt.c.String()
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Config.String() mismatch (-want +got):\n%s", diff)
		}
	}
}

// FuzzParseDSN checks that any DSN ParseDSN accepts is written back by FormatDSN and
// FormatKeyValueDSN into DSNs that parse to the same Config, and that no error repeats a key.
func FuzzParseDSN(f *testing.F) {
	seeds := []string{
		"",
		"stripe://" + testKey + "@/?account=acct_1&rate=6&api_base=http://127.0.0.1:12111&max_requests=5&read_only=true",
		"api_key=" + testKey + " account=acct_x rate=6.5 verbosity=2",
		`proxy='http://a b@h:1' read_only=0`,
		"stripe:///?api_base=https%3A%2F%2Fh%3A1%2F%3Fa%3D%27b",
		"rate=1e-3",
		"api_key='" + testKey + "'",
		testKey,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		c, err := ParseDSN(dsn)
		if err != nil {
			e, ok := sqlstate.As(err)
			if !ok {
				t.Fatalf("ParseDSN(%q) error %v is not coded", dsn, err)
			}
			if e.Code != sqlstate.InvalidAuthorization && e.Code != sqlstate.InvalidParameterValue {
				t.Fatalf("ParseDSN(%q) code %s, want 28000 or 22023", dsn, e.Code)
			}
			for _, m := range keyInText.FindAllString(dsn, -1) {
				all := e.Error() + e.Detail + e.Hint
				if strings.Contains(all, m) {
					t.Fatalf("ParseDSN(%q) error repeats the key: %q", dsn, all)
				}
			}
			return
		}
		for _, again := range []string{c.FormatDSN(), c.FormatKeyValueDSN()} {
			c2, err := ParseDSN(again)
			if err != nil {
				t.Fatalf("ParseDSN(%q) (formatted from %q): %v", again, dsn, err)
			}
			if diff := cmp.Diff(c, c2, cmpConfig); diff != "" {
				t.Fatalf("round trip of %q through %q (-first +second):\n%s", dsn, again, diff)
			}
		}
	})
}
