package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/server"
)

// TestUsersFileAccounts: a users-file line may give the user's default Stripe account and the only
// accounts it may use; malformed account fields are refused with the line named.
func TestUsersFileAccounts(t *testing.T) {
	file := writeUsersFile(t, "tenant t-pass ro accounts=acct_1A,acct_1B\nops o-pass rw account=acct_1C\nboth b-pass ro account=acct_1B accounts=acct_1A,acct_1B\n", 0o600)
	got, err := readUsersFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := []server.User{
		{Name: "tenant", Password: "t-pass", ReadOnly: true, Accounts: []string{"acct_1A", "acct_1B"}},
		{Name: "ops", Password: "o-pass", Account: "acct_1C"},
		{Name: "both", Password: "b-pass", ReadOnly: true, Account: "acct_1B", Accounts: []string{"acct_1A", "acct_1B"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("users (-want +got):\n%s", d)
	}
	for _, tc := range []struct{ line, want string }{
		{"u p ro account=cus_1", "not a stripe account id"},
		{"u p ro accounts=acct_1A,x", `"x" is not a stripe account id`},
		{"u p ro account=acct_1C accounts=acct_1A", "not among accounts"},
		{"u p ro tenant", `unknown field "tenant"`},
	} {
		t.Run(tc.line, func(t *testing.T) {
			_, err := readUsersFile(writeUsersFile(t, tc.line+"\n", 0o600))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), ":1:") {
				t.Errorf("got %v, want an error with %q on line 1", err, tc.want)
			}
		})
	}
}
