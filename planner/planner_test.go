package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

func TestParseSplitsStatements(t *testing.T) {
	tests := []struct {
		sql   string
		texts []string
		kinds []string
	}{
		{"SELECT 1; SELECT 2", []string{"SELECT 1", "SELECT 2"}, []string{"SELECT", "SELECT"}},
		{"  ; ", nil, nil},
		{"-- only a comment", nil, nil},
		{"BEGIN; SET search_path = public; COMMIT;", []string{"BEGIN", "SET search_path = public", "COMMIT"}, []string{"BEGIN", "SET", "COMMIT"}},
		{"SELECT ';' AS semi; SHOW ALL", []string{"SELECT ';' AS semi", "SHOW ALL"}, []string{"SELECT", "SHOW"}},
		{"explain select 1", []string{"explain select 1"}, []string{"EXPLAIN"}},
		{"RESET ALL; START TRANSACTION; ROLLBACK", []string{"RESET ALL", "START TRANSACTION", "ROLLBACK"}, []string{"RESET", "START TRANSACTION", "ROLLBACK"}},
		{"CALL ConfirmPaymentIntent('pi_1')", []string{"CALL ConfirmPaymentIntent('pi_1')"}, []string{"CALL"}},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			sts, err := Parse(tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			var texts, kinds []string
			for _, s := range sts {
				texts = append(texts, s.Text())
				kinds = append(kinds, s.Kind())
			}
			if diff := cmp.Diff(tt.texts, texts); diff != "" {
				t.Errorf("texts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.kinds, kinds); diff != "" {
				t.Errorf("kinds (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSyntaxErrorPosition(t *testing.T) {
	_, err := Parse("SELECT é FROM WHERE")
	e, ok := sqlstate.As(err)
	if !ok || e.Code != sqlstate.SyntaxError {
		t.Fatalf("err = %v; want 42601", err)
	}
	// "WHERE" starts at character 15 (é is one character, two bytes).
	if e.Position != 15 || e.Message != `syntax error at or near "WHERE"` {
		t.Errorf("got %q at %d; want syntax error at or near \"WHERE\" at 15", e.Message, e.Position)
	}
}

func TestSettings(t *testing.T) {
	s := NewSession(SessionConfig{Settings: map[string]string{"application_name": "psql", "TimeZone": "America/New_York", "bogus": "x"}})
	tests := []struct {
		name, set, value string
		code             string
		show             string
	}{
		{"startup param", "", "", "", "psql"},
		{"max requests", "stripesql.max_requests", "2000", "", "2000"},
		{"pushdown off", "stripesql.pushdown", "false", "", "off"},
		{"staleness seconds", SettingMaxStaleness, "30s", "", "30s"},
		{"staleness minutes", SettingMaxStaleness, "5 min", "", "5min"},
		{"staleness bare number", SettingMaxStaleness, "2", "", "2s"},
		{"staleness zero", SettingMaxStaleness, "0", "", "0"},
		{"staleness millis", SettingMaxStaleness, "1.5s", "", "1500ms"},
		{"staleness bad unit", SettingMaxStaleness, "5 parsecs", sqlstate.InvalidParameterValue, ""},
		{"staleness negative", SettingMaxStaleness, "-1s", sqlstate.InvalidParameterValue, ""},
		{"staleness over a day", SettingMaxStaleness, "2 days", sqlstate.InvalidParameterValue, ""},
		{"bad int", "stripesql.max_requests", "lots", sqlstate.InvalidParameterValue, ""},
		{"page size range", "stripesql.page_size", "500", sqlstate.InvalidParameterValue, ""},
		{"unknown", "nosuch", "1", sqlstate.UndefinedObject, ""},
		{"custom placeholder", "myapp.tenant", "t1", "", "t1"},
		{"bad zone", "TimeZone", "Mars/Olympus", sqlstate.InvalidParameterValue, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.set != "" {
				err := s.SetSetting(tt.set, tt.value)
				if tt.code != "" {
					if e, ok := sqlstate.As(err); !ok || e.Code != tt.code {
						t.Fatalf("err = %v; want %s", err, tt.code)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			name := tt.set
			if name == "" {
				name = "application_name"
			}
			got, ok := s.Setting(name)
			if !ok || got != tt.show {
				t.Errorf("Setting(%q) = %q, %v; want %q", name, got, ok, tt.show)
			}
		})
	}
	if got := NewSession(SessionConfig{}).MaxStaleness(); got != 0 {
		t.Errorf("MaxStaleness of a new session = %v, want 0", got)
	}
	if err := s.SetSetting(SettingMaxStaleness, "5 min"); err != nil {
		t.Fatal(err)
	}
	if got := s.MaxStaleness(); got.Minutes() != 5 {
		t.Errorf("MaxStaleness after SET '5 min' = %v, want 5m", got)
	}
	if s.Location().String() != "America/New_York" {
		t.Errorf("startup TimeZone not applied: %v", s.Location())
	}
	if _, ok := s.Setting("bogus"); ok {
		t.Error("an unknown startup parameter became a setting")
	}
	if s.Pushdown() || s.MaxRequests() != 2000 {
		t.Errorf("typed accessors: pushdown %v max %d", s.Pushdown(), s.MaxRequests())
	}
	s.ResetAll()
	if !s.Pushdown() || s.MaxRequests() != DefaultMaxRequests {
		t.Error("RESET ALL did not restore defaults")
	}
}

func TestDescribe(t *testing.T) {
	sess := goldenSession()
	tests := []struct {
		sql    string
		given  []sqltypes.Type
		params []sqltypes.Type
		cols   []Column
	}{
		{"SELECT id, amount FROM charges WHERE customer = $1 AND amount > $2", nil,
			[]sqltypes.Type{sqltypes.Text, sqltypes.Int8},
			[]Column{{Name: "id", Type: sqltypes.Text}, {Name: "amount", Type: sqltypes.Int8}}},
		{"SELECT $1::int + 1 AS n", nil, []sqltypes.Type{sqltypes.Int4}, []Column{{Name: "n", Type: sqltypes.Int4}}},
		{"SELECT count(*) FROM customers WHERE created > $1", nil, []sqltypes.Type{sqltypes.Timestamptz}, []Column{{Name: "count", Type: sqltypes.Int8}}},
		{"SELECT id FROM customers WHERE email = $1 LIMIT $2", []sqltypes.Type{sqltypes.Varchar}, []sqltypes.Type{sqltypes.Varchar, sqltypes.Int8}, []Column{{Name: "id", Type: sqltypes.Text}}},
		{"SET stripesql.pushdown = off", nil, []sqltypes.Type{}, nil},
		{"SELECT c.email, ch.amount FROM customers c JOIN charges ch ON ch.customer = c.id WHERE ch.amount > $1 AND c.id = $2", nil,
			[]sqltypes.Type{sqltypes.Int8, sqltypes.Text},
			[]Column{{Name: "email", Type: sqltypes.Text}, {Name: "amount", Type: sqltypes.Int8}}},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			sts, err := Parse(tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Describe(sess, sts[0], tt.given)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.params, d.Params); diff != "" && !(len(tt.params) == 0 && len(d.Params) == 0) {
				t.Errorf("params (-want +got):\n%s", diff)
			}
			var cols []Column
			for _, c := range d.Columns {
				cols = append(cols, Column{Name: c.Name, Type: c.Type})
			}
			if diff := cmp.Diff(tt.cols, cols); diff != "" {
				t.Errorf("columns (-want +got):\n%s", diff)
			}
		})
	}
}

// TestResidualKeepsInexactPredicates checks the pushdown invariant on every golden query: a
// conjunct leaves the residual filter only when a list key that Stripe applies exactly carries it
// (or a retrieve by id); a search never removes anything.
func TestResidualKeepsInexactPredicates(t *testing.T) {
	sess := goldenSession()
	for _, c := range readCases(t, "testdata/select.sql") {
		sts, err := Parse(c.sql)
		if err != nil {
			continue
		}
		p, err := Plan(sess, sts[0], c.args)
		if err != nil || p.Root == nil {
			continue
		}
		Walk(p.Root, func(n Node) {
			s, ok := n.(*Scan)
			if !ok || s.Access != AccessSearch {
				return
			}
			if s.Filter == nil {
				t.Errorf("%s: a search scan has no residual filter", c.name)
			}
		})
	}
}

func TestColumnOrigins(t *testing.T) {
	sess := goldenSession()
	sts, _ := Parse("SELECT c.email, upper(c.name) AS n FROM customers c WHERE c.id = 'cus_1'")
	p, err := Plan(sess, sts[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	tb, _ := sess.Catalog().Lookup("", "customers")
	_, idx, _ := tb.Column("email")
	want := []Column{{Name: "email", Type: sqltypes.Text, TableOID: tb.OID, AttNum: int16(idx + 1)}, {Name: "n", Type: sqltypes.Text}}
	if diff := cmp.Diff(want, p.Columns); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
}

func TestErrorPositions(t *testing.T) {
	tests := []struct {
		sql  string
		code string
		pos  int
	}{
		{"SELECT emial FROM customers", sqlstate.UndefinedColumn, 8},
		{"SELECT 1; SELECT nope FROM customers", sqlstate.UndefinedColumn, 18},
		{"SELECT id FROM custmers", sqlstate.UndefinedTable, 16},
		{"SELECT 'é', x FROM customers", sqlstate.UndefinedColumn, 13},
	}
	sess := goldenSession()
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			sts, err := Parse(tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Plan(sess, sts[len(sts)-1], nil)
			e, ok := sqlstate.As(err)
			if !ok {
				t.Fatalf("err = %v; want %s", err, tt.code)
			}
			if e.Code != tt.code || e.Position != tt.pos {
				t.Errorf("err = %v at %d; want %s at %d", err, e.Position, tt.code, tt.pos)
			}
		})
	}
}

// TestOddInputsDoNotPanic plans inputs at the edges of the grammar; each must give a plan or a
// coded error, never a panic.
func TestOddInputsDoNotPanic(t *testing.T) {
	inputs := []string{
		"SELECT", "SELECT FROM customers", "SELECT * FROM customers c, customers d WHERE c.id = d.id AND c.id = 'x'",
		"SELECT 1 LIMIT NULL", "SELECT 1 OFFSET -1", "SELECT 1 LIMIT 'abc'", "SELECT id FROM customers ORDER BY 0",
		"SELECT DISTINCT ON (1) id FROM customers WHERE id = 'x'", "SELECT count(*) OVER () FROM customers",
		"SELECT * FROM customers WHERE id = ANY(NULL)", "SELECT id FROM customers WHERE id IN (NULL)",
		"SELECT sum(count(*)) FROM charges", "SELECT id FROM charges GROUP BY 5", "SELECT $3", "VALUES (1), (1, 2)",
		"SELECT * FROM (SELECT 1) s", "SELECT generate_series(1, 3)", "SELECT * FROM customers c JOIN LATERAL (SELECT 1) x ON true",
		"SELECT metadata->>1 FROM customers WHERE id = 'x'", "SELECT id FROM customers WHERE created > 'yesterday-ish'",
		"SELECT a.* FROM customers", "SELECT id::nosuchtype FROM customers WHERE id = 'x'", "SHOW ALL; SELECT 1",
		"EXPLAIN (FORMAT JSON) SELECT 1", "SET TIME ZONE 5", "SET search_path TO public, pg_catalog", "RESET ALL",
		"SELECT id FROM customers c JOIN charges ch ON ch.customer = c.id JOIN refunds r ON r.charge = ch.id WHERE r.id = 're_1'",
		"SELECT * FROM tax_ids t JOIN customers c ON c.id = t.customer", "SELECT 1 FROM customers HAVING id = 'x'",
	}
	sess := goldenSession()
	for _, in := range inputs {
		t.Run(in, func(t *testing.T) {
			sts, err := Parse(in)
			if err != nil {
				if _, ok := sqlstate.As(err); !ok {
					t.Errorf("parse error without a code: %v", err)
				}
				return
			}
			for _, st := range sts {
				if _, err := Plan(sess, st, []any{"a", "b", "c"}); err != nil {
					if _, ok := sqlstate.As(err); !ok {
						t.Errorf("plan error without a code: %v", err)
					}
				}
				if _, err := Describe(sess, st, nil); err != nil {
					if _, ok := sqlstate.As(err); !ok {
						t.Errorf("describe error without a code: %v", err)
					}
				}
			}
		})
	}
}
