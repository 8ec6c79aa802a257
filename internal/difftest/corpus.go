package difftest

import (
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// Entry is one query of the corpus with its tags.
type Entry struct {
	// Name identifies the query in test output; it is unique within a corpus.
	Name string
	// SQL is the query text without its trailing semicolon.
	SQL string
	// Needs names the analyst-SQL feature the query depends on (joins, cte, window, …). While
	// stripesql answers 0A000 for it, the query is reported as pending rather than failed.
	Needs string
	// KnownBug, when set, says what stripesql gets wrong for this query: a mismatch is then
	// reported, not failed, so a release can ship while the bug is open. A known-bug query that
	// starts to match fails, so the tag is removed as soon as the engine is fixed.
	KnownBug string
	// Ordered is true when the query has a top-level ORDER BY: its rows are compared in order.
	Ordered bool
	// Line is the line of the entry's "-- name:" tag, for error messages.
	Line int
}

// ParseCorpus reads a corpus: entries introduced by a "-- name: …" line, each optionally followed
// by "-- needs: feature" and "-- known-bug: what is wrong" lines, then the SQL of one statement
// (other comment lines are kept as part of the SQL). Text before the first entry is a header and
// is ignored. Every statement is parsed with PostgreSQL's own grammar, which also tells whether it
// orders its rows; a corpus with a duplicate name, an empty entry, several statements in one entry
// SQL that PostgreSQL cannot parse, or a LIMIT without ORDER BY (which picks rows at random) is
// an error, so a broken corpus never passes silently.
func ParseCorpus(text string) ([]Entry, error) {
	var entries []Entry
	var cur *Entry
	var body []string
	seen := map[string]int{}
	finish := func() error {
		if cur == nil {
			return nil
		}
		sql := strings.TrimSpace(strings.Join(body, "\n"))
		sql = strings.TrimSpace(strings.TrimSuffix(sql, ";"))
		if sql == "" {
			return fmt.Errorf("corpus line %d: entry %q has no sql", cur.Line, cur.Name)
		}
		ordered, err := topLevelOrdered(sql)
		if err != nil {
			return fmt.Errorf("corpus line %d: entry %q: %v", cur.Line, cur.Name, err)
		}
		cur.SQL, cur.Ordered = sql, ordered
		entries = append(entries, *cur)
		return nil
	}
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if name, ok := tag(trimmed, "name"); ok {
			if err := finish(); err != nil {
				return nil, err
			}
			if name == "" {
				return nil, fmt.Errorf("corpus line %d: empty name", i+1)
			}
			if prev, dup := seen[name]; dup {
				return nil, fmt.Errorf("corpus line %d: name %q already used on line %d", i+1, name, prev)
			}
			seen[name] = i + 1
			cur, body = &Entry{Name: name, Line: i + 1}, nil
			continue
		}
		if cur == nil {
			continue
		}
		if v, ok := tag(trimmed, "needs"); ok && len(body) == 0 {
			cur.Needs = v
			continue
		}
		if v, ok := tag(trimmed, "known-bug"); ok && len(body) == 0 {
			cur.KnownBug = v
			continue
		}
		if len(body) == 0 && trimmed == "" {
			continue
		}
		body = append(body, line)
	}
	if err := finish(); err != nil {
		return nil, err
	}
	return entries, nil
}

// tag reads a "-- key: value" line.
func tag(line, key string) (string, bool) {
	rest, ok := strings.CutPrefix(line, "--")
	if !ok {
		return "", false
	}
	rest, ok = strings.CutPrefix(strings.TrimSpace(rest), key+":")
	if !ok {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// topLevelOrdered parses sql and reports whether its outermost SELECT has an ORDER BY.
func topLevelOrdered(sql string) (bool, error) {
	tree, err := pg_query.Parse(sql)
	if err != nil {
		return false, fmt.Errorf("postgresql cannot parse it: %v", err)
	}
	if len(tree.Stmts) != 1 {
		return false, fmt.Errorf("want one statement, found %d", len(tree.Stmts))
	}
	sel := tree.Stmts[0].GetStmt().GetSelectStmt()
	if sel == nil {
		return false, fmt.Errorf("not a select statement")
	}
	ordered := len(sel.GetSortClause()) > 0
	if !ordered && (sel.GetLimitCount() != nil || sel.GetLimitOffset() != nil) {
		return false, fmt.Errorf("limit or offset without order by picks rows at random; order the rows totally")
	}
	return ordered, nil
}
