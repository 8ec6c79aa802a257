package emulator_test

import (
	"fmt"
	"time"

	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/stripesql/stripesql/internal/emulator"
)

// ExampleStart runs a seeded emulator on 127.0.0.1 and talks to it with stripe-go, unchanged.
func ExampleStart() {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	em, baseURL, stop, err := emulator.Start(emulator.Config{Seed: 1, Scale: emulator.ScaleSmall, Now: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	defer stop()

	backend := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL:           stripe.String(baseURL),
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	api := &client.API{}
	api.Init("sk_test_anything", &stripe.Backends{API: backend, Connect: backend, Uploads: backend})

	n := 0
	it := api.Customers.List(&stripe.CustomerListParams{ListParams: stripe.ListParams{Limit: stripe.Int64(100)}})
	for it.Next() {
		n++
	}
	fmt.Println("customers:", n, "requests:", len(em.Requests()))
	// Output: customers: 50 requests: 1
}
