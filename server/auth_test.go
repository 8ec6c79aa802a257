package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func connectErr(addr, url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var n int64
	return conn.QueryRow(ctx, "SELECT numbers(1)").Scan(&n, new(string))
}

func codeOf(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Severity + " " + pe.Code + " " + pe.Message
	}
	if err == nil {
		return "ok"
	}
	return err.Error()
}

func TestAuthentication(t *testing.T) {
	users := []User{{Name: "alice", Password: "s3cret"}, {Name: "reader", Password: "r34d", ReadOnly: true}}
	scramAddr, _ := startServer(t, Config{Users: users})
	tlsAddr, _ := startServer(t, Config{Users: users, Cleartext: true, TLSMode: TLSAuto})
	requiredAddr, _ := startServer(t, Config{Users: users, TLSMode: TLSRequired})
	tests := []struct {
		name string
		url  string
		want string
	}{
		{"scram", "postgres://alice:s3cret@" + scramAddr + "/stripe?sslmode=disable", "ok"},
		{"scram read-only user", "postgres://reader:r34d@" + scramAddr + "/stripe?sslmode=disable", "ok"},
		{"scram wrong password", "postgres://alice:nope@" + scramAddr + "/stripe?sslmode=disable", `FATAL 28P01 password authentication failed for user "alice"`},
		{"scram unknown user", "postgres://mallory:s3cret@" + scramAddr + "/stripe?sslmode=disable", `FATAL 28P01 password authentication failed for user "mallory"`},
		{"scram tls offered but off", "postgres://alice:s3cret@" + scramAddr + "/stripe?sslmode=prefer", "ok"},
		{"cleartext over tls", "postgres://alice:s3cret@" + tlsAddr + "/stripe?sslmode=require", "ok"},
		{"cleartext over tls wrong password", "postgres://alice:x@" + tlsAddr + "/stripe?sslmode=require", `FATAL 28P01 password authentication failed for user "alice"`},
		{"cleartext refused without tls", "postgres://alice:s3cret@" + tlsAddr + "/stripe?sslmode=disable", "FATAL 28000 cleartext password authentication requires tls"},
		{"tls required refuses plaintext", "postgres://alice:s3cret@" + requiredAddr + "/stripe?sslmode=disable", "FATAL 28000 connection requires tls"},
		{"tls required with tls", "postgres://alice:s3cret@" + requiredAddr + "/stripe?sslmode=require", "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, codeOf(connectErr("", tt.url))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("lib/pq scram", func(t *testing.T) {
		db, err := sql.Open("postgres", "postgres://alice:s3cret@"+scramAddr+"/stripe?sslmode=disable")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int64
		if err := db.QueryRow("SELECT numbers(1)").Scan(&n, new(string)); err != nil || n != 1 {
			t.Errorf("lib/pq over scram: %v", err)
		}
	})
	t.Run("read-only reaches the engine", func(t *testing.T) {
		eng := &fakeEngine{}
		addr, _ := startServer(t, Config{Users: users, Engine: eng})
		if err := connectErr("", "postgres://reader:r34d@"+addr+"/stripe?sslmode=disable"); err != nil {
			t.Fatal(err)
		}
		if err := connectErr("", "postgres://alice:s3cret@"+addr+"/stripe?sslmode=disable"); err != nil {
			t.Fatal(err)
		}
		eng.mu.Lock()
		defer eng.mu.Unlock()
		got := []bool{eng.sessions[0].params.ReadOnly, eng.sessions[1].params.ReadOnly}
		if diff := cmp.Diff([]bool{true, false}, got); diff != "" {
			t.Errorf("read-only (-want +got):\n%s", diff)
		}
	})
}

func TestAuthFailuresAreSlowedDown(t *testing.T) {
	addr, _ := startServer(t, Config{Users: []User{{Name: "alice", Password: "pw"}}, AuthFailureDelay: 150 * time.Millisecond})
	url := "postgres://alice:wrong@" + addr + "/stripe?sslmode=disable"
	var durations []time.Duration
	for range 3 {
		start := time.Now()
		if err := connectErr("", url); !strings.Contains(codeOf(err), "28P01") {
			t.Fatalf("want 28P01, got %v", err)
		}
		durations = append(durations, time.Since(start))
	}
	// The first failure is answered at once; the third waits for two recorded failures.
	if durations[2] < 300*time.Millisecond || durations[2] <= durations[0] {
		t.Errorf("failed logins took %v; want the third to be slowed by at least 300ms", durations)
	}
	// A success clears the record.
	if err := connectErr("", "postgres://alice:pw@"+addr+"/stripe?sslmode=disable"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_ = connectErr("", url)
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("after a success the next failure took %v, want no delay", d)
	}
}

func TestSCRAMKeysRFC7677(t *testing.T) {
	// RFC 7677 section 3 example: user "user", password "pencil".
	salt := "W22ZaJ0SNY7soEsUEjb6gQ=="
	cf := "n=user,r=rOprNGfwEbeRWgbNEkqO"
	sf := "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=" + salt + ",i=4096"
	cfWithoutProof := "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	rawSalt, _ := b64(salt)
	stored, server, err := scramKeys("pencil", rawSalt, 4096)
	if err != nil {
		t.Fatal(err)
	}
	auth := cf + "," + sf + "," + cfWithoutProof
	serverSig := hmacSHA256(server, auth)
	if diff := cmp.Diff("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", b64enc(serverSig)); diff != "" {
		t.Errorf("server signature (-want +got):\n%s", diff)
	}
	proof, _ := b64("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
	clientSig := hmacSHA256(stored, auth)
	key := make([]byte, len(proof))
	for i := range proof {
		key[i] = proof[i] ^ clientSig[i]
	}
	if diff := cmp.Diff(b64enc(stored), b64enc(sha(key))); diff != "" {
		t.Errorf("client proof does not verify (-want +got):\n%s", diff)
	}
}

func b64(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }
func b64enc(b []byte) string       { return base64.StdEncoding.EncodeToString(b) }
func sha(b []byte) []byte          { s := sha256.Sum256(b); return s[:] }

func TestLoadTLS(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	tc, err := LoadTLS(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := startServer(t, Config{TLSMode: TLSOn, TLSConfig: tc})
	conn := connectPgx(t, pgxURL(addr, "")[:len(pgxURL(addr, ""))-len("sslmode=disable")]+"sslmode=require")
	if _, isTLS := conn.PgConn().Conn().(*tls.Conn); !isTLS {
		t.Fatal("connection is not tls")
	}
	if _, err := LoadTLS(filepath.Join(dir, "missing.pem"), keyFile); err == nil {
		t.Error("LoadTLS of a missing file succeeded")
	}
	if _, err := New(Config{TLSMode: TLSOn, Engine: &fakeEngine{}}); err == nil {
		t.Error("tls mode on without a certificate was accepted")
	}
}
