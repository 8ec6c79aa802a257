package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stripesql/stripesql/server"
)

// writeUsersFile writes a users file with the given permissions and returns its path.
func writeUsersFile(t *testing.T, text string, perm os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "users")
	if err := os.WriteFile(path, []byte(text), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // WriteFile's mode is subject to the umask
		t.Fatal(err)
	}
	return path
}

func TestServeUsers(t *testing.T) {
	t.Setenv("STRIPESQL_PASSWORD", "")
	t.Setenv("STRIPESQL_PASSWORD_ANALYST", "a-pass")
	t.Setenv("STRIPESQL_PASSWORD_BI_TOOL", "b pass")
	file := writeUsersFile(t, "# name password mode\n\nreader  r-pass  ro\n\twriter\tw-pass\trw\n", 0o600)
	tests := []struct {
		name  string
		specs []string
		file  string
		want  []server.User
	}{
		{"flags", []string{"analyst:ro", "bi-tool"}, "", []server.User{{Name: "analyst", Password: "a-pass", ReadOnly: true}, {Name: "bi-tool", Password: "b pass"}}},
		{"file", nil, file, []server.User{{Name: "reader", Password: "r-pass", ReadOnly: true}, {Name: "writer", Password: "w-pass"}}},
		{"both", []string{"analyst:rw"}, file, []server.User{{Name: "analyst", Password: "a-pass"}, {Name: "reader", Password: "r-pass", ReadOnly: true}, {Name: "writer", Password: "w-pass"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := serveUsers(tt.specs, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("users mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("single user falls back to STRIPESQL_PASSWORD", func(t *testing.T) {
		t.Setenv("STRIPESQL_PASSWORD", "old-style")
		got, err := serveUsers([]string{"solo"}, "")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]server.User{{Name: "solo", Password: "old-style"}}, got); diff != "" {
			t.Errorf("users mismatch (-want +got):\n%s", diff)
		}
	})
}

// TestServeUsersRefused checks that every bad user specification stops serve with exit status 2
// and a message naming the problem, and never echoes a password.
func TestServeUsersRefused(t *testing.T) {
	demoEnv(t)
	t.Setenv("STRIPESQL_PASSWORD", "")
	t.Setenv("STRIPESQL_PASSWORD_ANALYST", "a-pass")
	open := writeUsersFile(t, "reader secret-in-file ro\n", 0o644)
	badMode := writeUsersFile(t, "reader secret-in-file admin\n", 0o600)
	dup := writeUsersFile(t, "analyst secret-in-file ro\n", 0o600)
	short := writeUsersFile(t, "reader ro\n", 0o600)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"user without password", []string{"--user", "nopass"}, "--user nopass needs a password in STRIPESQL_PASSWORD_NOPASS"},
		{"unknown mode flag", []string{"--user", "analyst:admin"}, `--user analyst:admin: unknown mode "admin": want ro or rw`},
		{"duplicate flag", []string{"--user", "analyst", "--user", "analyst:ro"}, `duplicate user "analyst"`},
		{"duplicate across flag and file", []string{"--user", "analyst", "--users-file", dup}, `duplicate user "analyst"`},
		{"unknown mode in file", []string{"--users-file", badMode}, `:1: user reader: unknown mode "admin"`},
		{"missing field", []string{"--users-file", short}, ":1: want `name password ro|rw`, got 2 fields"},
		{"world-readable file", []string{"--users-file", open}, "is readable by others (mode 0644); run chmod 600"},
		{"missing file", []string{"--users-file", filepath.Join(t.TempDir(), "none")}, "cannot read --users-file"},
		{"tls-required against another --tls mode", []string{"--tls-required", "--tls", "auto"}, "--tls-required contradicts --tls auto"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"serve", "--listen", "127.0.0.1:0"}, tt.args...)
			code, _, errOut := runCmd(t, args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.want)
			}
			if strings.Contains(errOut, "secret-in-file") || strings.Contains(errOut, "a-pass") {
				t.Errorf("stderr shows a password:\n%s", errOut)
			}
		})
	}
}

