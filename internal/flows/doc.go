// Package flows runs scheduled flows (issue 12 §3): a flow's definition and its runs live in the
// node's state store (package state); one run is one sync run of package ingest into the flow's
// lake, done under a lease so that nodes sharing a PostgreSQL store run each due flow once.
//
// How one run flows:
//
//	Service.Run(flow) → state.StartRun (lease for LeaseTTL; 55P03 when another node holds it)
//	  → ingest.Run as the Scheduler's Background flow "flow/NAME", while a goroutine renews
//	    the lease every LeaseTTL/3 and stops the run if the lease is lost
//	  → state.RecordProgress as each table finishes (a node that takes over sees how far it got)
//	  → state.FinishRun with each table's inserted/updated/deleted rows, requests and error:
//	    succeeded, partial (some tables failed, the others committed) or failed
//
// How the scheduler flows:
//
//	Service.Tick(now) → state.ExpiredRuns → TakeOverRun and resume each (the run of a node that
//	  died: the lake's manifest holds what it committed, so the resumed ingest.Run copies the rest
//	  and nothing twice) → state.DueFlows(now) → Run each due flow once
//	Service.Loop ticks every Options.Every until its context ends, and waits for the running run.
//
// Requests of a flow run are background work: the run's context carries a stripeapi.Flow of class
// Background, which the statements ingest runs keep (internal/exec), so the node's Scheduler
// serves interactive queries first and gives a run the slots they leave.
//
// The SQL side (sql.go): SQL implements planner.Flows over the store and a Service, and the front
// ends hand it to every session (serve through server.Config.Flows, stripesql query through
// driver.Config.Flows):
//
//	SELECT … FROM stripesql.flows | stripesql.flow_runs → exec (state.go) → SQL.Rows → state.Flows/Runs
//	CALL CreateFlow(…) → procedures.Bind → SQL.Call → Spec, ParseFrequency, CheckSpec → state.CreateFlow
//	CALL RunFlow('f') → SQL.Call → Service.Run (the same run as `stripesql flow run`)
//	UPDATE / DELETE stripesql.flows WHERE … → the rows WHERE matches → SQL.Update / SQL.Delete by name
//
// Spec, ParseFrequency and CheckSpec are shared with `stripesql flow create|update`, so both refuse
// the same flows with the same errors (a table sync cannot copy is 42P01).
//
// Outcomes are counted by status through Options.OnFinish (serve wires it to the
// stripesql_flow_runs_total metric when metrics are on).
package flows
