package server

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPsqlMetaCommandsCatalogGaps runs the psql meta-commands QA found failing (missing catalog
// tables and functions): each must exit 0 and print what psql prints for an empty catalog, and
// \sf must print the definition of a Stripe action procedure.
func TestPsqlMetaCommandsCatalogGaps(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("psql is not installed (apt-get install postgresql-client-15)")
	}
	addr := startReal(t)
	tests := []struct {
		cmd      string
		contains []string
	}{
		{`\do`, []string{"List of operators"}},
		{`\dF`, []string{"List of text search configurations"}},
		{`\dFd`, []string{"List of text search dictionaries"}},
		{`\dFp`, []string{"List of text search parsers"}},
		{`\dFt`, []string{"List of text search templates"}},
		{`\dc`, []string{"List of conversions"}},
		{`\dl`, []string{"Large objects"}},
		{`\drds`, []string{"Did not find any settings"}},
		{`\sf acceptquote`, []string{"CREATE OR REPLACE PROCEDURE public.acceptquote(", "LANGUAGE stripe", "-- runs the Stripe action AcceptQuote"}},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			got, err := psql(t, addr, "-c", tt.cmd)
			if err != nil {
				t.Fatalf("psql -c %s: %v\n%s", tt.cmd, err, got)
			}
			for _, want := range tt.contains {
				if !strings.Contains(got, want) {
					t.Errorf("psql -c %s output lacks %q:\n%s", tt.cmd, want, got)
				}
			}
		})
	}
}
