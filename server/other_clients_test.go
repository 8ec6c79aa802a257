package server

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// These tests drive clients other than Go's against the real engine over the emulator. Each skips
// with the package to install when its client is missing (.ci/run installs them all).

const psycopgScript = `
import sys, psycopg2
conn = psycopg2.connect(host=sys.argv[1], port=int(sys.argv[2]), user="alice", dbname="stripe", sslmode="disable")
cur = conn.cursor()
cur.execute("SELECT 1 AS one, 'x'::text AS t")
print("row", cur.fetchone(), [d[0] for d in cur.description])
cur.execute("SELECT count(*) FROM customers WHERE id = %s", ("cus_none",))
print("count", cur.fetchone()[0])
try:
    cur.execute("SELECT fail_on_purpose FROM customers")
except psycopg2.Error as e:
    print("error", e.pgcode)
conn.rollback()
cur.execute("SELECT current_database(), version()")
print("db", cur.fetchone()[0])
conn.close()
`

func TestPsycopg2(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import psycopg2").Run(); err != nil {
		t.Skip("psycopg2 is not installed (apt-get install python3-psycopg2)")
	}
	addr := startReal(t)
	host, port, _ := strings.Cut(addr, ":")
	out, err := exec.Command(python, "-c", psycopgScript, host, port).CombinedOutput()
	if err != nil {
		t.Fatalf("psycopg2: %v\n%s", err, out)
	}
	want := "row (1, 'x') ['one', 't']\ncount 0\nerror 42703\ndb stripe\n"
	if string(out) != want {
		t.Errorf("psycopg2 output:\n%s\nwant:\n%s", out, want)
	}
}

const jdbcProgram = `
import java.sql.*;

public class Probe {
    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://" + args[0] + "/stripe?user=alice&sslmode=disable";
        try (Connection c = DriverManager.getConnection(url)) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 AS one, 'x'::text AS t")) {
                rs.next();
                System.out.println("row " + rs.getInt("one") + " " + rs.getString("t"));
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM customers WHERE id = ?")) {
                for (int i = 0; i < 6; i++) { // the sixth execution uses a named server-side statement
                    ps.setString(1, "cus_none");
                    try (ResultSet rs = ps.executeQuery()) { rs.next(); if (i == 5) System.out.println("count " + rs.getLong(1)); }
                }
            }
            try (Statement s = c.createStatement()) {
                s.executeQuery("SELECT fail_on_purpose FROM customers");
            } catch (SQLException e) {
                System.out.println("error " + e.getSQLState());
            }
            System.out.println("product " + c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseMajorVersion());
            try (ResultSet rs = c.getMetaData().getTables(null, "public", "customers", new String[]{"TABLE"})) {
                while (rs.next()) System.out.println("table " + rs.getString("TABLE_NAME"));
            } catch (SQLException e) {
                System.out.println("metadata-error getTables " + e.getSQLState() + " " + e.getMessage());
            }
            DatabaseMetaData md = c.getMetaData();
            String[] names = {"getColumns", "getPrimaryKeys", "getImportedKeys", "getExportedKeys", "getProcedures", "getProcedureColumns", "getSchemas", "getCatalogs", "getTypeInfo", "getIndexInfo"};
            for (String name : names) {
                try {
                    ResultSet rs;
                    switch (name) {
                        case "getColumns": rs = md.getColumns(null, "public", "customers", "%"); break;
                        case "getPrimaryKeys": rs = md.getPrimaryKeys(null, "public", "customers"); break;
                        case "getImportedKeys": rs = md.getImportedKeys(null, "public", "charges"); break;
                        case "getExportedKeys": rs = md.getExportedKeys(null, "public", "customers"); break;
                        case "getProcedures": rs = md.getProcedures(null, "public", "cancel%"); break;
                        case "getProcedureColumns": rs = md.getProcedureColumns(null, "public", "cancelsubscription", "%"); break;
                        case "getSchemas": rs = md.getSchemas(); break;
                        case "getCatalogs": rs = md.getCatalogs(); break;
                        case "getTypeInfo": rs = md.getTypeInfo(); break;
                        default: rs = md.getIndexInfo(null, "public", "customers", false, false); break;
                    }
                    int n = 0;
                    while (rs.next()) {
                        n++;
                        switch (name) {
                            case "getPrimaryKeys":
                                System.out.println("pk " + rs.getString("TABLE_NAME") + "." + rs.getString("COLUMN_NAME") + " " + rs.getInt("KEY_SEQ") + " " + rs.getString("PK_NAME"));
                                break;
                            case "getImportedKeys": case "getExportedKeys":
                                System.out.println("fk " + rs.getString("FKTABLE_NAME") + "." + rs.getString("FKCOLUMN_NAME") + " -> " + rs.getString("PKTABLE_NAME") + "." + rs.getString("PKCOLUMN_NAME") + " " + rs.getInt("KEY_SEQ"));
                                break;
                            case "getIndexInfo":
                                System.out.println("index " + rs.getString("INDEX_NAME") + " " + rs.getString("COLUMN_NAME") + " " + rs.getInt("ORDINAL_POSITION") + " unique=" + !rs.getBoolean("NON_UNIQUE"));
                                break;
                        }
                    }
                    System.out.println("meta " + name + " " + (n > 0 ? "rows" : "empty"));
                } catch (SQLException e) {
                    System.out.println("metadata-error " + name + " " + e.getSQLState() + " " + e.getMessage().split("\n")[0]);
                }
            }
        }
    }
}
`

