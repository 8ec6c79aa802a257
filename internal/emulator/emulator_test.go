package emulator

import (
	"testing"
	"time"

	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
)

// fixedNow is the clock of every test emulator, so seeded data is the same on every run.
var fixedNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return fixedNow }

// startClient runs an emulator and returns a stripe-go client talking to it.
func startClient(t *testing.T, cfg Config) (*Emulator, *client.API, string) {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = clock
	}
	e, base, stop, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	b := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL:               stripe.String(base),
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	api := &client.API{}
	api.Init("sk_test_emulator", &stripe.Backends{API: b, Connect: b, Uploads: b})
	return e, api, base
}
