package emulator

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	stripe "github.com/stripe/stripe-go/v76"
)

func TestSearch(t *testing.T) {
	e, api, base := startClient(t, Config{Seed: 11, Scale: ScaleSmall})
	charges := e.Objects("charges")
	customers := e.Objects("customers")
	mid := num(charges[len(charges)/2]["created"])
	someEmail := customers[4]["email"].(string)
	var metaPlan string
	for _, c := range customers {
		if m, _ := c["metadata"].(map[string]any); m["plan"] != nil {
			metaPlan = m["plan"].(string)
			break
		}
	}
	searchCharges := func(q string) ([]string, error) {
		it := api.Charges.Search(&stripe.ChargeSearchParams{SearchParams: stripe.SearchParams{Query: q, Limit: stripe.Int64(100)}})
		got := []string{}
		for it.Next() {
			got = append(got, it.Charge().ID)
		}
		return got, it.Err()
	}
	tests := []struct {
		name string
		q    string
		keep func(map[string]any) bool
	}{
		{"status", `status:"failed"`, func(o map[string]any) bool { return o["status"] == "failed" }},
		{"status case-insensitive", `status:"FAILED"`, func(o map[string]any) bool { return o["status"] == "failed" }},
		{"amount range AND", `amount>=10000 AND amount<20000`, func(o map[string]any) bool { a := num(o["amount"]); return a >= 10000 && a < 20000 }},
		{"space means AND", `currency:"eur" refunded:"true"`, func(o map[string]any) bool { return o["currency"] == "eur" && o["refunded"] == true }},
		{"OR", `currency:"gbp" OR currency:"jpy"`, func(o map[string]any) bool { return o["currency"] == "gbp" || o["currency"] == "jpy" }},
		{"negation", `-currency:"usd" AND disputed:"true"`, func(o map[string]any) bool { return o["currency"] != "usd" && o["disputed"] == true }},
		{"created", `created>` + itoa(mid), func(o map[string]any) bool { return num(o["created"]) > mid }},
		{"metadata", `metadata['channel']:'web'`, func(o map[string]any) bool { m, _ := o["metadata"].(map[string]any); return m["channel"] == "web" }},
		{"nested field", `payment_method_details.card.brand:"amex"`, func(o map[string]any) bool {
			return o["payment_method_details"].(map[string]any)["card"].(map[string]any)["brand"] == "amex"
		}},
		{"null", `invoice:null`, nil},
		{"customer null", `customer:null`, func(o map[string]any) bool { return o["customer"] == nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := searchCharges(tt.q)
			if tt.keep == nil {
				if err == nil {
					t.Fatalf("query %q on an unsupported field succeeded", tt.q)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := ids(charges, tt.keep)
			if len(want) == 0 && tt.name != "customer null" {
				t.Fatalf("test data selects nothing for %q", tt.q)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.q, diff)
			}
		})
	}

	t.Run("customers: substring, exact email, metadata", func(t *testing.T) {
		cases := []struct {
			q    string
			keep func(map[string]any) bool
		}{
			{`email:"` + strings.ToUpper(someEmail) + `"`, func(o map[string]any) bool { return o["email"] == someEmail }},
			{`name~"love"`, func(o map[string]any) bool { return strings.Contains(strings.ToLower(o["name"].(string)), "love") }},
			{`metadata["plan"]:"` + metaPlan + `"`, func(o map[string]any) bool { m, _ := o["metadata"].(map[string]any); return m["plan"] == metaPlan }},
			{`name:"Ada \"The Countess\" Lovelace"`, func(o map[string]any) bool { return false }},
		}
		for _, c := range cases {
			it := api.Customers.Search(&stripe.CustomerSearchParams{SearchParams: stripe.SearchParams{Query: c.q}})
			got := []string{}
			for it.Next() {
				got = append(got, it.Customer().ID)
			}
			if err := it.Err(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(ids(customers, c.keep), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", c.q, diff)
			}
		}
	})

	t.Run("paging with next_page", func(t *testing.T) {
		_, _, p1 := raw(t, "GET", base+"/v1/charges/search?limit=7&query=status:%22succeeded%22", "sk_test_1", "", nil)
		next, _ := p1["next_page"].(string)
		if p1["object"] != "search_result" || p1["has_more"] != true || next == "" {
			t.Fatalf("first page: %v", p1["next_page"])
		}
		_, _, p2 := raw(t, "GET", base+"/v1/charges/search?limit=7&query=status:%22succeeded%22&page="+next, "sk_test_1", "", nil)
		var got []string
		for _, p := range []map[string]any{p1, p2} {
			for _, o := range p["data"].([]any) {
				got = append(got, o.(map[string]any)["id"].(string))
			}
		}
		want := ids(charges, func(o map[string]any) bool { return o["status"] == "succeeded" })[:14]
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	errs := []struct{ name, q string }{
		{"mixed AND OR", `status:"failed" AND currency:"usd" OR amount>5`},
		{"unknown field", `colour:"red"`},
		{"short substring", `name~"ad"`},
		{"substring on exact field", `currency~"usd"`},
		{"range on string", `currency>"usd"`},
		{"unterminated", `status:"failed`},
		{"no operator", `status`},
		{"empty", ``},
		{"not a number", `amount>lots`},
		{"eleven clauses", strings.Repeat(`amount>1 `, 11)},
		{"dangling connective", `amount>1 AND`},
	}
	for _, tt := range errs {
		t.Run("error "+tt.name, func(t *testing.T) {
			status, _, body := raw(t, "GET", base+"/v1/charges/search?query="+url.QueryEscape(tt.q), "sk_test_1", "", nil)
			if status != 400 || errOf(body)["param"] != "query" && tt.q != "" {
				t.Errorf("%q: status %d %v", tt.q, status, body)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// FuzzParseQuery checks that no query text panics the parser or the evaluator, and that every
// accepted query has between 1 and 10 clauses on known fields.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{`status:"failed"`, `amount>=1 AND amount<2`, `-metadata['k']:'v' OR name~"abc"`, `email:"a\"b"`, `x`, `metadata[`, `a:`, `created>1 created<2`} {
		f.Add(s)
	}
	fields := coreResources()[0].search // customers
	for _, r := range coreResources() {
		if r.name == "charges" {
			fields = r.search
		}
	}
	obj := &entry{rec: idRecord("ch_1"), created: 100, m: map[string]any{"amount": int64(5), "status": "failed", "metadata": map[string]any{"k": "v"},
		"payment_method_details": map[string]any{"card": map[string]any{"last4": "4242"}}}}
	f.Fuzz(func(t *testing.T, q string) {
		sq, ae := parseQuery(q, fields, "charges")
		if ae != nil {
			if ae.status != 400 || ae.param != "query" {
				t.Fatalf("error %+v", ae)
			}
			return
		}
		if len(sq.clauses) == 0 || len(sq.clauses) > 10 {
			t.Fatalf("%q: %d clauses", q, len(sq.clauses))
		}
		for _, c := range sq.clauses {
			if _, ok := fields[c.field]; !ok {
				t.Fatalf("%q: unknown field %q accepted", q, c.field)
			}
			c.matches(fields[c.field], obj)
		}
	})
}
