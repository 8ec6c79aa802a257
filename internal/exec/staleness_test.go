package exec_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/planner"
)

// TestMaxStaleness: a session that accepts stale pages (stripesql.max_staleness) reads a page
// fetched moments ago from the node's cache, and EXPLAIN ANALYZE says so; a session on the default
// (0) always asks Stripe; a write through the node drops the cached pages at once.
func TestMaxStaleness(t *testing.T) {
	e := startEnv(t, emulator.ScaleN(20))
	ctx := context.Background()
	stale := e.session(map[string]string{planner.SettingMaxStaleness: "5 min"})
	live := e.session(nil)
	const q = "SELECT id FROM customers ORDER BY created DESC LIMIT 5"
	sent := func(sess *planner.Session, sql string) int64 {
		t.Helper()
		before := e.client.Requests()
		if _, _, err := run(ctx, e.client, sess, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return e.client.Requests() - before
	}
	explain := func(sess *planner.Session) string {
		t.Helper()
		rows, _, err := run(ctx, e.client, sess, "EXPLAIN ANALYZE "+q)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, r := range rows {
			fmt.Fprintln(&b, r[0])
		}
		return b.String()
	}

	if n := sent(stale, q); n != 1 {
		t.Fatalf("first read sent %d requests, want 1", n)
	}
	if n := sent(stale, q); n != 0 {
		t.Errorf("a session accepting 5 min of staleness sent %d requests for a page fetched just now, want 0", n)
	}
	if text := explain(stale); !strings.Contains(text, "requests=0 ") || !strings.Contains(text, "cache hits=1") {
		t.Errorf("EXPLAIN ANALYZE of a cached scan lacks requests=0 and cache hits=1:\n%s", text)
	}
	if n := sent(live, q); n != 1 {
		t.Errorf("a session on the default (always live) sent %d requests, want 1", n)
	}
	if text := explain(live); strings.Contains(text, "cache hits") {
		t.Errorf("EXPLAIN ANALYZE of a live session shows cache hits:\n%s", text)
	}
	if n := sent(live, "INSERT INTO customers (email) VALUES ('stale@example.com')"); n != 1 {
		t.Fatalf("insert sent %d requests, want 1", n)
	}
	if n := sent(stale, q); n != 1 {
		t.Errorf("after a write the stale session sent %d requests, want 1 (the cache must be dropped)", n)
	}
}
