package server

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// serverVersion is what clients see as server_version; package catalog holds the one definition,
// which SHOW, current_setting and pg_settings answer too.
const serverVersion = catalog.ServerVersion

// startupTimeout bounds the startup and authentication exchange, like PostgreSQL's
// authentication_timeout.
const startupTimeout = 60 * time.Second

// reportedParams are the settings PostgreSQL reports with ParameterStatus at startup and whenever
// they change, with the spelling clients expect.
var reportedParams = []string{
	"application_name", "client_encoding", "DateStyle", "IntervalStyle", "TimeZone",
	"integer_datetimes", "is_superuser", "server_encoding", "server_version",
	"session_authorization", "standard_conforming_strings",
}

var (
	errClientGone = errors.New("client disconnected")
	errShutdown   = sqlstate.New(sqlstate.AdminShutdown, "terminating connection due to administrator command")
)

// conn is one client connection and its protocol state. Its fields are used by the connection's
// own goroutine, except those guarded by wmu (the writer) and qmu (the running query's cancel).
type conn struct {
	srv    *Server
	nc     net.Conn
	be     *pgproto3.Backend
	bw     *bufio.Writer
	wmu    sync.Mutex
	pid    int32
	secret []byte
	remote string

	user, database string
	readOnly       bool
	account        string   // the user's default Stripe account (User.Account)
	accounts       []string // the only accounts the user may use (User.Accounts), or nil
	isTLS          bool
	sess           EngineSession

	// tx is the transaction status byte: 'I' idle, 'T' in a block, 'E' in a failed block.
	tx             byte
	writeNoticed   bool
	skipUntilSync  bool
	stmts          map[string]*prepared
	portals        map[string]*portal
	reported       map[string]string
	types          *pgtype.Map
	rowBuf         []byte
	rowEnds        []int
	rowVals        [][]byte
	zoneName       string
	zone           *time.Location
	msgs           chan incoming
	shutdownOnce   sync.Once
	shutdownSignal chan struct{}
	loopDone       chan struct{}

	qmu     sync.Mutex
	qcancel context.CancelCauseFunc

	act activity // for pg_stat_activity (activity.go)
}

type incoming struct {
	msg pgproto3.FrontendMessage
	err error
}

