package stripemocktest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestStart checks that the mock answers on the returned URL, validates requests against the
// spec (an unknown parameter is refused) and is closed when the test ends.
func TestStart(t *testing.T) {
	if testing.Short() {
		t.Skip("loads stripe-mock's OpenAPI spec")
	}
	var base string
	t.Run("serve", func(t *testing.T) {
		base = Start(t)
		if !strings.HasPrefix(base, "http://127.0.0.1:") {
			t.Fatalf("base URL %q is not a loopback listener", base)
		}
		tests := []struct {
			name   string
			form   url.Values
			status int
		}{
			{"known parameter accepted", url.Values{"email": {"a@example.com"}}, http.StatusOK},
			{"unknown parameter refused", url.Values{"no_such_param": {"x"}}, http.StatusBadRequest},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req, err := http.NewRequest(http.MethodPost, base+"/v1/customers", strings.NewReader(tt.form.Encode()))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer sk_test_123")
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if diff := cmp.Diff(tt.status, resp.StatusCode); diff != "" {
					t.Errorf("status (-want +got):\n%s\nbody: %s", diff, body)
				}
			})
		}
	})
	// The subtest has ended, so its cleanup closed the server.
	resp, err := http.Get(base + "/v1/customers")
	if err == nil {
		resp.Body.Close()
		t.Errorf("server still answers after the test ended: %s", resp.Status)
	}
}
