package stripemocktest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stripe/stripe-mock/embedded"
	"github.com/stripe/stripe-mock/server"
)

// Start runs stripe-mock in this process on 127.0.0.1:0 and returns its base URL (such as
// http://127.0.0.1:41234); the server is closed by t.Cleanup. Loading the embedded spec takes
// seconds (more under -race), so callers guard slow uses with testing.Short. A failure to build
// the mock fails the test, since no contract can be checked without it.
func Start(t testing.TB) string {
	t.Helper()
	spec, err := server.LoadSpec(embedded.OpenAPISpec, "")
	if err != nil {
		t.Fatalf("load stripe-mock spec: %v", err)
	}
	fixtures, err := server.LoadFixtures(embedded.OpenAPIFixtures, "")
	if err != nil {
		t.Fatalf("load stripe-mock fixtures: %v", err)
	}
	stub, err := server.NewStubServer(fixtures, spec, false, false)
	if err != nil {
		t.Fatalf("stripe-mock router: %v", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", stub.HandleRequest)
	srv := httptest.NewServer(&server.DoubleSlashFixHandler{Mux: mux})
	t.Cleanup(srv.Close)
	return srv.URL
}
