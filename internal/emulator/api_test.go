package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
)

// ids lists the ids of rendered objects that satisfy keep, newest first.
func ids(objs []map[string]any, keep func(map[string]any) bool) []string {
	out := []string{}
	for _, o := range objs {
		if keep(o) {
			out = append(out, o["id"].(string))
		}
	}
	return out
}

// liveIDs lists a resource's ids newest first straight from the store (cheaper than Objects).
func liveIDs(e *Emulator, resource string) []string {
	e.rw().RLock()
	defer e.rw().RUnlock()
	c := e.colls[resource]
	out := make([]string, 0, len(c.order))
	for i := len(c.order) - 1; i >= 0; i-- {
		out = append(out, c.order[i].id())
	}
	return out
}

func num(v any) int64 { f, _ := v.(float64); return int64(f) }

func TestListFiltersAndRanges(t *testing.T) {
	e, api, _ := startClient(t, Config{Seed: 7, Scale: ScaleSmall})
	charges := e.Objects("charges")
	cust := charges[len(charges)/2]["customer"].(string)
	mid := num(charges[len(charges)/2]["created"])
	pi := charges[3]["payment_intent"].(string)
	tests := []struct {
		name   string
		params *stripe.ChargeListParams
		keep   func(map[string]any) bool
	}{
		{"all", &stripe.ChargeListParams{}, func(map[string]any) bool { return true }},
		{"customer", &stripe.ChargeListParams{Customer: stripe.String(cust)}, func(o map[string]any) bool { return o["customer"] == cust }},
		{"payment_intent", &stripe.ChargeListParams{PaymentIntent: stripe.String(pi)}, func(o map[string]any) bool { return o["payment_intent"] == pi }},
		{"created gte", &stripe.ChargeListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThanOrEqual: mid}}, func(o map[string]any) bool { return num(o["created"]) >= mid }},
		{"created gt", &stripe.ChargeListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThan: mid}}, func(o map[string]any) bool { return num(o["created"]) > mid }},
		{"created lt", &stripe.ChargeListParams{CreatedRange: &stripe.RangeQueryParams{LesserThan: mid}}, func(o map[string]any) bool { return num(o["created"]) < mid }},
		{"created lte and customer", &stripe.ChargeListParams{Customer: stripe.String(cust), CreatedRange: &stripe.RangeQueryParams{LesserThanOrEqual: mid}},
			func(o map[string]any) bool { return num(o["created"]) <= mid && o["customer"] == cust }},
		{"created exact", &stripe.ChargeListParams{Created: stripe.Int64(mid)}, func(o map[string]any) bool { return num(o["created"]) == mid }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.params.Limit = stripe.Int64(37)
			it := api.Charges.List(tt.params)
			got := []string{}
			for it.Next() {
				got = append(got, it.Charge().ID)
			}
			if err := it.Err(); err != nil {
				t.Fatal(err)
			}
			want := ids(charges, tt.keep)
			if len(want) == 0 {
				t.Fatal("test data selects nothing")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	t.Run("prices by product, type, active and lookup key", func(t *testing.T) {
		prices := e.Objects("prices")
		prod := prices[0]["product"].(string)
		lk := ""
		for _, p := range prices {
			if s, ok := p["lookup_key"].(string); ok {
				lk = s
				break
			}
		}
		cases := []struct {
			p    *stripe.PriceListParams
			keep func(map[string]any) bool
		}{
			{&stripe.PriceListParams{Product: stripe.String(prod)}, func(o map[string]any) bool { return o["product"] == prod }},
			{&stripe.PriceListParams{Type: stripe.String("recurring")}, func(o map[string]any) bool { return o["type"] == "recurring" }},
			{&stripe.PriceListParams{Active: stripe.Bool(true)}, func(o map[string]any) bool { return o["active"] == true }},
			{&stripe.PriceListParams{LookupKeys: []*string{stripe.String(lk)}}, func(o map[string]any) bool { return o["lookup_key"] == lk }},
			{&stripe.PriceListParams{Recurring: &stripe.PriceListRecurringParams{Interval: stripe.String("year")}}, func(o map[string]any) bool {
				r, _ := o["recurring"].(map[string]any)
				return r != nil && r["interval"] == "year"
			}},
		}
		for i, c := range cases {
			it := api.Prices.List(c.p)
			got := []string{}
			for it.Next() {
				got = append(got, it.Price().ID)
			}
			if err := it.Err(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(ids(prices, c.keep), got); diff != "" {
				t.Errorf("case %d (-want +got):\n%s", i, diff)
			}
		}
	})

	t.Run("payouts by arrival_date range and status", func(t *testing.T) {
		payouts := e.Objects("payouts")
		cut := num(payouts[len(payouts)/2]["arrival_date"])
		p := &stripe.PayoutListParams{ArrivalDateRange: &stripe.RangeQueryParams{GreaterThan: cut}, Status: stripe.String("paid")}
		it := api.Payouts.List(p)
		got := []string{}
		for it.Next() {
			got = append(got, it.Payout().ID)
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		want := ids(payouts, func(o map[string]any) bool { return num(o["arrival_date"]) > cut && o["status"] == "paid" })
		if len(want) == 0 {
			t.Fatal("test data selects nothing")
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("subscriptions hide canceled unless asked", func(t *testing.T) {
		subs := e.Objects("subscriptions")
		count := func(p *stripe.SubscriptionListParams) int {
			it := api.Subscriptions.List(p)
			n := 0
			for it.Next() {
				n++
			}
			if err := it.Err(); err != nil {
				t.Fatal(err)
			}
			return n
		}
		canceled := len(ids(subs, func(o map[string]any) bool { return o["status"] == "canceled" }))
		if canceled == 0 {
			t.Fatal("seed has no canceled subscription")
		}
		got := []int{count(&stripe.SubscriptionListParams{}), count(&stripe.SubscriptionListParams{Status: stripe.String("all")}),
			count(&stripe.SubscriptionListParams{Status: stripe.String("canceled")})}
		if diff := cmp.Diff([]int{len(subs) - canceled, len(subs), canceled}, got); diff != "" {
			t.Errorf("default, all, canceled (-want +got):\n%s", diff)
		}
	})
}

func TestPagingExactlyOnceWhileCreating(t *testing.T) {
	e, api, base := startClient(t, Config{Seed: 3, Scale: ScaleNone})
	// 10,500 customers, three per second of created time, so ties on created are common and
	// must be broken deterministically.
	e.mu.Lock()
	start := fixedNow.Add(-24 * time.Hour).Unix()
	for i := 0; i < 10_500; i++ {
		e.put(e.colls["customers"], "", start+int64(i/3), map[string]any{"email": fmt.Sprintf("p%d@example.com", i), "metadata": emptyMeta})
	}
	e.mu.Unlock()
	want := liveIDs(e, "customers")
	stop := make(chan struct{})
	firstPage := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-firstPage
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := api.Customers.New(&stripe.CustomerParams{Email: stripe.String(fmt.Sprintf("new%d@example.com", i))}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	it := api.Customers.List(&stripe.CustomerListParams{ListParams: stripe.ListParams{Limit: stripe.Int64(100)}})
	got := []string{}
	seen := map[string]bool{}
	for it.Next() {
		id := it.Customer().ID
		if seen[id] {
			t.Fatalf("customer %s returned twice", id)
		}
		seen[id] = true
		got = append(got, id)
		if len(got) == 1 {
			close(firstPage)
		}
	}
	close(stop)
	wg.Wait()
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	if created := len(liveIDs(e, "customers")) - len(want); created == 0 {
		t.Error("no customer was created while paging; the test proves nothing")
	} else {
		t.Logf("%d customers created while paging %d", created, len(got))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paged ids differ from the snapshot (-want +got):\n%s", diff)
	}

	t.Run("ending_before walks back", func(t *testing.T) {
		_, _, body := raw(t, "GET", base+"/v1/customers?limit=5&ending_before="+want[20], "sk_test_1", "", nil)
		var page []string
		for _, c := range body["data"].([]any) {
			page = append(page, c.(map[string]any)["id"].(string))
		}
		if diff := cmp.Diff(want[15:20], page); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("created range over ties", func(t *testing.T) {
		mid := start + 1000
		p := &stripe.CustomerListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThanOrEqual: mid, LesserThan: mid + 2}}
		it := api.Customers.List(p)
		n := 0
		for it.Next() {
			n++
		}
		if err := it.Err(); err != nil || n != 6 {
			t.Errorf("%d customers in two seconds of three each, err %v", n, err)
		}
	})
}

// raw sends one request to the emulator and decodes the JSON answer.
func raw(t *testing.T, method, u, key, body string, hdr map[string]string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s %s: not JSON: %s", method, u, b)
	}
	return resp.StatusCode, resp.Header, m
}

func errOf(m map[string]any) map[string]any {
	e, _ := m["error"].(map[string]any)
	return e
}

func TestErrors(t *testing.T) {
	_, api, base := startClient(t, Config{Seed: 1, Scale: ScaleSmall})
	tests := []struct {
		name       string
		method     string
		path, key  string
		wantStatus int
		wantErr    map[string]any
	}{
		{"missing key", "GET", "/v1/customers", "", 401, nil},
		{"bad key", "GET", "/v1/customers", "pk_live_x", 401, nil},
		{"missing customer", "GET", "/v1/customers/cus_nope", "sk_test_1", 404,
			map[string]any{"type": "invalid_request_error", "code": "resource_missing", "message": "No such customer: 'cus_nope'", "param": "id",
				"doc_url": "https://stripe.com/docs/error-codes/resource-missing"}},
		{"limit 0", "GET", "/v1/charges?limit=0", "sk_test_1", 400,
			map[string]any{"type": "invalid_request_error", "message": "This value must be greater than or equal to 1.", "param": "limit"}},
		{"limit 101", "GET", "/v1/charges?limit=101", "sk_test_1", 400,
			map[string]any{"type": "invalid_request_error", "message": "This value must be less than or equal to 100.", "param": "limit"}},
		{"unknown filter", "GET", "/v1/charges?colour=red", "sk_test_1", 400,
			map[string]any{"type": "invalid_request_error", "message": "Received unknown parameter: colour", "param": "colour"}},
		{"bad range", "GET", "/v1/charges?created[gte]=soon", "sk_test_1", 400,
			map[string]any{"type": "invalid_request_error", "message": "Invalid integer: soon", "param": "created[gte]"}},
		{"unknown cursor", "GET", "/v1/charges?starting_after=ch_nope", "sk_test_1", 404,
			map[string]any{"type": "invalid_request_error", "code": "resource_missing", "message": "No such charge: 'ch_nope'", "param": "starting_after",
				"doc_url": "https://stripe.com/docs/error-codes/resource-missing"}},
		{"other resource lists empty", "GET", "/v1/issuing/cards", "sk_test_1", 200, nil},
		{"other resource retrieve", "GET", "/v1/issuing/cards/ic_1", "sk_test_1", 404,
			map[string]any{"type": "invalid_request_error", "code": "resource_missing", "message": "No such issuing_card: 'ic_1'", "param": "id",
				"doc_url": "https://stripe.com/docs/error-codes/resource-missing"}},
		{"parented other list", "GET", "/v1/transfers/tr_1/reversals", "sk_test_1", 200, nil},
		{"unknown path", "GET", "/v1/nothing_here", "sk_test_1", 404, nil},
		{"subscription items need a subscription", "GET", "/v1/subscription_items", "sk_test_1", 400,
			map[string]any{"type": "invalid_request_error", "message": "Missing required param: subscription.", "param": "subscription"}},
		{"unknown create param", "POST", "/v1/customers?colour=red", "sk_test_1", 400,
			map[string]any{"type": "invalid_request_error", "message": "Received unknown parameter: colour", "param": "colour"}},
		{"expand too deep", "GET", "/v1/charges?expand[]=data.a.b.c.d.e", "sk_test_1", 400,
			map[string]any{"type": "invalid_request_error", "message": "You cannot expand more than 4 levels of a property: data.a.b.c.d.e", "param": "expand"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, hdr, body := raw(t, tt.method, base+tt.path, tt.key, "", nil)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %v", status, tt.wantStatus, body)
			}
			if hdr.Get("Request-Id") == "" {
				t.Error("no Request-Id header")
			}
			if tt.wantErr != nil {
				if diff := cmp.Diff(tt.wantErr, errOf(body)); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
			if status == 200 {
				if diff := cmp.Diff(map[string]any{"object": "list", "data": []any{}, "has_more": false, "url": tt.path}, body); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
			if status == 401 && strings.Contains(fmt.Sprint(body), tt.key) && tt.key != "" {
				t.Errorf("answer leaks the key: %v", body)
			}
		})
	}

	t.Run("stripe-go sees 404", func(t *testing.T) {
		_, err := api.Customers.Get("cus_missing", nil)
		var se *stripe.Error
		if !errors.As(err, &se) {
			t.Fatalf("err = %v", err)
		}
		if diff := cmp.Diff([]any{404, stripe.ErrorCodeResourceMissing, "No such customer: 'cus_missing'"}, []any{se.HTTPStatusCode, se.Code, se.Msg}); diff != "" {
			t.Error(diff)
		}
	})

	t.Run("expand data.customer and payment_intent.customer", func(t *testing.T) {
		p := &stripe.ChargeListParams{}
		p.Limit = stripe.Int64(3)
		p.AddExpand("data.customer")
		p.AddExpand("data.payment_intent.customer")
		it := api.Charges.List(p)
		n := 0
		for it.Next() {
			ch := it.Charge()
			if ch.Customer == nil || ch.Customer.Email == "" || ch.PaymentIntent == nil || ch.PaymentIntent.Amount != ch.Amount ||
				ch.PaymentIntent.Customer == nil || ch.PaymentIntent.Customer.Email != ch.Customer.Email {
				t.Errorf("charge %s not expanded: %+v", ch.ID, ch.Customer)
			}
			n++
		}
		if err := it.Err(); err != nil || n == 0 {
			t.Fatalf("%d charges, %v", n, err)
		}
		rp := &stripe.ChargeParams{}
		rp.AddExpand("balance_transaction")
		ch, err := api.Charges.Get(charges0(t, api), rp)
		if err != nil || ch.BalanceTransaction == nil || ch.BalanceTransaction.Amount != ch.Amount {
			t.Errorf("retrieve with expand: %v %v", ch, err)
		}
	})

	t.Run("basic auth accepted", func(t *testing.T) {
		req, _ := http.NewRequest("GET", base+"/v1/customers?limit=1", nil)
		req.SetBasicAuth("sk_test_basic", "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
}

// charges0 returns the id of the newest succeeded charge.
func charges0(t *testing.T, api *client.API) string {
	t.Helper()
	it := api.Charges.Search(&stripe.ChargeSearchParams{SearchParams: stripe.SearchParams{Query: `status:"succeeded"`, Limit: stripe.Int64(1), Single: true}})
	if !it.Next() {
		t.Fatalf("no succeeded charge: %v", it.Err())
	}
	return it.Charge().ID
}

func TestCRUD(t *testing.T) {
	e, api, _ := startClient(t, Config{Seed: 2, Scale: ScaleNone})
	c, err := api.Customers.New(&stripe.CustomerParams{Email: stripe.String("a@example.com"), Name: stripe.String("Ada"),
		Params: stripe.Params{Metadata: map[string]string{"k1": "v1", "k2": "v2"}}})
	if err != nil {
		t.Fatal(err)
	}
	up := &stripe.CustomerParams{Name: stripe.String("Ada L")}
	up.AddMetadata("k1", "")
	up.AddMetadata("k3", "v3")
	c2, err := api.Customers.Update(c.ID, up)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"k2": "v2", "k3": "v3"}, c2.Metadata); diff != "" {
		t.Errorf("metadata merge (-want +got):\n%s", diff)
	}
	if c2.Name != "Ada L" || c2.Email != "a@example.com" {
		t.Errorf("update: %+v", c2)
	}
	got, err := api.Customers.Get(c.ID, nil)
	if err != nil || got.Name != "Ada L" {
		t.Fatalf("get: %v %v", got, err)
	}
	// Every top-level field of stripe-go's struct is present, null where unknown.
	objs := e.Objects("customers")
	for _, f := range []string{"address", "balance", "cash_balance", "currency", "default_source", "discount", "invoice_settings", "shipping", "test_clock"} {
		if _, ok := objs[0][f]; !ok {
			t.Errorf("field %s missing", f)
		}
	}
	d, err := api.Customers.Del(c.ID, nil)
	if err != nil || !d.Deleted {
		t.Fatalf("delete: %v %v", d, err)
	}
	if got, err := api.Customers.Get(c.ID, nil); err != nil || !got.Deleted || got.Email != "" {
		t.Errorf("deleted customer: want Stripe's deleted stub, got %+v, %v", got, err)
	}
	if _, err := api.Customers.Update(c.ID, &stripe.CustomerParams{Name: stripe.String("x")}); err == nil {
		t.Error("deleted customer updated")
	}
	lit := api.Customers.List(&stripe.CustomerListParams{})
	for lit.Next() {
		if lit.Customer().ID == c.ID {
			t.Error("deleted customer listed")
		}
	}
	// Events for what changed.
	var types []string
	var prevName any
	for _, ev := range e.Objects("events") {
		types = append(types, ev["type"].(string))
		if ev["type"] == "customer.updated" {
			prevName = ev["data"].(map[string]any)["previous_attributes"].(map[string]any)["name"]
		}
	}
	if diff := cmp.Diff([]string{"customer.deleted", "customer.updated", "customer.created"}, types); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if prevName != "Ada" {
		t.Errorf("previous_attributes.name = %v", prevName)
	}

	t.Run("price creates plan, product with prices not deletable", func(t *testing.T) {
		p, err := api.Products.New(&stripe.ProductParams{Name: stripe.String("Widget")})
		if err != nil {
			t.Fatal(err)
		}
		pr, err := api.Prices.New(&stripe.PriceParams{Product: stripe.String(p.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1500),
			Recurring: &stripe.PriceRecurringParams{Interval: stripe.String("month")}})
		if err != nil {
			t.Fatal(err)
		}
		pl, err := api.Plans.Get(pr.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]any{int64(1500), "month", p.ID}, []any{pl.Amount, string(pl.Interval), pl.Product.ID}); diff != "" {
			t.Error(diff)
		}
		if _, err := api.Products.Del(p.ID, nil); err == nil {
			t.Error("deleted a product that has prices")
		}
		lone, _ := api.Products.New(&stripe.ProductParams{Name: stripe.String("Lone")})
		if d, err := api.Products.Del(lone.ID, nil); err != nil || !d.Deleted {
			t.Errorf("delete product without prices: %v %v", d, err)
		}
	})
}

func TestActions(t *testing.T) {
	e, api, _ := startClient(t, Config{Seed: 5, Scale: ScaleNone})
	cust, err := api.Customers.New(&stripe.CustomerParams{Email: stripe.String("b@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("confirm creates charge and balance transaction", func(t *testing.T) {
		pi, err := api.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(2500), Currency: stripe.String("usd"), Customer: stripe.String(cust.ID)})
		if err != nil {
			t.Fatal(err)
		}
		pi, err = api.PaymentIntents.Confirm(pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
		if err != nil {
			t.Fatal(err)
		}
		ch, err := api.Charges.Get(pi.LatestCharge.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		bt, err := api.BalanceTransactions.Get(ch.BalanceTransaction.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := []any{string(pi.Status), pi.AmountReceived, string(ch.Status), ch.Captured, ch.PaymentIntent.ID, bt.Amount, bt.Source.ID, bt.Fee, bt.Net}
		want := []any{"succeeded", int64(2500), "succeeded", true, pi.ID, int64(2500), ch.ID, int64(2500*29/1000 + 30), int64(2500 - (2500*29/1000 + 30))}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("manual capture", func(t *testing.T) {
		pi, err := api.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(4000), Currency: stripe.String("eur"),
			CaptureMethod: stripe.String("manual"), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		ch, _ := api.Charges.Get(pi.LatestCharge.ID, nil)
		before := []any{string(pi.Status), ch.Captured, ch.BalanceTransaction == nil}
		pi, err = api.PaymentIntents.Capture(pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(3000)})
		if err != nil {
			t.Fatal(err)
		}
		ch, _ = api.Charges.Get(pi.LatestCharge.ID, nil)
		bt, err := api.BalanceTransactions.Get(ch.BalanceTransaction.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := append(before, string(pi.Status), ch.Captured, ch.AmountCaptured, bt.Amount)
		if diff := cmp.Diff([]any{"requires_capture", false, true, "succeeded", true, int64(3000), int64(3000)}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("declined card", func(t *testing.T) {
		pi, _ := api.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(900), Currency: stripe.String("usd")})
		_, err := api.PaymentIntents.Confirm(pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_chargeDeclined")})
		var se *stripe.Error
		if !errors.As(err, &se) {
			t.Fatalf("err = %v", err)
		}
		pi, _ = api.PaymentIntents.Get(pi.ID, nil)
		got := []any{se.HTTPStatusCode, string(se.Type), string(se.Code), string(se.DeclineCode), string(pi.Status), se.ChargeID == pi.LatestCharge.ID}
		if diff := cmp.Diff([]any{402, "card_error", "card_declined", "generic_decline", "requires_payment_method", true}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		pi, _ := api.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(900), Currency: stripe.String("usd")})
		pi, err := api.PaymentIntents.Cancel(pi.ID, nil)
		if err != nil || pi.Status != "canceled" || pi.CanceledAt == 0 {
			t.Fatalf("%v %v", pi, err)
		}
		if _, err := api.PaymentIntents.Cancel(pi.ID, nil); err == nil {
			t.Error("second cancel succeeded")
		}
	})
	t.Run("update payment method, then confirm", func(t *testing.T) {
		pi, _ := api.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(1100), Currency: stripe.String("usd")})
		pi, err := api.PaymentIntents.Update(pi.ID, &stripe.PaymentIntentParams{PaymentMethod: stripe.String("pm_card_visa")})
		if err != nil || pi.Status != "requires_confirmation" {
			t.Fatalf("update: %v %v", pi, err)
		}
		if pi, err = api.PaymentIntents.Confirm(pi.ID, nil); err != nil || pi.Status != "succeeded" {
			t.Fatalf("confirm: %v %v", pi, err)
		}
		if _, err := api.PaymentIntents.Update(pi.ID, &stripe.PaymentIntentParams{Amount: stripe.Int64(5)}); err == nil {
			t.Error("amount of a succeeded payment intent updated")
		}
	})
	t.Run("attach and detach", func(t *testing.T) {
		pm, err := api.PaymentMethods.New(&stripe.PaymentMethodParams{Type: stripe.String("card"), Card: &stripe.PaymentMethodCardParams{Token: stripe.String("tok_visa")}})
		if err != nil {
			t.Fatal(err)
		}
		pm, err = api.PaymentMethods.Attach(pm.ID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cust.ID)})
		if err != nil || pm.Customer == nil || pm.Customer.ID != cust.ID {
			t.Fatalf("attach: %v %v", pm, err)
		}
		it := api.PaymentMethods.List(&stripe.PaymentMethodListParams{Customer: stripe.String(cust.ID)})
		n := 0
		for it.Next() {
			n++
		}
		pm, err = api.PaymentMethods.Detach(pm.ID, nil)
		if err != nil || pm.Customer != nil || n != 1 {
			t.Fatalf("detach: %v %v (listed %d)", pm, err, n)
		}
	})
	t.Run("quote accept creates invoice, invoice finalize and pay", func(t *testing.T) {
		p, _ := api.Products.New(&stripe.ProductParams{Name: stripe.String("Plan")})
		pr, _ := api.Prices.New(&stripe.PriceParams{Product: stripe.String(p.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(700)})
		q, err := api.Quotes.New(&stripe.QuoteParams{Customer: stripe.String(cust.ID), LineItems: []*stripe.QuoteLineItemParams{{Price: stripe.String(pr.ID), Quantity: stripe.Int64(3)}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := api.Quotes.Accept(q.ID, nil); err == nil {
			t.Error("accepting a draft quote succeeded")
		}
		if q, err = api.Quotes.FinalizeQuote(q.ID, nil); err != nil || q.Status != "open" {
			t.Fatalf("finalize: %v %v", q, err)
		}
		q, err = api.Quotes.Accept(q.ID, nil)
		if err != nil || q.Status != "accepted" || q.Invoice == nil {
			t.Fatalf("accept: %v %v", q, err)
		}
		inv, err := api.Invoices.Get(q.Invoice.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]any{"draft", int64(2100), 1}, []any{string(inv.Status), inv.Total, len(inv.Lines.Data)}); diff != "" {
			t.Errorf("invoice (-want +got):\n%s", diff)
		}
		inv, err = api.Invoices.FinalizeInvoice(inv.ID, nil)
		if err != nil || inv.Status != "open" || inv.Number == "" {
			t.Fatalf("finalize: %v %v", inv, err)
		}
		inv, err = api.Invoices.Pay(inv.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa")})
		if err != nil || inv.Status != "paid" || inv.Charge == nil {
			t.Fatalf("pay: %v %v", inv, err)
		}
		if _, err := api.Invoices.VoidInvoice(inv.ID, nil); err == nil {
			t.Error("voiding a paid invoice succeeded")
		}
		var types []string
		for _, ev := range e.Objects("events") {
			types = append(types, ev["type"].(string))
		}
		for _, want := range []string{"quote.accepted", "invoice.finalized", "invoice.paid", "charge.succeeded"} {
			found := false
			for _, got := range types {
				found = found || got == want
			}
			if !found {
				t.Errorf("no %s event in %v", want, types)
			}
		}
	})
	t.Run("refund updates charge and balance", func(t *testing.T) {
		ch, err := api.Charges.New(&stripe.ChargeParams{Amount: stripe.Int64(5000), Currency: stripe.String("usd"), Source: &stripe.PaymentSourceSourceParams{Token: stripe.String("tok_visa")}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := api.Refunds.New(&stripe.RefundParams{Charge: stripe.String(ch.ID), Amount: stripe.Int64(2000)})
		if err != nil {
			t.Fatal(err)
		}
		ch, _ = api.Charges.Get(ch.ID, nil)
		bt, err := api.BalanceTransactions.Get(r.BalanceTransaction.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]any{int64(2000), false, int64(-2000), r.ID}, []any{ch.AmountRefunded, ch.Refunded, bt.Amount, bt.Source.ID}); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if _, err := api.Refunds.New(&stripe.RefundParams{Charge: stripe.String(ch.ID), Amount: stripe.Int64(4000)}); err == nil {
			t.Error("over-refund succeeded")
		}
		var refundEvents []string
		for _, ev := range e.Objects("events") {
			obj := ev["data"].(map[string]any)["object"].(map[string]any)
			if obj["id"] == r.ID || obj["id"] == ch.ID {
				refundEvents = append(refundEvents, ev["type"].(string))
			}
		}
		if diff := cmp.Diff([]string{"refund.created", "charge.refunded", "charge.succeeded"}, refundEvents); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
	})
	t.Run("subscription create, list items, cancel", func(t *testing.T) {
		p, _ := api.Products.New(&stripe.ProductParams{Name: stripe.String("Sub")})
		pr, _ := api.Prices.New(&stripe.PriceParams{Product: stripe.String(p.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1200),
			Recurring: &stripe.PriceRecurringParams{Interval: stripe.String("month")}})
		sub, err := api.Subscriptions.New(&stripe.SubscriptionParams{Customer: stripe.String(cust.ID), Items: []*stripe.SubscriptionItemsParams{{Price: stripe.String(pr.ID)}}})
		if err != nil {
			t.Fatal(err)
		}
		inv, err := api.Invoices.Get(sub.LatestInvoice.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := []any{string(sub.Status), len(sub.Items.Data), string(inv.Status), inv.AmountPaid, inv.Subscription.ID}
		if diff := cmp.Diff([]any{"active", 1, "paid", int64(1200), sub.ID}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		sit := api.SubscriptionItems.List(&stripe.SubscriptionItemListParams{Subscription: stripe.String(sub.ID)})
		var items []string
		for sit.Next() {
			items = append(items, sit.SubscriptionItem().Price.ID)
		}
		if diff := cmp.Diff([]string{pr.ID}, items); diff != "" || sit.Err() != nil {
			t.Errorf("subscription items (-want +got):\n%s %v", diff, sit.Err())
		}
		sub, err = api.Subscriptions.Cancel(sub.ID, nil)
		if err != nil || sub.Status != "canceled" {
			t.Fatalf("cancel: %v %v", sub, err)
		}
	})
}

func TestIdempotency(t *testing.T) {
	e, _, base := startClient(t, Config{Seed: 1, Scale: ScaleNone})
	key := map[string]string{"Idempotency-Key": "k-1"}
	s1, _, b1 := raw(t, "POST", base+"/v1/customers", "sk_test_1", "email=x%40example.com", key)
	s2, h2, b2 := raw(t, "POST", base+"/v1/customers", "sk_test_1", "email=x%40example.com", key)
	if s1 != 200 || s2 != 200 {
		t.Fatalf("status %d %d", s1, s2)
	}
	if diff := cmp.Diff(b1, b2); diff != "" {
		t.Errorf("replay differs:\n%s", diff)
	}
	if h2.Get("Idempotent-Replayed") != "true" {
		t.Errorf("Idempotent-Replayed = %q", h2.Get("Idempotent-Replayed"))
	}
	if n := len(e.Objects("customers")); n != 1 {
		t.Errorf("%d customers after replay, want 1", n)
	}
	s3, _, b3 := raw(t, "POST", base+"/v1/customers", "sk_test_1", "email=y%40example.com", key)
	if s3 != 400 || errOf(b3)["type"] != "idempotency_error" {
		t.Errorf("mismatch: %d %v", s3, b3)
	}
}

func TestRateLimit(t *testing.T) {
	_, _, base := startClient(t, Config{Seed: 1, Scale: ScaleNone, RateLimit: 5})
	var statuses []int
	var hdr http.Header
	var body map[string]any
	for i := 0; i < 8; i++ {
		s, h, b := raw(t, "GET", base+"/v1/customers", "sk_test_1", "", nil)
		statuses = append(statuses, s)
		if s == 429 {
			hdr, body = h, b
		}
	}
	sort.Ints(statuses)
	if diff := cmp.Diff([]int{200, 200, 200, 200, 200, 429, 429, 429}, statuses); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if hdr.Get("Retry-After") == "" || hdr.Get("Stripe-Should-Retry") != "true" || errOf(body)["code"] != "rate_limit" {
		t.Errorf("429 answer: %v %v", hdr, body)
	}
}

func TestLatency(t *testing.T) {
	_, _, base := startClient(t, Config{Seed: 1, Scale: ScaleNone, Latency: 150 * time.Millisecond})
	start := time.Now()
	raw(t, "GET", base+"/v1/customers", "sk_test_1", "", nil)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("request took %v, want at least 150ms", d)
	}
}

func TestFaultInjection(t *testing.T) {
	t.Run("500 after apply is replayed", func(t *testing.T) {
		e, _, base := startClient(t, Config{Seed: 1, Scale: ScaleNone, FailAfterApply: 1, FailMode: "500"})
		key := map[string]string{"Idempotency-Key": "f-1"}
		s1, _, _ := raw(t, "POST", base+"/v1/customers", "sk_test_1", "email=z%40example.com", key)
		s2, _, _ := raw(t, "POST", base+"/v1/customers", "sk_test_1", "email=z%40example.com", key)
		if diff := cmp.Diff([]int{500, 500, 1}, []int{s1, s2, len(e.Objects("customers"))}); diff != "" {
			t.Errorf("statuses and customers (-want +got):\n%s", diff)
		}
	})
	t.Run("drop after apply, retry gets the original answer", func(t *testing.T) {
		e, _, base := startClient(t, Config{Seed: 1, Scale: ScaleNone, FailAfterApply: 1, FailMode: "drop"})
		req, _ := http.NewRequest("POST", base+"/v1/customers", strings.NewReader("email=d%40example.com"))
		req.Header.Set("Authorization", "Bearer sk_test_1")
		req.Header.Set("Idempotency-Key", "f-2")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("dropped request answered %d", resp.StatusCode)
		}
		s, _, b := raw(t, "POST", base+"/v1/customers", "sk_test_1", "email=d%40example.com", map[string]string{"Idempotency-Key": "f-2"})
		objs := e.Objects("customers")
		if s != 200 || len(objs) != 1 || b["id"] != objs[0]["id"] {
			t.Errorf("retry: %d %v, customers %d", s, b, len(objs))
		}
	})
}

func TestFaultInjectionMixed(t *testing.T) {
	e, _, base := startClient(t, Config{Seed: 1, Scale: ScaleNone, FailAfterApply: 1, FailMode: "mixed"})
	outcomes := map[string]int{}
	for i := 0; i < 12; i++ {
		req, _ := http.NewRequest("POST", base+"/v1/customers", strings.NewReader(fmt.Sprintf("email=m%d%%40example.com", i)))
		req.Header.Set("Authorization", "Bearer sk_test_1")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			outcomes["drop"]++
			continue
		}
		resp.Body.Close()
		outcomes[fmt.Sprint(resp.StatusCode)]++
	}
	if outcomes["drop"] == 0 || outcomes["500"] == 0 || outcomes["drop"]+outcomes["500"] != 12 {
		t.Errorf("outcomes %v, want only drops and 500s, some of each", outcomes)
	}
	if n := len(e.Objects("customers")); n != 12 {
		t.Errorf("%d customers applied, want 12", n)
	}
	if _, err := New(Config{FailAfterApply: 1.5}); err == nil {
		t.Error("fraction 1.5 accepted")
	}
	if _, err := New(Config{FailMode: "sometimes"}); err == nil {
		t.Error("unknown fail mode accepted")
	}
}

func TestRequestLog(t *testing.T) {
	e, api, base := startClient(t, Config{Seed: 1, Scale: ScaleSmall})
	e.ResetRequests()
	_, _ = api.Customers.List(&stripe.CustomerListParams{Email: stripe.String("q@example.com")}).Next(), 0
	_, _ = api.Customers.New(&stripe.CustomerParams{Name: stripe.String("Log")})
	resp, err := http.Get(base + "/_emulator/requests")
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Data []Request `json:"data"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&log)
	resp.Body.Close()
	type short struct {
		Method, Path string
		Query, Body  url.Values
		Status       int
		HasKey       bool
	}
	var got []short
	for _, r := range log.Data {
		got = append(got, short{r.Method, r.Path, r.Query, r.Body, r.Status, r.IdempotencyKey != ""})
	}
	want := []short{
		{"GET", "/v1/customers", url.Values{"email": {"q@example.com"}}, url.Values{}, 200, false},
		{"POST", "/v1/customers", url.Values{}, url.Values{"name": {"Log"}}, 200, true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	req, _ := http.NewRequest("DELETE", base+"/_emulator/requests", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	if n := len(e.Requests()); n != 0 {
		t.Errorf("%d requests after DELETE", n)
	}
}
