package server

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stripesql/stripesql/internal/emulator"
)

const jdbcMaxRowsProgram = `
import java.sql.*;

public class MaxRows {
    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://" + args[0] + "/stripe?user=alice&sslmode=disable";
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.setMaxRows(20); // what DBeaver's data tab and other previews do
            int n = 0;
            try (ResultSet rs = s.executeQuery("SELECT * FROM charges")) {
                while (rs.next()) n++;
            }
            System.out.println("rows " + n);
        }
    }
}
`

// TestJDBCMaxRowsReadsOnePage is issue 11's preview proof: JDBC's setMaxRows(20) over charges
// on a node that has never seen the account costs one page, whatever the table's size — no
// refusal on the size of a table the client will not read. With STRIPESQL_LONG_TESTS set the
// table holds 150,000 charges (150 times the default budget's pages); otherwise 3,000.
func TestJDBCMaxRowsReadsOnePage(t *testing.T) {
	cp := compileJava(t, "MaxRows", jdbcMaxRowsProgram) // other_clients_test.go
	scale := emulator.ScaleN(3000)
	if os.Getenv("STRIPESQL_LONG_TESTS") != "" {
		scale = emulator.ScaleN(150_000)
	}
	addr, emu := startRealEmulator(t, emulator.Config{Seed: 4, Scale: scale}, Config{}) // audit_test.go
	out, err := exec.Command("java", "-cp", cp, "MaxRows", addr).CombinedOutput()
	if err != nil {
		t.Fatalf("java: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "rows 20" {
		t.Errorf("JDBC read %q; want rows 20", got)
	}
	if got := chargePages(emu); got != 1 { // cursor_test.go
		t.Errorf("setMaxRows(20) over %d charges read %d pages; want 1", int(scale), got)
	}
}
