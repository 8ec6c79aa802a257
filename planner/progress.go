package planner

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// String is the progress report both front ends print (the server as a NOTICE after
// "stripesql: ", the CLI as its progress line), so a user sees the same figures in psql and in a
// terminal:
//
//	2400 rows read from stripe, 0 returned, 24 of about 60 stripe requests, 9 s, about 6 s left
//	6100 rows read from stripe, 0 returned, 61 stripe requests, 10 s, more than the 60 estimated: end unknown (stops at stripesql.max_requests = 1000)
//	accounts 12 of 40, 3400 rows read from stripe, 0 returned, 52 of about 160 stripe requests, 9 s, about 18 s left
//
// "Rows read" grows while an aggregate reads; "of about N" is the re-estimated total, not the
// planner's first guess; no time is promised once a scan has outgrown every estimate, and "0 s
// left" is never printed while requests remain.
func (ev ProgressEvent) String() string {
	var b strings.Builder
	if ev.Accounts > 1 {
		// A fan-out: accounts 12 of 40 (1 skipped), 3,400 rows read from stripe, …
		fmt.Fprintf(&b, "accounts %d of %d", ev.AccountsDone, ev.Accounts)
		if ev.AccountsSkipped > 0 {
			fmt.Fprintf(&b, " (%d skipped)", ev.AccountsSkipped)
		}
		b.WriteString(", ")
	}
	fmt.Fprintf(&b, "%d rows read from stripe, %d returned, ", ev.Scanned, ev.Rows)
	left := math.Ceil(ev.RequestsLeft)
	switch {
	case ev.Exceeded || left <= 0:
		fmt.Fprintf(&b, "%d stripe requests", ev.Requests)
	default:
		fmt.Fprintf(&b, "%d of about %.0f stripe requests", ev.Requests, float64(ev.Requests)+left)
	}
	fmt.Fprintf(&b, ", %.0f s", ev.Elapsed.Seconds())
	switch {
	case ev.Exceeded:
		fmt.Fprintf(&b, ", more than the %.0f estimated: end unknown", math.Ceil(ev.EstimatedRequests))
		if ev.MaxRequests > 0 {
			fmt.Fprintf(&b, " (stops at stripesql.max_requests = %d)", ev.MaxRequests)
		}
	case left <= 0:
	case ev.SecondsLeft < 1:
		b.WriteString(", less than 1 s left")
	default:
		fmt.Fprintf(&b, ", about %.0f s left", ev.SecondsLeft)
	}
	return b.String()
}

// After is the event as it stands d later with no news: elapsed grows and the seconds left count
// down (to zero at most: String then says "less than 1 s left" while requests remain). The CLI
// redraws its line between the executor's events with it.
func (ev ProgressEvent) After(d time.Duration) ProgressEvent {
	if d <= 0 {
		return ev
	}
	ev.Elapsed += d
	ev.SecondsLeft = math.Max(ev.SecondsLeft-d.Seconds(), 0)
	return ev
}
