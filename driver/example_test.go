package driver_test

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/stripesql/stripesql/driver"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// Example queries the built-in emulator's seeded data in process. A program querying a real
// account would instead call sql.Open("stripe", "") with STRIPE_API_KEY set.
func Example() {
	// A deterministic data set: seed 1, 500 charges and the customers they belong to.
	_, baseURL, stop, err := emulator.Start(emulator.Config{Seed: 1, Scale: emulator.ScaleSmall})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_example", BaseURL: baseURL, Rate: 100})
	if err != nil {
		fmt.Println(err)
		return
	}
	connector, err := driver.NewConnector(driver.Config{Backend: client, Rate: 100})
	if err != nil {
		fmt.Println(err)
		return
	}
	db := sql.OpenDB(connector)
	defer db.Close()

	ctx := context.Background()
	var customers int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM customers").Scan(&customers); err != nil {
		fmt.Println(err)
		return
	}
	var charges int
	err = db.QueryRowContext(ctx, "SELECT count(*) FROM charges WHERE amount >= $1", 0).Scan(&charges)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d customers, %d charges\n", customers, charges)
	// Output: 50 customers, 500 charges
}