func (s *Server) serveConn(ctx context.Context, nc net.Conn) {
	c := &conn{
		srv:            s,
		nc:             nc,
		remote:         hostOf(nc.RemoteAddr()),
		tx:             'I',
		stmts:          map[string]*prepared{},
		portals:        map[string]*portal{},
		reported:       map[string]string{},
		shutdownSignal: make(chan struct{}),
		loopDone:       make(chan struct{}),
	}
	c.setTransport(nc)
	defer nc.Close()
	defer func() {
		if r := recover(); r != nil {
			s.panics.Add(1)
			s.log.Error("panic while serving a connection", "remote", c.remote, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			c.sendFatal(sqlstate.New(sqlstate.InternalError, "internal error: %v", r))
		}
	}()
	counted := false
	defer func() {
		if counted {
			s.active.Add(-1)
		}
	}()

	_ = nc.SetDeadline(time.Now().Add(startupTimeout))
	sm, ok := c.startup()
	if !ok {
		return
	}
	if n := s.active.Add(1); int(n) > s.cfg.maxConnections() {
		s.active.Add(-1)
		c.sendFatal(sqlstate.New(sqlstate.TooManyConnections, "sorry, too many clients already"))
		return
	}
	counted = true
	if !c.authenticate(sm) {
		return
	}
	_ = nc.SetDeadline(time.Time{})

	c.pid = s.nextPID.Add(1)
	c.act.started = time.Now()
	c.secret = make([]byte, 4)
	_, _ = rand.Read(c.secret)
	c.sess = s.engine.NewSession(SessionParams{
		User:       c.user,
		Database:   c.database,
		ReadOnly:   c.readOnly || s.cfg.ReadOnly,
		Account:    c.account,
		Accounts:   c.accounts,
		BackendPID: c.pid,
		Settings:   startupSettings(sm.Parameters),
		Notice:     c.notice,
	})
	defer c.sess.Close()
	defer c.closeAllPortals()
	if err := c.startupError(); err != nil { // transaction.go
		s.log.Info("connection refused: invalid startup setting", "remote", c.remote, "error", err.Message)
		c.sendFatal(err)
		return
	}
	s.register(c)
	defer s.unregister(c)
	defer c.cancelQuery(errClientGone)

	c.send(&pgproto3.AuthenticationOk{})
	c.reportParams(true)
	c.send(&pgproto3.BackendKeyData{ProcessID: uint32(c.pid), SecretKey: c.secret})
	c.send(&pgproto3.ReadyForQuery{TxStatus: c.tx})
	if c.flush() != nil {
		return
	}
	s.log.Info("connection authorized", "remote", c.remote, "user", c.user, "database", c.database, "pid", c.pid, "tls", c.isTLS)

	c.msgs = make(chan incoming, 16)
	go c.readLoop()
	defer close(c.loopDone)
	c.loop(ctx)
}

// setTransport points the protocol reader and writer at nc (again after a TLS upgrade).
func (c *conn) setTransport(nc net.Conn) {
	c.nc = nc
	c.bw = bufio.NewWriterSize(nc, 32<<10)
	c.be = pgproto3.NewBackend(nc, c.bw)
	c.be.SetMaxBodyLen(c.srv.cfg.maxMessageSize())
}

// startup reads the startup packet, answering SSLRequest and GSSENCRequest on the way. It returns
// false when the connection must end (a CancelRequest, a bad packet, or refused plaintext).
func (c *conn) startup() (*pgproto3.StartupMessage, bool) {
	for {
		m, err := c.be.ReceiveStartupMessage()
		if err != nil {
			if !isDisconnect(err) {
				c.sendFatal(sqlstate.New(sqlstate.ProtocolViolation, "invalid startup packet: %s", err))
			}
			return nil, false
		}
		switch m := m.(type) {
		case *pgproto3.SSLRequest:
			if c.srv.tls == nil || c.isTLS {
				if _, err := c.nc.Write([]byte{'N'}); err != nil {
					return nil, false
				}
				continue
			}
			if _, err := c.nc.Write([]byte{'S'}); err != nil {
				return nil, false
			}
			tc := tls.Server(c.nc, c.srv.tls)
			if err := tc.Handshake(); err != nil {
				c.srv.log.Info("tls handshake failed", "remote", c.remote, "err", err)
				return nil, false
			}
			c.isTLS = true
			c.setTransport(tc)
		case *pgproto3.GSSEncRequest:
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return nil, false
			}
		case *pgproto3.CancelRequest:
			c.srv.cancel(m.ProcessID, m.SecretKey)
			return nil, false
		case *pgproto3.StartupMessage:
			if m.ProtocolVersion>>16 != 3 {
				c.sendFatal(sqlstate.New(sqlstate.FeatureNotSupported, "unsupported frontend protocol %d.%d: server supports 3.0", m.ProtocolVersion>>16, m.ProtocolVersion&0xffff))
				return nil, false
			}
			if c.srv.cfg.TLSMode == TLSRequired && !c.isTLS {
				c.sendFatal(sqlstate.New(sqlstate.InvalidAuthorization, "connection requires tls").
					WithHint("connect with sslmode=require"))
				return nil, false
			}
			if m.ProtocolVersion != pgproto3.ProtocolVersion30 {
				c.send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0})
			}
			params := map[string]string{}
			for k, v := range m.Parameters {
				params[k] = v
			}
			c.user = params["user"]
			c.database = params["database"]
			if c.user == "" {
				c.sendFatal(sqlstate.New(sqlstate.InvalidAuthorization, "no postgresql user name specified in startup packet"))
				return nil, false
			}
			if c.database == "" {
				c.database = c.user
			}
			return &pgproto3.StartupMessage{ProtocolVersion: m.ProtocolVersion, Parameters: params}, true
		}
	}
}

// startupSettings picks the session settings out of the startup parameters, including
// `-c name=value` and `--name=value` in "options".
func startupSettings(p map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range p {
		switch k {
		case "user", "database", "options", "replication":
			continue
		}
		out[k] = v
	}
	fields := strings.Fields(p["options"])
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		var kv string
		switch {
		case f == "-c" && i+1 < len(fields):
			i++
			kv = fields[i]
		case strings.HasPrefix(f, "-c"):
			kv = f[2:]
		case strings.HasPrefix(f, "--"):
			kv = f[2:]
		default:
			continue
		}
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[strings.ReplaceAll(k, "-", "_")] = v
		}
	}
	return out
}

