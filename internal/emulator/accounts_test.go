package emulator

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

const testKey = "sk_test_accounts"

// as is the Stripe-Account header of a request acting as acct.
func as(acct string) map[string]string { return map[string]string{"Stripe-Account": acct} }

// listIDs pages through a list with starting_after and returns every id, in order.
func listIDs(t *testing.T, base, path, query string, hdr map[string]string) []string {
	t.Helper()
	var out []string
	after := ""
	for i := 0; i < 1000; i++ {
		u := base + path + "?limit=7" + query + after
		st, _, m := raw(t, "GET", u, testKey, "", hdr)
		if st != 200 {
			t.Fatalf("GET %s: %d %v", u, st, m)
		}
		data, _ := m["data"].([]any)
		for _, d := range data {
			out = append(out, d.(map[string]any)["id"].(string))
		}
		if m["has_more"] != true {
			return out
		}
		after = "&starting_after=" + out[len(out)-1]
	}
	t.Fatalf("%s: too many pages", path)
	return nil
}

func TestOwnAccount(t *testing.T) {
	e, _, base := startClient(t, Config{Seed: 4, Scale: ScaleSmall, ConnectedAccounts: 3})
	oldest := int64(1 << 62)
	for name, c := range e.colls {
		if name != "accounts" && len(c.order) > 0 {
			oldest = min(oldest, c.order[0].created)
		}
	}
	acct := e.ConnectedAccounts()[1]
	tests := []struct {
		name   string
		hdr    map[string]string
		wantID string
	}{
		{"platform", nil, e.AccountID()},
		{"platform by its own id", as(e.AccountID()), e.AccountID()},
		{"connected", as(acct), acct},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _, m := raw(t, "GET", base+"/v1/account", testKey, "", tt.hdr)
			if st != 200 {
				t.Fatalf("status %d: %v", st, m)
			}
			got := map[string]any{"id": m["id"], "object": m["object"], "charges_enabled": m["charges_enabled"], "has_settings": m["settings"] != nil,
				"has_business_profile": m["business_profile"] != nil, "has_capabilities": m["capabilities"] != nil, "has_email": m["email"] != nil,
				"has_country": m["country"] != nil, "has_currency": m["default_currency"] != nil}
			want := map[string]any{"id": tt.wantID, "object": "account", "charges_enabled": true, "has_settings": true, "has_business_profile": true,
				"has_capabilities": true, "has_email": true, "has_country": true, "has_currency": true}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			created := num(m["created"])
			if tt.hdr == nil && (created >= oldest || created < oldest-7*86400) {
				t.Errorf("platform created %d, want a little before the oldest seeded object %d", created, oldest)
			}
			if tt.hdr == nil && m["type"] != "standard" {
				t.Errorf("platform type %v", m["type"])
			}
		})
	}
	t.Run("connected account data begins after it was connected", func(t *testing.T) {
		a := e.Account(acct)
		created := a.self.created
		for name, c := range a.colls {
			if len(c.order) > 0 && c.order[0].created < created {
				t.Errorf("%s: oldest %d before the account's created %d", name, c.order[0].created, created)
			}
		}
		if a.Count("charges") == 0 {
			t.Error("connected account has no charges")
		}
	})
}

