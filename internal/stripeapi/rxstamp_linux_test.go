package stripeapi

import (
	"encoding/binary"
	"io"
	"net"
	"sync"
	"syscall"
	"time"
)

// rxListener hands out connections that know when the kernel received the bytes they read
// (SO_TIMESTAMPNS), so the fake server can record when a request reached it without the delay
// before its handler goroutine runs: on a loaded machine that delay reaches tens of
// milliseconds, and says nothing about when the request arrived.
type rxListener struct{ net.Listener }

func (l rxListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c, nil
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return c, nil
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	}); err != nil || serr != nil {
		return c, nil
	}
	return &rxConn{TCPConn: tc, raw: raw}, nil
}

// rxConn reads with recvmsg and keeps the kernel's receive time of the latest read.
type rxConn struct {
	*net.TCPConn
	raw syscall.RawConn
	mu  sync.Mutex
	rx  time.Time
}

func (c *rxConn) Read(p []byte) (int, error) {
	oob := make([]byte, 128)
	var n, oobn int
	var rerr error
	err := c.raw.Read(func(fd uintptr) bool {
		n, oobn, _, _, rerr = syscall.Recvmsg(int(fd), p, oob, 0)
		return rerr != syscall.EAGAIN
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return 0, err
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	if msgs, perr := syscall.ParseSocketControlMessage(oob[:oobn]); perr == nil {
		for _, m := range msgs {
			if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_TIMESTAMPNS && len(m.Data) >= 16 {
				sec := int64(binary.NativeEndian.Uint64(m.Data[0:8]))
				nsec := int64(binary.NativeEndian.Uint64(m.Data[8:16]))
				c.mu.Lock()
				c.rx = time.Unix(sec, nsec)
				c.mu.Unlock()
			}
		}
	}
	return n, nil
}

// received is the kernel's receive time of the latest bytes read, zero if it gave none.
func (c *rxConn) received() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rx
}