func isDisconnect(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		strings.Contains(err.Error(), "connection reset")
}

// readLoop decodes client messages and hands copies to the connection's loop. When the client
// goes away it cancels the running query, so its Stripe requests stop.
func (c *conn) readLoop() {
	defer close(c.msgs)
	for {
		m, err := c.be.Receive()
		if err != nil {
			c.cancelQuery(errClientGone)
			select {
			case c.msgs <- incoming{err: err}:
			case <-c.loopDone:
			}
			return
		}
		m = cloneMessage(m)
		select {
		case c.msgs <- incoming{msg: m}:
		case <-c.loopDone:
			return
		}
		if _, ok := m.(*pgproto3.Terminate); ok {
			return
		}
	}
}

// cloneMessage copies a message out of the decoder's reused buffers.
func cloneMessage(m pgproto3.FrontendMessage) pgproto3.FrontendMessage {
	switch m := m.(type) {
	case *pgproto3.Query:
		x := *m
		return &x
	case *pgproto3.Parse:
		x := *m
		x.ParameterOIDs = append([]uint32(nil), m.ParameterOIDs...)
		return &x
	case *pgproto3.Bind:
		x := *m
		x.ParameterFormatCodes = append([]int16(nil), m.ParameterFormatCodes...)
		x.ResultFormatCodes = append([]int16(nil), m.ResultFormatCodes...)
		x.Parameters = make([][]byte, len(m.Parameters))
		for i, p := range m.Parameters {
			if p != nil {
				x.Parameters[i] = append([]byte{}, p...)
			}
		}
		return &x
	case *pgproto3.Describe:
		x := *m
		return &x
	case *pgproto3.Execute:
		x := *m
		return &x
	case *pgproto3.Close:
		x := *m
		return &x
	case *pgproto3.Sync:
		return &pgproto3.Sync{}
	case *pgproto3.Flush:
		return &pgproto3.Flush{}
	case *pgproto3.Terminate:
		return &pgproto3.Terminate{}
	case *pgproto3.FunctionCall:
		return &pgproto3.FunctionCall{Function: m.Function}
	case *pgproto3.CopyData:
		return &pgproto3.CopyData{}
	case *pgproto3.CopyDone:
		return &pgproto3.CopyDone{}
	case *pgproto3.CopyFail:
		x := *m
		return &x
	}
	return m
}

// loop is the connection's message loop after startup.
func (c *conn) loop(ctx context.Context) {
	idle := c.srv.cfg.IdleSessionTimeout
	var timer *time.Timer
	var timeout <-chan time.Time
	for {
		if idle > 0 {
			if timer == nil {
				timer = time.NewTimer(idle)
				defer timer.Stop()
			} else {
				timer.Reset(idle)
			}
			timeout = timer.C
		}
		var in incoming
		var ok bool
		select {
		case in, ok = <-c.msgs:
		case <-timeout:
			c.sendFatal(sqlstate.New(sqlstate.IdleSessionTimeout, "terminating connection due to idle-session timeout"))
			return
		case <-ctx.Done():
			c.sendFatal(errShutdown)
			return
		case <-c.shutdownSignal:
			c.sendFatal(errShutdown)
			return
		}
		if timer != nil && !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		if !ok {
			return
		}
		if in.err != nil {
			if !isDisconnect(in.err) {
				var tooBig *pgproto3.ExceededMaxBodyLenErr
				if errors.As(in.err, &tooBig) {
					c.sendFatal(sqlstate.New(sqlstate.ProtocolViolation, "message of %d bytes exceeds the maximum message size of %d bytes", tooBig.ActualBodyLen, tooBig.MaxExpectedBodyLen))
				} else {
					c.sendFatal(sqlstate.New(sqlstate.ProtocolViolation, "invalid frontend message: %s", in.err))
				}
				c.srv.log.Info("closing connection after a bad message", "remote", c.remote, "pid", c.pid, "err", in.err)
			}
			return
		}
		if _, ok := in.msg.(*pgproto3.Terminate); ok {
			return
		}
		if !c.handle(ctx, in.msg) {
			return
		}
	}
}

