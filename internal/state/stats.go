package state

import (
	"context"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// TableStats is what a node learned about one table of one Stripe account: how many objects it
// holds and over which span of created, so that the planner can estimate a scan's requests
// before sending any. Its fields are planner.TableStat's, keyed by account and table.
type TableStats struct {
	// Account is the Stripe account as sessions name it: "" for the API key's own account, or
	// the connected account (acct_…) a session acts as.
	Account string
	// Table is the SQL table name, e.g. charges.
	Table string
	// Rows is the number of objects counted or estimated.
	Rows int64
	// Oldest and Newest are the smallest and largest created seen, in unix seconds as Stripe
	// gives them; 0 when unknown (an empty table).
	Oldest int64
	Newest int64
	// Complete is true when Rows was counted by a scan of the whole table, false when it was
	// estimated (from probe pages' density over created).
	Complete bool
	// How says in a few words how Rows was learned, for EXPLAIN: "complete scan",
	// "5 probe pages".
	How string
	// LearnedAt is when the figures were learned. SaveStats stamps the store's time when it
	// is zero.
	LearnedAt time.Time
}

const statsColumns = `account, table_name, row_count, oldest_created, newest_created, complete, how, learned_at`

// Stats returns every table's statistics learned for account, ordered by table name; none is an
// empty slice, not an error.
func (s *Store) Stats(ctx context.Context, account string) ([]TableStats, error) {
	return s.stats(ctx, `SELECT `+statsColumns+` FROM table_stats WHERE account = $1 ORDER BY table_name`, account)
}

// AllStats returns the statistics of every account, ordered by account and table: what a node
// loads at start.
func (s *Store) AllStats(ctx context.Context) ([]TableStats, error) {
	return s.stats(ctx, `SELECT `+statsColumns+` FROM table_stats ORDER BY account, table_name`)
}

func (s *Store) stats(ctx context.Context, q string, args ...any) ([]TableStats, error) {
	rows, err := s.query(ctx, s.db, q, args...)
	if err != nil {
		return nil, s.fail(err, "read table statistics")
	}
	defer rows.Close()
	out := []TableStats{}
	for rows.Next() {
		var st TableStats
		var learned int64
		if err := rows.Scan(&st.Account, &st.Table, &st.Rows, &st.Oldest, &st.Newest,
			&st.Complete, &st.How, &learned); err != nil {
			return nil, s.fail(err, "read table statistics")
		}
		st.LearnedAt = fromMicros(learned)
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(err, "read table statistics")
	}
	return out, nil
}

// SaveStats records st, replacing what was known about the same account and table: the newest
// figures win, whether they are a complete count or an estimate, because the caller (the
// planner's Stats.Put) decides which it trusts more.
func (s *Store) SaveStats(ctx context.Context, st TableStats) error {
	switch {
	case st.Table == "":
		return sqlstate.New(sqlstate.InvalidParameterValue, "table statistics need a table")
	case st.Rows < 0:
		return sqlstate.New(sqlstate.InvalidParameterValue, "table statistics of %s cannot count %d rows", st.Table, st.Rows)
	}
	_, err := s.exec(ctx, s.db, `INSERT INTO table_stats (`+statsColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8, {now}))
		ON CONFLICT (account, table_name) DO UPDATE SET row_count = excluded.row_count,
			oldest_created = excluded.oldest_created, newest_created = excluded.newest_created,
			complete = excluded.complete, how = excluded.how, learned_at = excluded.learned_at`,
		st.Account, st.Table, st.Rows, st.Oldest, st.Newest, st.Complete, st.How, micros(st.LearnedAt))
	return s.fail(err, "save table statistics")
}

// Account is what a node knows about a Stripe account, fetched from GET /v1/account and kept:
// its creation time bounds the created range of every table, for estimates. Its fields are
// planner.AccountFacts's, plus Livemode.
type Account struct {
	// Account is the account as sessions name it: "" for the API key's own account, or the
	// connected account (acct_…) a session acts as. It is the record's key.
	Account string
	// ID is the account's id (acct_…) as Stripe gave it; empty when Stripe did not say.
	ID string
	// Created is when the account was created, in unix seconds; zero when unknown (fetching
	// failed, and FetchedAt says when, so a node does not ask on every query).
	Created int64
	// Livemode is true for a live-mode key's account.
	Livemode bool
	// FetchedAt is when the facts were fetched. SaveAccount stamps the store's time when it is
	// zero.
	FetchedAt time.Time
}

const accountColumns = `account, id, created, livemode, fetched_at`

// Account returns what is known about account (as sessions name it); ok is false when nothing
// is.
func (s *Store) Account(ctx context.Context, account string) (a Account, ok bool, err error) {
	all, err := s.accounts(ctx, `SELECT `+accountColumns+` FROM accounts WHERE account = $1`, account)
	if err != nil || len(all) == 0 {
		return Account{}, false, err
	}
	return all[0], true, nil
}

// Accounts returns what is known about every account, ordered by key: what a node loads at
// start.
func (s *Store) Accounts(ctx context.Context) ([]Account, error) {
	return s.accounts(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY account`)
}

func (s *Store) accounts(ctx context.Context, q string, args ...any) ([]Account, error) {
	rows, err := s.query(ctx, s.db, q, args...)
	if err != nil {
		return nil, s.fail(err, "read account facts")
	}
	defer rows.Close()
	out := []Account{}
	for rows.Next() {
		var a Account
		var fetched int64
		if err := rows.Scan(&a.Account, &a.ID, &a.Created, &a.Livemode, &fetched); err != nil {
			return nil, s.fail(err, "read account facts")
		}
		a.FetchedAt = fromMicros(fetched)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(err, "read account facts")
	}
	return out, nil
}

// SaveAccount records a, replacing what was known about the same account.
func (s *Store) SaveAccount(ctx context.Context, a Account) error {
	_, err := s.exec(ctx, s.db, `INSERT INTO accounts (`+accountColumns+`)
		VALUES ($1, $2, $3, $4, COALESCE($5, {now}))
		ON CONFLICT (account) DO UPDATE SET id = excluded.id, created = excluded.created,
			livemode = excluded.livemode, fetched_at = excluded.fetched_at`,
		a.Account, a.ID, a.Created, a.Livemode, micros(a.FetchedAt))
	return s.fail(err, "save account facts")
}
