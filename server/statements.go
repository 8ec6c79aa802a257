package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
)

// serverHandled reports whether the server answers st itself instead of the engine: transaction
// control (which only moves the status byte, as Stripe has no transactions), DISCARD, DEALLOCATE
// (which act on the connection's prepared statements) and COPY (a protocol mode).
func serverHandled(st Statement) bool {
	switch st.Kind() {
	case "BEGIN", "START TRANSACTION", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "DISCARD", "DEALLOCATE", "COPY":
		return true
	}
	return isCopy(st.Text())
}

func isCopy(text string) bool {
	t := strings.TrimLeft(text, " \t\r\n(")
	return len(t) >= 4 && strings.EqualFold(t[:4], "copy") && (len(t) == 4 || !isIdentChar(t[4]))
}

func isIdentChar(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// parseOne parses a statement the server handles itself.
func parseOne(text string) (*pg.Node, error) {
	n, _, err := parseOneVersion(text)
	return n, err
}

// parseOneVersion is parseOne that also returns the parse tree version, which Deparse needs.
func parseOneVersion(text string) (*pg.Node, int32, error) {
	res, err := pg.Parse(text)
	if err != nil {
		return nil, 0, sqlstate.New(sqlstate.SyntaxError, "%s", err.Error())
	}
	if len(res.Stmts) != 1 || res.Stmts[0].Stmt == nil {
		return nil, 0, sqlstate.New(sqlstate.SyntaxError, "expected one statement")
	}
	return res.Stmts[0].Stmt, res.Version, nil
}

func (c *conn) complete(tag string) {
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
}

// runServerStatement answers the statements serverHandled selects.
func (c *conn) runServerStatement(ctx context.Context, p *portal, simple bool) error {
	st := p.stmt.st
	if isCopy(st.Text()) {
		return c.copyOut(ctx, p)
	}
	node, err := parseOne(st.Text())
	if err != nil {
		return err
	}
	p.done = true
	switch n := node.Node.(type) {
	case *pg.Node_TransactionStmt:
		if p.tag, err = c.transaction(n.TransactionStmt); err != nil {
			return err
		}
	case *pg.Node_DiscardStmt:
		if n.DiscardStmt.Target != pg.DiscardMode_DISCARD_ALL {
			p.tag = "DISCARD " + strings.TrimPrefix(n.DiscardStmt.Target.String(), "DISCARD_")
			break
		}
		if c.tx != 'I' {
			return sqlstate.New("25001", "DISCARD ALL cannot run inside a transaction block")
		}
		for name := range c.stmts {
			delete(c.stmts, name)
		}
		for name, other := range c.portals {
			if other != p {
				c.closePortal(name)
			}
		}
		if err := c.runInternal(ctx, "RESET ALL"); err != nil {
			return err
		}
		if err := c.runInternal(ctx, "CLOSE ALL"); err != nil {
			return err
		}
		p.tag = "DISCARD ALL"
	case *pg.Node_DeallocateStmt:
		d := n.DeallocateStmt
		if d.Isall || d.Name == "" {
			for name := range c.stmts {
				delete(c.stmts, name)
			}
			p.tag = "DEALLOCATE ALL"
			break
		}
		if _, ok := c.stmts[d.Name]; !ok {
			return sqlstate.New(sqlstate.InvalidSQLStatementName, "prepared statement %q does not exist", d.Name)
		}
		delete(c.stmts, d.Name)
		p.tag = "DEALLOCATE"
	default:
		return sqlstate.New(sqlstate.FeatureNotSupported, "%s is not supported", st.Kind())
	}
	c.complete(p.tag)
	return nil
}

// runInternal runs a statement of the server's own through the engine, discarding its rows.
func (c *conn) runInternal(ctx context.Context, sql string) error {
	stmts, err := c.sess.Parse(sql)
	if err != nil {
		return err
	}
	for _, st := range stmts {
		rows, err := c.sess.Run(ctx, st, nil)
		if err != nil {
			return err
		}
		for {
			if _, err := rows.Next(ctx); err != nil {
				_ = rows.Close()
				if errors.Is(err, io.EOF) {
					break
				}
				return err
			}
		}
	}
	return nil
}

// transaction moves the status byte the way PostgreSQL would and returns the command tag.
func (c *conn) transaction(t *pg.TransactionStmt) (string, error) {
	switch t.Kind {
	case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
		if c.tx != 'I' {
			c.warning("there is already a transaction in progress", "25001")
		} else {
			if err := c.beginTx(t); err != nil { // transaction.go
				return "", err
			}
			c.tx = 'T'
			c.writeNoticed = false
		}
		if t.Kind == pg.TransactionStmtKind_TRANS_STMT_START {
			return "START TRANSACTION", nil
		}
		return "BEGIN", nil
	case pg.TransactionStmtKind_TRANS_STMT_COMMIT:
		tag := "COMMIT"
		switch c.tx {
		case 'I':
			c.warning("there is no transaction in progress", "25P01")
		case 'E':
			tag = "ROLLBACK"
		}
		c.endTx(tag == "COMMIT")
		return tag, nil
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		if c.tx == 'I' {
			c.warning("there is no transaction in progress", "25P01")
		}
		c.endTx(false)
		return "ROLLBACK", nil
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		if c.tx == 'E' {
			c.tx = 'T'
		}
		return "ROLLBACK", nil
	case pg.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
		return "SAVEPOINT", nil
	case pg.TransactionStmtKind_TRANS_STMT_RELEASE:
		return "RELEASE", nil
	}
	return strings.ToUpper(t.Kind.String()), nil
}

func (c *conn) endTx(commit bool) {
	c.tx = 'I'
	c.writeNoticed = false
	c.endSessionTx(commit) // transaction.go
}

// copyOptions are the options of COPY ... TO STDOUT that stripesql honours.
type copyOptions struct {
	csv       bool
	header    bool
	delimiter string
	null      string
	quote     string
}

// copyOut answers COPY (query) TO STDOUT and COPY table [(cols)] TO STDOUT in text or CSV format,
// which is what psql's \copy sends.
func (c *conn) copyOut(ctx context.Context, p *portal) error {
	node, version, err := parseOneVersion(p.stmt.st.Text())
	if err != nil {
		return err
	}
	cs, ok := node.Node.(*pg.Node_CopyStmt)
	if !ok {
		return sqlstate.New(sqlstate.SyntaxError, "not a copy statement")
	}
	cp := cs.CopyStmt
	if cp.IsFrom {
		return sqlstate.New(sqlstate.FeatureNotSupported, "COPY FROM is not supported").
			WithHint("use INSERT to create stripe objects")
	}
	if cp.Filename != "" || cp.IsProgram {
		return sqlstate.New(sqlstate.InsufficientPrivilege, "COPY to a file or program is not allowed").
			WithHint("use COPY ... TO STDOUT, or psql's \\copy")
	}
	opts, err := parseCopyOptions(cp.Options)
	if err != nil {
		return err
	}
	var query string
	if cp.Query != nil {
		query, err = pg.Deparse(&pg.ParseResult{Version: version, Stmts: []*pg.RawStmt{{Stmt: cp.Query}}})
		if err != nil {
			return sqlstate.New(sqlstate.SyntaxError, "cannot read the query of COPY: %s", err)
		}
	} else {
		cols := "*"
		if len(cp.Attlist) > 0 {
			names := make([]string, 0, len(cp.Attlist))
			for _, a := range cp.Attlist {
				if s := a.GetString_(); s != nil {
					names = append(names, expr.QuoteIdent(s.Sval))
				}
			}
			cols = strings.Join(names, ", ")
		}
		table := expr.QuoteIdent(cp.Relation.Relname)
		if cp.Relation.Schemaname != "" {
			table = expr.QuoteIdent(cp.Relation.Schemaname) + "." + table
		}
		query = "SELECT " + cols + " FROM " + table
	}
	stmts, err := c.sess.Parse(query)
	if err != nil {
		return err
	}
	if len(stmts) != 1 {
		return sqlstate.New(sqlstate.SyntaxError, "COPY needs exactly one query")
	}
	qctx, done := c.queryContext(ctx, query)
	defer done()
	rows, err := c.sess.Run(qctx, stmts[0], nil)
	if err != nil {
		return queryError(qctx, err)
	}
	defer rows.Close()
	cols := rows.Columns()
	if cols == nil {
		return sqlstate.New(sqlstate.FeatureNotSupported, "COPY query must return rows")
	}
	c.send(&pgproto3.CopyOutResponse{OverallFormat: 0, ColumnFormatCodes: make([]uint16, len(cols))})
	loc := c.location()
	if opts.header {
		names := make([]string, len(cols))
		for i, col := range cols {
			names[i] = col.Name
		}
		c.send(&pgproto3.CopyData{Data: []byte(copyLine(names, nil, opts))})
	}
	n := 0
	for {
		row, err := rows.Next(qctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// The client is in copy-out mode; an ErrorResponse ends it, as in PostgreSQL.
			return queryError(qctx, err)
		}
		fields := make([]string, len(row))
		nulls := make([]bool, len(row))
		for i, v := range row {
			if v == nil {
				nulls[i] = true
				continue
			}
			fields[i] = formatValueText(v, cols[i].Type, loc)
		}
		c.send(&pgproto3.CopyData{Data: []byte(copyLine(fields, nulls, opts))})
		n++
	}
	c.send(&pgproto3.CopyDone{})
	p.done = true
	p.tag = "COPY " + strconv.Itoa(n)
	c.complete(p.tag)
	return nil
}

func parseCopyOptions(nodes []*pg.Node) (copyOptions, error) {
	o := copyOptions{delimiter: "\t", null: `\N`, quote: `"`}
	delimSet, nullSet := false, false
	for _, n := range nodes {
		d := n.GetDefElem()
		if d == nil {
			continue
		}
		arg := defArg(d.Arg)
		switch d.Defname {
		case "format":
			switch strings.ToLower(arg) {
			case "csv":
				o.csv = true
			case "text":
				o.csv = false
			default:
				return o, sqlstate.New(sqlstate.FeatureNotSupported, "COPY format %q is not supported", arg).
					WithHint("use text or csv")
			}
		case "header":
			o.header = arg == "" || isTrue(arg)
		case "delimiter":
			o.delimiter, delimSet = arg, true
		case "null":
			o.null, nullSet = arg, true
		case "quote":
			o.quote = arg
		case "encoding":
		default:
			return o, sqlstate.New(sqlstate.FeatureNotSupported, "COPY option %q is not supported", d.Defname)
		}
	}
	if o.csv {
		if !delimSet {
			o.delimiter = ","
		}
		if !nullSet {
			o.null = ""
		}
	}
	if len(o.delimiter) != 1 {
		return o, sqlstate.New(sqlstate.FeatureNotSupported, "COPY delimiter must be a single one-byte character")
	}
	if o.header && !o.csv {
		// PostgreSQL 15 allows HEADER in text format too.
		return o, nil
	}
	return o, nil
}

func defArg(n *pg.Node) string {
	if n == nil {
		return ""
	}
	switch x := n.Node.(type) {
	case *pg.Node_String_:
		return x.String_.Sval
	case *pg.Node_Boolean:
		if x.Boolean.Boolval {
			return "true"
		}
		return "false"
	case *pg.Node_Integer:
		return strconv.Itoa(int(x.Integer.Ival))
	}
	return fmt.Sprint(n)
}

func isTrue(s string) bool {
	switch strings.ToLower(s) {
	case "true", "on", "1", "yes":
		return true
	}
	return false
}

// copyLine formats one COPY row with its line end.
func copyLine(fields []string, nulls []bool, o copyOptions) string {
	var sb strings.Builder
	for i, f := range fields {
		if i > 0 {
			sb.WriteString(o.delimiter)
		}
		if nulls != nil && nulls[i] {
			sb.WriteString(o.null)
			continue
		}
		if o.csv {
			if f == "" || strings.ContainsAny(f, o.delimiter+o.quote+"\r\n") || f == o.null || strings.HasPrefix(f, `\.`) {
				sb.WriteString(o.quote)
				sb.WriteString(strings.ReplaceAll(f, o.quote, o.quote+o.quote))
				sb.WriteString(o.quote)
			} else {
				sb.WriteString(f)
			}
			continue
		}
		sb.WriteString(copyTextEscape(f, o.delimiter[0]))
	}
	sb.WriteByte('\n')
	return sb.String()
}

func copyTextEscape(s string, delim byte) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch b {
		case '\\':
			sb.WriteString(`\\`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			if delim == '\t' {
				sb.WriteString(`\t`)
			} else {
				sb.WriteByte(b)
			}
		default:
			if b == delim {
				sb.WriteByte('\\')
			}
			sb.WriteByte(b)
		}
	}
	return sb.String()
}
