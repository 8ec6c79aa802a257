package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// TestConnectPsqlPaymentFlow runs a payment flow through psql in a connected account of the
// emulator: a customer created there, Stripe's test card pm_card_visa attached, a payment intent
// created, confirmed and captured with INSERT and CALL; then a declining test card, which fails with
// 38000 and Stripe's decline code. The account comes once from SET stripesql.account and once from
// the startup option (PGOPTIONS -c stripesql.account=…); the platform's own data stays untouched.
func TestConnectPsqlPaymentFlow(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("psql is not installed (apt-get install postgresql-client-15)")
	}
	addr, emu := startRealEmulator(t, emulator.Config{Seed: 7, Scale: emulator.ScaleN(5), ConnectedAccounts: 2}, Config{})
	acct := emu.ConnectedAccounts()[0]
	platformPIs := emu.Count("payment_intents")
	script := strings.Join([]string{
		`\set VERBOSITY verbose`,
		`SET stripesql.account = '` + acct + `';`,
		`INSERT INTO customers (email) VALUES ('buyer@example.com') RETURNING id AS cus, stripe_account \gset`,
		`CALL AttachPaymentMethod('pm_card_visa', customer => :'cus');`,
		`SELECT id AS pm_id, customer AS pm_customer FROM payment_methods WHERE customer = :'cus' AND type = 'card' \gset`,
		`\echo attached :pm_id to :pm_customer as :cus in :stripe_account`,
		`INSERT INTO payment_intents (amount, currency, customer, payment_method, capture_method) VALUES (2000, 'usd', :'cus', :'pm_id', 'manual') RETURNING id AS pi \gset`,
		`CALL ConfirmPaymentIntent(:'pi');`,
		`SELECT status AS confirm_status FROM payment_intents WHERE id = :'pi' \gset`,
		`\echo confirmed :confirm_status`,
		`RESET stripesql.account;`,
		`CALL CapturePaymentIntent(:'pi', stripe_account => '` + acct + `');`,
		`SELECT status AS capture_status, amount_received AS capture_amount_received FROM payment_intents WHERE id = :'pi' AND stripe_account = '` + acct + `' \gset`,
		`\echo captured :capture_status :capture_amount_received`,
		`SELECT count(*) AS platform_pi FROM payment_intents WHERE id = :'pi' \gset`,
		`\echo platform sees :platform_pi`,
	}, "\n")
	cmd := psqlCommand(addr, "-f", "-")
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	for _, want := range []string{" as cus_", " in " + acct + "\n", "confirmed requires_capture", "captured succeeded 2000", "platform sees 0"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("psql output lacks %q:\n%s", want, out)
		}
	}
	if got := emu.Count("payment_intents"); got != platformPIs {
		t.Errorf("the platform holds %d payment intents, want %d as before", got, platformPIs)
	}
	var succeeded int
	for _, pi := range emu.Account(acct).Objects("payment_intents") {
		if pi["status"] == "succeeded" && pi["amount_received"] != nil {
			succeeded++
		}
	}
	if succeeded == 0 {
		t.Errorf("no succeeded payment intent in %s", acct)
	}

	// A declining test card: 38000 with Stripe's decline code, in the account the startup option names.
	declined := strings.Join([]string{
		`\set VERBOSITY verbose`,
		`INSERT INTO customers (email) VALUES ('declined@example.com') RETURNING id AS cus \gset`,
		`INSERT INTO payment_intents (amount, currency, customer, payment_method) VALUES (1500, 'usd', :'cus', 'pm_card_chargeDeclined') RETURNING id AS pi \gset`,
		`CALL ConfirmPaymentIntent(:'pi');`,
	}, "\n")
	cmd = psqlCommand(addr, "-f", "-")
	cmd.Stdin = strings.NewReader(declined)
	cmd.Env = append(cmd.Env, "PGOPTIONS=-c stripesql.account="+acct)
	out, err = cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("a declining card was confirmed:\n%s", out)
	}
	for _, want := range []string{"ERROR:  38000", "card_declined", "generic_decline"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("psql output lacks %q:\n%s", want, out)
		}
	}
	if n := len(emu.Account(acct).Objects("customers")); n == 0 {
		t.Errorf("no customers in %s", acct)
	}
	var inAccount bool
	for _, c := range emu.Account(acct).Objects("customers") {
		inAccount = inAccount || c["email"] == "declined@example.com"
	}
	if !inAccount {
		t.Errorf("the startup option's account did not get the customer")
	}
}

