package planner

import (
	"context"
	"strings"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
)

// Flows is the node's flows as SQL sees them: the rows of the stripesql schema's tables
// (stripesql.flows, stripesql.flow_runs), the procedures answered by the state store (CreateFlow,
// RunFlow) and the changes UPDATE and DELETE make to stripesql.flows. Package flows implements it
// over the node's state store and its run service; the front ends (server, driver) hand it to
// every session through SessionConfig.Flows. The planner only holds it; the executor calls it.
// Values are in the representations of package sqltypes, rows in the tables' column order.
type Flows interface {
	// Rows returns every row of the state table called table (catalog.FlowsTable or
	// catalog.FlowRunsTable).
	Rows(ctx context.Context, table string) ([][]any, error)
	// Call runs the state procedure called procedure with its bound arguments, keyed by the
	// parameter's lower-case name (an argument not given is absent), and returns its one row,
	// in the columns of the procedure's result.
	Call(ctx context.Context, procedure string, args map[string]any) ([]any, error)
	// Update sets columns of the flow called name (keys are catalog.FlowUpdatable columns).
	Update(ctx context.Context, name string, set map[string]any) error
	// Delete deletes the flow called name and its runs.
	Delete(ctx context.Context, name string) error
}

// Flows returns the session's flows, or 55000 with a hint when the node has no state store.
func (s *Session) Flows() (Flows, error) {
	if s.cfg.Flows == nil {
		return nil, ErrNoFlows()
	}
	return s.cfg.Flows, nil
}

// ErrNoFlows is the error of a flows table or procedure used where no state store is configured.
func ErrNoFlows() *sqlstate.Error {
	return sqlstate.New(sqlstate.ObjectNotInPrerequisiteState, "flows need the node's state store, and this session has none").
		WithDetail("stripesql.flows, stripesql.flow_runs, CreateFlow and RunFlow live in the state store of stripesql serve").
		WithHint("connect to stripesql serve, which keeps one in --data-dir DIR (by default ~/.local/state/stripesql) or in --state postgres://…; or use stripesql flow create|list|run with --data-dir")
}

// StateWriteDenied refuses a change of the node's flows to a read-only session or user: they may
// read stripesql.flows and stripesql.flow_runs, not change them or run flows (42501).
func StateWriteDenied(what string) *sqlstate.Error {
	return sqlstate.New(sqlstate.InsufficientPrivilege, "permission denied to %s", what).
		WithDetail("this session is read-only: it may read %s.%s and %s.%s but not change flows or run them",
			catalog.StateSchema, catalog.FlowsTable, catalog.StateSchema, catalog.FlowRunsTable).
		WithHint("connect as a user that is not read-only; nothing was changed")
}

// stateLines are EXPLAIN's lines for a write of the state store: what it changes, and for UPDATE
// and DELETE the read that finds the flows.
func stateLines(sess *Session, w *WritePlan, _ *expr.Env) []string {
	switch w.Op {
	case OpCall:
		line := "  State store: " + w.Proc.Description
		return []string{line}
	case OpUpdate:
		var sets []string
		for _, s := range w.Sets {
			sets = append(sets, s.Name+" = "+s.Value.String())
		}
		lines := []string{"  State store: sets " + strings.Join(sets, ", ") + " of each flow found by the read below"}
		return append(lines, subLines(sess, w.Find)...)
	}
	lines := []string{"  State store: deletes each flow found by the read below, with its runs"}
	return append(lines, subLines(sess, w.Find)...)
}

// stateReadOnlyTable refuses UPDATE or DELETE of a state table that only the store writes
// (stripesql.flow_runs).
func stateReadOnlyTable(t *catalog.Table, what string) *sqlstate.Error {
	return sqlstate.New(sqlstate.FeatureNotSupported, "cannot %s %s.%s", what, t.Schema, t.Name).
		WithDetail("runs are recorded by the node that runs them").
		WithHint("DELETE FROM %s.%s WHERE name = … deletes a flow with its runs", catalog.StateSchema, catalog.FlowsTable)
}
