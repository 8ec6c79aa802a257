package emulator

import (
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestSeedConsistency checks the seeded money trail: every captured charge has a balance
// transaction of its amount, every refund a negative one, failed charges carry a failure code,
// and every charge belongs to a customer and a payment intent.
func TestSeedConsistency(t *testing.T) {
	e, err := New(Config{Seed: 9, Scale: ScaleSmall, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	bts := map[string]map[string]any{}
	for _, bt := range e.Objects("balance_transactions") {
		bts[bt["id"].(string)] = bt
	}
	pis := map[string]bool{}
	for _, pi := range e.Objects("payment_intents") {
		pis[pi["id"].(string)] = true
	}
	var failed, refunded int
	oldest := fixedNow.Add(-2 * 365 * 24 * time.Hour).Unix()
	for _, ch := range e.Objects("charges") {
		if ch["customer"] == nil || !pis[ch["payment_intent"].(string)] {
			t.Fatalf("charge %s without customer or payment intent", ch["id"])
		}
		if c := num(ch["created"]); c < oldest || c > fixedNow.Add(2*time.Hour).Unix() {
			t.Errorf("charge %s created %d outside two years before now", ch["id"], c)
		}
		if ch["status"] == "failed" {
			failed++
			if ch["failure_code"] != "card_declined" || ch["balance_transaction"] != nil {
				t.Errorf("failed charge %s: %v %v", ch["id"], ch["failure_code"], ch["balance_transaction"])
			}
			continue
		}
		bt := bts[ch["balance_transaction"].(string)]
		if bt == nil || num(bt["amount"]) != num(ch["amount"]) || bt["source"] != ch["id"] {
			t.Errorf("charge %s balance transaction %v", ch["id"], bt)
		}
		if num(ch["amount_refunded"]) > 0 {
			refunded++
		}
	}
	for _, r := range e.Objects("refunds") {
		bt := bts[r["balance_transaction"].(string)]
		if bt == nil || num(bt["amount"]) != -num(r["amount"]) {
			t.Errorf("refund %s balance transaction %v", r["id"], bt)
		}
	}
	if failed == 0 || refunded == 0 || len(e.Objects("disputes")) == 0 || len(e.Objects("subscriptions")) == 0 {
		t.Errorf("seed lacks variety: failed %d refunded %d", failed, refunded)
	}
	// Determinism: the same seed gives the same data.
	e2, _ := New(Config{Seed: 9, Scale: ScaleSmall, Now: clock})
	if diff := cmp.Diff(liveIDs(e, "charges")[:20], liveIDs(e2, "charges")[:20]); diff != "" {
		t.Errorf("seed not deterministic:\n%s", diff)
	}
	var counts []int
	for _, r := range []string{"charges", "customers"} {
		counts = append(counts, len(e.Objects(r)))
	}
	if diff := cmp.Diff([]int{500, 50}, counts); diff != "" {
		t.Errorf("small scale (-want +got):\n%s", diff)
	}
}

// TestSeedLarge seeds 100,000 charges and reports time and heap; skipped with -short and -race.
func TestSeedLarge(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("large seed: run without -short and without -race")
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	e, err := New(Config{Seed: 1, Scale: ScaleLarge, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	n := len(e.colls["charges"].order)
	t.Logf("seeded %d charges, %d balance transactions in %v, heap %d MiB", n, len(e.colls["balance_transactions"].order), d, (after.HeapAlloc-before.HeapAlloc)>>20)
	if n != 100_000 {
		t.Errorf("%d charges", n)
	}
}
