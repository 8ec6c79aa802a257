package stripeparams

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

func mustJSON(t *testing.T, s string) sqltypes.JSONValue {
	t.Helper()
	v, err := sqltypes.ParseJSON(s, sqltypes.JSONB)
	if err != nil {
		t.Fatalf("ParseJSON(%s): %v", s, err)
	}
	return v.(sqltypes.JSONValue)
}

func dec(s string) sqltypes.Decimal {
	d, ok := sqltypes.ParseDecimal(s)
	if !ok {
		panic("bad decimal " + s)
	}
	return d
}

func TestAppendScalarsAndNested(t *testing.T) {
	ts := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)
	tests := []struct {
		name  string
		param string
		value any
		nulls NullMode
		want  url.Values
	}{
		{"text", "email", "a@example.com", OmitNull, url.Values{"email": {"a@example.com"}}},
		{"int8", "amount", int64(2000), OmitNull, url.Values{"amount": {"2000"}}},
		{"negative int", "amount", int64(-5), OmitNull, url.Values{"amount": {"-5"}}},
		{"bool true", "capture", true, OmitNull, url.Values{"capture": {"true"}}},
		{"bool false", "livemode", false, OmitNull, url.Values{"livemode": {"false"}}},
		{"numeric", "unit_amount_decimal", dec("12.3450"), OmitNull, url.Values{"unit_amount_decimal": {"12.3450"}}},
		{"float", "percent_off", 12.5, OmitNull, url.Values{"percent_off": {"12.5"}}},
		{"timestamptz as unix seconds", "due_date", ts, OmitNull, url.Values{"due_date": {"1700000000"}}},
		{"timestamptz in another zone", "due_date", ts.In(time.FixedZone("x", 3600)), OmitNull, url.Values{"due_date": {"1700000000"}}},
		{"null omitted on create", "description", nil, OmitNull, url.Values{}},
		{"null unsets on update", "description", nil, UnsetNull, url.Values{"description": {""}}},
		{"metadata object", "metadata", mustJSON(t, `{"plan":"pro","seats":3}`), OmitNull,
			url.Values{"metadata[plan]": {"pro"}, "metadata[seats]": {"3"}}},
		{"metadata null key removes it on update", "metadata", mustJSON(t, `{"plan":null,"tier":"b"}`), UnsetNull,
			url.Values{"metadata[plan]": {""}, "metadata[tier]": {"b"}}},
		{"metadata null key skipped on create", "metadata", mustJSON(t, `{"plan":null,"tier":"b"}`), OmitNull,
			url.Values{"metadata[tier]": {"b"}}},
		{"empty object clears on update", "metadata", mustJSON(t, `{}`), UnsetNull, url.Values{"metadata": {""}}},
		{"empty object is nothing on create", "metadata", mustJSON(t, `{}`), OmitNull, url.Values{}},
		{"address", "address", mustJSON(t, `{"line1":"1 Main St","city":"Springfield","postal_code":"12345"}`), OmitNull,
			url.Values{"address[line1]": {"1 Main St"}, "address[city]": {"Springfield"}, "address[postal_code]": {"12345"}}},
		{"items array of objects indexed", "items", mustJSON(t, `[{"price":"price_1","quantity":2},{"price":"price_2"}]`), OmitNull,
			url.Values{"items[0][price]": {"price_1"}, "items[0][quantity]": {"2"}, "items[1][price]": {"price_2"}}},
		{"deep nesting", "payment_method_options", mustJSON(t, `{"card":{"installments":{"enabled":true}}}`), OmitNull,
			url.Values{"payment_method_options[card][installments][enabled]": {"true"}}},
		{"text array as key[]", "expand", sqltypes.Array{Elem: sqltypes.Text, Items: []any{"customer", "latest_charge"}}, OmitNull,
			url.Values{"expand[]": {"customer", "latest_charge"}}},
		{"jsonb array of strings as key[]", "expand", mustJSON(t, `["customer","invoice"]`), OmitNull,
			url.Values{"expand[]": {"customer", "invoice"}}},
		{"empty array empties the list", "default_tax_rates", sqltypes.Array{Elem: sqltypes.Text}, OmitNull,
			url.Values{"default_tax_rates": {""}}},
		{"nested list inside object", "line_items", mustJSON(t, `[{"price_data":{"currency":"usd","tax_rates":["txr_1"]}}]`), OmitNull,
			url.Values{"line_items[0][price_data][currency]": {"usd"}, "line_items[0][price_data][tax_rates][]": {"txr_1"}}},
		{"json number keeps its digits", "amount", mustJSON(t, `12345678901234567890`), OmitNull,
			url.Values{"amount": {"12345678901234567890"}}},
		{"json bool", "enabled", mustJSON(t, `false`), OmitNull, url.Values{"enabled": {"false"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := url.Values{}
			if err := Append(got, tt.param, tt.value, tt.nulls); err != nil {
				t.Fatalf("Append: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendRejects(t *testing.T) {
	tests := []struct {
		name    string
		value   any
		wantMsg string
	}{
		{"bytea", []byte{1, 2}, `stripe parameter "p" cannot be sent as bytea`},
		{"nan", math.NaN(), `stripe parameter "p" cannot be NaN`},
		{"interval", sqltypes.IntervalValue{Days: 1}, `stripe parameter "p" cannot be sent as a value of Go type sqltypes.IntervalValue`},
		{"null in array", sqltypes.Array{Elem: sqltypes.Text, Items: []any{"a", nil}}, `stripe parameter "p" has a null element at position 2`},
		{"bracket in key", mustJSON(t, `{"a[b]":"x"}`), `stripe parameter "p" has a key "a[b]" that stripe cannot take`},
		{"empty key", mustJSON(t, `{"":"x"}`), `stripe parameter "p" has a key "" that stripe cannot take`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Append(url.Values{}, "p", tt.value, OmitNull)
			se, ok := sqlstate.As(err)
			if !ok {
				t.Fatalf("Append error = %v; want *sqlstate.Error", err)
			}
			if diff := cmp.Diff(sqlstate.InvalidParameterValue, se.Code); diff != "" {
				t.Errorf("code (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantMsg, se.Message); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendRejectsTooDeep(t *testing.T) {
	var v any = "leaf"
	for i := 0; i < maxDepth+2; i++ {
		v = map[string]any{"a": v}
	}
	err := Append(url.Values{}, "p", sqltypes.JSONValue{V: v}, OmitNull)
	if se, ok := sqlstate.As(err); !ok || se.Code != sqlstate.InvalidParameterValue {
		t.Fatalf("Append of a %d-deep document = %v; want 22023", maxDepth+2, err)
	}
}

func TestEncodeIsDeterministic(t *testing.T) {
	params := map[string]any{
		"metadata": mustJSON(t, `{"z":"1","a":"2","m":"3"}`),
		"amount":   int64(5),
		"currency": "usd",
	}
	first, err := Encode(params, OmitNull)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		again, err := Encode(params, OmitNull)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first.Encode(), again.Encode()); diff != "" {
			t.Fatalf("encoding changed between runs (-first +again):\n%s", diff)
		}
	}
	want := "amount=5&currency=usd&metadata%5Ba%5D=2&metadata%5Bm%5D=3&metadata%5Bz%5D=1"
	if diff := cmp.Diff(want, first.Encode()); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestKey(t *testing.T) {
	tests := []struct {
		name string
		sub  []string
		want string
	}{
		{"metadata", []string{"k"}, "metadata[k]"},
		{"items", []string{"0", "price"}, "items[0][price]"},
		{"email", nil, "email"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Key(tt.name, tt.sub...)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// decodeForm is an independent bracket decoder, written the way Stripe's servers read forms:
// a[b]=v is a hash, a[]=v appends to a list, a[0][b]=v is element 0 of a list of hashes. Leaves
// are strings. It exists to prove that Append's output means what was encoded.
func decodeForm(t *testing.T, raw string) map[string]any {
	t.Helper()
	root := map[string]any{}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			t.Fatalf("unescape %q: %v", k, err)
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			t.Fatalf("unescape %q: %v", v, err)
		}
		name, rest, _ := strings.Cut(key, "[")
		var segs []string
		if rest != "" {
			segs = strings.Split(strings.TrimSuffix(rest, "]"), "][")
		}
		root[name] = insert(t, root[name], segs, val)
	}
	return root
}

// insert places val at segs below node and returns the new node.
func insert(t *testing.T, node any, segs []string, val string) any {
	t.Helper()
	if len(segs) == 0 {
		return val
	}
	seg := segs[0]
	if seg == "" {
		list, _ := node.([]any)
		return append(list, insert(t, nil, segs[1:], val))
	}
	if i, err := strconv.Atoi(seg); err == nil {
		list, _ := node.([]any)
		for len(list) <= i {
			list = append(list, nil)
		}
		list[i] = insert(t, list[i], segs[1:], val)
		return list
	}
	m, _ := node.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	m[seg] = insert(t, m[seg], segs[1:], val)
	return m
}

// randomDoc builds a JSON document of the shapes Stripe parameters take: hashes of scalars,
// hashes, lists of scalars and lists of hashes, never empty and without nulls (which do not
// round-trip by design: they mean omit or unset).
func randomDoc(r *rand.Rand, depth int) any {
	kind := r.IntN(6)
	if depth >= 4 {
		kind = r.IntN(3)
	}
	switch kind {
	case 0:
		return fmt.Sprintf("s%d &=[]%%ü", r.IntN(1000))
	case 1:
		return dec(strconv.Itoa(r.IntN(20000) - 10000))
	case 2:
		return r.IntN(2) == 0
	case 3, 4:
		n := 1 + r.IntN(4)
		m := make(map[string]any, n)
		for i := 0; i < n; i++ {
			m[fmt.Sprintf("k%d_%d", depth, r.IntN(50))] = randomDoc(r, depth+1)
		}
		return m
	default:
		n := 1 + r.IntN(3)
		list := make([]any, n)
		hashes := r.IntN(2) == 0
		for i := range list {
			if hashes {
				list[i] = map[string]any{"f": randomDoc(r, depth+2), "g": "x"}
			} else {
				list[i] = randomDoc(r, 4)
			}
		}
		return list
	}
}

// asStrings is what a form can carry back: every leaf as its text.
func asStrings(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = asStrings(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = asStrings(e)
		}
		return out
	case bool:
		return strconv.FormatBool(x)
	case fmt.Stringer:
		return x.String()
	}
	return v
}

func TestRoundTripThroughBracketDecoder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 76))
	for i := 0; i < 500; i++ {
		doc := map[string]any{}
		for j := 0; j < 1+r.IntN(3); j++ {
			doc[fmt.Sprintf("p%d", j)] = randomDoc(r, 0)
		}
		params := map[string]any{}
		for k, v := range doc {
			params[k] = sqltypes.JSONValue{V: v}
		}
		form, err := Encode(params, OmitNull)
		if err != nil {
			t.Fatalf("case %d: Encode: %v", i, err)
		}
		got := decodeForm(t, form.Encode())
		if diff := cmp.Diff(asStrings(doc), any(got)); diff != "" {
			keys := make([]string, 0, len(form))
			for k := range form {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			t.Fatalf("case %d: round trip mismatch (-want +got):\n%s\nform keys: %v", i, diff, keys)
		}
	}
}
