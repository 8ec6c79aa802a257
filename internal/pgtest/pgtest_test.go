package pgtest

import (
	"strings"
	"testing"
)

func TestStartAnswersQueries(t *testing.T) {
	s := Start(t)
	got := strings.TrimSpace(s.Psql(t, "SELECT 1 + 1, current_setting('TimeZone');"))
	if got != "2|UTC" {
		t.Errorf("psql answered %q; want 2|UTC", got)
	}
}