// shutdown asks the connection to end (server shutdown): it cancels the running query and makes
// the loop send 57P01.
func (c *conn) shutdown() {
	c.shutdownOnce.Do(func() { close(c.shutdownSignal) })
	c.cancelQuery(errShutdown)
}

func (c *conn) shuttingDown() bool {
	select {
	case <-c.shutdownSignal:
		return true
	default:
		return false
	}
}

// queryContext returns the context of one statement; cancelQuery ends it.
func (c *conn) queryContext(ctx context.Context, text string) (context.Context, func()) {
	c.noteQuery(text) // activity.go
	// Server shutdown reaches a running query through shutdown's cancel cause (57P01), not
	// through the parent context.
	qctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	c.qmu.Lock()
	c.qcancel = cancel
	c.qmu.Unlock()
	return qctx, func() {
		c.qmu.Lock()
		c.qcancel = nil
		c.qmu.Unlock()
		cancel(nil)
		c.noteIdle()
	}
}

func (c *conn) cancelQuery(cause error) {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if c.qcancel != nil {
		c.qcancel(cause)
	}
}

// send queues a message; flush writes the queue to the client.
func (c *conn) send(m pgproto3.BackendMessage) {
	c.wmu.Lock()
	c.be.Send(m)
	_ = c.be.Flush() // into the bufio.Writer, which writes to the socket as it fills
	c.wmu.Unlock()
}

func (c *conn) flush() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.be.Flush(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// notice sends a NOTICE at once; it may be called from any goroutine (progress reports).
func (c *conn) notice(msg string) {
	if !c.clientWants("notice") { // client_messages.go
		return
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.be.Send(&pgproto3.NoticeResponse{Severity: "NOTICE", SeverityUnlocalized: "NOTICE", Code: sqlstate.SuccessfulCompletion, Message: msg})
	_ = c.be.Flush()
	_ = c.bw.Flush()
}

func (c *conn) warning(msg, code string) {
	if !c.clientWants("warning") {
		return
	}
	c.send(&pgproto3.NoticeResponse{Severity: "WARNING", SeverityUnlocalized: "WARNING", Code: code, Message: msg})
}

// errorResponse turns any error into the ErrorResponse fields PostgreSQL would send.
func errorResponse(err error) *pgproto3.ErrorResponse {
	e := sqlstate.Wrap(err)
	sev := e.Severity
	if sev == "" {
		sev = "ERROR"
	}
	return &pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                e.Code,
		Message:             e.Message,
		Detail:              e.Detail,
		Hint:                e.Hint,
		Position:            int32(e.Position),
	}
}

func (c *conn) sendError(err error) {
	c.send(errorResponse(err))
}

// sendFatal sends a FATAL error and flushes; the caller then closes the connection.
func (c *conn) sendFatal(e *sqlstate.Error) {
	f := *e
	f.Severity = "FATAL"
	c.send(errorResponse(&f))
	_ = c.flush()
}

// reportParams sends ParameterStatus for every reported setting that changed (all of them at
// startup).
func (c *conn) reportParams(all bool) {
	for _, name := range reportedParams {
		v := c.paramValue(name)
		if old, ok := c.reported[name]; ok && old == v && !all {
			continue
		}
		c.reported[name] = v
		c.send(&pgproto3.ParameterStatus{Name: name, Value: v})
	}
}

func (c *conn) paramValue(name string) string {
	switch name {
	case "server_version":
		return serverVersion
	case "server_encoding":
		return "UTF8"
	case "integer_datetimes":
		return "on"
	case "is_superuser":
		return "off"
	case "session_authorization":
		return c.user
	}
	if v, ok := c.sess.Setting(name); ok {
		return v
	}
	switch name {
	case "client_encoding":
		return "UTF8"
	case "DateStyle":
		return "ISO, MDY"
	case "IntervalStyle":
		return "postgres"
	case "TimeZone":
		return "UTC"
	case "standard_conforming_strings":
		return "on"
	}
	return ""
}

// location is the session's TimeZone, for printing timestamptz values.
func (c *conn) location() *time.Location {
	name, _ := c.sess.Setting("TimeZone")
	if name == c.zoneName && c.zone != nil {
		return c.zone
	}
	loc, err := sqltypes.LoadZone(name)
	if err != nil || loc == nil {
		loc = time.UTC
	}
	c.zoneName, c.zone = name, loc
	return loc
}
