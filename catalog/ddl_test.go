package catalog

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDDL(t *testing.T) {
	ddl := DDL(Default())
	var got []string
	for _, line := range strings.Split(ddl, "\n") {
		switch {
		case strings.HasPrefix(line, "CREATE TABLE public.refunds ("):
			got = append(got, line[:len("CREATE TABLE public.refunds (id text, amount bigint")])
		case strings.HasPrefix(line, "ALTER TABLE public.refunds ADD CONSTRAINT refunds_charge_fkey"),
			strings.HasPrefix(line, "COMMENT ON COLUMN public.refunds.amount IS"):
			got = append(got, line)
		}
	}
	want := []string{
		"CREATE TABLE public.refunds (id text, amount bigint",
		"COMMENT ON COLUMN public.refunds.amount IS 'Amount, in cents (or local equivalent).';",
		"ALTER TABLE public.refunds ADD CONSTRAINT refunds_charge_fkey FOREIGN KEY (charge) REFERENCES charges(id);",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if strings.Contains(ddl, "pg_catalog") {
		t.Errorf("DDL creates system tables")
	}
}
