package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

func planOne(t *testing.T, sess *Session, sql string, args ...any) (*Planned, error) {
	t.Helper()
	sts, err := Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	return Plan(sess, sts[0], args)
}

// TestWriteReadOnly checks that a read-only session refuses every write and mutating call with
// 25006 at plan time, while EXPLAIN and dry runs, which send nothing, still work.
func TestWriteReadOnly(t *testing.T) {
	tests := []struct {
		sql      string
		settings map[string]string
		readOnly bool
		want     string // SQLSTATE, "" for success
	}{
		{sql: `INSERT INTO customers (email) VALUES ('a@b.c')`, readOnly: true, want: sqlstate.ReadOnlySQLTransaction},
		{sql: `UPDATE customers SET name = 'x' WHERE id = 'cus_1'`, readOnly: true, want: sqlstate.ReadOnlySQLTransaction},
		{sql: `DELETE FROM customers WHERE id = 'cus_1'`, readOnly: true, want: sqlstate.ReadOnlySQLTransaction},
		{sql: `CALL CancelPaymentIntent('pi_1')`, readOnly: true, want: sqlstate.ReadOnlySQLTransaction},
		{sql: `SELECT * FROM CancelPaymentIntent('pi_1')`, readOnly: true, want: sqlstate.ReadOnlySQLTransaction},
		{sql: `INSERT INTO customers (email) VALUES ('a@b.c')`, settings: map[string]string{"default_transaction_read_only": "on"}, want: sqlstate.ReadOnlySQLTransaction},
		{sql: `EXPLAIN INSERT INTO customers (email) VALUES ('a@b.c')`, readOnly: true},
		{sql: `INSERT INTO customers (email) VALUES ('a@b.c')`, readOnly: true, settings: map[string]string{SettingDryRun: "on"}},
		{sql: `SELECT id FROM customers WHERE id = 'cus_1'`, readOnly: true},
		{sql: `INSERT INTO customers (email) VALUES ('a@b.c')`},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			sess := NewSession(SessionConfig{Catalog: stripeCatalog(), ReadOnly: tt.readOnly, Settings: tt.settings, Clock: goldenClock})
			_, err := planOne(t, sess, tt.sql)
			got := ""
			if err != nil {
				got = sqlstate.Wrap(err).Code
			}
			if got != tt.want {
				t.Errorf("code %q, want %q (err %v)", got, tt.want, err)
			}
		})
	}
}

// TestWriteDescribe checks the parameter types inferred from write targets and the result columns
// of RETURNING and of procedure calls, without argument values.
func TestWriteDescribe(t *testing.T) {
	tests := []struct {
		sql    string
		params []sqltypes.Type
		cols   []string
	}{
		{sql: `INSERT INTO payment_intents (amount, currency, metadata) VALUES ($1, $2, $3)`, params: []sqltypes.Type{sqltypes.Int8, sqltypes.Text, sqltypes.JSONB}},
		{sql: `INSERT INTO customers (email) VALUES ($1) RETURNING id, email AS mail`, params: []sqltypes.Type{sqltypes.Text}, cols: []string{"id", "mail"}},
		{sql: `UPDATE customers SET balance = $1 WHERE id = $2 RETURNING balance`, params: []sqltypes.Type{sqltypes.Int8, sqltypes.Text}, cols: []string{"balance"}},
		{sql: `CALL AcceptQuote($1)`, params: []sqltypes.Type{sqltypes.Text}},
		{sql: `SELECT * FROM acceptquote(QuoteId => $1)`, params: []sqltypes.Type{sqltypes.Text}},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			sess := NewSession(SessionConfig{Catalog: stripeCatalog(), Clock: goldenClock})
			sts, err := Parse(tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Describe(sess, sts[0], nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.params, d.Params); diff != "" {
				t.Errorf("params (-want +got):\n%s", diff)
			}
			var cols []string
			for _, c := range d.Columns {
				cols = append(cols, c.Name)
			}
			if tt.cols != nil {
				if diff := cmp.Diff(tt.cols, cols); diff != "" {
					t.Errorf("columns (-want +got):\n%s", diff)
				}
			}
		})
	}
	// A procedure's columns: AcceptQuote leads with InvoiceId, then Success.
	sess := NewSession(SessionConfig{Catalog: stripeCatalog(), Clock: goldenClock})
	sts, _ := Parse(`CALL AcceptQuote('qt_1')`)
	d, err := Describe(sess, sts[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Columns) < 3 || d.Columns[0].Name != "InvoiceId" || d.Columns[1].Name != "Success" || d.Columns[1].Type != sqltypes.Bool {
		t.Errorf("AcceptQuote columns start %v", d.Columns[:min(3, len(d.Columns))])
	}
}

// TestSearchAvoidedAfterWrite checks that a table written in the session is read by list, not by
// Stripe's eventually consistent search, for SearchAfterWrite.
func TestSearchAvoidedAfterWrite(t *testing.T) {
	sess := NewSession(SessionConfig{Catalog: stripeCatalog(), Clock: goldenClock})
	access := func() AccessKind {
		p, err := planOne(t, sess, `SELECT id FROM customers WHERE name = 'Ann'`)
		if err != nil {
			t.Fatal(err)
		}
		var a AccessKind
		Walk(p.Root, func(n Node) {
			if s, ok := n.(*Scan); ok {
				a = s.Access
			}
		})
		return a
	}
	if got := access(); got != AccessSearch {
		t.Fatalf("before a write: %s, want Search (the test needs a search plan to start from)", got)
	}
	sess.NoteWrite("customers")
	if got := access(); got != AccessList {
		t.Errorf("after a write: %s, want List", got)
	}
	sess.NoteWrite("charges")
	old := SearchAfterWrite
	SearchAfterWrite = 0
	defer func() { SearchAfterWrite = old }()
	if got := access(); got != AccessSearch {
		t.Errorf("after the window: %s, want Search", got)
	}
}
