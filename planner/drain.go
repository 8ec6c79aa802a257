package planner

// markDrained sets Scan.Drained on every scan under n. A scan is drained when the plan reads it
// to its end whatever its consumer reads: under an aggregate, a sort, a window, the build side of
// a join, a set operation that must see all of a side, a CTE or an init plan, or in a write. The
// other scans stream: their rows reach the client as pages arrive, so a client that stops after
// 20 rows (JDBC setMaxRows, FETCH 20, a preview) has cost one page. The budget treats the two
// apart (checkBudget): a drained scan is charged its whole estimate before anything is sent, a
// streaming one its first page, and the executor holds it to the budget as it reads.
func markDrained(n Node, drained bool) {
	switch x := n.(type) {
	case nil:
	case *Scan:
		x.Drained = drained
	case *Aggregate:
		markDrained(x.Input, true)
	case *Sort:
		markDrained(x.Input, true)
	case *Window:
		markDrained(x.Input, true)
	case *Join:
		markDrained(x.Left, drained)
		markDrained(x.Right, true) // read whole first, or per key for every left row
	case *SetOp:
		if x.Op == "UNION" {
			markDrained(x.Left, drained)
			markDrained(x.Right, drained)
			break
		}
		markDrained(x.Left, true)
		markDrained(x.Right, true)
	case *planGroup:
		for i, c := range x.nodes {
			markDrained(c, drained || i > 0) // init plans and CTEs run to their end
		}
	default:
		for _, c := range n.Inputs() {
			markDrained(c, drained)
		}
	}
}

// planCharge is what the budget counts for a scan before the statement runs. A drained scan of a
// table of known size costs its estimate. A streaming scan without a pushed LIMIT costs its first
// page per call: its consumer may stop there, and the executor refuses it as soon as a consumer
// that reads everything asks for more than the budget allows. A scan of a table whose size is
// unknown costs its first page per call too: the executor measures the table with the pages it
// reads first and refuses then, after a handful of requests, instead of refusing on a guess.
func planCharge(s *Scan) float64 {
	if s.Access != AccessList || s.PerKey {
		return s.Requests
	}
	calls := float64(max(len(s.Calls), 1, int(s.PendingAccounts)))
	if !s.Drained && s.Limit == 0 {
		return min(s.Requests, calls)
	}
	if s.Source == SourceUnknown {
		return min(s.Requests, max(calls, s.MeasuredCharge))
	}
	return s.Requests
}
