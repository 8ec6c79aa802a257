package catalog

import (
	"sync"
	"time"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// The wire server knows its connections; the catalog shows them. A server registers its
// Backends while it serves: pg_stat_activity lists the sessions of every registered server (one
// per process in production), and pg_cancel_backend / pg_terminate_backend reach a session by
// pid, with PostgreSQL's rule for non-superusers: only sessions of the same user.

// Activity is one session as pg_stat_activity shows it.
type Activity struct {
	PID                                         int32
	User, Database, ApplicationName, ClientAddr string
	BackendStart, QueryStart                    time.Time
	// State is active, idle, idle in transaction or idle in transaction (aborted).
	State, Query string
}

// Backends is what a server offers the catalog about its sessions.
type Backends interface {
	Activity() []Activity
	// Signal cancels the running query of pid (terminate: ends the session too) on behalf of
	// user. found is false when the server has no such pid.
	Signal(pid int32, terminate bool, user string) (found bool, err error)
}

var backends = struct {
	sync.RWMutex
	list []*Backends
}{}

// RegisterBackends adds a server's sessions to pg_stat_activity and the signal functions until
// the returned func is called.
func RegisterBackends(b Backends) (unregister func()) {
	p := &b
	backends.Lock()
	backends.list = append(backends.list, p)
	backends.Unlock()
	return func() {
		backends.Lock()
		defer backends.Unlock()
		for i, x := range backends.list {
			if x == p {
				backends.list = append(backends.list[:i], backends.list[i+1:]...)
				return
			}
		}
	}
}

func registeredBackends() []Backends {
	backends.RLock()
	defer backends.RUnlock()
	out := make([]Backends, len(backends.list))
	for i, p := range backends.list {
		out[i] = *p
	}
	return out
}

// activityRows is pg_stat_activity: one row per session of every registered server.
func activityRows(*Catalog) [][]any {
	spec, _ := pg15Spec("pg_catalog", "pg_stat_activity")
	var out [][]any
	for _, b := range registeredBackends() {
		for _, a := range b.Activity() {
			var qs any
			if !a.QueryStart.IsZero() {
				qs = a.QueryStart.UTC()
			}
			out = append(out, namedRow(spec, map[string]any{
				"datid": oidv(DatabaseOID), "datname": a.Database, "pid": int64(a.PID), "usesysid": oidv(OwnerRole),
				"usename": a.User, "application_name": a.ApplicationName, "client_addr": textOrNil(a.ClientAddr),
				"backend_start": a.BackendStart.UTC(), "query_start": qs, "state": a.State, "query": a.Query,
				"backend_type": "client backend",
			}))
		}
	}
	return out
}

func init() {
	for _, f := range []struct {
		name      string
		terminate bool
	}{{"pg_cancel_backend", false}, {"pg_terminate_backend", true}} {
		terminate := f.terminate
		register(f.name, 1, 2, argsAs(sqltypes.Int4, sqltypes.Int8), sqltypes.Bool, true, func(env *expr.Env, a []any) (any, error) {
			pid, user := int32(toInt(a[0])), ""
			if env != nil && env.Session != nil {
				user = env.Session.User()
			}
			for _, b := range registeredBackends() {
				if found, err := b.Signal(pid, terminate, user); found || err != nil {
					return err == nil, err
				}
			}
			// PostgreSQL: WARNING PID %d is not a PostgreSQL backend process, and false
			return false, nil
		})
	}
}

// ErrSignalPermission is PostgreSQL's refusal to signal another user's session (42501).
func ErrSignalPermission(terminate bool) *sqlstate.Error {
	verb := "cancel query"
	if terminate {
		verb = "terminate process"
	}
	return sqlstate.New(sqlstate.InsufficientPrivilege, "permission denied to %s", verb).
		WithDetail("Only roles with the same role as the backend being signaled may signal it.")
}