// TestServeUsersFileOverTheWire serves the users of a file with --tls-required and connects as
// each: the read-only user is refused a write (25006, before any request is sent), the read-write
// user may write (dry run), a wrong password is 28P01, and plaintext is refused.
func TestServeUsersFileOverTheWire(t *testing.T) {
	demoEnv(t)
	t.Setenv("STRIPESQL_PASSWORD", "")
	file := writeUsersFile(t, "# test users\nreader r-pass ro\nwriter w-pass rw\n", 0o600)
	addr, stop := startCmd(t, `serving on (\S+);`, "serve", "--listen", "127.0.0.1:0", "--users-file", file, "--tls-required")
	defer stop()
	host, port, _ := strings.Cut(addr, ":")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dsn := func(user, pw, sslmode string) string {
		return fmt.Sprintf("host=%s port=%s dbname=stripe user=%s password=%s sslmode=%s", host, port, user, pw, sslmode)
	}
	const insert = "INSERT INTO customers (email) VALUES ('new@example.com')"
	tests := []struct {
		name, dsn string
		// connectCode is the SQLSTATE of a refused connection, "" when it must succeed;
		// insertCode the SQLSTATE of the INSERT, "" when it must succeed. A dry run is allowed even
		// to a read-only user (it sends nothing), so only the read-write user runs one.
		connectCode, insertCode string
		dryRun                  bool
	}{
		{"read-only user", dsn("reader", "r-pass", "require"), "", "25006", false},
		{"read-write user", dsn("writer", "w-pass", "require"), "", "", true},
		{"wrong password", dsn("writer", "nope", "require"), "28P01", "", false},
		{"plaintext refused", dsn("writer", "w-pass", "disable"), "28000", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := pgx.Connect(ctx, tt.dsn)
			if diff := cmp.Diff(tt.connectCode, sqlState(err)); diff != "" {
				t.Fatalf("connect SQLSTATE mismatch (-want +got):\n%s\nerror: %v", diff, err)
			}
			if err != nil {
				return
			}
			defer conn.Close(ctx)
			if tt.dryRun {
				if _, err := conn.Exec(ctx, "SET stripesql.dry_run = on"); err != nil {
					t.Fatal(err)
				}
			}
			_, err = conn.Exec(ctx, insert)
			if diff := cmp.Diff(tt.insertCode, sqlState(err)); diff != "" {
				t.Errorf("INSERT SQLSTATE mismatch (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
	t.Run("catalog lists the connected user and database", func(t *testing.T) {
		conn, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s dbname=analytics user=writer password=w-pass sslmode=require", host, port))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		queries := []struct {
			sql  string
			want []string
		}{
			{"SELECT datname FROM pg_database ORDER BY datname", []string{"analytics", "stripe"}},
			{"SELECT rolname FROM pg_roles ORDER BY rolname", []string{"stripesql", "writer"}},
			{"SELECT usename FROM pg_user ORDER BY usename", []string{"stripesql", "writer"}},
			{"SELECT rolname FROM pg_roles WHERE rolname = current_user", []string{"writer"}},
			{"SELECT datname FROM pg_database WHERE datname = current_database()", []string{"analytics"}},
			{"SELECT extname FROM pg_extension", []string{"plpgsql"}},
		}
		for _, q := range queries {
			rows, err := conn.Query(ctx, q.sql)
			if err != nil {
				t.Fatalf("%s: %v", q.sql, err)
			}
			got, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatalf("%s: %v", q.sql, err)
			}
			if diff := cmp.Diff(q.want, got); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", q.sql, diff)
			}
		}
	})
}

// sqlState is the SQLSTATE of a PostgreSQL error, "" for nil, and the error text otherwise.
func sqlState(err error) string {
	if err == nil {
		return ""
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return err.Error()
}

// TestServeTLSRequiredSpellings checks that --tls-required and its older spelling --tls required
// both refuse plaintext and accept TLS.
func TestServeTLSRequiredSpellings(t *testing.T) {
	demoEnv(t)
	t.Setenv("STRIPESQL_PASSWORD", "pw")
	for _, flags := range [][]string{{"--tls-required"}, {"--tls", "required"}} {
		t.Run(strings.Join(flags, " "), func(t *testing.T) {
			args := append([]string{"serve", "--listen", "127.0.0.1:0", "--user", "solo"}, flags...)
			addr, stop := startCmd(t, `serving on (\S+);`, args...)
			defer stop()
			host, port, _ := strings.Cut(addr, ":")
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var got []string
			for _, mode := range []string{"disable", "require"} {
				conn, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s dbname=stripe user=solo password=pw sslmode=%s", host, port, mode))
				got = append(got, sqlState(err))
				if err == nil {
					conn.Close(ctx)
				}
			}
			if diff := cmp.Diff([]string{"28000", ""}, got); diff != "" {
				t.Errorf("SQLSTATE of plaintext, TLS (-want +got):\n%s", diff)
			}
		})
	}
}
