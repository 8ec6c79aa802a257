package planner

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestProgressEventString(t *testing.T) {
	tests := []struct {
		name string
		ev   ProgressEvent
		want string
	}{
		{"aggregate reading", ProgressEvent{Scanned: 2400, Requests: 24, Elapsed: 9 * time.Second, RequestsLeft: 36, SecondsLeft: 6},
			"2400 rows read from stripe, 0 returned, 24 of about 60 stripe requests, 9 s, about 6 s left"},
		{"fraction of a request left rounds up", ProgressEvent{Scanned: 100, Rows: 100, Requests: 1, Elapsed: time.Second, RequestsLeft: 0.4, SecondsLeft: 0.07},
			"100 rows read from stripe, 100 returned, 1 of about 2 stripe requests, 1 s, less than 1 s left"},
		{"never 0 s left while requests remain", ProgressEvent{Scanned: 900, Requests: 9, Elapsed: 2 * time.Second, RequestsLeft: 1, SecondsLeft: 0.4},
			"900 rows read from stripe, 0 returned, 9 of about 10 stripe requests, 2 s, less than 1 s left"},
		{"all requests sent", ProgressEvent{Scanned: 500, Requests: 5, Elapsed: 3 * time.Second},
			"500 rows read from stripe, 0 returned, 5 stripe requests, 3 s"},
		{"estimate exceeded", ProgressEvent{Scanned: 6100, Requests: 61, Elapsed: 10 * time.Second, EstimatedRequests: 60, RequestsLeft: 1, SecondsLeft: 0.2, Exceeded: true, MaxRequests: 1000},
			"6100 rows read from stripe, 0 returned, 61 stripe requests, 10 s, more than the 60 estimated: end unknown (stops at stripesql.max_requests = 1000)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.ev.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestProgressEventAfter(t *testing.T) {
	ev := ProgressEvent{Requests: 10, Elapsed: 5 * time.Second, RequestsLeft: 20, SecondsLeft: 3}
	tests := []struct {
		d       time.Duration
		elapsed time.Duration
		left    float64
	}{
		{0, 5 * time.Second, 3},
		{time.Second, 6 * time.Second, 2},
		{10 * time.Second, 15 * time.Second, 0},
	}
	for _, tt := range tests {
		got := ev.After(tt.d)
		if got.Elapsed != tt.elapsed || got.SecondsLeft != tt.left || got.RequestsLeft != 20 {
			t.Errorf("After(%v) = elapsed %v, %v s left, %v requests; want %v, %v s, 20", tt.d, got.Elapsed, got.SecondsLeft, got.RequestsLeft, tt.elapsed, tt.left)
		}
	}
}
