package planner

import (
	"testing"

	"github.com/stripesql/stripesql/catalog"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// TestOnConditionSeesOnlyItsJoin checks PostgreSQL's scoping of JOIN ... ON: the condition reads
// the two sides of its own join, not tables joined later. psqlODBC's SQLForeignKeys query reads
// conkey unqualified in an ON before a second pg_constraint joins; with every FROM item visible
// that reference was ambiguous.
func TestOnConditionSeesOnlyItsJoin(t *testing.T) {
	tests := []struct {
		name, sql, code string
	}{
		{"later table is not visible, so the name is not ambiguous",
			`SELECT a1.attname FROM ((SELECT cn.oid, conrelid, conkey FROM pg_catalog.pg_constraint cn WHERE contype = 'f') ref
			   JOIN pg_catalog.pg_attribute a1 ON a1.attrelid = ref.conrelid AND a1.attnum = conkey[1])
			   LEFT JOIN pg_catalog.pg_constraint cn ON cn.conrelid = ref.conrelid`, ""},
		{"a qualified reference to a later table", `SELECT 1 FROM customers a JOIN charges b ON b.customer = c.id JOIN invoices c ON c.id = b.invoice`, sqlstate.UndefinedTable},
		{"an unqualified name only a later table has", `SELECT 1 FROM customers a JOIN charges b ON b.customer = a.id AND amount_due > 0 JOIN invoices c ON c.id = b.invoice`, sqlstate.UndefinedColumn},
		{"an earlier table of the same FROM is visible", `SELECT 1 FROM customers a JOIN charges b ON b.customer = a.id JOIN invoices c ON c.id = b.invoice AND c.customer = a.id`, ""},
		{"a name both sides have is still ambiguous", `SELECT 1 FROM customers a JOIN charges b ON id = b.customer`, sqlstate.AmbiguousColumn},
		{"WHERE sees every table", `SELECT 1 FROM customers a JOIN charges b ON b.customer = a.id LEFT JOIN invoices c ON c.id = b.invoice WHERE amount_due > 0`, ""},
	}
	sess := NewSession(SessionConfig{Catalog: catalog.Default(), Clock: goldenClock})
	if err := sess.SetSetting("stripesql.max_requests", "100000"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sts, err := Parse(tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Plan(sess, sts[0], nil)
			code := ""
			if e, ok := sqlstate.As(err); ok {
				code = e.Code
			} else if err != nil {
				t.Fatalf("err = %v, not coded", err)
			}
			if code != tt.code {
				t.Errorf("err = %v; want code %q", err, tt.code)
			}
		})
	}
}
