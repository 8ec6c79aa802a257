package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

func TestCLIHint(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string // the hint after rewriting
	}{
		{"plan over budget", sqlstate.New(sqlstate.ProgramLimitExceeded, "over").WithHint("add a filter on created, or SET stripesql.max_requests = 3000"),
			"add a filter on created, or run with --max-requests 3000"},
		{"only the setting", sqlstate.New(sqlstate.ProgramLimitExceeded, "over").WithHint("SET stripesql.max_requests = 12"), "run with --max-requests 12"},
		{"other hints stay", sqlstate.New(sqlstate.UndefinedTable, "x").WithHint("did you mean customers?"), "did you mean customers?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sqlstate.Wrap(cliHint(tt.err))
			if diff := cmp.Diff(tt.want, got.Hint); diff != "" {
				t.Errorf("hint (-want +got):\n%s", diff)
			}
		})
	}
	if got := cliHint(nil); got != nil {
		t.Errorf("cliHint(nil) = %v", got)
	}
	plain := errors.New("plain")
	if got := cliHint(plain); got != plain {
		t.Errorf("cliHint changed a plain error: %v", got)
	}
}

// TestQueryOverBudgetHintNamesTheFlag runs an over-budget query: the CLI's hint names
// --max-requests, not the SET that only a SQL session could run.
func TestQueryOverBudgetHintNamesTheFlag(t *testing.T) {
	demoEnv(t)
	code, _, errOut := runCmd(t, "query", "--max-requests", "1", "SELECT count(*) FROM charges")
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "HINT:  ") || !strings.Contains(errOut, "run with --max-requests ") || strings.Contains(errOut, "SET stripesql") {
		t.Errorf("hint does not name --max-requests:\n%s", errOut)
	}
}
