package catalog

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGeneratedFileFresh runs the generator into a temporary directory and fails when the
// committed stripe_tables_gen.go differs: someone changed the generator (or the stripe-go
// version) without running go generate.
func TestGeneratedFileFresh(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("skipping: no go command to run the generator")
	}
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/stripe/stripe-go/v76").Output()
	if err != nil || len(bytes.TrimSpace(dir)) == 0 {
		t.Skip("skipping: stripe-go v76 module sources are not available (go mod download fetches them)")
	}
	if _, err := os.Stat(filepath.Join(string(bytes.TrimSpace(dir)), "customer", "client.go")); err != nil {
		t.Skipf("skipping: stripe-go v76 module sources are not available: %v", err)
	}
	out := filepath.Join(t.TempDir(), "stripe_tables_gen.go")
	cmd := exec.Command("go", "run", "./internal/gen", "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generator failed: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("stripe_tables_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("stripe_tables_gen.go is stale; run go generate ./catalog and review testdata/schema.golden:\n%s",
			cmp.Diff(string(want), string(got)))
	}
}

// inventoryRow is one line of the stripe-go v76 inventory, which was produced independently
// of this generator (from the same module), so agreeing with it checks the generator.
type inventoryRow struct {
	resource                                        string
	hasSearch, hasGet, hasCreate, hasUpdate, hasDel bool
	filters, actions                                []string
	listPaths                                       []string
	searchPath                                      string
}

func readInventory(t *testing.T) []inventoryRow {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "shared", "reference", "stripe-go-v76-inventory.tsv"))
	if err != nil {
		t.Skipf("skipping: reference inventory not available: %v", err)
	}
	defer f.Close()
	var rows []inventoryRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for first := true; sc.Scan(); first = false {
		c := strings.Split(sc.Text(), "\t")
		if first || len(c) < 13 || c[2] != "1" {
			continue
		}
		split := func(s, sep string) []string {
			if s == "" {
				return nil
			}
			return strings.Split(s, sep)
		}
		rows = append(rows, inventoryRow{
			resource: c[0], hasSearch: c[3] == "1", hasGet: c[4] == "1", hasCreate: c[5] == "1",
			hasUpdate: c[6] == "1", hasDel: c[7] == "1", filters: split(c[8], ","), actions: split(c[9], ","),
			listPaths: split(c[11], " | "), searchPath: c[12],
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestInventoryAgreement(t *testing.T) {
	rows := readInventory(t)
	if len(rows) != 95 {
		t.Fatalf("inventory lists %d resources with List, want 95", len(rows))
	}
	byResource := map[string]*Table{}
	for _, tb := range StripeTables() {
		// The inventory lists resources by their List call; a table without one (account, the
		// API key's own account read by GET /v1/account) shares its resource with the listed table.
		if tb.List != nil {
			byResource[tb.Resource] = tb
		}
	}
	for _, r := range rows {
		t.Run(r.resource, func(t *testing.T) {
			tb := byResource[r.resource]
			if tb == nil {
				t.Fatal("no table")
			}
			if !slices.Contains(r.listPaths, tb.List.Path) {
				t.Errorf("list path %s, inventory has %v", tb.List.Path, r.listPaths)
			}
			if got := tb.Search != nil; got != r.hasSearch || (got && tb.Search.Path != r.searchPath) {
				t.Errorf("search %+v, inventory has %v %s", tb.Search, r.hasSearch, r.searchPath)
			}
			if got, want := tb.Retrieve != nil, r.hasGet || slices.Contains(r.actions, "GetByID"); got != want {
				t.Errorf("retrieve %v, inventory says %v", got, want)
			}
			if got := tb.Create != nil; got != r.hasCreate {
				t.Errorf("create %v, inventory says %v", got, r.hasCreate)
			}
			if got := tb.Update != nil; got != r.hasUpdate {
				t.Errorf("update %v, inventory says %v", got, r.hasUpdate)
			}
			if got := tb.Delete != nil && tb.Delete.Verb == "delete"; got != r.hasDel {
				t.Errorf("delete %+v, inventory says %v", tb.Delete, r.hasDel)
			}

			// Every inventory filter is a key (query parameters) or a parent (path parameters).
			var want, got []string
			for _, f := range r.filters {
				name, kind, _ := strings.Cut(f, ":")
				if strings.HasSuffix(kind, "(path)") {
					continue
				}
				if name == "order_by" { // a sort order, not a filter (overrides.go)
					continue
				}
				parts := strings.Split(name, ".")
				param := parts[0]
				for _, p := range parts[1:] {
					param += "[" + p + "]"
				}
				ops := "="
				switch {
				case kind == "range":
					ops = "range"
				case strings.HasSuffix(kind, "|range"):
					ops = "=,range"
				}
				want = append(want, param+" "+ops)
			}
			for _, k := range tb.List.Keys {
				ops := "="
				switch {
				case slices.Equal(k.Ops, []Op{OpGt, OpGte, OpLt, OpLte}):
					ops = "range"
				case len(k.Ops) == 5:
					ops = "=,range"
				}
				got = append(got, k.Param+" "+ops)
			}
			sort.Strings(want)
			sort.Strings(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("list filters (-inventory +catalog)\n%s", diff)
			}
		})
	}
}
