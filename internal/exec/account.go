package exec

import (
	"context"
	"time"

	"github.com/stripesql/stripesql/planner"
)

// createdFloor is the lower end of the created range a partitioned scan splits: the call's own
// lower bound when it has one, else the account's creation, since no object of an account is
// older than the account. The account is read once per node (GET /v1/account, counted against
// the statement's budget like any request) and kept in Stats; when it cannot be read (a
// restricted key, an old emulator) the floor is the start of 2011, before any Stripe object, and
// the failure is remembered for a while so that queries do not keep asking.
func (r *runner) createdFloor(ctx context.Context, lo int64) int64 {
	if lo > 0 {
		return lo
	}
	stats, acct := r.sess.Stats(), r.sess.Account()
	if f, ok := stats.Account(acct); ok && (f.Created > 0 || time.Since(f.FetchedAt) < accountRetry) {
		return floorOf(f)
	}
	f := planner.AccountFacts{FetchedAt: time.Now()}
	st := &nodeStats{}
	if err := r.beginRequest(st); err == nil {
		if obj, err := r.b.Retrieve(ctx, "/v1/account", nil); err == nil {
			f.ID, _ = obj["id"].(string)
			f.Created, _ = createdOf(obj)
		}
	}
	stats.PutAccount(acct, f)
	return floorOf(f)
}

func floorOf(f planner.AccountFacts) int64 {
	if f.Created > 0 {
		return f.Created
	}
	return stripeEpoch
}