func TestAccountsList(t *testing.T) {
	e, _, base := startClient(t, Config{Seed: 5, Scale: ScaleNone, ConnectedAccounts: 40, AccountScale: func(int) Scale { return 0 }})
	all := e.Objects("accounts")
	if len(all) != 40 {
		t.Fatalf("%d accounts", len(all))
	}
	created := func(o map[string]any) int64 { return num(o["created"]) }
	if !sort.SliceIsSorted(all, func(i, j int) bool { return created(all[i]) > created(all[j]) }) {
		t.Fatal("accounts not newest first")
	}
	mid := created(all[20])
	filter := func(keep func(int64) bool) []string {
		return ids(all, func(o map[string]any) bool { return keep(created(o)) })
	}
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"all", "", filter(func(int64) bool { return true })},
		{"created gt", fmt.Sprintf("&created[gt]=%d", mid), filter(func(c int64) bool { return c > mid })},
		{"created gte", fmt.Sprintf("&created[gte]=%d", mid), filter(func(c int64) bool { return c >= mid })},
		{"created lt", fmt.Sprintf("&created[lt]=%d", mid), filter(func(c int64) bool { return c < mid })},
		{"created lte", fmt.Sprintf("&created[lte]=%d", mid), filter(func(c int64) bool { return c <= mid })},
		{"created exact", fmt.Sprintf("&created=%d", mid), filter(func(c int64) bool { return c == mid })},
		{"created window", fmt.Sprintf("&created[gte]=%d&created[lt]=%d", created(all[30]), created(all[10])),
			filter(func(c int64) bool { return c >= created(all[30]) && c < created(all[10]) })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, listIDs(t, base, "/v1/accounts", tt.query, nil)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("ending_before pages back newest first", func(t *testing.T) {
		st, _, m := raw(t, "GET", base+"/v1/accounts?limit=5&ending_before="+all[12]["id"].(string), testKey, "", nil)
		if st != 200 {
			t.Fatalf("%d %v", st, m)
		}
		var got []string
		for _, d := range m["data"].([]any) {
			got = append(got, d.(map[string]any)["id"].(string))
		}
		if diff := cmp.Diff(ids(all[7:12], func(map[string]any) bool { return true }), got); diff != "" || m["has_more"] != true {
			t.Errorf("has_more %v (-want +got):\n%s", m["has_more"], diff)
		}
	})
	t.Run("limit over 100 refused", func(t *testing.T) {
		if st, _, m := raw(t, "GET", base+"/v1/accounts?limit=101", testKey, "", nil); st != 400 || errOf(m)["param"] != "limit" {
			t.Errorf("%d %v", st, m)
		}
	})
	t.Run("retrieve", func(t *testing.T) {
		id := all[3]["id"].(string)
		st, _, m := raw(t, "GET", base+"/v1/accounts/"+id, testKey, "", nil)
		if st != 200 || m["id"] != id || m["object"] != "account" {
			t.Errorf("%d %v", st, m)
		}
		if st, _, m := raw(t, "GET", base+"/v1/accounts/acct_missing", testKey, "", nil); st != 404 || errOf(m)["code"] != "resource_missing" {
			t.Errorf("missing: %d %v", st, m)
		}
	})
	t.Run("a connected account cannot list accounts", func(t *testing.T) {
		st, _, m := raw(t, "GET", base+"/v1/accounts", testKey, "", as(all[0]["id"].(string)))
		if st != 400 || !strings.Contains(fmt.Sprint(errOf(m)["message"]), "connected accounts of your platform's connected accounts") {
			t.Errorf("%d %v", st, m)
		}
	})
}

