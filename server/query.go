package server

import (
	"context"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/stripesql/stripesql/internal/exec"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// prepared is a parsed statement of the extended protocol (named, or the unnamed one).
type prepared struct {
	name   string
	st     Statement // nil for an empty query
	params []sqltypes.Type
	cols   []Column
}

// portal is a bound statement, run on its first Execute and then read in row-limited chunks.
type portal struct {
	stmt    *prepared
	args    []any
	formats []int16 // one per result column
	rows    Rows
	cols    []Column
	done    bool
	tag     string
	copying bool
	// ctx is the context a portal first executed with a row limit runs under (held), which
	// cancel ends when the portal closes; nil for portals that run to completion at once.
	ctx    context.Context
	cancel context.CancelCauseFunc
}

// binaryRows is implemented by the rows of a FETCH from a cursor declared BINARY: over the simple
// protocol they are sent in binary, as PostgreSQL does (the extended protocol's Bind chooses).
type binaryRows interface{ Binary() bool }

// errAbortedTx is PostgreSQL's answer to statements in a failed transaction block.
var errAbortedTx = sqlstate.New("25P02", "current transaction is aborted, commands ignored until end of transaction block")

// handle answers one client message after startup. It returns false when the connection must end.
func (c *conn) handle(ctx context.Context, m pgproto3.FrontendMessage) bool {
	if c.skipUntilSync {
		switch m.(type) {
		case *pgproto3.Sync:
		case *pgproto3.Query:
			c.skipUntilSync = false
		default:
			return true
		}
	}
	switch m := m.(type) {
	case *pgproto3.Query:
		c.simpleQuery(ctx, m.String)
		if c.shuttingDown() {
			c.sendFatal(errShutdown)
			return false
		}
		c.reportParams(false)
		c.send(&pgproto3.ReadyForQuery{TxStatus: c.tx})
		return c.flush() == nil
	case *pgproto3.Parse:
		c.extended(c.parse(m))
	case *pgproto3.Bind:
		c.extended(c.bind(m))
	case *pgproto3.Describe:
		c.extended(c.describe(m))
	case *pgproto3.Execute:
		c.extended(c.execute(ctx, m))
	case *pgproto3.Close:
		if m.ObjectType == 'S' {
			delete(c.stmts, m.Name)
		} else {
			c.closePortal(m.Name)
		}
		c.send(&pgproto3.CloseComplete{})
	case *pgproto3.Sync:
		if c.shuttingDown() {
			c.sendFatal(errShutdown)
			return false
		}
		c.skipUntilSync = false
		if c.tx == 'I' {
			c.closeAllPortals()
		}
		c.reportParams(false)
		c.send(&pgproto3.ReadyForQuery{TxStatus: c.tx})
		return c.flush() == nil
	case *pgproto3.Flush:
		return c.flush() == nil
	case *pgproto3.FunctionCall:
		c.extended(sqlstate.New(sqlstate.FeatureNotSupported, "the function call protocol is not supported"))
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// PostgreSQL ignores copy-in messages outside COPY FROM STDIN.
	default:
		c.sendFatal(sqlstate.New(sqlstate.ProtocolViolation, "unexpected message %T", m))
		return false
	}
	return true
}

// extended reports an error of an extended-protocol message; later messages are discarded until Sync.
func (c *conn) extended(err error) {
	if err == nil || c.shuttingDown() {
		return
	}
	c.sendError(err)
	c.failTx()
	c.skipUntilSync = true
}

func (c *conn) failTx() {
	if c.tx == 'T' {
		c.tx = 'E'
	}
}

// simpleQuery runs each statement of a Query message in turn; an error skips the rest.
func (c *conn) simpleQuery(ctx context.Context, sql string) {
	stmts, err := c.sess.Parse(sql)
	if err != nil {
		c.sendError(err)
		c.failTx()
		return
	}
	if len(stmts) == 0 {
		c.send(&pgproto3.EmptyQueryResponse{})
		return
	}
	implicit := false // the engine session is in this message's implicit block
	for _, st := range stmts {
		if len(stmts) > 1 && c.tx == 'I' && !implicit {
			implicit = c.beginImplicitTx() // transaction.go
		}
		err := c.run(ctx, unnamedPortal(st), 0, true)
		switch {
		case c.tx != 'I', st.Kind() == "COMMIT", st.Kind() == "ROLLBACK":
			implicit = false // BEGIN made the block explicit, or COMMIT / ROLLBACK ended it
		}
		if err != nil {
			if implicit {
				c.endSessionTx(false)
			}
			if c.shuttingDown() {
				return
			}
			c.sendError(err)
			c.failTx()
			return
		}
	}
	if implicit {
		c.endSessionTx(true)
	}
}

// unnamedPortal is the portal of one statement of a simple Query.
func unnamedPortal(st Statement) *portal { return &portal{stmt: &prepared{st: st}} }

func (c *conn) parse(m *pgproto3.Parse) error {
	if m.Name != "" {
		if _, ok := c.stmts[m.Name]; ok {
			return sqlstate.New("42P05", "prepared statement %q already exists", m.Name)
		}
	}
	stmts, err := c.sess.Parse(m.Query)
	if err != nil {
		return err
	}
	if len(stmts) > 1 {
		return sqlstate.New(sqlstate.SyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	p := &prepared{name: m.Name}
	given := make([]sqltypes.Type, len(m.ParameterOIDs))
	for i, o := range m.ParameterOIDs {
		given[i] = sqltypes.Type(o)
	}
	p.params = given
	if len(stmts) == 1 {
		p.st = stmts[0]
		if !serverHandled(p.st) {
			params, cols, err := c.sess.Describe(p.st, given)
			if err != nil {
				return err
			}
			p.params, p.cols = params, cols
		}
	}
	c.stmts[m.Name] = p
	c.send(&pgproto3.ParseComplete{})
	return nil
}

func (c *conn) bind(m *pgproto3.Bind) error {
	p, ok := c.stmts[m.PreparedStatement]
	if !ok {
		return sqlstate.New(sqlstate.InvalidSQLStatementName, "prepared statement %q does not exist", m.PreparedStatement)
	}
	if m.DestinationPortal != "" {
		if _, ok := c.portals[m.DestinationPortal]; ok {
			return sqlstate.New("42P03", "cursor %q already exists", m.DestinationPortal)
		}
	}
	if len(m.Parameters) != len(p.params) {
		return sqlstate.New(sqlstate.ProtocolViolation, "bind message supplies %d parameters, but prepared statement %q requires %d", len(m.Parameters), p.name, len(p.params))
	}
	if n := len(m.ParameterFormatCodes); n > 1 && n != len(m.Parameters) {
		return sqlstate.New(sqlstate.ProtocolViolation, "bind message has %d parameter formats but %d parameters", n, len(m.Parameters))
	}
	args := make([]any, len(m.Parameters))
	for i, raw := range m.Parameters {
		if raw == nil {
			continue
		}
		format := int16(0)
		switch len(m.ParameterFormatCodes) {
		case 0:
		case 1:
			format = m.ParameterFormatCodes[0]
		default:
			format = m.ParameterFormatCodes[i]
		}
		v, err := c.decodeParam(p.params[i], format, raw)
		if err != nil {
			return err
		}
		args[i] = v
	}
	formats, err := resultFormats(m.ResultFormatCodes, len(p.cols))
	if err != nil {
		return err
	}
	c.closePortal(m.DestinationPortal)
	c.portals[m.DestinationPortal] = &portal{stmt: p, args: args, formats: formats, cols: p.cols}
	c.send(&pgproto3.BindComplete{})
	return nil
}

func resultFormats(codes []int16, n int) ([]int16, error) {
	out := make([]int16, n)
	switch len(codes) {
	case 0:
	case 1:
		for i := range out {
			out[i] = codes[0]
		}
	default:
		if len(codes) != n {
			return nil, sqlstate.New(sqlstate.ProtocolViolation, "bind message has %d result formats but query has %d columns", len(codes), n)
		}
		copy(out, codes)
	}
	for _, f := range out {
		if f != 0 && f != 1 {
			return nil, sqlstate.New(sqlstate.ProtocolViolation, "unsupported format code: %d", f)
		}
	}
	return out, nil
}

func (c *conn) describe(m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		p, ok := c.stmts[m.Name]
		if !ok {
			return sqlstate.New(sqlstate.InvalidSQLStatementName, "prepared statement %q does not exist", m.Name)
		}
		oids := make([]uint32, len(p.params))
		for i, t := range p.params {
			oids[i] = uint32(t)
		}
		c.send(&pgproto3.ParameterDescription{ParameterOIDs: oids})
		c.sendRowDescription(p.cols, nil)
	case 'P':
		pt, ok := c.portals[m.Name]
		if !ok {
			return sqlstate.New(sqlstate.InvalidCursorName, "portal %q does not exist", m.Name)
		}
		c.sendRowDescription(pt.cols, pt.formats)
	default:
		return sqlstate.New(sqlstate.ProtocolViolation, "invalid describe message subtype %d", m.ObjectType)
	}
	return nil
}

func (c *conn) sendRowDescription(cols []Column, formats []int16) {
	if cols == nil {
		c.send(&pgproto3.NoData{})
		return
	}
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, col := range cols {
		f := int16(0)
		if i < len(formats) {
			f = formats[i]
		}
		fields[i] = pgproto3.FieldDescription{
			Name:                 []byte(col.Name),
			TableOID:             col.TableOID,
			TableAttributeNumber: uint16(col.AttNum),
			DataTypeOID:          uint32(col.Type),
			DataTypeSize:         sqltypes.Size(col.Type),
			TypeModifier:         -1,
			Format:               f,
		}
	}
	c.send(&pgproto3.RowDescription{Fields: fields})
}

func (c *conn) execute(ctx context.Context, m *pgproto3.Execute) error {
	p, ok := c.portals[m.Portal]
	if !ok {
		return sqlstate.New(sqlstate.InvalidCursorName, "portal %q does not exist", m.Portal)
	}
	return c.run(ctx, p, int(m.MaxRows), false)
}

func (c *conn) closePortal(name string) {
	if p, ok := c.portals[name]; ok {
		if p.rows != nil {
			_ = p.rows.Close()
		}
		if p.cancel != nil {
			p.cancel(nil)
		}
		delete(c.portals, name)
	}
}

func (c *conn) closeAllPortals() {
	for name := range c.portals {
		c.closePortal(name)
	}
}

// run executes a portal: the statement on its first call, then up to maxRows rows (0 = all).
// simple says whether this is the simple protocol, which sends RowDescription itself.
func (c *conn) run(ctx context.Context, p *portal, maxRows int, simple bool) error {
	if p.done {
		c.send(&pgproto3.CommandComplete{CommandTag: []byte(p.tag)})
		return nil
	}
	if p.stmt.st == nil {
		c.send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	if p.rows == nil {
		st := p.stmt.st
		kind := st.Kind()
		if c.tx == 'E' && kind != "COMMIT" && kind != "ROLLBACK" {
			return errAbortedTx
		}
		if serverHandled(st) {
			return c.runServerStatement(ctx, p, simple)
		}
		if isWrite(kind) && c.tx == 'T' && !c.writeNoticed {
			c.writeNoticed = true
			c.notice("stripe has no transactions: this write is applied now and is not undone by rollback")
		}
		qctx, done := c.queryContext(ctx, st.Text())
		defer done()
		if maxRows > 0 {
			c.hold(qctx, p)
		}
		defer c.watchPortal(qctx, p)()
		rows, err := c.sess.Run(p.runContext(qctx), st, p.args)
		if err != nil {
			return queryError(qctx, err)
		}
		p.rows = rows
		p.cols = rows.Columns()
		if simple {
			p.formats = make([]int16, len(p.cols))
			if b, ok := rows.(binaryRows); ok && b.Binary() {
				for i := range p.formats {
					p.formats[i] = 1
				}
			}
			if p.cols != nil {
				c.sendRowDescription(p.cols, p.formats)
			}
		}
		return c.stream(qctx, p, maxRows)
	}
	qctx, done := c.queryContext(ctx, p.stmt.st.Text())
	defer done()
	defer c.watchPortal(qctx, p)()
	return c.stream(qctx, p, maxRows)
}

// hold gives a portal executed with a row limit a context of its own. Such a portal may be
// suspended and read by later Executes, across Syncs inside a transaction block (JDBC's fetch
// size), so its statement must not run under the first Execute's context, which ends with that
// Execute; it keeps that context's values and is marked exec.WithBoundedDemand, so it is charged
// for the pages its client reads. Closing the portal ends it.
func (c *conn) hold(qctx context.Context, p *portal) {
	p.ctx, p.cancel = context.WithCancelCause(exec.WithBoundedDemand(context.WithoutCancel(qctx)))
}

// runContext is the context p's statement runs and reads rows under.
func (p *portal) runContext(qctx context.Context) context.Context {
	if p.ctx != nil {
		return p.ctx
	}
	return qctx
}

// watchPortal makes the cancellation of one Execute (CancelRequest, the client gone) reach a held
// portal's statement; the returned func stops watching, before the Execute's context ends.
func (c *conn) watchPortal(qctx context.Context, p *portal) (stop func()) {
	if p.cancel == nil {
		return func() {}
	}
	cancel := p.cancel
	s := context.AfterFunc(qctx, func() { cancel(context.Cause(qctx)) })
	return func() { s() }
}

// queryError reports why a statement failed: the cancel cause (57014) when its context was
// cancelled, otherwise the error itself.
func queryError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		cause := context.Cause(ctx)
		if e, ok := sqlstate.As(cause); ok {
			return e
		}
		return sqlstate.New(sqlstate.QueryCanceled, "canceling statement due to %s", cause)
	}
	return err
}

// stream sends up to maxRows rows of p (all when 0) and then CommandComplete, or PortalSuspended
// when the limit was reached first.
func (c *conn) stream(ctx context.Context, p *portal, maxRows int) error {
	n := 0
	loc := c.location()
	for {
		if maxRows > 0 && n >= maxRows {
			c.send(&pgproto3.PortalSuspended{})
			return nil
		}
		row, err := p.rows.Next(p.runContext(ctx))
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			_ = p.rows.Close()
			p.done, p.tag = true, ""
			p.rows = nil
			return queryError(ctx, err)
		}
		vals, err := c.encodeRow(p.cols, p.formats, row, loc)
		if err != nil {
			_ = p.rows.Close()
			p.rows = nil
			return err
		}
		c.send(&pgproto3.DataRow{Values: vals})
		n++
	}
	if err := p.rows.Close(); err != nil {
		return queryError(ctx, err)
	}
	p.done = true
	p.tag = p.rows.Tag()
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(p.tag)})
	return nil
}

