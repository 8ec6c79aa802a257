package exec

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/planner"
)

// plannedFor plans one statement over the widgets session.
func plannedFor(t *testing.T, sql string) *planner.Planned {
	t.Helper()
	sts, err := planner.Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	p, err := planner.Plan(session(nil), sts[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// slowIter returns n rows, each after a pause, then io.EOF.
type slowIter struct {
	n     int
	pause time.Duration
}

func (s *slowIter) next(context.Context) ([]any, error) {
	if s.n == 0 {
		return nil, io.EOF
	}
	s.n--
	time.Sleep(s.pause)
	return []any{int64(s.n)}, nil
}

func (s *slowIter) close() {}

// TestCountedTimesOnlyWhenAsked checks that every node counts its rows, and that only a node of
// a timed runner (EXPLAIN ANALYZE's) reads the clock: a plain query's nodes keep no time.
func TestCountedTimesOnlyWhenAsked(t *testing.T) {
	const rows, pause = 3, 2 * time.Millisecond
	for _, timedRunner := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "explain analyze"}[timedRunner], func(t *testing.T) {
			r := newRunner(newFake(1), session(nil), plannedFor(t, "SELECT 1"))
			r.timed = timedRunner
			st := &nodeStats{}
			c := counted{in: &slowIter{n: rows, pause: pause}, st: st}
			var it iterator = &c
			if timedRunner {
				it = &timed{c}
			}
			for {
				if _, err := it.next(context.Background()); err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
			}
			if d := cmp.Diff(int64(rows), st.rows); d != "" {
				t.Errorf("rows (-want +got):\n%s", d)
			}
			if timedRunner && st.dur < rows*pause {
				t.Errorf("timed node kept %v; want at least %v", st.dur, rows*pause)
			}
			if !timedRunner && st.dur != 0 {
				t.Errorf("untimed node kept %v; want no time", st.dur)
			}
			built, err := r.build(r.plan.Root)
			if err != nil {
				t.Fatal(err)
			}
			_, isTimed := built.(*timed)
			if d := cmp.Diff(timedRunner, isTimed); d != "" {
				t.Errorf("runner.build wraps in timed (-want +got):\n%s", d)
			}
		})
	}
}
