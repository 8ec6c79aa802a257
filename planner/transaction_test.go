package planner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// runTxScript plays a script against a session and returns one line per step. A step is
// "begin", "begin ro", "begin rw", "end", "show <name>" or SQL, which is planned and, when it is
// a SET, applied the way the executor applies it.
func runTxScript(t *testing.T, sess *Session, steps []string) []string {
	t.Helper()
	var out []string
	for _, step := range steps {
		var err error
		res := "ok"
		switch {
		case strings.HasPrefix(step, "begin"):
			var ro *bool
			if m := strings.TrimPrefix(step, "begin"); m != "" {
				v := m == " ro"
				ro = &v
			}
			err = sess.BeginTransaction(ro)
		case step == "end":
			sess.EndTransaction(true)
		case strings.HasPrefix(step, "show "):
			res, _ = sess.Setting(strings.TrimPrefix(step, "show "))
		default:
			var p *Planned
			if p, err = planOne(t, sess, step); err == nil && p.Set != nil {
				err = sess.SetSetting(p.Set.Name, p.Set.Value)
			}
		}
		if err != nil {
			e, _ := sqlstate.As(err)
			res = "ERROR " + e.Code
		}
		out = append(out, fmt.Sprintf("%s: %s", step, res))
	}
	return out
}

// TestReadOnlyTransactions checks the access mode of transaction blocks: BEGIN READ ONLY, SET
// TRANSACTION READ ONLY and SET SESSION CHARACTERISTICS refuse writes with 25006 at plan time,
// SHOW transaction_read_only tells the truth, and the block's mode ends with it.
func TestReadOnlyTransactions(t *testing.T) {
	const insert = `INSERT INTO customers (email) VALUES ('ro1@x.com')`
	tests := []struct {
		name     string
		readOnly bool
		steps    []string
		want     []string
	}{
		{"begin read only", false,
			[]string{"begin ro", "show transaction_read_only", insert, "end", "show transaction_read_only", insert},
			[]string{"begin ro: ok", "show transaction_read_only: on", insert + ": ERROR 25006", "end: ok", "show transaction_read_only: off", insert + ": ok"}},
		{"set transaction read only", false,
			[]string{"begin", insert, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY", "show transaction_read_only", insert, "end", insert},
			[]string{"begin: ok", insert + ": ok", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY: ok", "show transaction_read_only: on", insert + ": ERROR 25006", "end: ok", insert + ": ok"}},
		{"set transaction outside a block has no effect", false,
			[]string{"SET TRANSACTION READ ONLY", "show transaction_read_only", insert},
			[]string{"SET TRANSACTION READ ONLY: ok", "show transaction_read_only: off", insert + ": ok"}},
		{"session characteristics", false,
			[]string{"SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", "show default_transaction_read_only", "show transaction_read_only", insert,
				"begin rw", "show transaction_read_only", "end", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", "show transaction_read_only"},
			[]string{"SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY: ok", "show default_transaction_read_only: on", "show transaction_read_only: on", insert + ": ERROR 25006",
				"begin rw: ok", "show transaction_read_only: off", "end: ok", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE: ok", "show transaction_read_only: off"}},
		{"read-only session", true,
			[]string{"show default_transaction_read_only", "show transaction_read_only", "begin rw", "begin", "SET TRANSACTION READ WRITE", "SET default_transaction_read_only = off", "SET transaction_read_only = on", insert},
			[]string{"show default_transaction_read_only: on", "show transaction_read_only: on", "begin rw: ERROR 25006", "begin: ok", "SET TRANSACTION READ WRITE: ERROR 25006", "SET default_transaction_read_only = off: ERROR 25006", "SET transaction_read_only = on: ok", insert + ": ERROR 25006"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sess := NewSession(SessionConfig{Catalog: stripeCatalog(), ReadOnly: tt.readOnly})
			got := runTxScript(t, sess, tt.steps)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestStartupError checks that an unknown or invalid initial setting (a startup option, a DSN
// option) is reported with PostgreSQL's code and a message naming it, and valid ones are applied.
func TestStartupError(t *testing.T) {
	tests := []struct {
		settings map[string]string
		want     string // "code: message", or "" for none
	}{
		{map[string]string{"stripesql.max_requests": "0"}, `22023: 0 is outside the valid range for parameter "stripesql.max_requests" (1 .. 1073741824)`},
		{map[string]string{"stripesql.max_requests": "abc"}, `22023: invalid value for parameter "stripesql.max_requests": "abc"`},
		{map[string]string{"stripesql.pushdown": "maybe"}, `22023: parameter "stripesql.pushdown" requires a Boolean value`},
		{map[string]string{"no_such_setting": "1"}, `42704: unrecognized configuration parameter "no_such_setting"`},
		{map[string]string{"stripesql.max_request": "5"}, `42602: invalid configuration parameter name "stripesql.max_request"`},
		{map[string]string{"TimeZone": "Mars/Base"}, `22023: invalid value for parameter "TimeZone": "Mars/Base"`},
		{map[string]string{"stripesql.max_requests": "5", "application_name": "x", "myapp.tenant": "t"}, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.settings), func(t *testing.T) {
			sess := NewSession(SessionConfig{Settings: tt.settings})
			got := ""
			if err := sess.StartupError(); err != nil {
				e, _ := sqlstate.As(err)
				got = e.Code + ": " + e.Message
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tt.want == "" && sess.MaxRequests() != 5 {
				t.Errorf("max_requests = %d, want 5", sess.MaxRequests())
			}
		})
	}
}
