package server

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// FuzzMessageReader feeds arbitrary bytes after a valid startup to a connection and checks that
// the connection ends cleanly: no panic (recovered or not) and no hang.
func FuzzMessageReader(f *testing.F) {
	seeds := [][]pgproto3.FrontendMessage{
		{&pgproto3.Query{String: "SELECT numbers(2)"}},
		{&pgproto3.Parse{Name: "s", Query: "SELECT $1, $2"}, &pgproto3.Bind{PreparedStatement: "s", Parameters: [][]byte{[]byte("1"), nil}}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{MaxRows: 1}, &pgproto3.Sync{}},
		{&pgproto3.Query{String: "COPY (SELECT numbers(3)) TO STDOUT CSV HEADER"}},
		{&pgproto3.Query{String: "BEGIN; SELECT fail; ROLLBACK"}},
		{&pgproto3.Close{ObjectType: 'S', Name: "x"}, &pgproto3.Flush{}, &pgproto3.Terminate{}},
	}
	for _, msgs := range seeds {
		var buf []byte
		for _, m := range msgs {
			var err error
			buf, err = m.Encode(buf)
			if err != nil {
				f.Fatal(err)
			}
		}
		f.Add(buf)
	}
	f.Add([]byte{'Q', 0, 0, 0, 3})
	f.Add([]byte{'B', 0, 0, 0, 10, 0, 0, 0xff, 0xff, 0, 1})
	srv, err := New(Config{Engine: &fakeEngine{}, MaxMessageSize: 1 << 16})
	if err != nil {
		f.Fatal(err)
	}
	startup, _ := (&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"user": "fuzz"}}).Encode(nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		client, server := net.Pipe()
		done := make(chan struct{})
		go func() {
			srv.serveConn(context.Background(), server)
			close(done)
		}()
		go func() { _, _ = io.Copy(io.Discard, client) }()
		// net.Pipe's Write returns once the server has read the bytes, so closing the client after
		// the last write still delivers the whole input, and also ends input that stops inside a
		// message or leaves a statement waiting.
		go func() {
			_, _ = client.Write(startup)
			_, _ = client.Write(data)
			_, _ = client.Write(mustEncode(&pgproto3.Terminate{}))
			client.Close()
		}()
		select {
		case <-done:
		case <-time.After(15 * time.Second): // generous: a loaded CI machine is slow, a hang is forever
			client.Close()
			t.Fatalf("connection still open 15s after its client went away, input %q", data)
		}
		if n := srv.panics.Load(); n != 0 {
			t.Fatalf("%d panics recovered while reading %q", n, data)
		}
	})
}

func mustEncode(m pgproto3.FrontendMessage) []byte {
	b, err := m.Encode(nil)
	if err != nil {
		panic(err)
	}
	return b
}
