package planner

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stripesql/stripesql/catalog"
)

// TableStat is what a node knows about one table of one Stripe account: how many objects it
// holds and over which span of `created` they lie. A complete scan counts them exactly; the probe
// pages of a partitioned scan (package exec) estimate them from their density.
type TableStat struct {
	// Rows is the number of objects: counted when Complete, else estimated.
	Rows int64
	// Oldest and Newest are the created times (Unix seconds) of the oldest and newest object seen;
	// zero when unknown. Their span gives the table's density, which estimates created ranges and
	// the growth since LearnedAt.
	Oldest, Newest int64
	// Complete is true when a scan of the whole table counted Rows.
	Complete bool
	// How says how the figure was obtained, for EXPLAIN and errors ("complete scan", "4 probe pages").
	How string
	// LearnedAt is when the figure was obtained.
	LearnedAt time.Time
}

// density is the stat's objects per second of created time, and whether it is known.
func (s TableStat) density() (float64, bool) {
	if s.Rows <= 0 || s.Oldest <= 0 || s.Newest < s.Oldest {
		return 0, false
	}
	return float64(s.Rows) / float64(s.Newest-s.Oldest+1), true
}

// RowsAt estimates the table's rows at time now: Rows plus the growth since LearnedAt at the
// table's density, since objects keep being created after a table was counted.
func (s TableStat) RowsAt(now time.Time) float64 {
	rows := float64(s.Rows)
	if d, ok := s.density(); ok && !s.LearnedAt.IsZero() && now.After(s.LearnedAt) {
		rows += math.Floor(d * now.Sub(s.LearnedAt).Seconds()) // whole objects: a fraction is none
	}
	return rows
}

// RangeRows estimates the rows created in [lo, hi) (Unix seconds; 0 for an open side) at time
// now: the overlap of the range with the span the stat covers, at its density, plus growth since
// LearnedAt where the range reaches past Newest. ok is false when the stat has no span.
func (s TableStat) RangeRows(lo, hi int64, now time.Time) (float64, bool) {
	d, ok := s.density()
	if !ok {
		return 0, false
	}
	end := max(now.Unix()+1, s.Newest+1)
	if lo <= 0 || lo < s.Oldest {
		lo = s.Oldest
	}
	if hi <= 0 || hi > end {
		hi = end
	}
	if hi <= lo {
		return 0, true
	}
	return d * float64(hi-lo), true
}

// Describe renders where the figure came from, for EXPLAIN and 54000 details:
// "counted by a complete scan 3 h ago", "estimated from 4 probe pages 2 min ago".
func (s TableStat) Describe(now time.Time) string {
	how := s.How
	if how == "" {
		how = "an earlier scan"
	}
	verb := "estimated from " + how
	if s.Complete {
		verb = "counted by " + how
	}
	if s.LearnedAt.IsZero() {
		return verb
	}
	return verb + " " + ago(now.Sub(s.LearnedAt))
}

// ago renders a duration as "just now", "5 s ago", "3 min ago", "2 h ago", "4 days ago".
func ago(d time.Duration) string {
	switch {
	case d < time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%d s ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(math.Round(d.Hours()/24)))
}

// AccountFacts is what a node knows about a Stripe account itself.
type AccountFacts struct {
	// ID is the account's id (acct_…), empty when Stripe did not say.
	ID string
	// Created is when the account was created (Unix seconds); no object of the account is older,
	// so it bounds the created range a scan of an unknown table must cover. Zero when unknown.
	Created int64
	// FetchedAt is when the facts were read (or, when Created is zero, when reading them failed,
	// so that a node does not ask on every query).
	FetchedAt time.Time
}

// Stats holds what the node has learned about table sizes and accounts, shared by every session
// of the node and safe for concurrent use. The planner reads it to estimate requests; the
// executor writes it when a complete scan ends or probe pages have measured a table. Accounts are
// keyed as sessions name them: "" is the API key's own account.
type Stats struct {
	mu       sync.Mutex
	tables   map[statKey]TableStat
	accounts map[string]AccountFacts
	onTable  func(account, table string, s TableStat)
	onAcct   func(account string, f AccountFacts)
}

type statKey struct{ account, table string }

// NewStats returns empty statistics.
func NewStats() *Stats {
	return &Stats{tables: map[statKey]TableStat{}, accounts: map[string]AccountFacts{}}
}

