package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/driver"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// TestCancelErrorsWrapContext checks that a cancelled or timed-out statement is 57014 and also
// errors.Is the context's error, so Go callers can tell a deadline from a cancel.
func TestCancelErrorsWrapContext(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 1, Scale: emulator.ScaleN(10), Latency: 2 * time.Second})
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 100*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancel", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			_, err := f.db.ExecContext(ctx, "SELECT id FROM customers")
			if diff := cmp.Diff("57014", codeOf(err)); diff != "" {
				t.Errorf("code (-want +got):\n%s\nerror: %v", diff, err)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.want)
			}
		})
	}
}

// TestInvalidSettingsRefuseConnection checks that a connector's unknown or invalid initial
// setting fails the connection with PostgreSQL's code instead of being ignored.
func TestInvalidSettingsRefuseConnection(t *testing.T) {
	_, url, stop, err := emulator.Start(emulator.Config{Seed: 1, Scale: emulator.ScaleN(2)})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_driver", BaseURL: url, Rate: testRate, Scheduler: stripeapi.NewScheduler(testRate)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		settings map[string]string
		want     string
	}{
		{map[string]string{"stripesql.max_requests": "0"}, "22023"},
		{map[string]string{"stripesql.pushdown": "maybe"}, "22023"},
		{map[string]string{"no_such_setting": "1"}, "42704"},
		{map[string]string{"TimeZone": "Europe/Paris"}, "ok"},
	}
	for _, tt := range tests {
		conn, err := driver.NewConnector(driver.Config{Backend: client, Rate: testRate, Settings: tt.settings})
		if err != nil {
			t.Fatal(err)
		}
		db := sql.OpenDB(conn)
		got := "ok"
		if err := db.PingContext(context.Background()); err != nil {
			got = codeOf(err)
		}
		db.Close()
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tt.settings, diff)
		}
	}
}

// TestReadOnlyTxShowsInSettings checks that BeginTx(ReadOnly) is visible to SHOW
// transaction_read_only and ends with the transaction.
func TestReadOnlyTxShowsInSettings(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 1, Scale: emulator.ScaleN(2)})
	ctx := context.Background()
	conn, err := f.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	show := func() string {
		var v string
		if err := conn.QueryRowContext(ctx, "SHOW transaction_read_only").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var inside string
	if err := tx.QueryRowContext(ctx, "SHOW transaction_read_only").Scan(&inside); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"on", "off"}, []string{inside, show()}); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
