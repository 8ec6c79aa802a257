package exec

import (
	"context"
	"time"

	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// createdFloor is the lower end of the created range a partitioned scan splits: the call's own
// lower bound when it has one, else the account's creation, since no object of an account is
// older than the account. The account is the one ctx acts as (stripeapi.AccountFrom); when its
// facts cannot be read (a restricted key, an old emulator) the floor is the start of 2011, before
// any Stripe object.
func (r *runner) createdFloor(ctx context.Context, lo int64) int64 {
	if lo > 0 {
		return lo
	}
	return floorOf(r.accountFacts(ctx, stripeapi.AccountFrom(ctx)))
}

// ownAccountID is the id (acct_…) of the account the API key acts as by default, for the
// stripe_account column of rows read without a Stripe-Account header; empty (a NULL column) when
// it cannot be read.
func (r *runner) ownAccountID(ctx context.Context) string {
	if f, ok := r.sess.Stats().Account(""); ok && f.ID != "" {
		return f.ID // known, perhaps without the creation time (serve reads the id at start)
	}
	return r.accountFacts(ctx, "").ID
}

// accountFacts returns what the node knows of account acct ("" for the key's own), reading GET
// /v1/account as that account once per node (counted against the statement's budget like any
// request) and keeping it in Stats. A failed read is remembered for a while so that queries do
// not keep asking.
func (r *runner) accountFacts(ctx context.Context, acct string) planner.AccountFacts {
	stats := r.sess.Stats()
	if f, ok := stats.Account(acct); ok && (f.Created > 0 || time.Since(f.FetchedAt) < accountRetry) {
		return f
	}
	f := planner.AccountFacts{FetchedAt: time.Now()}
	st := &nodeStats{}
	if err := r.beginRequest(st); err == nil {
		if obj, err := r.b.Retrieve(stripeapi.WithAccount(ctx, acct), "/v1/account", nil); err == nil {
			f.ID, _ = obj["id"].(string)
			f.Created, _ = createdOf(obj)
		}
	}
	stats.PutAccount(acct, f)
	return f
}

func floorOf(f planner.AccountFacts) int64 {
	if f.Created > 0 {
		return f.Created
	}
	return stripeEpoch
}
