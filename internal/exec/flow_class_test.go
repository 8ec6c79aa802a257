package exec

import (
	"context"
	"io"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stripesql/stripesql/internal/stripeapi"
	"github.com/stripesql/stripesql/planner"
)

// flowRecorder is a Backend that keeps the Scheduler class each list call's context carries.
type flowRecorder struct {
	*fakeBackend
	mu      sync.Mutex
	classes map[stripeapi.Class]int
}

func (f *flowRecorder) List(ctx context.Context, path string, p url.Values) (*stripeapi.Page, error) {
	fl, _ := stripeapi.FlowFrom(ctx)
	f.mu.Lock()
	f.classes[fl.Class]++
	f.mu.Unlock()
	return f.fakeBackend.List(ctx, path, p)
}

// TestStatementKeepsBackgroundClass: a statement run under a Background flow (a flow's sync)
// sends every request as background work, under its own statement's key; one run without it is
// interactive.
func TestStatementKeepsBackgroundClass(t *testing.T) {
	data := tiedWidgets(rand.New(rand.NewPCG(3, 3)), 450, 1717200000, 2_000_000, 0)
	for _, tt := range []struct {
		name string
		ctx  context.Context
		want stripeapi.Class
	}{
		{"interactive", context.Background(), stripeapi.Interactive},
		{"background", stripeapi.WithFlow(context.Background(), stripeapi.Flow{Key: "flow/x", Class: stripeapi.Background}), stripeapi.Background},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := &flowRecorder{fakeBackend: &fakeBackend{objects: map[string][]stripeapi.Object{"/v1/widgets": data}}, classes: map[stripeapi.Class]int{}}
			sess := planner.NewSession(planner.SessionConfig{Catalog: widgetsCatalog()})
			sts, err := planner.Parse("SELECT count(*) FROM widgets")
			if err != nil {
				t.Fatal(err)
			}
			p, err := planner.Plan(sess, sts[0], nil)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := Run(tt.ctx, b, sess, p)
			if err != nil {
				t.Fatal(err)
			}
			for {
				if _, err := rows.Next(tt.ctx); err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
			}
			lists := 0
			for _, c := range b.calls {
				if strings.HasPrefix(c, "list ") {
					lists++
				}
			}
			if diff := cmp.Diff(map[stripeapi.Class]int{tt.want: lists}, b.classes); diff != "" {
				t.Errorf("classes of %d list calls (-want +got):\n%s", lists, diff)
			}
		})
	}
}
