package catalog

import "github.com/stripesql/stripesql/internal/sqltypes"

// The stripesql schema holds the tables the node keeps in its state store rather than reads from
// Stripe: stripesql.flows (the flows' definitions, with when each runs next and how its last run
// ended) and stripesql.flow_runs (every run, with its figures per lake table). Their rows are the
// state store's (package state), read when a statement runs through the session's flows
// (planner.Flows, which package flows implements over the store and its run service), and
// UPDATE and DELETE of stripesql.flows change the store. They are tables like any other to
// SELECT, \dt stripesql.* and information_schema.
const (
	// StateSchema is the schema of the tables kept in the node's state store.
	StateSchema = "stripesql"
	// FlowsTable and FlowRunsTable are the names of the two tables of StateSchema.
	FlowsTable    = "flows"
	FlowRunsTable = "flow_runs"
)

// NamespaceStripesql is the OID of StateSchema in pg_namespace.
var NamespaceStripesql = StableOID("namespace " + StateSchema)

// FlowUpdatable lists the columns of stripesql.flows that UPDATE may set, in the order they are
// listed in hints: what a flow copies, where to, and when. name, created, updated and the columns
// computed from the runs are not.
var FlowUpdatable = []string{"tables", "queries", "target", "frequency", "interval", "start_time", "enabled"}

// FlowTables returns stripesql.flows and stripesql.flow_runs. Their rows come from the state store
// when a statement runs (State is set; Rows is nil).
func FlowTables() []*Table {
	col := func(name string, t sqltypes.Type, desc string) Column {
		return Column{Name: name, Type: t, Description: desc}
	}
	flows := &Table{Schema: StateSchema, Name: FlowsTable, State: true,
		Description: "flows: scheduled, incremental copies of Stripe tables into a Parquet lake (CALL CreateFlow adds one; UPDATE and DELETE change them)",
		Columns: []Column{
			col("name", sqltypes.Text, "the flow's name, unique on the node's state store"),
			col("tables", sqltypes.Text, "the Stripe tables it copies, comma-separated, or all; NULL when it copies mapping queries only"),
			col("queries", sqltypes.JSONB, "its mapping queries, {\"lake_table\": \"SELECT …\"}; NULL when it has none"),
			col("target", sqltypes.Text, "the lake's directory"),
			col("frequency", sqltypes.Text, "once, minute, hour, day or week"),
			col("interval", sqltypes.Int4, "frequency units between runs, at least 1"),
			col("start_time", sqltypes.Timestamptz, "the first scheduled run"),
			col("enabled", sqltypes.Bool, "whether stripesql serve runs it when due (a disabled flow runs only by CALL RunFlow)"),
			col("created", sqltypes.Timestamptz, "when the flow was created"),
			col("updated", sqltypes.Timestamptz, "when the flow was last changed"),
			col("next_run", sqltypes.Timestamptz, "when it is next due; NULL when disabled or when a once flow has run"),
			col("last_run", sqltypes.Int8, "the id of its newest run in stripesql.flow_runs"),
			col("last_status", sqltypes.Text, "how its newest run stands: running, succeeded, partial or failed"),
			col("last_started", sqltypes.Timestamptz, "when its newest run started"),
			col("last_ended", sqltypes.Timestamptz, "when its newest run ended"),
		},
		Update: &WriteSpec{},
		Delete: &DeleteSpec{},
	}
	for _, name := range FlowUpdatable {
		c, _, _ := flows.Column(name)
		flows.Update.Params = append(flows.Update.Params, WriteParam{Name: name, Type: c.Type})
	}
	runs := &Table{Schema: StateSchema, Name: FlowRunsTable, State: true,
		Description: "flow runs, newest first per flow: their node, times, status and rows inserted, updated and deleted per lake table",
		Columns: []Column{
			col("id", sqltypes.Int8, "the run's id"),
			col("flow", sqltypes.Text, "the flow it ran"),
			col("node", sqltypes.Text, "the node that holds (or last held) its lease"),
			col("started", sqltypes.Timestamptz, "when it started"),
			col("ended", sqltypes.Timestamptz, "when it ended; NULL while it runs"),
			col("status", sqltypes.Text, "running, succeeded, partial (some tables failed, the others committed) or failed"),
			col("lease_expires", sqltypes.Timestamptz, "when its lease ends unless renewed; NULL once it ended"),
			col("tables", sqltypes.JSONB, "per lake table: {\"charges\": {\"inserted\": 3, \"updated\": 1, \"deleted\": 0, \"requests\": 2, \"error\": …}}"),
			col("inserted", sqltypes.Int8, "rows inserted into the lake, all tables together"),
			col("updated", sqltypes.Int8, "rows updated in the lake, all tables together"),
			col("deleted", sqltypes.Int8, "rows deleted from the lake, all tables together"),
			col("requests", sqltypes.Int8, "Stripe requests the run sent, the shared events read included"),
			col("error", sqltypes.Text, "why it failed, or which tables failed in a partial run; NULL when none"),
		},
	}
	return []*Table{flows, runs}
}