// OnLearn sets the functions called (outside the lock) whenever a table stat or account facts are
// learned, so a node can persist them; nil functions are skipped. Loading (Load, LoadAccount)
// does not call them.
func (st *Stats) OnLearn(table func(account, table string, s TableStat), account func(account string, f AccountFacts)) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.onTable, st.onAcct = table, account
}

// Load records a table stat read from the node's store, without calling the OnLearn functions.
func (st *Stats) Load(account, table string, s TableStat) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.tables[statKey{account, table}] = s
}

// LoadAccount records account facts read from the node's store, without calling OnLearn.
func (st *Stats) LoadAccount(account string, f AccountFacts) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.accounts[account] = f
}

// Put records a newly learned table stat. An estimate never replaces a count made after it: a
// probe of a filtered range must not undo what a complete scan established.
func (st *Stats) Put(account, table string, s TableStat) {
	if st == nil {
		return
	}
	st.mu.Lock()
	k := statKey{account, table}
	if old, ok := st.tables[k]; ok && old.Complete && !s.Complete && !old.LearnedAt.Before(s.LearnedAt.Add(-time.Hour)) {
		st.mu.Unlock()
		return
	}
	st.tables[k] = s
	fn := st.onTable
	st.mu.Unlock()
	if fn != nil {
		fn(account, table, s)
	}
}

// Table returns what is known of a table of an account.
func (st *Stats) Table(account, table string) (TableStat, bool) {
	if st == nil {
		return TableStat{}, false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.tables[statKey{account, table}]
	return s, ok
}

// ConnectedAccounts returns the connected accounts (not the API key's own, "") that table has a
// learned size in, sorted: what a fan-out over accounts not listed yet can be estimated from.
func (st *Stats) ConnectedAccounts(table string) []string {
	if st == nil {
		return nil
	}
	st.mu.Lock()
	var out []string
	for k := range st.tables {
		if k.table == table && k.account != "" {
			out = append(out, k.account)
		}
	}
	st.mu.Unlock()
	sort.Strings(out)
	return out
}

// PutAccount records newly read account facts.
func (st *Stats) PutAccount(account string, f AccountFacts) {
	if st == nil {
		return
	}
	st.mu.Lock()
	st.accounts[account] = f
	fn := st.onAcct
	st.mu.Unlock()
	if fn != nil {
		fn(account, f)
	}
}

// Account returns what is known of an account.
func (st *Stats) Account(account string) (AccountFacts, bool) {
	if st == nil {
		return AccountFacts{}, false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	f, ok := st.accounts[account]
	return f, ok
}

// Learn records that a complete list of table (of the key's own account) returned rows objects,
// with no span: a shortcut for callers that know only a count, such as a demo that knows its
// data set.
func (st *Stats) Learn(table string, rows int64) {
	st.Put("", table, TableStat{Rows: rows, Complete: true, How: "a complete scan", LearnedAt: time.Now()})
}

// Size returns the known row count of table in the key's own account.
func (st *Stats) Size(table string) (int64, bool) {
	s, ok := st.Table("", table)
	return s.Rows, ok
}

// rangeShare is the fraction of a table's rows in the created range a list key is constrained to,
// from the table's known density; ok is false when the key is not created or the node knows no
// span of the table (the fixed range selectivities apply then).
func rangeShare(k catalog.KeyColumn, lower, upper bound, stat *TableStat, size float64, now time.Time) (float64, bool) {
	if k.Column != "created" || stat == nil || size <= 0 {
		return 0, false
	}
	var lo, hi int64
	if lower.set {
		lo = lower.v
		if lower.strict {
			lo++
		}
	}
	if upper.set {
		hi = upper.v + 1
		if upper.strict {
			hi = upper.v
		}
		if hi <= 0 {
			return 0, true // before 1970: no Stripe object
		}
	}
	rows, ok := stat.RangeRows(lo, hi, now)
	if !ok {
		return 0, false
	}
	return math.Min(1, rows/size), true
}

// sizeNote says where a scan's table size came from, for EXPLAIN and 54000 details.
func sizeNote(source string, stat *TableStat, size float64, now time.Time) string {
	if stat != nil {
		return stat.Describe(now)
	}
	if source == SourceUnknown {
		return fmt.Sprintf("unknown, planned as %s rows until its first pages measure it", groupDigits(int64(size)))
	}
	return ""
}

// groupDigits renders n with thousands separators: 250000 → "250,000".
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
