package ingest

import (
	"context"
	"errors"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/lake"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

var e2eTables = []string{"customers", "charges", "products", "invoices", "invoice_line_items", "subscriptions", "subscription_items", "events"}

// The mapping queries of the end-to-end test: one kept incrementally, one run in full.
var (
	mappedCustomers = Query{Name: "customer_dim", SQL: "SELECT id, name AS customer_name, email, metadata->>'tier' AS tier, created FROM customers c WHERE c.email IS NOT NULL"}
	chargeTotals    = Query{Name: "charge_totals", SQL: "SELECT currency, status, count(*) AS n, sum(amount) AS total FROM charges GROUP BY currency, status"}
)

// lakeEqualsLive compares every table of the run with what Stripe holds now.
func (e *env) lakeEqualsLive(tables []string, queries ...Query) {
	e.t.Helper()
	for _, name := range tables {
		cols, live := e.query(e.liveSQL(name))
		e.sameAsLive(name, cols, live)
	}
	for _, q := range queries {
		cols, live := e.query(q.SQL)
		e.sameAsLive(q.Name, cols, live)
	}
}

func modes(rep *Report) map[string]string {
	m := map[string]string{}
	for _, t := range rep.Tables {
		m[t.Table] = t.Mode
	}
	return m
}

func byTable(rep *Report) map[string]TableReport {
	m := map[string]TableReport{}
	for _, t := range rep.Tables {
		m[t.Table] = t
	}
	return m
}

// changeEverything makes the changes the issue lists: creates, updates (metadata, names), a
// delete, a subscription cancel, an invoice paid, line items added. It returns the ids touched.
func (e *env) changeEverything() map[string]string {
	ids := map[string]string{}
	custs := e.emu.Objects("customers")
	ids["new_customer"] = e.post("/v1/customers", "name", "Ada Lovelace", "email", "ada@example.com", "metadata[tier]", "gold")["id"].(string)
	ids["renamed"] = custs[1]["id"].(string)
	e.post("/v1/customers/"+ids["renamed"], "name", "Renamed Customer", "metadata[tier]", "silver")
	ids["deleted"] = custs[2]["id"].(string)
	e.del("/v1/customers/" + ids["deleted"])
	prods := e.emu.Objects("products")
	ids["product"] = prods[0]["id"].(string)
	e.post("/v1/products/"+ids["product"], "name", "Renamed Product")
	ids["charge"] = e.post("/v1/charges", "amount", "4242", "currency", "usd", "source", "tok_visa", "metadata[order]", "o-1")["id"].(string)
	for _, s := range e.emu.Objects("subscriptions") {
		if s["status"] == "active" {
			ids["canceled"] = s["id"].(string)
			e.del("/v1/subscriptions/" + ids["canceled"])
			break
		}
	}
	for _, s := range e.emu.Objects("subscriptions") {
		if s["status"] == "active" {
			items := e.emu.Objects("prices")
			ids["sub_with_item"] = s["id"].(string)
			for _, p := range items {
				if p["type"] == "recurring" {
					e.post("/v1/subscription_items", "subscription", ids["sub_with_item"], "price", p["id"].(string), "quantity", "2")
					break
				}
			}
			break
		}
	}
	for _, inv := range e.emu.Objects("invoices") {
		if inv["status"] == "open" {
			ids["paid"] = inv["id"].(string)
			e.post("/v1/invoices/"+ids["paid"]+"/pay", "paid_out_of_band", "true")
			break
		}
	}
	draft := e.post("/v1/invoices", "customer", ids["renamed"])
	ids["draft"] = draft["id"].(string)
	e.post("/v1/invoiceitems", "customer", ids["renamed"], "invoice", ids["draft"], "amount", "1500", "currency", "usd", "description", "consulting")
	e.post("/v1/invoiceitems", "customer", ids["renamed"], "invoice", ids["draft"], "amount", "700", "currency", "usd", "description", "support")
	for k, v := range ids {
		if v == "" {
			e.t.Fatalf("no %s to change in the seeded data", k)
		}
	}
	return ids
}

func TestSyncEndToEnd(t *testing.T) {
	e := newEnv(t, emulator.ScaleN(1000))
	cfg := e.config(e2eTables, mappedCustomers, chargeTotals)

	backfill, backfillReqs := e.sync(cfg)
	for name, m := range modes(backfill) {
		if m != "backfill" {
			t.Errorf("%s: first run is a %s, want a backfill", name, m)
		}
	}
	e.lakeEqualsLive(e2eTables, mappedCustomers, chargeTotals)
	chargeFiles := map[string]string{}
	for _, f := range mustManifest(t, e.dir).Tables["charges"].Files {
		chargeFiles[f.Partition] = f.Path
	}

	ids := e.changeEverything()
	incr, incrReqs := e.sync(cfg)
	t.Logf("backfill: %d requests; incremental: %d requests (%d of them events)", backfillReqs, incrReqs, incr.EventRequests)
	if incrReqs*5 > backfillReqs {
		t.Errorf("the incremental run sent %d requests, more than a fifth of the backfill's %d", incrReqs, backfillReqs)
	}
	want := map[string]string{"charge_totals": "full copy"}
	for _, n := range append(e2eTables, mappedCustomers.Name) {
		want[n] = "incremental"
	}
	if diff := cmp.Diff(want, modes(incr)); diff != "" {
		t.Errorf("modes (-want +got):\n%s", diff)
	}
	e.lakeEqualsLive(e2eTables, mappedCustomers, chargeTotals)

	t.Run("only the partitions with changes were rewritten", func(t *testing.T) {
		rewritten := 0
		for _, f := range mustManifest(t, e.dir).Tables["charges"].Files {
			if chargeFiles[f.Partition] != f.Path {
				rewritten++
			}
		}
		if rewritten != 1 { // the month of the new charge
			t.Errorf("%d charges partitions rewritten, want 1", rewritten)
		}
	})
	t.Run("changes", func(t *testing.T) {
		rt := byTable(incr)
		checks := []struct {
			table         string
			ins, upd, del int64
		}{
			{table: "customers", ins: 1, upd: 1, del: 1},
			{table: "products", upd: 1},
			{table: "customer_dim", ins: 1, upd: 1, del: 1},
		}
		for _, c := range checks {
			got := rt[c.table]
			if got.Inserted != c.ins || got.Updated != c.upd || got.Deleted != c.del {
				t.Errorf("%s: inserted %d updated %d deleted %d, want %d %d %d", c.table, got.Inserted, got.Updated, got.Deleted, c.ins, c.upd, c.del)
			}
		}
		if rt["invoice_line_items"].Inserted != 2 {
			t.Errorf("invoice_line_items: %d inserted, want the 2 lines added", rt["invoice_line_items"].Inserted)
		}
		if rt["subscription_items"].Inserted != 1 {
			t.Errorf("subscription_items: %d inserted, want the item added", rt["subscription_items"].Inserted)
		}
		if rt["subscriptions"].Deleted != 0 || rt["subscriptions"].Updated < 1 {
			t.Errorf("subscriptions: %+v; a cancel is an update, not a delete", rt["subscriptions"])
		}
	})
	t.Run("history", func(t *testing.T) {
		got := e.historyOf(t, "customers", ids["new_customer"], ids["renamed"], ids["deleted"])
		want := []string{
			"delete " + ids["deleted"] + " evt", "insert " + ids["deleted"] + " -",
			"insert " + ids["new_customer"] + " evt", "insert " + ids["renamed"] + " -", "update " + ids["renamed"] + " evt",
		}
		if diff := cmp.Diff(sorted(want), got); diff != "" {
			t.Errorf("customers history (-want +got):\n%s", diff)
		}
		if got := e.historyOf(t, "subscriptions", ids["canceled"]); !contains(got, "update "+ids["canceled"]+" evt") {
			t.Errorf("subscriptions history %v has no update for the cancel", got)
		}
		if got := e.historyOf(t, "invoices", ids["paid"]); !contains(got, "update "+ids["paid"]+" evt") {
			t.Errorf("invoices history %v has no update for the payment", got)
		}
	})

	again, _ := e.sync(cfg)
	t.Run("a run with no changes changes nothing", func(t *testing.T) {
		for _, tr := range again.Tables {
			if tr.Inserted+tr.Updated+tr.Deleted != 0 {
				t.Errorf("%s: %+v", tr.Table, tr)
			}
		}
	})
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func mustManifest(t *testing.T, dir string) *lake.Manifest {
	t.Helper()
	m, err := lake.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSyncInterruptedCommitResumesExactlyOnce(t *testing.T) {
	e := newEnv(t, emulator.ScaleN(300))
	tables := []string{"customers", "invoices", "invoice_line_items"}
	e.sync(e.config(tables))
	ids := e.changeEverything()

	crash := errors.New("killed between the files and the manifest")
	cfg := e.config(tables)
	cfg.BeforeManifest = func() error { return crash }
	e.emu.ResetRequests()
	rep, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(rep.CommitErr, crash) || !rep.Failed() {
		t.Fatalf("commit error %v, want the injected crash", rep.CommitErr)
	}
	// The manifest is the one before the changes: the deleted customer is still in the lake.
	found := false
	m := mustManifest(t, e.dir)
	if err := lake.ReadRows(e.dir, m.Tables["customers"], func(row []any) error {
		found = found || row[0] == ids["deleted"]
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Errorf("after the interrupted commit the lake lost the last committed state")
	}

	e.sync(e.config(tables)) // resumes: the same events again, applied once
	e.lakeEqualsLive(tables)
	got := e.historyOf(t, "customers", ids["renamed"], ids["deleted"])
	want := []string{"delete " + ids["deleted"] + " evt", "insert " + ids["deleted"] + " -", "insert " + ids["renamed"] + " -", "update " + ids["renamed"] + " evt"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history after the resumed run (-want +got):\n%s", diff)
	}
}

func TestSyncFallsBackAfterThirtyDays(t *testing.T) {
	e := newEnv(t, emulator.ScaleN(200))
	tables := []string{"customers", "invoice_line_items", "balance_transactions"}
	e.sync(e.config(tables))
	e.tick(31 * 24 * time.Hour)
	renamed := e.emu.Objects("customers")[0]["id"].(string)
	e.post("/v1/customers/"+renamed, "name", "Thirty One Days Later")
	rep, _ := e.sync(e.config(tables))
	rt := byTable(rep)
	for _, n := range []string{"customers", "invoice_line_items"} {
		if rt[n].Mode != "re-copy" || !strings.Contains(rt[n].Note, "30 days") {
			t.Errorf("%s: mode %q note %q, want a re-copy that says why", n, rt[n].Mode, rt[n].Note)
		}
	}
	if rt["balance_transactions"].Mode != "full copy" {
		t.Errorf("balance_transactions (no events, small): mode %q, want full copy", rt["balance_transactions"].Mode)
	}
	if c := rt["customers"]; c.Updated != 1 || c.Inserted != 0 || c.Deleted != 0 {
		t.Errorf("customers re-copy: %+v, want exactly the one update in the history", c)
	}
	e.lakeEqualsLive(tables)
	rep, _ = e.sync(e.config(tables))
	if m := byTable(rep)["customers"].Mode; m != "incremental" {
		t.Errorf("after the re-copy: mode %q, want incremental", m)
	}
}

func TestSyncReportsFailedTableWhileOthersCommit(t *testing.T) {
	e := newEnv(t, emulator.ScaleN(100))
	e.sync(e.config([]string{"customers"}))
	cfg := e.config([]string{"customers", "charges"})
	cfg.Backend = failing{Backend: e.client, path: "/v1/charges"}
	rep, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	rt := byTable(rep)
	if rt["charges"].Err == nil || rt["customers"].Err != nil || !rep.Failed() {
		t.Fatalf("charges err %v, customers err %v", rt["charges"].Err, rt["customers"].Err)
	}
	m := mustManifest(t, e.dir)
	if m.Run != rep.Run || !m.Tables["customers"].Synced.Equal(rep.Started.UTC()) {
		t.Errorf("customers did not commit in the run where charges failed")
	}
	if _, ok := m.Tables["charges"]; ok {
		t.Errorf("the failed table was committed")
	}
}

// failing is a Backend whose lists of one path fail.
type failing struct {
	stripeapi.Backend
	path string
}

func (f failing) List(ctx context.Context, path string, params url.Values) (*stripeapi.Page, error) {
	if path == f.path {
		return nil, &stripeapi.Error{Status: 500, Type: "api_error", Message: "injected"}
	}
	return f.Backend.List(ctx, path, params)
}
