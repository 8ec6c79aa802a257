package driver_test

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/stripesql/stripesql/internal/emulator"
)

// TestConnectDSNAccount: the DSN's account is the session's account (stripesql.account), rows
// carry it in stripe_account, SET stripesql.account switches and RESET returns to the DSN's.
func TestConnectDSNAccount(t *testing.T) {
	emu, url, stop, err := emulator.Start(emulator.Config{Seed: 7, Scale: emulator.ScaleN(5), ConnectedAccounts: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	accts := emu.ConnectedAccounts()
	db, err := sql.Open("stripe", fmt.Sprintf("stripe:///?rate=500&api_base=%s&account=%s", url, accts[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // SET applies to the connection
	read := func() string {
		t.Helper()
		var acct, setting string
		var n int
		if err := db.QueryRow("SELECT stripe_account, current_setting('stripesql.account'), count(*) FROM customers GROUP BY 1").Scan(&acct, &setting, &n); err != nil {
			t.Fatal(err)
		}
		if acct != setting {
			t.Errorf("rows of %s read with stripesql.account = %s", acct, setting)
		}
		if want := emu.Account(acct).Count("customers"); n != want {
			t.Errorf("%s: %d customers, want %d", acct, n, want)
		}
		return acct
	}
	for _, tc := range []struct{ stmt, want string }{
		{"", accts[0]},
		{"SET stripesql.account = '" + accts[1] + "'", accts[1]},
		{"RESET stripesql.account", accts[0]},
	} {
		if tc.stmt != "" {
			if _, err := db.Exec(tc.stmt); err != nil {
				t.Fatal(err)
			}
		}
		if got := read(); got != tc.want {
			t.Errorf("after %q: read %s, want %s", tc.stmt, got, tc.want)
		}
	}
}