func isWrite(kind string) bool {
	switch kind {
	case "INSERT", "UPDATE", "DELETE", "CALL":
		return true
	}
	return false
}

// encodeRow encodes one row's values in their result formats. The returned slices share one
// buffer that the next call reuses, which is safe because Send copies a DataRow into the output
// buffer at once.
func (c *conn) encodeRow(cols []Column, formats []int16, row []any, loc *time.Location) ([][]byte, error) {
	if len(row) != len(cols) {
		return nil, sqlstate.New(sqlstate.InternalError, "row has %d values but the result has %d columns", len(row), len(cols))
	}
	buf := c.rowBuf[:0]
	ends := c.rowEnds[:0]
	for i, v := range row {
		if v == nil {
			ends = append(ends, -1)
			continue
		}
		if i < len(formats) && formats[i] == 1 {
			var err error
			buf, err = c.appendBinary(buf, cols[i].Type, v)
			if err != nil {
				return nil, err
			}
		} else {
			buf = appendText(buf, v, cols[i].Type, loc)
		}
		ends = append(ends, len(buf))
	}
	c.rowBuf, c.rowEnds = buf, ends
	out := c.rowVals[:0]
	start := 0
	for _, end := range ends {
		if end < 0 {
			out = append(out, nil)
			continue
		}
		out = append(out, buf[start:end:end])
		start = end
	}
	c.rowVals = out
	return out, nil
}

// appendText appends a value's text format, with fast paths for the commonest representations.
func appendText(buf []byte, v any, t sqltypes.Type, loc *time.Location) []byte {
	switch x := v.(type) {
	case int64:
		if sqltypes.HasOIDOutput(t) { // regclass and friends print names
			break
		}
		return strconv.AppendInt(buf, x, 10)
	case string:
		return append(buf, x...)
	case bool:
		if x {
			return append(buf, 't')
		}
		return append(buf, 'f')
	}
	return append(buf, formatValueText(v, t, loc)...)
}
