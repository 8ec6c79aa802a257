//go:build !linux

package stripeapi

import (
	"net"
	"time"
)

// rxListener is the listener itself where the kernel gives no receive times: the fake server
// then records when its handler ran.
type rxListener struct{ net.Listener }

type rxConn struct{ net.Conn }

func (c *rxConn) received() time.Time { return time.Time{} }
