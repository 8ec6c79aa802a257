package procedures

import (
	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// The flows' procedures (issue 12 §3) are answered by the node's state store, not by Stripe: they
// are State procedures, which send no request of their own (RunFlow's sync run sends its own, as
// the node's background work) and which the executor runs through the session's flows
// (planner.Flows, implemented by package flows). Their rows are rows of the stripesql tables:
// CreateFlow returns the new flow as stripesql.flows shows it, RunFlow the finished run as
// stripesql.flow_runs does.
const (
	CreateFlowName = "CreateFlow"
	RunFlowName    = "RunFlow"
)

// stateProcedures returns CreateFlow and RunFlow.
func stateProcedures() []*Procedure {
	var flowCols, runCols []Column
	for _, t := range catalog.FlowTables() {
		for _, c := range t.Columns {
			col := Column{Name: c.Name, Type: c.Type}
			if t.Name == catalog.FlowsTable {
				flowCols = append(flowCols, col)
			} else {
				runCols = append(runCols, col)
			}
		}
	}
	prm := func(name string, t sqltypes.Type, required bool, desc string) Param {
		return Param{Name: name, Type: t, Required: required, Description: desc}
	}
	return []*Procedure{
		{
			Name: CreateFlowName, Origin: "stripesql flow create", Resource: "Flow", State: true, Mutating: true,
			Description: "creates a flow in the node's state store: a scheduled, incremental copy of Stripe tables (or mapping queries) into a Parquet lake",
			Params: []Param{
				prm("name", sqltypes.Text, true, "the flow's name, unique in the state store"),
				prm("tables", sqltypes.Text, false, "Stripe tables to copy, comma-separated, or all (charges,customers)"),
				prm("target", sqltypes.Text, false, "the lake's directory (required; optional here only so that tables may be left out when queries are given)"),
				prm("frequency", sqltypes.Text, false, "once, minute, hour, day or week (default hour)"),
				prm("interval", sqltypes.Int4, false, "frequency units between runs, at least 1 (default 1); interval is a keyword, so name it \"interval\" => n"),
				prm("start_time", sqltypes.Timestamptz, false, "the first run (default now)"),
				prm("enabled", sqltypes.Bool, false, "run when due (default true); a disabled flow runs only by CALL RunFlow"),
				prm("queries", sqltypes.JSONB, false, "mapping queries written as lake tables: {\"customer_dim\": \"SELECT id, email FROM customers\"}"),
			},
			Result: ResultShape{Columns: flowCols},
		},
		{
			Name: RunFlowName, Origin: "stripesql flow run", Resource: "Flow", State: true, Mutating: true,
			Description: "runs a flow now, whatever its schedule, exactly once under its lease, as the node's background work; returns the finished run",
			Params:      []Param{prm("name", sqltypes.Text, true, "the flow to run")},
			Result:      ResultShape{Columns: runCols},
		},
	}
}
