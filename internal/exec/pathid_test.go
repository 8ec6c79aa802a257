package exec_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// requestLines renders the emulator's request log as "METHOD path" lines and clears it.
func requestLines(e *testEnv) []string {
	var out []string
	for _, r := range e.emu.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	e.emu.ResetRequests()
	return out
}

// TestIDsNeverReachOtherEndpoints checks that an id that cannot name a Stripe object ("", a path
// word like search, one with '/' or '?') sends no request: SELECT finds no row, UPDATE and DELETE
// write no row, CALL fails with 22023. Before the fix, an empty id listed customers (one row with
// object = list), UPDATE with an empty id created a customer, and 'cus_X/' retrieved cus_X.
func TestIDsNeverReachOtherEndpoints(t *testing.T) {
	e := startEnv(t, emulator.ScaleSmall)
	ctx := context.Background()
	cus := pick(t, e, "customers", "id", 0)
	before := len(e.emu.Objects("customers"))
	tests := []struct {
		name     string
		sql      string
		wantRows int
		wantTag  string
		wantCode string
		wantReqs []string
	}{
		{"select empty id", `SELECT id, object FROM customers WHERE id = ''`, 0, "SELECT 0", "", nil},
		{"select search", `SELECT id, object FROM customers WHERE id = 'search'`, 0, "SELECT 0", "", nil},
		{"select trailing slash", `SELECT id FROM customers WHERE id = '` + cus + `/'`, 0, "SELECT 0", "", nil},
		{"select query string", `SELECT id FROM customers WHERE id = '` + cus + `?expand[]=x'`, 0, "SELECT 0", "", nil},
		{"select whitespace", `SELECT id FROM customers WHERE id = ' ` + cus + `'`, 0, "SELECT 0", "", nil},
		{"select in list keeps the valid id", `SELECT id FROM customers WHERE id IN ('', 'search', '` + cus + `')`, 1, "SELECT 1", "", []string{"GET /v1/customers/" + cus}},
		{"update empty id", `UPDATE customers SET name = 'x' WHERE id = '' RETURNING id`, 0, "UPDATE 0", "", nil},
		{"update trailing slash", `UPDATE customers SET name = 'x' WHERE id = '` + cus + `/'`, 0, "UPDATE 0", "", nil},
		{"delete search", `DELETE FROM customers WHERE id = 'search'`, 0, "DELETE 0", "", nil},
		{"delete empty id with a row read", `DELETE FROM customers WHERE id = '' AND name = 'x'`, 0, "DELETE 0", "", nil},
		{"call with slash", `CALL ConfirmPaymentIntent('pi_1/capture')`, 0, "", "22023", nil},
		{"call with search", `CALL ConfirmPaymentIntent('search')`, 0, "", "22023", nil},
		{"insert with slash in parent", `INSERT INTO tax_ids (customer, type, value) VALUES ('` + cus + `/x', 'eu_vat', 'DE123456789')`, 0, "", "22023", nil},
		{"child list with empty parent", `SELECT id FROM tax_ids WHERE customer = ''`, 0, "SELECT 0", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.emu.ResetRequests()
			rows, res, err := run(ctx, e.client, e.session(nil), tc.sql)
			if tc.wantCode != "" {
				var got string
				if se, ok := err.(*sqlstate.Error); ok {
					got = string(se.Code)
				}
				if got != tc.wantCode {
					t.Fatalf("code = %q (%v), want %s", got, err, tc.wantCode)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) != tc.wantRows {
					t.Errorf("rows = %v, want %d", rows, tc.wantRows)
				}
				if got := res.Tag(); got != tc.wantTag {
					t.Errorf("tag = %q, want %q", got, tc.wantTag)
				}
			}
			if diff := cmp.Diff(tc.wantReqs, requestLines(e)); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
	if got := len(e.emu.Objects("customers")); got != before {
		t.Errorf("customers = %d after the statements, want %d (nothing created)", got, before)
	}
}

// mismatchBackend answers every retrieve with what answer makes of the real object, standing in
// for an endpoint that normalises a path or answers a list.
type mismatchBackend struct {
	stripeapi.Backend
	answer func(stripeapi.Object) stripeapi.Object
}

func (m mismatchBackend) Retrieve(ctx context.Context, path string, p url.Values) (stripeapi.Object, error) {
	obj, err := m.Backend.Retrieve(ctx, path, p)
	if err != nil {
		return nil, err
	}
	return m.answer(obj), nil
}

// TestRetrieveAnswerMustMatchTheID checks that a retrieve whose answer carries another id, or is
// a list or search page, yields no row.
func TestRetrieveAnswerMustMatchTheID(t *testing.T) {
	e := startEnv(t, emulator.ScaleSmall)
	ctx := context.Background()
	cus := pick(t, e, "customers", "id", 0)
	tests := []struct {
		name   string
		answer func(stripeapi.Object) stripeapi.Object
		want   int
	}{
		{"same object", func(o stripeapi.Object) stripeapi.Object { return o }, 1},
		{"other id", func(o stripeapi.Object) stripeapi.Object {
			c := stripeapi.Object{}
			for k, v := range o {
				c[k] = v
			}
			c["id"] = "cus_other"
			return c
		}, 0},
		{"list", func(stripeapi.Object) stripeapi.Object {
			return stripeapi.Object{"object": "list", "data": []any{}, "url": "/v1/customers"}
		}, 0},
		{"search result", func(stripeapi.Object) stripeapi.Object {
			return stripeapi.Object{"object": "search_result", "data": []any{}}
		}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := mismatchBackend{Backend: e.client, answer: tc.answer}
			rows, _, err := run(ctx, b, e.session(nil), `SELECT id FROM customers WHERE id = '`+cus+`'`)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tc.want {
				t.Errorf("rows = %v, want %d", rows, tc.want)
			}
		})
	}
}