// TestConnectRestrictedUser: a user limited to one connected account reads that account by
// default and is refused any other with 42501, with nothing sent to Stripe.
func TestConnectRestrictedUser(t *testing.T) {
	ecfg := emulator.Config{Seed: 7, Scale: emulator.ScaleN(5), ConnectedAccounts: 2}
	probe, err := emulator.New(ecfg) // the same seed gives the same account ids
	if err != nil {
		t.Fatal(err)
	}
	accts := probe.ConnectedAccounts()
	users := []User{{Name: "alice", Password: "pw"}, {Name: "tenant", Password: "pw", Accounts: []string{accts[0]}}}
	addr, emu := startRealEmulator(t, ecfg, Config{Users: users})
	ctx := context.Background()
	conn := connectPgx(t, fmt.Sprintf("postgres://tenant:pw@%s/stripe?sslmode=disable", addr))
	var own string
	var n int64
	if err := conn.QueryRow(ctx, "SELECT current_setting('stripesql.account'), count(*) FROM customers").Scan(&own, &n); err != nil {
		t.Fatal(err)
	}
	if own != accts[0] || n != int64(emu.Account(accts[0]).Count("customers")) {
		t.Errorf("tenant reads %s with %d customers, want %s with %d", own, n, accts[0], emu.Account(accts[0]).Count("customers"))
	}
	emu.ResetRequests()
	for _, sql := range []string{
		"SELECT count(*) FROM customers WHERE stripe_account = '" + accts[1] + "'",
		"SET stripesql.account = '" + accts[1] + "'",
		"INSERT INTO customers (stripe_account, email) VALUES ('" + accts[1] + "', 'x@example.com')",
	} {
		_, err := conn.Exec(ctx, sql)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42501" || !strings.Contains(pe.Message, accts[1]) {
			t.Errorf("%s: %v, want 42501 naming %s", sql, err, accts[1])
		}
	}
	if r := emu.Requests(); len(r) != 0 {
		t.Errorf("refused statements sent %d requests", len(r))
	}
	// A startup option naming another account refuses the connection.
	_, err = pgx.Connect(ctx, fmt.Sprintf("postgres://tenant:pw@%s/stripe?sslmode=disable&options=-c%%20stripesql.account%%3D%s", addr, accts[1]))
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42501" {
		t.Errorf("startup with another account: %v, want 42501", err)
	}
}

// disconnectingBackend disconnects an account (DELETE /v1/accounts/{id}) once the accounts
// listing has been answered, as when a platform's account disconnects in the middle of a fan-out.
type disconnectingBackend struct {
	*stripeapi.Client
	victim string
	once   sync.Once
}

func (d *disconnectingBackend) List(ctx context.Context, path string, params url.Values) (*stripeapi.Page, error) {
	pg, err := d.Client.List(ctx, path, params)
	if path == "/v1/accounts" && err == nil {
		d.once.Do(func() { _, _ = d.Client.Delete(context.Background(), "/v1/accounts/"+d.victim, nil, "disconnect") })
	}
	return pg, err
}

// TestConnectSkippedNotice: through the wire server, an account of the accounts listing that
// Stripe refuses mid-fan-out reaches the client as NOTICEs naming it, and the rows of the others
// come back.
func TestConnectSkippedNotice(t *testing.T) {
	emu, base, stop, err := emulator.Start(emulator.Config{Seed: 7, Scale: emulator.ScaleN(5), ConnectedAccounts: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_server", BaseURL: base, Rate: testRate, Scheduler: stripeapi.NewScheduler(testRate)})
	if err != nil {
		t.Fatal(err)
	}
	victim := emu.ConnectedAccounts()[1]
	cfg := Config{Backend: &disconnectingBackend{Client: client, victim: victim}, Rate: testRate}
	if cfg.Engine, err = NewEngine(cfg); err != nil {
		t.Fatal(err)
	}
	addr, _ := startServer(t, cfg)
	ctx := context.Background()
	pcfg, err := pgx.ParseConfig(pgxURL(addr, ""))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var notices []string
	pcfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { mu.Lock(); notices = append(notices, n.Message); mu.Unlock() }
	conn, err := pgx.ConnectConfig(ctx, pcfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT stripe_account, count(*) FROM charges WHERE stripe_account IN (SELECT id FROM accounts) GROUP BY 1 ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var a string
		var n int64
		if err := rows.Scan(&a, &n); err != nil {
			t.Fatal(err)
		}
		got = append(got, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || slices.Contains(got, victim) {
		t.Errorf("accounts in the result %v, want the two still connected", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(notices) != 2 || !strings.Contains(notices[0], "skipped stripe account "+victim) || !strings.Contains(notices[1], "1 of 3 stripe accounts skipped") {
		t.Errorf("notices %q", notices)
	}
}
