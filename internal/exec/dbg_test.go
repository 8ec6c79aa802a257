package exec_test

import (
	"context"
	"testing"

	"github.com/stripesql/stripesql/internal/emulator"
)

func TestDbgSmall(t *testing.T) {
	e := startEnv(t, emulator.ScaleN(2000))
	_, _, err := run(context.Background(), e.client, e.session(map[string]string{"stripesql.max_requests": "10"}), "SELECT count(*) FROM charges")
	t.Log(err)
	for _, r := range e.emu.Requests() {
		t.Log(r.Method, r.Path, r.Query.Encode(), r.Status)
	}
}
