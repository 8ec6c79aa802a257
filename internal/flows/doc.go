// Package flows runs scheduled flows (issue 12 §3): a flow's definition and its runs live in the
// node's state store (package state); one run is one sync run of package ingest into the flow's
// lake, done under a lease so that nodes sharing a PostgreSQL store run each due flow once.
//
// How one run flows:
//
//	Service.Run(flow) → state.StartRun (lease for LeaseTTL; 55P03 when another node holds it)
//	  → ingest.Run in a context marked Background (Options.Background), while a goroutine renews
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
// Requests of a flow run are background work: Options.Background marks the run's context so a
// request scheduler can serve interactive queries first. The node's Stripe client has no request
// classes yet (internal/stripeapi's fair scheduler is being built), so the hook is the identity
// unless the caller sets it.
//
// Outcomes are counted by status through Options.OnFinish (serve wires it to the
// stripesql_flow_runs_total metric when metrics are on).
package flows
