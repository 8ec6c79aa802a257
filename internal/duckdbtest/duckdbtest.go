package duckdbtest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Result is what DuckDB returned for the last statement.
type Result struct {
	Columns []string `json:"columns"`
	Types   []string `json:"types"`
	Rows    [][]any  `json:"rows"`
}

// script opens DuckDB, runs each statement of the JSON array on stdin and prints the last result.
const script = `
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  const stmts = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  let reader;
  for (const s of stmts) reader = await conn.runAndReadAll(s);
  const out = {
    columns: reader.columnNames(),
    types: reader.columnTypes().map(t => t.toString()),
    rows: reader.getRowsJson(),
  };
  process.stdout.write(JSON.stringify(out));
})().catch(e => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`

// ModulesDir is where @duckdb/node-api is looked for: $STRIPESQL_DUCKDB_NODE_MODULES, or the
// node_modules that ./.ci/run installs under the user's cache directory.
func ModulesDir() string {
	if d := os.Getenv("STRIPESQL_DUCKDB_NODE_MODULES"); d != "" {
		return d
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "stripesql", "duckdb-node", "node_modules")
}

// Available reports why DuckDB cannot run here, or "" when it can.
func Available() string {
	if _, err := exec.LookPath("node"); err != nil {
		return "node is not installed"
	}
	if _, err := os.Stat(filepath.Join(ModulesDir(), "@duckdb", "node-api")); err != nil {
		return "@duckdb/node-api is not installed in " + ModulesDir() + " (./.ci/run installs it)"
	}
	return ""
}

// Need skips the test when DuckDB cannot run, or fails it under CI=true.
func Need(t testing.TB) {
	t.Helper()
	if why := Available(); why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("duckdb is needed in CI: %s", why)
		}
		t.Skip(why)
	}
}

// Query runs the statements in order in one in-memory DuckDB and returns the last one's result.
func Query(t testing.TB, stmts ...string) Result {
	t.Helper()
	Need(t)
	arg, err := json.Marshal(stmts)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "-e", script)
	cmd.Stdin = bytes.NewReader(arg)
	cmd.Env = append(os.Environ(), "NODE_PATH="+ModulesDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("duckdb: %v\n%s", err, stderr.String())
	}
	var r Result
	dec := json.NewDecoder(&stdout)
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("duckdb output: %v", err)
	}
	return r
}
