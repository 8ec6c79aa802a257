package server

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

func TestCancelRequest(t *testing.T) {
	addr, _ := startServer(t, Config{})
	ctx := context.Background()
	for _, stmt := range []string{"SELECT sleep", "SELECT slowrows"} {
		t.Run(stmt, func(t *testing.T) {
			conn, err := pgx.Connect(ctx, pgxURL(addr, ""))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			go func() {
				time.Sleep(200 * time.Millisecond)
				cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				_ = conn.PgConn().CancelRequest(cctx)
			}()
			start := time.Now()
			rows, err := conn.Query(ctx, stmt, pgx.QueryExecModeSimpleProtocol)
			if err == nil {
				for rows.Next() {
				}
				err = rows.Err()
			}
			elapsed := time.Since(start)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "57014" || pe.Message != "canceling statement due to user request" {
				t.Fatalf("err = %v, want 57014", err)
			}
			if elapsed > 1200*time.Millisecond {
				t.Errorf("cancel took %v, want under 1s after the request", elapsed-200*time.Millisecond)
			}
			// The connection is still usable.
			var n int64
			if err := conn.QueryRow(ctx, "SELECT numbers(1)").Scan(&n, new(string)); err != nil || n != 1 {
				t.Errorf("after cancel: %v %d", err, n)
			}
		})
	}
}

func TestCancelWrongKeyIgnored(t *testing.T) {
	addr, srv := startServer(t, Config{})
	c := dial(t, addr)
	c.startup(nil)
	var pid int32
	srv.mu.Lock()
	for p := range srv.conns {
		pid = p
	}
	srv.mu.Unlock()
	c.send(&pgproto3.Query{String: "SELECT sleep"})
	cc := dial(t, addr)
	cc.send(&pgproto3.CancelRequest{ProcessID: uint32(pid), SecretKey: []byte{1, 2, 3, 4}})
	_ = c.nc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if m, err := c.fe.Receive(); err == nil {
		t.Fatalf("query ended after a cancel with a wrong key: %s", describeMsg(m))
	}
}

func TestDisconnectCancelsQuery(t *testing.T) {
	eng := &fakeEngine{}
	addr, _ := startServer(t, Config{Engine: eng})
	c := dial(t, addr)
	c.startup(nil)
	c.send(&pgproto3.Query{String: "SELECT sleep"})
	time.Sleep(100 * time.Millisecond)
	c.nc.Close()
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		eng.mu.Lock()
		s := eng.sessions[0]
		eng.mu.Unlock()
		s.mu.Lock()
		done := s.cancelled && s.closed
		s.mu.Unlock()
		if done {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the query's context was not cancelled after the client disconnected")
}

func TestMaxConnections(t *testing.T) {
	addr, _ := startServer(t, Config{MaxConnections: 2})
	for range 2 {
		c := dial(t, addr)
		if got := c.startup(nil); got[len(got)-1] != "ReadyForQuery I" {
			t.Fatalf("startup: %v", got)
		}
	}
	c := dial(t, addr)
	want := []string{"ErrorResponse FATAL 53300 sorry, too many clients already", "EOF"}
	if diff := cmp.Diff(want, c.startup(nil)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestBadMessagesCloseOnlyThatConnection(t *testing.T) {
	addr, _ := startServer(t, Config{MaxMessageSize: 1024})
	tests := []struct {
		name string
		raw  []byte
		want []string
	}{
		{"oversized", frame('Q', make([]byte, 4096)), []string{"ErrorResponse FATAL 08P01 message of 4096 bytes exceeds the maximum message size of 1024 bytes", "EOF"}},
		{"unknown type", frame('z', []byte("x")), []string{"ErrorResponse FATAL 08P01 invalid frontend message: unknown message type: z", "EOF"}},
		{"negative length", []byte{'Q', 0xff, 0xff, 0xff, 0xff}, []string{"ErrorResponse FATAL 08P01 invalid frontend message: invalid message length: -1", "EOF"}},
		{"bind without terminators", frame('B', []byte("abc")), []string{"ErrorResponse FATAL 08P01 invalid frontend message: Bind body is invalid", "EOF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			c.startup(nil)
			if _, err := c.nc.Write(tt.raw); err != nil {
				t.Fatal(err)
			}
			got := c.untilReady()
			if len(got) > 0 {
				got[0] = strings.TrimSpace(strings.Split(got[0], " (")[0])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			// The server still serves others.
			other := dial(t, addr)
			other.startup(nil)
			if got := other.query("SELECT numbers(1)"); got[len(got)-1] != "ReadyForQuery I" {
				t.Errorf("server after bad message: %v", got)
			}
		})
	}
}

func frame(typ byte, body []byte) []byte {
	b := []byte{typ, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(len(body)+4))
	return append(b, body...)
}

func TestIdleSessionTimeout(t *testing.T) {
	addr, _ := startServer(t, Config{IdleSessionTimeout: 200 * time.Millisecond})
	c := dial(t, addr)
	c.startup(nil)
	// Activity keeps the session alive.
	for range 3 {
		time.Sleep(100 * time.Millisecond)
		c.query("SELECT numbers(0)")
	}
	want := []string{"ErrorResponse FATAL 57P05 terminating connection due to idle-session timeout", "EOF"}
	if diff := cmp.Diff(want, c.untilReady()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPanicIsRecovered(t *testing.T) {
	addr, _ := startServer(t, Config{})
	c := dial(t, addr)
	c.startup(nil)
	got := c.query("SELECT panic")
	want := []string{"RowDescription x:20/0", "ErrorResponse FATAL XX000 internal error: fake engine panic", "EOF"}
	if diff := cmp.Diff(want[1:], got[len(got)-2:]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	other := dial(t, addr)
	other.startup(nil)
	if got := other.query("SELECT numbers(1)"); got[len(got)-1] != "ReadyForQuery I" {
		t.Errorf("server after panic: %v", got)
	}
}

func TestServeShutdownClosesConnections(t *testing.T) {
	srv, err := New(Config{Engine: &fakeEngine{}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	c := dial(t, ln.Addr().String())
	c.startup(nil)
	c.send(&pgproto3.Query{String: "SELECT sleep"})
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
	want := []string{"ErrorResponse FATAL 57P01 terminating connection due to administrator command", "EOF"}
	if diff := cmp.Diff(want, c.untilReady()); diff != "" {
		t.Errorf("connection after shutdown (-want +got):\n%s", diff)
	}
}

func TestServeRefusesNonLoopbackWithoutUsers(t *testing.T) {
	srv, err := New(Config{Engine: &fakeEngine{}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skip("cannot listen on 0.0.0.0")
	}
	defer ln.Close()
	err = srv.Serve(context.Background(), ln)
	if err == nil || !strings.Contains(err.Error(), "without users") {
		t.Errorf("Serve on 0.0.0.0 without users = %v, want a refusal", err)
	}
}
