package exec_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/procedures"
)

// refID reads a reference field of an emulator object, expanded or not, as an id.
func refID(o map[string]any, field string) string {
	switch v := o[field].(type) {
	case string:
		return v
	case map[string]any:
		s, _ := v["id"].(string)
		return s
	}
	return ""
}

// idsWhere returns the sorted ids of a resource's emulator objects that keep says to keep.
func idsWhere(e *testEnv, resource string, keep func(o map[string]any) bool) []string {
	var out []string
	for _, o := range e.emu.Objects(resource) {
		if keep(o) {
			out = append(out, o["id"].(string))
		}
	}
	sort.Strings(out)
	return out
}

// TestRequiredListFilter checks that a list Stripe refuses without a required filter
// (subscription_items without subscription) always sends it: with pushdown on and off, from a
// WHERE constant and, as one filtered list per key, from a join; and that a query constraining
// it nowhere lists the items under every subscription (planner/fanout.go).
func TestRequiredListFilter(t *testing.T) {
	e := startEnv(t, emulator.ScaleSmall)
	ctx := context.Background()
	sub0 := pick(t, e, "subscription_items", "subscription", 0)
	subs := map[string]bool{sub0: true}
	var sub1 string
	for n := 1; sub1 == "" || sub1 == sub0; n++ {
		sub1 = pick(t, e, "subscription_items", "subscription", n)
	}
	subs[sub1] = true
	itemsOf := func(want map[string]bool) []string {
		return idsWhere(e, "subscription_items", func(o map[string]any) bool { return want[refID(o, "subscription")] })
	}
	known := map[string]bool{}
	for _, o := range e.emu.Objects("subscriptions") {
		known[o["id"].(string)] = true
	}
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"constant", fmt.Sprintf("SELECT si.id FROM subscription_items si WHERE subscription = '%s'", sub0), itemsOf(map[string]bool{sub0: true})},
		{"in list", fmt.Sprintf("SELECT si.id FROM subscription_items si WHERE subscription IN ('%s', '%s')", sub0, sub1), itemsOf(subs)},
		{"join with constant on the left", fmt.Sprintf("SELECT si.id FROM subscriptions s JOIN subscription_items si ON si.subscription = s.id WHERE s.id IN ('%s', '%s')", sub0, sub1), itemsOf(subs)},
		{"comma join", "SELECT si.id FROM subscriptions s, subscription_items si WHERE si.subscription = s.id", itemsOf(known)},
		{"unconstrained fans out", "SELECT id FROM subscription_items", itemsOf(known)},
		{"join without the filter fans out", "SELECT si.id FROM subscription_items si JOIN prices p ON p.id = si.price", itemsOf(known)},
		{"left join", fmt.Sprintf("SELECT si.id FROM subscriptions s LEFT JOIN subscription_items si ON si.subscription = s.id AND si.quantity > 0 WHERE s.id = '%s'", sub0),
			idsWhere(e, "subscription_items", func(o map[string]any) bool {
				q, _ := o["quantity"].(int64)
				if f, ok := o["quantity"].(float64); ok {
					q = int64(f)
				}
				return refID(o, "subscription") == sub0 && q > 0
			})},
	}
	for _, tt := range tests {
		for _, pushdown := range []string{"on", "off"} {
			t.Run(tt.name+"/pushdown="+pushdown, func(t *testing.T) {
				e.emu.ResetRequests()
				sess := e.session(map[string]string{"stripesql.pushdown": pushdown, "stripesql.max_requests": "100000"})
				rows, _, err := run(ctx, e.client, sess, tt.sql)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range rows {
					if r[0] != nil {
						got = append(got, r[0].(string))
					}
				}
				sort.Strings(got)
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("rows (-want +got):\n%s", diff)
				}
				listed := 0
				for _, r := range e.emu.Requests() {
					if r.Path != "/v1/subscription_items" {
						continue
					}
					listed++
					if s := r.Query.Get("subscription"); s == "" || !known[s] {
						t.Errorf("request %s?%s lacks a subscription", r.Path, r.Query.Encode())
					}
				}
				if listed == 0 {
					t.Errorf("no subscription_items list was sent: %v", describe(e.emu.Requests()))
				}
			})
		}
	}
	t.Run("explain shows the per-key list", func(t *testing.T) {
		rows, _, err := run(ctx, e.client, e.session(nil), "EXPLAIN SELECT si.id FROM subscriptions s JOIN subscription_items si ON si.subscription = s.id")
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(texts(rows), "\n")
		if !strings.Contains(text, "Pushed: subscription = each distinct join key (id)") || !strings.Contains(text, "GET /v1/subscription_items?limit=100&subscription={key}") {
			t.Errorf("EXPLAIN does not say subscription_items is listed per subscription:\n%s", text)
		}
	})
	t.Run("by id needs no subscription", func(t *testing.T) {
		si := pick(t, e, "subscription_items", "id", 0)
		e.emu.ResetRequests()
		rows, _, err := run(ctx, e.client, e.session(nil), fmt.Sprintf("SELECT id FROM subscription_items WHERE id = '%s'", si))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{si}, texts(rows)); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"GET /v1/subscription_items/" + si}, paths(e.emu.Requests())); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
	})
}

