package planner

import (
	"errors"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// Statement is one parsed SQL statement of a query string.
type Statement struct {
	text string
	// full is the whole query string the statement came from: node locations count from its start.
	full string
	node *pg.Node
	kind string
}

// Parse splits a query string into its statements with PostgreSQL's own grammar. An empty string
// (or only comments and semicolons) gives no statements. A syntax error is 42601 with the 1-based
// character position PostgreSQL would report.
func Parse(sql string) ([]*Statement, error) {
	res, err := pg.Parse(sql)
	if err != nil {
		if st, ok := parseExplainCall(sql); ok { // EXPLAIN CALL, beyond PostgreSQL's grammar (write.go)
			return []*Statement{st}, nil
		}
		return nil, syntaxError(sql, err)
	}
	out := make([]*Statement, 0, len(res.Stmts))
	for _, raw := range res.Stmts {
		if raw.Stmt == nil {
			continue
		}
		start := int(raw.StmtLocation)
		end := len(sql)
		if raw.StmtLen > 0 {
			end = start + int(raw.StmtLen)
		}
		if start < 0 || start > len(sql) || end > len(sql) || end < start {
			start, end = 0, len(sql)
		}
		text := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(sql[start:end]), ";"))
		out = append(out, &Statement{text: text, full: sql, node: raw.Stmt, kind: kindOf(raw.Stmt)})
	}
	return out, nil
}

func syntaxError(sql string, err error) error {
	var pe *pgparser.Error
	if errors.As(err, &pe) {
		e := sqlstate.New(sqlstate.SyntaxError, "%s", pe.Message)
		if pe.Cursorpos > 0 {
			// PostgreSQL's scanner already counts characters, 1-based.
			e = e.WithPosition(pe.Cursorpos)
		}
		return e
	}
	return sqlstate.New(sqlstate.SyntaxError, "%s", err.Error())
}

// Text returns the statement's own SQL text, without the separating semicolon.
func (s *Statement) Text() string { return s.text }

// Kind returns the statement's command word: "SELECT", "INSERT", "UPDATE", "DELETE", "SET",
// "SHOW", "RESET", "EXPLAIN", "CALL", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE",
// "DECLARE CURSOR", "FETCH", "MOVE", "CLOSE CURSOR", or the upper-cased first word of other
// statements. Front ends use it for command tags and to tell queries that return rows from those
// that do not.
func (s *Statement) Kind() string { return s.kind }

func kindOf(n *pg.Node) string {
	switch x := n.Node.(type) {
	case *pg.Node_SelectStmt:
		return "SELECT"
	case *pg.Node_InsertStmt:
		return "INSERT"
	case *pg.Node_UpdateStmt:
		return "UPDATE"
	case *pg.Node_DeleteStmt:
		return "DELETE"
	case *pg.Node_CallStmt:
		return "CALL"
	case *pg.Node_ExplainStmt:
		return "EXPLAIN"
	case *pg.Node_VariableShowStmt:
		return "SHOW"
	case *pg.Node_VariableSetStmt:
		switch x.VariableSetStmt.Kind {
		case pg.VariableSetKind_VAR_RESET, pg.VariableSetKind_VAR_RESET_ALL:
			return "RESET"
		}
		return "SET"
	case *pg.Node_TransactionStmt:
		switch x.TransactionStmt.Kind {
		case pg.TransactionStmtKind_TRANS_STMT_BEGIN:
			return "BEGIN"
		case pg.TransactionStmtKind_TRANS_STMT_START:
			return "START TRANSACTION"
		case pg.TransactionStmtKind_TRANS_STMT_COMMIT:
			return "COMMIT"
		case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK, pg.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
			return "ROLLBACK"
		case pg.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
			return "SAVEPOINT"
		case pg.TransactionStmtKind_TRANS_STMT_RELEASE:
			return "RELEASE"
		case pg.TransactionStmtKind_TRANS_STMT_PREPARE:
			return "PREPARE TRANSACTION"
		}
		return "COMMIT"
	case *pg.Node_DeallocateStmt:
		return "DEALLOCATE"
	case *pg.Node_DiscardStmt:
		return "DISCARD"
	case *pg.Node_ListenStmt:
		return "LISTEN"
	case *pg.Node_CreateStmt:
		return "CREATE TABLE"
	case *pg.Node_DeclareCursorStmt:
		return "DECLARE CURSOR"
	case *pg.Node_FetchStmt:
		if x.FetchStmt.Ismove {
			return "MOVE"
		}
		return "FETCH"
	case *pg.Node_ClosePortalStmt:
		return "CLOSE CURSOR"
	}
	return "UNKNOWN"
}
