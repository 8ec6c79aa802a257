package state

import (
	"context"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// TableStats is what a node learned about one table of one Stripe account: how many objects it
// holds and over which span of created, so that the planner can estimate a scan's requests
// before sending any.
type TableStats struct {
	// Account is the Stripe account the table belongs to (acct_…).
	Account string
	// Table is the SQL table name, e.g. charges.
	Table string
	// Rows is the number of objects counted or estimated.
	Rows int64
	// OldestCreated and NewestCreated are the smallest and largest created seen, in unix
	// seconds as Stripe gives them; 0 when unknown (an empty table).
	OldestCreated int64
	NewestCreated int64
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

// Stats returns every table's statistics learned for account, ordered by table name; none is an
// empty slice, not an error.
func (s *Store) Stats(ctx context.Context, account string) ([]TableStats, error) {
	rows, err := s.query(ctx, s.db, `SELECT account, table_name, row_count, oldest_created, newest_created,
		complete, how, learned_at FROM table_stats WHERE account = $1 ORDER BY table_name`, account)
	if err != nil {
		return nil, s.fail(err, "read table statistics")
	}
	defer rows.Close()
	out := []TableStats{}
	for rows.Next() {
		var st TableStats
		var learned int64
		if err := rows.Scan(&st.Account, &st.Table, &st.Rows, &st.OldestCreated, &st.NewestCreated,
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
// figures win, whether they are a complete count or an estimate, because the caller decides which
// it trusts more.
func (s *Store) SaveStats(ctx context.Context, st TableStats) error {
	switch {
	case st.Account == "" || st.Table == "":
		return sqlstate.New(sqlstate.InvalidParameterValue, "table statistics need an account and a table")
	case st.Rows < 0:
		return sqlstate.New(sqlstate.InvalidParameterValue, "table statistics of %s cannot count %d rows", st.Table, st.Rows)
	}
	_, err := s.exec(ctx, s.db, `INSERT INTO table_stats (account, table_name, row_count, oldest_created,
			newest_created, complete, how, learned_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8, {now}))
		ON CONFLICT (account, table_name) DO UPDATE SET row_count = excluded.row_count,
			oldest_created = excluded.oldest_created, newest_created = excluded.newest_created,
			complete = excluded.complete, how = excluded.how, learned_at = excluded.learned_at`,
		st.Account, st.Table, st.Rows, st.OldestCreated, st.NewestCreated, st.Complete, st.How, micros(st.LearnedAt))
	return s.fail(err, "save table statistics")
}

// Account is what a node knows about a Stripe account, fetched once from GET /v1/account and kept:
// its creation time bounds the created range of every table, for estimates.
type Account struct {
	// ID is the account id, acct_….
	ID string
	// Created is when the account was created, in unix seconds.
	Created int64
	// Livemode is true for a live-mode key's account.
	Livemode bool
	// FetchedAt is when the facts were fetched. SaveAccount stamps the store's time when it is
	// zero.
	FetchedAt time.Time
}

// Account returns what is known about the account id; ok is false when nothing is.
func (s *Store) Account(ctx context.Context, id string) (a Account, ok bool, err error) {
	rows, err := s.query(ctx, s.db, `SELECT id, created, livemode, fetched_at FROM accounts WHERE id = $1`, id)
	if err != nil {
		return Account{}, false, s.fail(err, "read account facts")
	}
	defer rows.Close()
	if !rows.Next() {
		return Account{}, false, s.fail(rows.Err(), "read account facts")
	}
	var fetched int64
	if err := rows.Scan(&a.ID, &a.Created, &a.Livemode, &fetched); err != nil {
		return Account{}, false, s.fail(err, "read account facts")
	}
	a.FetchedAt = fromMicros(fetched)
	return a, true, nil
}

// SaveAccount records a, replacing what was known about the same account.
func (s *Store) SaveAccount(ctx context.Context, a Account) error {
	if a.ID == "" {
		return sqlstate.New(sqlstate.InvalidParameterValue, "account facts need an account id")
	}
	_, err := s.exec(ctx, s.db, `INSERT INTO accounts (id, created, livemode, fetched_at)
		VALUES ($1, $2, $3, COALESCE($4, {now}))
		ON CONFLICT (id) DO UPDATE SET created = excluded.created, livemode = excluded.livemode,
			fetched_at = excluded.fetched_at`,
		a.ID, a.Created, a.Livemode, micros(a.FetchedAt))
	return s.fail(err, "save account facts")
}
