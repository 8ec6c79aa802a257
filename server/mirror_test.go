package server

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/pgtest"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/planner"
)

// startMirror starts a real PostgreSQL (internal/pgtest, skipping when none is installed) holding
// a database "stripe" whose catalog matches stripesql's: the Stripe tables from catalog.DDL owned
// by role stripesql, the Stripe actions as procedures with their comments, and a superuser alice,
// as whom clients connect. It returns the URL of that database for alice.
func startMirror(t testing.TB, settings ...string) (*pgtest.Server, string) {
	t.Helper()
	srv := pgtest.Start(t, settings...)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for _, s := range []string{
		"CREATE ROLE " + catalog.OwnerName,
		"CREATE ROLE alice SUPERUSER LOGIN",
		"CREATE DATABASE " + catalog.DatabaseName + " OWNER " + catalog.OwnerName,
	} {
		if _, err := admin.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	url := fmt.Sprintf("postgres://alice@127.0.0.1:%d/%s?sslmode=disable", srv.Port, catalog.DatabaseName)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	ddl := "SET ROLE " + catalog.OwnerName + ";\n" + catalog.DDL(catalog.Default()) + procedureDDL() + "RESET ROLE;\n"
	if _, err := conn.Exec(ctx, ddl); err != nil {
		t.Fatalf("loading the mirror schema: %v", err)
	}
	return srv, url
}

// procedureDDL creates each Stripe action as a procedure with the parameters pg_proc lists for
// it (trailing optional ones with DEFAULT NULL, as PostgreSQL needs defaults last) and its
// comment.
func procedureDDL() string {
	planner.NewSession(planner.SessionConfig{}) // registers package procedures' routines with the catalog
	var b strings.Builder
	for _, r := range catalog.Routines() {
		firstDefault := len(r.Params)
		for firstDefault > 0 && !r.Params[firstDefault-1].Required {
			firstDefault--
		}
		var params, types []string
		for i, p := range r.Params {
			s := expr.QuoteIdent(p.Name) + " " + sqltypes.FormatType(p.Type)
			if i >= firstDefault {
				s += " DEFAULT NULL"
			}
			params, types = append(params, s), append(types, sqltypes.FormatType(p.Type))
		}
		name := "public." + expr.QuoteIdent(r.SQLName())
		fmt.Fprintf(&b, "CREATE PROCEDURE %s(%s) LANGUAGE sql AS $$SELECT 1$$;\n", name, strings.Join(params, ", "))
		if r.Description != "" {
			fmt.Fprintf(&b, "COMMENT ON PROCEDURE %s(%s) IS '%s';\n", name, strings.Join(types, ", "), strings.ReplaceAll(r.Description, "'", "''"))
		}
	}
	return b.String()
}

// TestMirrorLoads checks that the mirror schema loads and has stripesql's tables, keys and
// procedures.
func TestMirrorLoads(t *testing.T) {
	srv, url := startMirror(t)
	_ = srv
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var tables, fks, procs int
	err = conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'public'),
		(SELECT count(*) FROM pg_constraint WHERE contype = 'f'),
		(SELECT count(*) FROM pg_proc WHERE prokind = 'p' AND pronamespace = 'public'::regnamespace)`).Scan(&tables, &fks, &procs)
	if err != nil {
		t.Fatal(err)
	}
	c := catalog.Default()
	var wantTables int
	for _, tb := range c.Tables() {
		if tb.Rows == nil && tb.Schema == "public" { // the stripesql schema's state tables are counted apart
			wantTables++
		}
	}
	got := []int{tables, fks, procs}
	want := []int{wantTables, len(c.ForeignKeys()), len(catalog.Routines())}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("mirror has tables, foreign keys, procedures = %v, want %v", got, want)
	}
}
