package server

import (
	"sync"
	"time"

	"github.com/stripesql/stripesql/catalog"
)

// The server lists its sessions in pg_stat_activity and lets one session cancel or end another
// (pg_cancel_backend, pg_terminate_backend) through catalog.RegisterBackends, registered while
// Serve runs.

// activity is what pg_stat_activity shows of one connection beyond its identity.
type activity struct {
	mu         sync.Mutex
	started    time.Time
	query      string
	queryStart time.Time
	active     bool
}

// noteQuery records that the connection starts running text.
func (c *conn) noteQuery(text string) {
	c.act.mu.Lock()
	c.act.query, c.act.queryStart, c.act.active = text, time.Now(), true
	c.act.mu.Unlock()
}

// noteIdle records that the connection's statement has ended.
func (c *conn) noteIdle() {
	c.act.mu.Lock()
	c.act.active = false
	c.act.mu.Unlock()
}

// backends implements catalog.Backends over the server's connections.
type backends struct{ s *Server }

var _ catalog.Backends = backends{}

func (b backends) Activity() []catalog.Activity {
	b.s.mu.Lock()
	conns := make([]*conn, 0, len(b.s.conns))
	for _, c := range b.s.conns {
		conns = append(conns, c)
	}
	b.s.mu.Unlock()
	out := make([]catalog.Activity, 0, len(conns))
	for _, c := range conns {
		app, _ := c.sess.Setting("application_name")
		c.act.mu.Lock()
		a := catalog.Activity{PID: c.pid, User: c.user, Database: c.database, ApplicationName: app, ClientAddr: c.remote,
			BackendStart: c.act.started, QueryStart: c.act.queryStart, State: "idle", Query: c.act.query}
		if c.act.active {
			a.State = "active"
		}
		c.act.mu.Unlock()
		out = append(out, a)
	}
	return out
}

// Signal cancels pid's running query, or ends its session too, when user may: the same user, as
// PostgreSQL allows a non-superuser.
func (b backends) Signal(pid int32, terminate bool, user string) (bool, error) {
	b.s.mu.Lock()
	c := b.s.conns[pid]
	b.s.mu.Unlock()
	if c == nil {
		return false, nil
	}
	if c.user != user {
		return true, catalog.ErrSignalPermission(terminate)
	}
	if terminate {
		c.shutdown() // 57P01 terminating connection due to administrator command
		return true, nil
	}
	c.cancelQuery(errCanceledByUser)
	return true, nil
}
