package procedures

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stripesql/stripesql/procedures/internal/actiongen"
)

var (
	genOnce    sync.Once
	genSrc     []byte
	genActions []actiongen.Action
	genErr     error
	genSkip    string
)

// generated runs the generator once per test binary over the stripe-go module and stripe-mock's
// spec, or skips when the module cache does not have them (CI, which does, checks the table).
func generated(t *testing.T) ([]byte, []actiongen.Action) {
	t.Helper()
	genOnce.Do(func() {
		wd, err := os.Getwd()
		if err != nil {
			genErr = err
			return
		}
		stripeDir, err := actiongen.ModuleDir(wd, actiongen.StripeGoModule)
		if err != nil {
			genSkip = "stripe-go sources not available: " + err.Error()
			return
		}
		mockDir, err := actiongen.ModuleDir(wd, actiongen.StripeMockModule)
		if err != nil {
			genSkip = "stripe-mock sources not available: " + err.Error()
			return
		}
		genSrc, genActions, genErr = actiongen.Generate(stripeDir, filepath.Join(mockDir, "embedded", "openapi", "spec3.json"))
	})
	if genSkip != "" {
		t.Skip(genSkip)
	}
	if genErr != nil {
		t.Fatal(genErr)
	}
	return genSrc, genActions
}

func TestGeneratedFileIsCurrent(t *testing.T) {
	want, _ := generated(t)
	got, err := os.ReadFile("actions_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, got) {
		t.Fatalf("actions_gen.go is stale; run go generate ./procedures\n%s", cmp.Diff(string(want), string(got)))
	}
}

// notProcedures are the stripe-go action methods with no procedure, and why.
var notProcedures = map[string]string{
	"quote.PDF": "answers a PDF file from files.stripe.com, which the JSON Backend cannot carry",
}

func TestRegistryCoversEveryStripeGoAction(t *testing.T) {
	_, actions := generated(t)
	var want []string
	for _, a := range actions {
		want = append(want, a.Origin)
	}
	for origin := range actiongen.HandWritten {
		want = append(want, origin)
	}
	// The stripe-go v76 inventory counts 99 action methods on 45 resources.
	if len(want) != 99 {
		t.Errorf("stripe-go v76 has %d action methods by the generator's reading; the inventory says 99", len(want))
	}
	resources := map[string]bool{}
	for _, o := range want {
		resources[o[:strings.LastIndexByte(o, '.')]] = true
	}
	if len(resources) != 45 {
		t.Errorf("actions on %d stripe-go clients; the inventory says 45", len(resources))
	}
	covered := map[string]bool{}
	for _, p := range Default().All() {
		covered[p.Origin] = true
	}
	var missing []string
	for _, o := range want {
		if !covered[o] && notProcedures[o] == "" {
			missing = append(missing, o)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("stripe-go actions with no procedure: %v", missing)
	}
	named := 0
	for _, n := range []string{"ConfirmPaymentIntent", "CapturePaymentIntent", "CancelPaymentIntent", "AttachPaymentMethodToCustomer",
		"DetachPaymentMethodFromCustomer", "FinalizeInvoice", "FinalizeQuote", "AcceptQuote", "CancelQuote"} {
		if _, err := Default().Lookup(n); err == nil {
			named++
		}
	}
	if named != 9 {
		t.Errorf("%d of the 9 named actions are registered", named)
	}
	t.Logf("%d procedures cover %d of %d stripe-go action methods plus the 9 named actions", len(Default().All()), len(want)-len(notProcedures), len(want))
}
