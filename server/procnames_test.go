package server

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPsqlProcedureNames checks that procedures are listed as PostgreSQL stores an unquoted name,
// in lower case: psql folds an unquoted \df pattern, so \df AcceptQuote and \df acceptquote both
// find the procedure, and CALL AcceptQuote(…) (folded by the parser too) names the same one.
func TestPsqlProcedureNames(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("psql is not installed (apt-get install postgresql-client-15)")
	}
	addr := startReal(t)
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		want    []string
	}{
		{"df folded pattern", []string{"-c", `\df AcceptQuote`}, false, []string{"public | acceptquote", "proc", "(1 row)"}},
		{"df lower-case pattern", []string{"-c", `\df acceptquote`}, false, []string{"public | acceptquote", "(1 row)"}},
		{"df wildcard", []string{"-c", `\df cancel*`}, false, []string{"cancelpaymentintent", "cancelsubscription"}},
		{"df+ shows the description", []string{"-c", `\df+ acceptquote`}, false, []string{"acceptquote"}},
		// The quote does not exist: Stripe's 404 proves the CALL reached the procedure.
		{"call mixed case", []string{"-c", `CALL AcceptQuote('qt_doesnotexist')`}, true, []string{"qt_doesnotexist"}},
		{"call lower case", []string{"-c", `CALL acceptquote('qt_doesnotexist')`}, true, []string{"qt_doesnotexist"}},
		{"regproc", []string{"-c", `SELECT 'AcceptQuote'::regproc, 'acceptquote'::regproc::oid = 'AcceptQuote'::regproc::oid AS same`}, false,
			[]string{"acceptquote", " t"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := psql(t, addr, tt.args...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("psql %v: err = %v, want error %v\n%s", tt.args, err, tt.wantErr, got)
			}
			if tt.wantErr && strings.Contains(got, "does not exist") && strings.Contains(got, "procedure") {
				t.Errorf("psql %v: the procedure was not found:\n%s", tt.args, got)
			}
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("psql %v output lacks %q:\n%s", tt.args, want, got)
				}
			}
		})
	}
}
