package state

import (
	"testing"
	"time"
)

// TestFlowDue: when a flow is next due, and whether it is due at a given time, from its schedule,
// its enabled flag and when its last run started.
func TestFlowDue(t *testing.T) {
	start := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	never := time.Time{}
	sched := func(f Frequency, interval int) Schedule {
		return Schedule{Start: start, Frequency: f, Interval: interval}
	}
	cases := []struct {
		name      string
		sched     Schedule
		disabled  bool
		lastStart time.Time
		at        time.Time
		wantNext  time.Time // zero: no run left
		wantDue   bool
	}{
		{"once, never ran, at start", sched(Once, 1), false, never, start, start, true},
		{"once, never ran, before start", sched(Once, 1), false, never, start.Add(-time.Second), start, false},
		{"once, never ran, long after start", sched(Once, 1), false, never, start.Add(30 * 24 * time.Hour), start, true},
		{"once, ran at start", sched(Once, 1), false, start, start.Add(time.Hour), never, false},
		{"once, ran late", sched(Once, 1), false, start.Add(time.Minute), start.Add(time.Hour), never, false},
		{"once, ran by hand before start", sched(Once, 1), false, start.Add(-time.Hour), start, start, true},

		{"minute, never ran", sched(Minute, 1), false, never, start.Add(10 * time.Minute), start, true},
		{"minute, ran at start, 59s later", sched(Minute, 1), false, start, start.Add(59 * time.Second), start.Add(time.Minute), false},
		{"minute, ran at start, 60s later", sched(Minute, 1), false, start, start.Add(time.Minute), start.Add(time.Minute), true},
		{"every 15 minutes, ran 3s late", sched(Minute, 15), false, start.Add(3 * time.Second), start.Add(14 * time.Minute), start.Add(15 * time.Minute), false},
		{"every 15 minutes, ran in the 2nd slot", sched(Minute, 15), false, start.Add(16 * time.Minute), start.Add(30 * time.Minute), start.Add(30 * time.Minute), true},

		{"hour, ran at start", sched(Hour, 1), false, start, start.Add(time.Hour), start.Add(time.Hour), true},
		{"hour, missed 5 slots: one run, for the next slot", sched(Hour, 1), false, start.Add(time.Hour), start.Add(6*time.Hour + 30*time.Minute), start.Add(2 * time.Hour), true},
		{"every 6 hours, ran at 4h", sched(Hour, 6), false, start.Add(4 * time.Hour), start.Add(5 * time.Hour), start.Add(6 * time.Hour), false},
		{"every 6 hours, ran exactly on a slot", sched(Hour, 6), false, start.Add(6 * time.Hour), start.Add(11 * time.Hour), start.Add(12 * time.Hour), false},

		{"day, ran at start", sched(Day, 1), false, start, start.Add(23 * time.Hour), start.Add(24 * time.Hour), false},
		{"day, ran at start, next day", sched(Day, 1), false, start, start.Add(24 * time.Hour), start.Add(24 * time.Hour), true},
		{"every 3 days, ran on day 1", sched(Day, 3), false, start.Add(25 * time.Hour), start.Add(71 * time.Hour), start.Add(72 * time.Hour), false},

		{"week, ran at start", sched(Week, 1), false, start, start.Add(7 * 24 * time.Hour), start.Add(7 * 24 * time.Hour), true},
		{"every 2 weeks, ran at start, 1 week later", sched(Week, 2), false, start, start.Add(7 * 24 * time.Hour), start.Add(14 * 24 * time.Hour), false},

		{"start in the future, never ran", sched(Hour, 1), false, never, start.Add(-time.Hour), start, false},
		{"start in the future, ran by hand", sched(Day, 1), false, start.Add(-48 * time.Hour), start.Add(-time.Hour), start, false},
		{"disabled, never ran", sched(Minute, 1), true, never, start.Add(time.Hour), never, false},
		{"disabled, once", sched(Once, 1), true, never, start, never, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := Flow{Name: "f", Schedule: c.sched, Enabled: !c.disabled}
			next, ok := f.NextRun(c.lastStart)
			if ok != !c.wantNext.IsZero() || !next.Equal(c.wantNext) {
				t.Errorf("NextRun(%v) = %v, %v; want %v", c.lastStart, next, ok, c.wantNext)
			}
			if due := ok && !next.After(c.at); due != c.wantDue {
				t.Errorf("due at %v = %v; want %v", c.at, due, c.wantDue)
			}
		})
	}
}

func TestSchedulePeriod(t *testing.T) {
	for _, c := range []struct {
		sc   Schedule
		want time.Duration
	}{
		{Schedule{Frequency: Once, Interval: 1}, 0},
		{Schedule{Frequency: Minute, Interval: 5}, 5 * time.Minute},
		{Schedule{Frequency: Hour, Interval: 2}, 2 * time.Hour},
		{Schedule{Frequency: Day, Interval: 1}, 24 * time.Hour},
		{Schedule{Frequency: Week, Interval: 3}, 21 * 24 * time.Hour},
	} {
		if got := c.sc.Period(); got != c.want {
			t.Errorf("%s × %d: period %s; want %s", c.sc.Frequency, c.sc.Interval, got, c.want)
		}
	}
}