// compileJava compiles the Java program class (public class name) and returns the classpath that
// runs it with pgJDBC, or skips the test when the JDK or the driver is missing.
func compileJava(t *testing.T, class, program string) (classpath string) {
	t.Helper()
	jar := "/usr/share/java/postgresql.jar"
	if _, err := os.Stat(jar); err != nil {
		t.Skip("the PostgreSQL JDBC driver is not installed (apt-get install libpostgresql-jdbc-java)")
	}
	if _, err := exec.LookPath("javac"); err != nil {
		t.Skip("javac is not installed")
	}
	if testing.Short() {
		t.Skip("compiling and starting a JVM takes several seconds")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, class+".java")
	if err := os.WriteFile(src, []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("javac", "-d", dir, src).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	return dir + ":" + jar
}

func TestJDBC(t *testing.T) {
	cp := compileJava(t, "Probe", jdbcProgram)
	addr := startReal(t)
	out, err := exec.Command("java", "-cp", cp, "Probe", addr).CombinedOutput()
	if err != nil {
		t.Fatalf("java: %v\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{"row 1 x\n", "count 0\n", "error 42703\n", "product PostgreSQL 15\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("JDBC output lacks %q:\n%s", want, got)
		}
	}
	// Every DatabaseMetaData call succeeds and finds rows. getPrimaryKeys and getIndexInfo read
	// fields of the records information_schema._pg_expandarray returns (planner/record_srf.go);
	// getImportedKeys and getExportedKeys read the foreign keys pg_constraint declares.
	for _, line := range strings.Split(got, "\n") {
		switch {
		case strings.HasPrefix(line, "metadata-error"):
			t.Errorf("%s", line)
		case strings.HasPrefix(line, "meta ") && strings.HasSuffix(line, " empty"):
			t.Errorf("%s: want rows", line)
		}
	}
	for _, want := range []string{
		"pk customers.id 1 customers_pkey\n",
		"fk charges.customer -> customers.id 1\n",
		"fk charges.payment_intent -> payment_intents.id 1\n",
		"index customers_pkey id 1 unique=true\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("JDBC metadata lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "\npk "); n != 1 {
		t.Errorf("getPrimaryKeys returned %d rows, want 1 (customers.id):\n%s", n, got)
	}
	if !strings.Contains(got, "table customers\n") && !strings.Contains(got, "metadata-error getTables") {
		t.Errorf("getTables did not list customers:\n%s", got)
	}
}

const nodeScript = `
const { Client } = require('pg');
(async () => {
  const [host, port] = process.argv[1].split(':');
  const c = new Client({ host, port: Number(port), user: 'alice', database: 'stripe' });
  await c.connect();
  let r = await c.query('SELECT 1 AS one, $1::text AS t', ['x']);
  console.log('row', r.rows[0].one, r.rows[0].t);
  r = await c.query('SELECT count(*) AS n FROM customers WHERE id = $1', ['cus_none']);
  console.log('count', r.rows[0].n);
  try { await c.query('SELECT fail_on_purpose FROM customers'); } catch (e) { console.log('error', e.code); }
  await c.end();
})().catch(e => { console.error(e); process.exit(1); });
`

// requireNodePostgres skips the test unless node can require node-postgres.
func requireNodePostgres(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	if err := exec.Command("node", "-e", "require('pg')").Run(); err != nil {
		t.Skip("node-postgres is not installed: npm install pg and set NODE_PATH to its node_modules")
	}
}

// TestNodePostgres runs node-postgres when it can be required: set NODE_PATH to a node_modules
// directory holding pg (npm install pg), as .ci/run does.
func TestNodePostgres(t *testing.T) {
	requireNodePostgres(t)
	addr := startReal(t)
	out, err := exec.Command("node", "-e", nodeScript, addr).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	want := "row 1 x\ncount 0\nerror 42703\n"
	if string(out) != want {
		t.Errorf("node-postgres output:\n%s\nwant:\n%s", out, want)
	}
}

const sqlalchemyScript = `
import sys
import pandas as pd
import sqlalchemy
from sqlalchemy import create_engine, inspect
engine = create_engine("postgresql+psycopg2://alice@%s/stripe?sslmode=disable" % sys.argv[1])
df = pd.read_sql("SELECT 1 AS one, 'x' AS t", engine)
print("frame", list(df.columns), df.iloc[0]["one"], df.iloc[0]["t"])
insp = inspect(engine)
try:
    names = insp.get_table_names()
    print("tables", "customers" in names, "charges" in names)
except Exception as e:
    print("tables-error", str(e).splitlines()[0])
try:
    cols = insp.get_columns("customers")
    print("columns", [c["name"] for c in cols][:2])
except Exception as e:
    print("columns-error", str(e).splitlines()[0])
try:
    print("pk", insp.get_pk_constraint("charges")["constrained_columns"])
except Exception as e:
    print("pk-error", str(e).splitlines()[0])
try:
    table = sqlalchemy.Table("charges", sqlalchemy.MetaData(), autoload_with=engine)
    print("reflected", "customer" in table.columns, [c.name for c in table.primary_key])
except Exception as e:
    print("reflect-error", str(e).splitlines()[0])
`

// TestSQLAlchemyPandas runs pandas.read_sql and SQLAlchemy's inspector over psycopg2.
func TestSQLAlchemyPandas(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import sqlalchemy, pandas, psycopg2").Run(); err != nil {
		t.Skip("SQLAlchemy and pandas are not installed (apt-get install python3-sqlalchemy python3-pandas python3-psycopg2)")
	}
	if testing.Short() {
		t.Skip("importing pandas takes seconds")
	}
	addr := startReal(t)
	out, err := exec.Command(python, "-c", sqlalchemyScript, addr).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	got := string(out)
	// Table reflection (what Superset, Alembic and pandas.to_sql do) reads the primary key through
	// generate_subscripts(pg_index.indkey, 1) and indkey[s], numbered from 0.
	for _, want := range []string{"frame ['one', 't'] 1 x\n", "tables True True\n", "columns ['id', 'address']\n", "pk ['id']\n", "reflected True ['id']\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// TestISQL connects psqlODBC through unixODBC's isql with a DSN written to a temporary odbc.ini.
func TestISQL(t *testing.T) {
	const driver = "/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so"
	if _, err := exec.LookPath("isql"); err != nil {
		t.Skip("isql is not installed (apt-get install unixodbc)")
	}
	if _, err := os.Stat(driver); err != nil {
		t.Skip("psqlODBC is not installed (apt-get install odbc-postgresql)")
	}
	addr := startReal(t)
	host, port, _ := strings.Cut(addr, ":")
	dir := t.TempDir()
	ini := "[stripe]\nDriver = " + driver + "\nServername = " + host + "\nPort = " + port + "\nDatabase = stripe\nUsername = alice\nSSLmode = disable\n"
	if err := os.WriteFile(filepath.Join(dir, "odbc.ini"), []byte(ini), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "odbcinst.ini"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("isql", "-b", "-v", "stripe", "alice")
	cmd.Env = append(os.Environ(), "ODBCSYSINI="+dir, "ODBCINI="+filepath.Join(dir, "odbc.ini"))
	cmd.Stdin = strings.NewReader("SELECT 41 + 1 AS answer\nSELECT count(*) FROM customers WHERE id = 'cus_none'\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("isql: %v\n%s", err, out)
	}
	for _, want := range []string{"| answer", "| 42", "| 0"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("isql output lacks %q:\n%s", want, out)
		}
	}
}
