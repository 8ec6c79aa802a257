package server

import (
	"context"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/exec"
	"github.com/stripesql/stripesql/planner"
)

// TestProgressNotices checks the NOTICE text and that reports within one interval are thinned to
// one, and none comes before the statement has run for an interval.
func TestProgressNotices(t *testing.T) {
	eng := &plannerEngine{progress: 3 * time.Second, stats: planner.NewStats()}
	var got []string
	s := eng.NewSession(SessionParams{User: "alice", Notice: func(m string) { got = append(got, m) }}).(*plannerSession)
	cb := s.sess.Progress()
	cb(planner.ProgressEvent{Scanned: 100, Requests: 1, Elapsed: 2 * time.Second, RequestsLeft: 11, SecondsLeft: 33})
	cb(planner.ProgressEvent{Scanned: 1200, Rows: 3, Requests: 12, Elapsed: 4 * time.Second, RequestsLeft: 10, SecondsLeft: 30})
	cb(planner.ProgressEvent{Scanned: 1300, Rows: 3, Requests: 13, Elapsed: 5 * time.Second, RequestsLeft: 9, SecondsLeft: 27})
	want := []string{"stripesql: 1200 rows read from stripe, 3 returned, 12 of about 22 stripe requests, 4 s, about 30 s left"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("notices (-want +got):\n%s", diff)
	}
}

// noticeRE reads the figures of a progress NOTICE.
// The last page's report has nothing left: "…, 12 stripe requests, 2 s".
var noticeRE = regexp.MustCompile(`^stripesql: (\d+) rows read from stripe, (\d+) returned, (?:(\d+) of about (\d+)|(\d+)) stripe requests, \d+ s(?:, about \d+ s left|, less than 1 s left|)$`)

// TestProgressNoticesDuringCount runs a count(*) that reads 12 slow pages from the emulator and
// checks that the client receives progress NOTICEs while it runs, with the rows read growing,
// nothing returned yet, and a total that stays about the 12 requests the learned size needs (a
// partitioned scan adds a page that is not full per window it opens).
func TestProgressNoticesDuringCount(t *testing.T) {
	old := exec.ProgressInterval
	exec.ProgressInterval = 100 * time.Millisecond
	defer func() { exec.ProgressInterval = old }()
	stats := planner.NewStats()
	stats.Learn("charges", 1200)
	addr := startRealConfig(t, emulator.Config{Seed: 3, Scale: emulator.ScaleN(1200), Latency: 100 * time.Millisecond},
		Config{Stats: stats, ProgressInterval: 250 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg, err := pgx.ParseConfig(pgxURL(addr, ""))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var notices []string
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		mu.Lock()
		notices = append(notices, n.Message)
		mu.Unlock()
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM charges").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1200 {
		t.Errorf("count = %d, want 1200", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(notices) < 2 {
		t.Fatalf("%d progress notices during a 1.2 s count, want at least 2: %q", len(notices), notices)
	}
	var prev int64
	for _, msg := range notices {
		m := noticeRE.FindStringSubmatch(msg)
		if m == nil {
			t.Errorf("notice %q does not read as progress", msg)
			continue
		}
		read, _ := strconv.ParseInt(m[1], 10, 64)
		total, _ := strconv.Atoi(m[4] + m[5])
		if read <= prev || m[2] != "0" || total < 12 || total > 16 {
			t.Errorf("notice %q: want more rows read than %d, 0 returned, about 12 requests", msg, prev)
		}
		prev = read
	}
}