func TestAccountSizesVary(t *testing.T) {
	e, err := New(Config{Seed: 2, Scale: ScaleNone, ConnectedAccounts: 10, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[int]bool{}
	for _, id := range e.ConnectedAccounts() {
		sizes[e.Account(id).Count("charges")] = true
	}
	if len(sizes) < 4 {
		t.Errorf("charge counts %v: want accounts of several sizes", sizes)
	}
	if _, err := New(Config{ConnectedAccounts: -1}); err == nil {
		t.Error("negative connected accounts accepted")
	}
}

func TestAccountIsolation(t *testing.T) {
	e, _, base := startClient(t, Config{Seed: 6, Scale: ScaleSmall, ConnectedAccounts: 2})
	accts := e.ConnectedAccounts()
	a, b := accts[0], accts[1]
	st, _, cus := raw(t, "POST", base+"/v1/customers", testKey, "email=only.a%40example.com&name=Only+A", as(a))
	if st != 200 {
		t.Fatalf("create in A: %d %v", st, cus)
	}
	id := cus["id"].(string)
	tests := []struct {
		name     string
		hdr      map[string]string
		wantSeen bool
	}{
		{"account A", as(a), true},
		{"account B", as(b), false},
		{"platform", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _, _ := raw(t, "GET", base+"/v1/customers/"+id, testKey, "", tt.hdr)
			listed := listIDs(t, base, "/v1/customers", "&email=only.a%40example.com", tt.hdr)
			st2, _, found := raw(t, "GET", base+"/v1/customers/search?query="+url.QueryEscape("email:'only.a@example.com'"), testKey, "", tt.hdr)
			_, _, events := raw(t, "GET", base+"/v1/events?type=customer.created&limit=100", testKey, "", tt.hdr)
			got := map[string]any{"retrieve": st, "list": len(listed), "search": len(found["data"].([]any)), "search status": st2,
				"event": strings.Contains(fmt.Sprint(events["data"]), id)}
			want := map[string]any{"retrieve": 404, "list": 0, "search": 0, "search status": 200, "event": false}
			if tt.wantSeen {
				want = map[string]any{"retrieve": 200, "list": 1, "search": 1, "search status": 200, "event": true}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("each account lists its own seeded data", func(t *testing.T) {
		for _, acct := range accts {
			want := ids(e.Account(acct).Objects("charges"), func(map[string]any) bool { return true })
			if diff := cmp.Diff(want, listIDs(t, base, "/v1/charges", "", as(acct))); diff != "" {
				t.Errorf("%s (-want +got):\n%s", acct, diff)
			}
		}
		if n, m := e.Count("charges"), e.Account(a).Count("charges"); n == m {
			t.Errorf("platform and account A both hold %d charges", n)
		}
	})
	t.Run("actions act on the account's objects only", func(t *testing.T) {
		ch := e.Account(a).Objects("charges")
		var succeeded string
		for _, c := range ch {
			if c["status"] == "succeeded" && c["refunded"] == false {
				succeeded = c["id"].(string)
				break
			}
		}
		if st, _, m := raw(t, "POST", base+"/v1/refunds", testKey, "charge="+succeeded, as(b)); st != 400 || errOf(m)["code"] != "resource_missing" {
			t.Errorf("refund of A's charge through B: %d %v", st, m)
		}
		if st, _, m := raw(t, "POST", base+"/v1/refunds", testKey, "charge="+succeeded, as(a)); st != 200 {
			t.Errorf("refund through A: %d %v", st, m)
		}
	})
}

func TestUnknownAccount(t *testing.T) {
	e, _, base := startClient(t, Config{Seed: 7, Scale: ScaleNone, ConnectedAccounts: 1})
	gone := e.ConnectedAccounts()[0]
	if st, _, m := raw(t, "DELETE", base+"/v1/accounts/"+gone, testKey, "", nil); st != 200 || m["deleted"] != true {
		t.Fatalf("delete: %d %v", st, m)
	}
	for _, acct := range []string{"acct_1NotConnected000", "not-an-account", gone} {
		for _, method := range []string{"GET", "POST"} {
			t.Run(acct+" "+method, func(t *testing.T) {
				body := ""
				if method == "POST" {
					body = "name=x"
				}
				st, _, m := raw(t, method, base+"/v1/customers", testKey, body, as(acct))
				got := errOf(m)
				want := map[string]any{"type": "invalid_request_error", "code": "account_invalid", "doc_url": "https://stripe.com/docs/error-codes/account-invalid",
					"message": "The provided key 'sk_test_…' does not have access to account '" + acct + "' (or that account does not exist). Application access may have been revoked."}
				if diff := cmp.Diff(want, got); diff != "" || st != 403 {
					t.Errorf("status %d (-want +got):\n%s", st, diff)
				}
			})
		}
	}
	if n := len(e.Objects("customers")); n != 0 {
		t.Errorf("refused requests created %d customers on the platform", n)
	}
}

func TestAccountCRUD(t *testing.T) {
	e, _, base := startClient(t, Config{Seed: 8, Scale: ScaleNone})
	st, _, m := raw(t, "POST", base+"/v1/accounts", testKey, "type=custom&country=GB&email=new%40example.com&capabilities[card_payments][requested]=true&capabilities[transfers][requested]=true", nil)
	if st != 200 {
		t.Fatalf("create: %d %v", st, m)
	}
	id := m["id"].(string)
	got := map[string]any{"type": m["type"], "country": m["country"], "default_currency": m["default_currency"], "email": m["email"],
		"capabilities": m["capabilities"], "charges_enabled": m["charges_enabled"], "prefix": strings.HasPrefix(id, "acct_")}
	want := map[string]any{"type": "custom", "country": "GB", "default_currency": "gbp", "email": "new@example.com",
		"capabilities": map[string]any{"card_payments": "inactive", "transfers": "inactive"}, "charges_enabled": false, "prefix": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	if st, _, m := raw(t, "POST", base+"/v1/accounts", testKey, "email=x%40example.com", nil); st != 400 || errOf(m)["param"] != "type" {
		t.Errorf("create without type: %d %v", st, m)
	}
	if st, _, m := raw(t, "POST", base+"/v1/accounts", testKey, "type=custom&bogus=1", nil); st != 400 || errOf(m)["param"] != "bogus" {
		t.Errorf("unknown parameter: %d %v", st, m)
	}
	st, _, m = raw(t, "POST", base+"/v1/accounts/"+id, testKey, "email=changed%40example.com&business_profile[name]=Renamed&metadata[k]=v", nil)
	if st != 200 || m["email"] != "changed@example.com" || m["business_profile"].(map[string]any)["name"] != "Renamed" || m["metadata"].(map[string]any)["k"] != "v" {
		t.Errorf("update: %d %v", st, m)
	}
	// The new account starts empty and takes writes under its header.
	if st, _, m := raw(t, "POST", base+"/v1/products", testKey, "name=Widget", as(id)); st != 200 {
		t.Errorf("write as the new account: %d %v", st, m)
	}
	if got := listIDs(t, base, "/v1/products", "", as(id)); len(got) != 1 {
		t.Errorf("new account lists %d products, want 1", len(got))
	}
	if n := e.Count("products"); n != 0 {
		t.Errorf("platform holds %d products", n)
	}
	if st, _, m := raw(t, "GET", base+"/v1/account", testKey, "", as(id)); st != 200 || m["email"] != "changed@example.com" {
		t.Errorf("GET /v1/account as the new account: %d %v", st, m)
	}
	if st, _, m := raw(t, "DELETE", base+"/v1/accounts/"+id, testKey, "", nil); st != 200 || m["deleted"] != true || m["id"] != id {
		t.Errorf("delete: %d %v", st, m)
	}
	if st, _, m := raw(t, "GET", base+"/v1/products", testKey, "", as(id)); st != 403 || errOf(m)["code"] != "account_invalid" {
		t.Errorf("after delete: %d %v", st, m)
	}
	if e.Account(id) != nil {
		t.Error("deleted account still has a store")
	}
}

func TestIdempotencyPerAccount(t *testing.T) {
	e, _, base := startClient(t, Config{Seed: 9, Scale: ScaleNone, ConnectedAccounts: 2, AccountScale: func(int) Scale { return 0 }})
	accts := e.ConnectedAccounts()
	send := func(hdr map[string]string) map[string]any {
		h := map[string]string{"Idempotency-Key": "same-key"}
		for k, v := range hdr {
			h[k] = v
		}
		st, _, m := raw(t, "POST", base+"/v1/customers", testKey, "email=k%40example.com", h)
		if st != 200 {
			t.Fatalf("%d %v", st, m)
		}
		return m
	}
	first := map[string]string{}
	for _, acct := range []string{"", accts[0], accts[1]} {
		var hdr map[string]string
		if acct != "" {
			hdr = as(acct)
		}
		first[acct] = send(hdr)["id"].(string)
		if again := send(hdr)["id"].(string); again != first[acct] {
			t.Errorf("account %q: replay made %s, want %s", acct, again, first[acct])
		}
	}
	if first[""] == first[accts[0]] || first[accts[0]] == first[accts[1]] {
		t.Errorf("one key gave the same customer in two accounts: %v", first)
	}
	for _, acct := range accts {
		if n := e.Account(acct).Count("customers"); n != 1 {
			t.Errorf("%s holds %d customers, want 1", acct, n)
		}
	}
}

func TestRequestLogAccount(t *testing.T) {
	e, _, base := startClient(t, Config{Seed: 10, Scale: ScaleNone, ConnectedAccounts: 2, AccountScale: func(int) Scale { return 0 }})
	accts := e.ConnectedAccounts()
	e.ResetRequests()
	raw(t, "GET", base+"/v1/charges", testKey, "", nil)
	raw(t, "GET", base+"/v1/charges", testKey, "", as(accts[0]))
	raw(t, "POST", base+"/v1/customers", testKey, "name=x", as(accts[1]))
	raw(t, "GET", base+"/v1/charges", testKey, "", as("acct_unknown"))
	type short struct {
		Method, Path, Account string
		Status                int
	}
	var got []short
	for _, r := range e.Requests() {
		got = append(got, short{r.Method, r.Path, r.Account, r.Status})
	}
	want := []short{{"GET", "/v1/charges", "", 200}, {"GET", "/v1/charges", accts[0], 200}, {"POST", "/v1/customers", accts[1], 200},
		{"GET", "/v1/charges", "acct_unknown", 403}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if n := len(e.Account(accts[0]).Requests()); n != 1 {
		t.Errorf("account's own log has %d requests, want 1", n)
	}
}

// TestClientAccount drives the emulator through the engine's own client (internal/stripeapi)
// with Config.Account set: the client's Stripe-Account header reaches the connected account's data.
func TestClientAccount(t *testing.T) {
	e, _, base := startClient(t, Config{Seed: 11, Scale: ScaleSmall, ConnectedAccounts: 3})
	acct := e.ConnectedAccounts()[2]
	ctx := context.Background()
	newClient := func(account string) *stripeapi.Client {
		c, err := stripeapi.NewClient(stripeapi.Config{APIKey: testKey, BaseURL: base, Account: account, Rate: 1000, Scheduler: stripeapi.NewScheduler(1000)})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := newClient(acct)
	e.ResetRequests()
	var got []string
	params := url.Values{"limit": {"100"}}
	for {
		p, err := c.List(ctx, "/v1/charges", params)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range p.Data {
			got = append(got, o["id"].(string))
		}
		if !p.HasMore {
			break
		}
		params.Set("starting_after", got[len(got)-1])
	}
	want := ids(e.Account(acct).Objects("charges"), func(map[string]any) bool { return true })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("charges (-want +got):\n%s", diff)
	}
	for _, r := range e.Requests() {
		if r.Account != acct {
			t.Errorf("request %s %s sent as %q, want %q", r.Method, r.Path, r.Account, acct)
		}
	}
	own, err := c.Retrieve(ctx, "/v1/account", nil)
	if err != nil || own["id"] != acct {
		t.Errorf("GET /v1/account: %v %v", own["id"], err)
	}
	cus, err := c.Post(ctx, "/v1/customers", url.Values{"email": {"client@example.com"}}, "client-key-1")
	if err != nil {
		t.Fatal(err)
	}
	if e.Account(acct).Count("customers") != len(e.Account(acct).Objects("customers")) || !strings.HasPrefix(cus["id"].(string), "cus_") {
		t.Errorf("customer %v", cus["id"])
	}
	if _, err := newClient("").Retrieve(ctx, "/v1/customers/"+cus["id"].(string), nil); !stripeapi.IsNotFound(err) {
		t.Errorf("platform sees the account's customer: %v", err)
	}
	_, err = newClient("acct_1NotConnected000").List(ctx, "/v1/charges", nil)
	se, ok := sqlstate.As(err)
	if !ok || se.Code != sqlstate.InsufficientPrivilege || !strings.Contains(se.Message, "acct_1NotConnected000") {
		t.Errorf("unknown account through the client: %v", err)
	}
}
