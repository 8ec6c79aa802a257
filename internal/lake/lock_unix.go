//go:build unix

package lake

import (
	"errors"
	"os"
	"syscall"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// lockDir takes an exclusive, non-blocking flock on path (created if needed). The kernel drops
// the lock when the process dies, so a killed sync never leaves the lake locked.
func lockDir(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, ioError(err, "cannot open the lake's lock file %s", path)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, sqlstate.New(codeLockNotAvailable, "another stripesql sync is writing this lake").
				WithDetail("%s is locked", path).
				WithHint("wait for the other run to finish; a killed run releases the lock at once")
		}
		return nil, ioError(err, "cannot lock %s", path)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