// TestArrayKeyParams checks that an array list parameter (prices lookup_keys, products ids) is
// sent as lookup_keys[0], lookup_keys[1], … with every value of an = or IN in one call, and split
// over calls beyond ten values.
func TestArrayKeyParams(t *testing.T) {
	e := startEnv(t, emulator.ScaleSmall)
	ctx := context.Background()
	k0 := pick(t, e, "prices", "lookup_key", 0)
	var k1 string
	for n := 1; k1 == "" || k1 == k0; n++ {
		k1 = pick(t, e, "prices", "lookup_key", n)
	}
	pricesWith := func(keys ...string) []string {
		return idsWhere(e, "prices", func(o map[string]any) bool {
			lk, _ := o["lookup_key"].(string)
			for _, k := range keys {
				if lk == k {
					return true
				}
			}
			return false
		})
	}
	var many []string
	for i := 0; i < 10; i++ {
		many = append(many, fmt.Sprintf("'nosuch_%d'", i))
	}
	tests := []struct {
		name   string
		sql    string
		want   []string
		params []map[string]string // the lookup_keys params of each prices request
	}{
		{"equal", fmt.Sprintf("SELECT id FROM prices WHERE lookup_key = '%s'", k0), pricesWith(k0),
			[]map[string]string{{"lookup_keys[0]": k0}}},
		{"in is one call", fmt.Sprintf("SELECT id FROM prices WHERE lookup_key IN ('%s', '%s')", k0, k1), pricesWith(k0, k1),
			[]map[string]string{{"lookup_keys[0]": k0, "lookup_keys[1]": k1}}},
		{"more than ten values", fmt.Sprintf("SELECT id FROM prices WHERE lookup_key IN ('%s', %s, '%s')", k0, strings.Join(many, ", "), k1), pricesWith(k0, k1),
			[]map[string]string{
				{"lookup_keys[0]": k0, "lookup_keys[1]": "nosuch_0", "lookup_keys[2]": "nosuch_1", "lookup_keys[3]": "nosuch_2", "lookup_keys[4]": "nosuch_3",
					"lookup_keys[5]": "nosuch_4", "lookup_keys[6]": "nosuch_5", "lookup_keys[7]": "nosuch_6", "lookup_keys[8]": "nosuch_7", "lookup_keys[9]": "nosuch_8"},
				{"lookup_keys[0]": "nosuch_9", "lookup_keys[1]": k1},
			}},
	}
	p0, p1, p2 := pick(t, e, "products", "id", 0), pick(t, e, "products", "id", 1), pick(t, e, "products", "id", 2)
	tests = append(tests, struct {
		name   string
		sql    string
		want   []string
		params []map[string]string
	}{"product ids in one list", fmt.Sprintf("SELECT id FROM products WHERE id IN ('%s', '%s', '%s')", p0, p1, p2), idsWhere(e, "products", func(o map[string]any) bool {
		id := o["id"].(string)
		return id == p0 || id == p1 || id == p2
	}), []map[string]string{{"ids[0]": p0, "ids[1]": p1, "ids[2]": p2}}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.emu.ResetRequests()
			rows, _, err := run(ctx, e.client, e.session(nil), tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			got := texts(rows)
			sort.Strings(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			var params []map[string]string
			for _, r := range e.emu.Requests() {
				if r.Path != "/v1/prices" && r.Path != "/v1/products" {
					continue
				}
				p := map[string]string{}
				for k, vs := range r.Query {
					if strings.HasPrefix(k, "lookup_keys") || strings.HasPrefix(k, "ids") {
						p[k] = strings.Join(vs, ",")
					}
				}
				params = append(params, p)
			}
			if diff := cmp.Diff(tt.params, params); diff != "" {
				t.Errorf("lookup_keys params (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJoinGroupingKeepsTables checks that grouping and aggregates over a join tell apart columns
// of the same name in different tables (pi.status and ch.status, count(ch.id) and count(r.id)),
// against answers computed from the emulator's objects.
func TestJoinGroupingKeepsTables(t *testing.T) {
	e := startEnv(t, emulator.ScaleSmall)
	ctx := context.Background()
	piStatus := map[string]string{}
	for _, o := range e.emu.Objects("payment_intents") {
		piStatus[o["id"].(string)] = o["status"].(string)
	}
	pairs := map[string]int{}
	for _, o := range e.emu.Objects("charges") {
		if st, ok := piStatus[refID(o, "payment_intent")]; ok {
			pairs[st+"|"+o["status"].(string)]++
		}
	}
	var wantPairs []string
	for k, n := range pairs {
		wantPairs = append(wantPairs, fmt.Sprintf("%s|%d", k, n))
	}
	sort.Strings(wantPairs)
	isCharge, isRefund := map[string]bool{}, map[string]bool{}
	for _, o := range e.emu.Objects("charges") {
		isCharge[o["id"].(string)] = true
	}
	for _, o := range e.emu.Objects("refunds") {
		isRefund[o["id"].(string)] = true
	}
	var nch, nre int
	for _, o := range e.emu.Objects("balance_transactions") {
		src := refID(o, "source")
		if isCharge[src] {
			nch++
		}
		if isRefund[src] {
			nre++
		}
	}
	if len(wantPairs) == 0 || nch == 0 || nre == 0 {
		t.Fatalf("seed has no joined rows: pairs %v, %d charges, %d refunds", wantPairs, nch, nre)
	}
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"group by same-named columns", "SELECT pi.status, ch.status, count(*) FROM payment_intents pi JOIN charges ch ON ch.payment_intent = pi.id GROUP BY 1, 2", wantPairs},
		{"group by same-named columns by name", "SELECT pi.status, ch.status, count(*) FROM payment_intents pi JOIN charges ch ON ch.payment_intent = pi.id GROUP BY pi.status, ch.status", wantPairs},
		{"aggregates of same-named columns", "SELECT count(ch.id), count(r.id) FROM balance_transactions bt LEFT JOIN charges ch ON ch.id = bt.source LEFT JOIN refunds r ON r.id = bt.source",
			[]string{fmt.Sprintf("%d|%d", nch, nre)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, _, err := run(ctx, e.client, e.session(map[string]string{"stripesql.max_requests": "100000"}), tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, sorted(rows)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

// TestServerVersionAgrees checks that every way a client reads the server version gives the one
// the wire server reports at startup (15.4, so clients pick their PostgreSQL 15 catalog queries).
func TestServerVersionAgrees(t *testing.T) {
	e := startEnv(t, emulator.ScaleN(5))
	e.cat = catalog.Default()
	ctx := context.Background()
	tests := []struct {
		sql  string
		want string
	}{
		{"SHOW server_version", "15.4 (stripesql)"},
		{"SELECT current_setting('server_version')", "15.4 (stripesql)"},
		{"SHOW server_version_num", "150004"},
		{"SELECT current_setting('server_version_num')", "150004"},
		{"SELECT setting FROM pg_settings WHERE name = 'server_version'", "15.4 (stripesql)"},
		{"SELECT setting FROM pg_settings WHERE name = 'server_version_num'", "150004"},
		{"SELECT split_part(version(), ' ', 2)", "15.4"},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			rows, _, err := run(ctx, e.client, e.session(nil), tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{tt.want}, texts(rows)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestProceduresInPgProc checks that a session opened without the wire server (as the
// database/sql driver opens them) lists every Stripe procedure in pg_proc and
// information_schema.routines.
func TestProceduresInPgProc(t *testing.T) {
	e := startEnv(t, emulator.ScaleN(5))
	e.cat = catalog.Default()
	ctx := context.Background()
	var names []string
	for _, p := range procedures.Default().All() {
		names = append(names, strings.ToLower(p.Name)) // listed as PostgreSQL stores unquoted names
	}
	sort.Strings(names)
	if len(names) == 0 {
		t.Fatal("no procedures registered")
	}
	for _, sql := range []string{
		"SELECT proname FROM pg_proc WHERE prokind = 'p' ORDER BY proname",
		"SELECT routine_name FROM information_schema.routines WHERE routine_type = 'PROCEDURE' ORDER BY routine_name",
	} {
		t.Run(sql, func(t *testing.T) {
			rows, _, err := run(ctx, e.client, e.session(nil), sql)
			if err != nil {
				t.Fatal(err)
			}
			got := texts(rows)
			sort.Strings(got)
			if diff := cmp.Diff(names, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("procedures (-want +got):\n%s", diff)
			}
		})
	}
}
