package exec

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

func TestAccountErr(t *testing.T) {
	plain := errors.New("boom")
	tests := []struct {
		name       string
		err        error
		acct       string
		wantDetail string
	}{
		{"named by stripe", sqlstate.New(sqlstate.InsufficientPrivilege, "no access to account 'acct_1A'"), "acct_1A", ""},
		{"not named", sqlstate.New(sqlstate.UndefinedObject, "no such charge"), "acct_1A", "stripe account acct_1A"},
		{"detail kept", sqlstate.New(sqlstate.UndefinedObject, "no such charge").WithDetail("request_id=req_1"), "acct_1A", "stripe account acct_1A: request_id=req_1"},
		{"own account", sqlstate.New(sqlstate.UndefinedObject, "no such charge"), "", ""},
		{"cancelled", sqlstate.New(sqlstate.QueryCanceled, "canceling statement due to user request"), "acct_1A", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := accountErr(tt.err, tt.acct).(*sqlstate.Error)
			if d := cmp.Diff(tt.wantDetail, got.Detail); d != "" {
				t.Errorf("detail (-want +got):\n%s", d)
			}
		})
	}
	if accountErr(plain, "acct_1A") != plain {
		t.Error("a non-coded error changed")
	}
}
