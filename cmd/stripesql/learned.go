package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/stripesql/stripesql/internal/state"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// accountRecheck is how long a key's failure to read its account is remembered before a start
// asks again.
const accountRecheck = 24 * time.Hour

// storeTimeout bounds one read or write of the state store made on behalf of a query, so that a
// slow store never holds a query up for long; what it fails to save is learned again.
const storeTimeout = 2 * time.Second

// keepLearned connects the node's statistics to its state store: what earlier runs of any node
// sharing the store learned about the key's account is loaded now, and what this node learns is
// saved as it is learned.
//
// Sessions name the key's own account "" (planner.Stats), but a store may be shared by nodes with
// different keys, so the store keys it by the account's real id, found once with GET
// /v1/account and remembered in the store under a fingerprint of the key (a SHA-256 prefix: the
// key itself is never stored). When the account cannot be read (a restricted key without that
// permission, Stripe unreachable at start) the fingerprint itself is the account's name in the
// store, which keeps figures of different keys apart all the same.
func keepLearned(ctx context.Context, store *state.Store, stats *planner.Stats, client stripeapi.Backend, key string, stderr io.Writer) error {
	own, facts := ownAccount(ctx, store, client, key)
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	all, err := store.AllStats(lctx)
	if err != nil {
		return err
	}
	for _, s := range all {
		name := s.Account
		switch {
		case name == own:
			name = ""
		case !strings.HasPrefix(name, "acct_"):
			continue // another key's account
		}
		stats.Load(name, s.Table, planner.TableStat{Rows: s.Rows, Oldest: s.Oldest, Newest: s.Newest,
			Complete: s.Complete, How: s.How, LearnedAt: s.LearnedAt})
	}
	if facts != nil {
		stats.LoadAccount("", *facts)
	}
	w := &learnWriter{store: store, own: own, stderr: stderr}
	stats.OnLearn(w.table, w.account)
	return nil
}

// keyFingerprint names a key in the store without revealing it.
func keyFingerprint(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "key_" + hex.EncodeToString(sum[:8])
}

// ownAccount returns the store's name for the key's own account and its facts, if known: from the
// store when an earlier run found them, else from one GET /v1/account (saved for the next run).
func ownAccount(ctx context.Context, store *state.Store, client stripeapi.Backend, key string) (string, *planner.AccountFacts) {
	fp := keyFingerprint(key)
	sctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	if a, ok, err := store.Account(sctx, fp); err == nil && ok {
		if a.ID != "" {
			return a.ID, &planner.AccountFacts{ID: a.ID, Created: a.Created, FetchedAt: a.FetchedAt}
		}
		if time.Since(a.FetchedAt) < accountRecheck {
			return fp, nil // the key could not read its account lately: do not ask at every start
		}
	}
	rctx, cancel2 := context.WithTimeout(ctx, 15*time.Second)
	defer cancel2()
	obj, err := client.Retrieve(rctx, "/v1/account", nil)
	id, _ := obj["id"].(string)
	if err != nil || !strings.HasPrefix(id, "acct_") {
		_ = store.SaveAccount(sctx, state.Account{Account: fp, FetchedAt: time.Now()})
		return fp, nil
	}
	f := planner.AccountFacts{ID: id, FetchedAt: time.Now()}
	if c, ok := obj["created"].(interface{ Int64() (int64, error) }); ok {
		f.Created, _ = c.Int64()
	}
	live, _ := obj["livemode"].(bool)
	_ = store.SaveAccount(sctx, state.Account{Account: fp, ID: id, Created: f.Created, Livemode: live, FetchedAt: f.FetchedAt})
	_ = store.SaveAccount(sctx, state.Account{Account: id, ID: id, Created: f.Created, Livemode: live, FetchedAt: f.FetchedAt})
	return id, &f
}

// learnWriter saves what the node learns, naming the key's own account by its store name. A
// failing store is reported once on stderr; queries go on, and the figures are learned again.
type learnWriter struct {
	store  *state.Store
	own    string
	stderr io.Writer
	once   sync.Once
}

func (w *learnWriter) name(account string) string {
	if account == "" {
		return w.own
	}
	return account
}

func (w *learnWriter) table(account, table string, s planner.TableStat) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	w.report(w.store.SaveStats(ctx, state.TableStats{Account: w.name(account), Table: table, Rows: s.Rows,
		Oldest: s.Oldest, Newest: s.Newest, Complete: s.Complete, How: s.How, LearnedAt: s.LearnedAt}))
}

func (w *learnWriter) account(account string, f planner.AccountFacts) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	w.report(w.store.SaveAccount(ctx, state.Account{Account: w.name(account), ID: f.ID, Created: f.Created, FetchedAt: f.FetchedAt}))
}

func (w *learnWriter) report(err error) {
	if err == nil {
		return
	}
	w.once.Do(func() {
		fmt.Fprintf(w.stderr, "stripesql: could not save what was learned in the state store %s: %v (queries go on; it is learned again)\n", w.store.Location(), err)
	})
}
