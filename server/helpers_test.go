package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// connectPgx opens a pgx connection to url, failing the test if it cannot, and closes it when the
// test ends.
func connectPgx(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// connectPgxMode is connectPgx to the server at addr with pgx's default query mode set to mode.
func connectPgxMode(t testing.TB, addr string, mode pgx.QueryExecMode) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(pgxURL(addr, ""))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = mode
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// startServer runs a server with cfg (the fake engine unless cfg.Engine is set) on 127.0.0.1:0
// and stops it when the test ends.
func startServer(t testing.TB, cfg Config) (string, *Server) {
	t.Helper()
	if cfg.Engine == nil {
		cfg.Engine = &fakeEngine{}
	}
	if cfg.AuthFailureDelay == 0 {
		cfg.AuthFailureDelay = -1
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return after cancel")
		}
	})
	return ln.Addr().String(), srv
}

// client is a protocol-script client: messages out with pgproto3.Frontend, messages in as text.
type client struct {
	t  testing.TB
	nc net.Conn
	fe *pgproto3.Frontend
}

func dial(t testing.TB, addr string) *client {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(20 * time.Second))
	return &client{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
}

// startup sends a StartupMessage with params and returns the messages up to ReadyForQuery (or
// the connection's end).
func (c *client) startup(params map[string]string) []string {
	c.t.Helper()
	p := map[string]string{"user": "alice", "database": "stripe"}
	for k, v := range params {
		p[k] = v
	}
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: p})
	return c.untilReady()
}

func (c *client) send(msgs ...pgproto3.FrontendMessage) {
	c.t.Helper()
	for _, m := range msgs {
		c.fe.Send(m)
	}
	if err := c.fe.Flush(); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// untilReady reads messages up to and including ReadyForQuery; a closed connection ends the list
// with "EOF".
func (c *client) untilReady() []string {
	c.t.Helper()
	var out []string
	for {
		m, err := c.fe.Receive()
		if err != nil {
			return append(out, "EOF")
		}
		out = append(out, describeMsg(m))
		if _, ok := m.(*pgproto3.ReadyForQuery); ok {
			return out
		}
	}
}

// receiveN reads n messages.
func (c *client) receiveN(n int) []string {
	c.t.Helper()
	var out []string
	for range n {
		m, err := c.fe.Receive()
		if err != nil {
			return append(out, "EOF")
		}
		out = append(out, describeMsg(m))
	}
	return out
}

// query sends a simple Query and returns the answer.
func (c *client) query(sql string) []string {
	c.t.Helper()
	c.send(&pgproto3.Query{String: sql})
	return c.untilReady()
}

// describeMsg renders a backend message as one comparable line.
func describeMsg(m pgproto3.BackendMessage) string {
	switch m := m.(type) {
	case *pgproto3.RowDescription:
		var cols []string
		for _, f := range m.Fields {
			cols = append(cols, fmt.Sprintf("%s:%d/%d", f.Name, f.DataTypeOID, f.Format))
		}
		return "RowDescription " + strings.Join(cols, ",")
	case *pgproto3.DataRow:
		var vals []string
		for _, v := range m.Values {
			if v == nil {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, string(v))
			}
		}
		return "DataRow " + strings.Join(vals, "|")
	case *pgproto3.CommandComplete:
		return "CommandComplete " + string(m.CommandTag)
	case *pgproto3.ReadyForQuery:
		return "ReadyForQuery " + string(m.TxStatus)
	case *pgproto3.ErrorResponse:
		s := fmt.Sprintf("ErrorResponse %s %s %s", m.Severity, m.Code, m.Message)
		if m.Position != 0 {
			s += fmt.Sprintf(" @%d", m.Position)
		}
		return s
	case *pgproto3.NoticeResponse:
		return fmt.Sprintf("NoticeResponse %s %s", m.Severity, m.Message)
	case *pgproto3.ParameterStatus:
		return fmt.Sprintf("ParameterStatus %s=%s", m.Name, m.Value)
	case *pgproto3.BackendKeyData:
		return "BackendKeyData"
	case *pgproto3.AuthenticationOk:
		return "AuthenticationOk"
	case *pgproto3.AuthenticationSASL:
		return "AuthenticationSASL " + strings.Join(m.AuthMechanisms, ",")
	case *pgproto3.AuthenticationCleartextPassword:
		return "AuthenticationCleartextPassword"
	case *pgproto3.ParameterDescription:
		var oids []string
		for _, o := range m.ParameterOIDs {
			oids = append(oids, fmt.Sprint(o))
		}
		return "ParameterDescription " + strings.Join(oids, ",")
	case *pgproto3.CopyOutResponse:
		return fmt.Sprintf("CopyOutResponse %d cols", len(m.ColumnFormatCodes))
	case *pgproto3.CopyData:
		return "CopyData " + string(m.Data)
	}
	s := fmt.Sprintf("%T", m)
	return strings.TrimPrefix(s, "*pgproto3.")
}

// withoutParams drops ParameterStatus lines (checked by the startup test) from a list.
func withoutParams(msgs []string) []string {
	var out []string
	for _, m := range msgs {
		if !strings.HasPrefix(m, "ParameterStatus ") {
			out = append(out, m)
		}
	}
	return out
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func insecureTLS() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }
