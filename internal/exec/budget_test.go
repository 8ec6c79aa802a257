package exec_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/sqlstate"
)

// budgetProof runs count(*) over the seeded charges: refused before any request at a budget below
// the estimate, answered with exactly pages requests when the budget allows, and (after the scan
// taught Stats the size) estimated exactly.
func budgetProof(t *testing.T, scale emulator.Scale, budget, pages int) {
	e := startEnv(t, scale)
	ctx := context.Background()
	const q = "SELECT count(*) FROM charges"
	low := map[string]string{"stripesql.max_requests": itoa(budget)}

	// A node that has never scanned charges assumes a busy account: refused, nothing sent.
	e.emu.ResetRequests()
	_, _, err := run(ctx, e.client, e.session(low), q)
	se, ok := sqlstate.As(err)
	if !ok || se.Code != sqlstate.ProgramLimitExceeded {
		t.Fatalf("err = %v; want 54000", err)
	}
	if n := len(e.emu.Requests()); n != 0 {
		t.Errorf("refused plan sent %d requests; want 0", n)
	}
	if !strings.Contains(se.Detail, "estimated") || !strings.Contains(se.Hint, "created") || !strings.Contains(se.Hint, "stripesql.max_requests") {
		t.Errorf("detail %q / hint %q should give the estimate and cheaper filters", se.Detail, se.Hint)
	}

	// When the budget allows: exactly one request per page of 100, and the right count.
	e.emu.ResetRequests()
	start := time.Now()
	rows, _, err := run(ctx, e.client, e.session(map[string]string{"stripesql.max_requests": "1000000"}), q)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rows[0][0], int64(len(e.emu.Objects("charges"))); got != want {
		t.Errorf("count(*) = %v; want %d", got, want)
	}
	if n := len(e.emu.Requests()); n != pages {
		t.Errorf("sent %d requests; want %d", n, pages)
	}
	t.Logf("%d requests in %v", pages, time.Since(start))

	// The complete scan taught Stats the size: the estimate is now exact.
	if n, ok := e.stats.Size("charges"); !ok || n != int64(pages*100) {
		t.Errorf("learned size = %d, %v; want %d", n, ok, pages*100)
	}
	e.emu.ResetRequests()
	_, _, err = run(ctx, e.client, e.session(map[string]string{"stripesql.max_requests": itoa(pages - 1)}), q)
	if got := codeOf(err); got != sqlstate.ProgramLimitExceeded {
		t.Errorf("one under the learned estimate: err = %v; want 54000", err)
	}
	if n := len(e.emu.Requests()); n != 0 {
		t.Errorf("refused plan sent %d requests; want 0", n)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestBudgetSmall is the budget proof at 2,000 charges (20 pages), fast enough for every run.
func TestBudgetSmall(t *testing.T) {
	budgetProof(t, emulator.ScaleN(2000), 10, 20)
}

// TestBudgetOverHundredThousandCharges is the proof: over 100,000 charges count(*) is
// refused at the default budget of 1,000 and answered with 1,000 requests when the budget allows.
// It seeds 100,000 charges and moves them over loopback (about a minute without -race), so it
// runs only when STRIPESQL_LONG_TESTS is set.
func TestBudgetOverHundredThousandCharges(t *testing.T) {
	if testing.Short() || os.Getenv("STRIPESQL_LONG_TESTS") == "" {
		t.Skip("set STRIPESQL_LONG_TESTS=1 to seed 100,000 charges and send 1,000 requests")
	}
	budgetProof(t, emulator.ScaleLarge, 1000, 1000)
}
