package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/sqlstate"
)

// Server accepts PostgreSQL connections and answers them with the engine. Build one with New and
// run it with Serve; one Server may serve several listeners.
type Server struct {
	cfg    Config
	engine Engine
	log    *slog.Logger
	tls    *tls.Config
	users  map[string]*scramUser

	nextPID atomic.Int32
	active  atomic.Int64
	// panics counts recovered panics, so tests and fuzzing can tell a recovered crash from success.
	panics atomic.Int64

	mu    sync.Mutex
	conns map[int32]*conn

	failMu   sync.Mutex
	failures map[string]*failureRecord
}

type failureRecord struct {
	count int
	last  time.Time
}

// New checks cfg and builds a server. It fails when TLS is asked for without a certificate (TLSOn)
// or a self-signed pair cannot be generated, and when no engine can be built.
func New(cfg Config) (*Server, error) {
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger,
		conns:    map[int32]*conn{},
		failures: map[string]*failureRecord{},
		users:    map[string]*scramUser{},
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	switch cfg.TLSMode {
	case "", TLSOff:
		s.cfg.TLSMode = TLSOff
	case TLSOn:
		if cfg.TLSConfig == nil {
			return nil, fmt.Errorf("server: tls mode on needs a certificate and key")
		}
		s.tls = cfg.TLSConfig
	case TLSAuto, TLSRequired:
		s.tls = cfg.TLSConfig
		if s.tls == nil {
			tc, err := SelfSignedTLS("localhost", "127.0.0.1", "::1")
			if err != nil {
				return nil, err
			}
			s.tls = tc
		}
	default:
		return nil, fmt.Errorf("server: unknown tls mode %q (want off, auto, on or required)", cfg.TLSMode)
	}
	for _, u := range cfg.Users {
		if u.Name == "" {
			return nil, errors.New("server: a user needs a name")
		}
		su, err := newSCRAMUser(u)
		if err != nil {
			return nil, err
		}
		s.users[u.Name] = su
	}
	s.engine = cfg.Engine
	if s.engine == nil {
		e, err := NewEngine(cfg)
		if err != nil {
			return nil, err
		}
		s.engine = e
	}
	// Backend PIDs start at a random point so that they do not look like a fresh server's.
	var b [2]byte
	_, _ = rand.Read(b[:])
	s.nextPID.Store(int32(1000 + binary.BigEndian.Uint16(b[:])%30000))
	return s, nil
}

// Serve accepts connections on ln until ctx is done, then closes ln and every connection and
// returns nil. Without users, only a loopback listener is accepted: trust authentication must
// never be reachable from another machine.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if len(s.users) == 0 && !isLoopback(ln.Addr()) {
		return fmt.Errorf("server: refusing to listen on %s without users: trust authentication is only allowed on loopback; configure users or listen on 127.0.0.1", ln.Addr())
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer catalog.RegisterBackends(backends{s})() // pg_stat_activity, pg_cancel_backend (activity.go)
	var wg sync.WaitGroup
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	for {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			wg.Wait()
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.serveConn(ctx, nc)
		}()
	}
	s.mu.Lock()
	for _, c := range s.conns {
		c.shutdown()
	}
	s.mu.Unlock()
	wg.Wait()
	return nil
}

func isLoopback(a net.Addr) bool {
	switch x := a.(type) {
	case *net.TCPAddr:
		return x.IP.IsLoopback()
	case *net.UnixAddr:
		return true
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) register(c *conn) {
	s.mu.Lock()
	s.conns[c.pid] = c
	s.mu.Unlock()
}

func (s *Server) unregister(c *conn) {
	s.mu.Lock()
	if s.conns[c.pid] == c {
		delete(s.conns, c.pid)
	}
	s.mu.Unlock()
}

// cancel handles a CancelRequest: the running query of the backend with this pid is cancelled
// when the secret key matches. As in PostgreSQL, nothing is ever answered.
func (s *Server) cancel(pid uint32, key []byte) {
	s.mu.Lock()
	c := s.conns[int32(pid)]
	s.mu.Unlock()
	if c == nil || len(key) != len(c.secret) {
		return
	}
	var diff byte
	for i := range key {
		diff |= key[i] ^ c.secret[i]
	}
	if diff != 0 {
		return
	}
	c.cancelQuery(errCanceledByUser)
}

var errCanceledByUser = sqlstate.New(sqlstate.QueryCanceled, "canceling statement due to user request")

// authDelay returns how long to wait before answering a failed login from addr, growing with the
// recent failures from that address and forgotten after a quiet minute.
func (s *Server) authDelay(addr string) time.Duration {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	r := s.failures[addr]
	if r == nil || time.Since(r.last) > time.Minute {
		return 0
	}
	d := time.Duration(r.count) * s.cfg.authFailureDelay()
	if d > 10*time.Second {
		d = 10 * time.Second
	}
	return d
}

func (s *Server) recordAuth(addr string, ok bool) {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	if ok {
		delete(s.failures, addr)
		return
	}
	r := s.failures[addr]
	if r == nil || time.Since(r.last) > time.Minute {
		r = &failureRecord{}
		s.failures[addr] = r
	}
	r.count++
	r.last = time.Now()
	if len(s.failures) > 10000 {
		for k, v := range s.failures {
			if time.Since(v.last) > time.Minute {
				delete(s.failures, k)
			}
		}
	}
}

func hostOf(a net.Addr) string {
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}
