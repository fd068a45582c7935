//go:build linux

package h5file

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

const lockingSupported = true

// errUnsupportedLocks is not returned on Linux (atomic_lock_other.go).
var errUnsupportedLocks error

// fOFDSetLkw is F_OFD_SETLKW: wait for an open file description lock.
const fOFDSetLkw = 38

// lockRange takes an open file description lock on [off, off+n) of f,
// exclusive for writes, shared for reads, waiting for conflicting holders.
func lockRange(f *os.File, off, n int64, write bool) (func(), error) {
	typ := int16(syscall.F_RDLCK)
	if write {
		typ = syscall.F_WRLCK
	}
	lk := syscall.Flock_t{Type: typ, Whence: io.SeekStart, Start: off, Len: n}
	for {
		err := syscall.FcntlFlock(f.Fd(), fOFDSetLkw, &lk)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("h5file: atomic mode: locking bytes %d..%d: %w", off, off+n, err)
		}
		break
	}
	return func() {
		un := syscall.Flock_t{Type: syscall.F_UNLCK, Whence: io.SeekStart, Start: off, Len: n}
		_ = syscall.FcntlFlock(f.Fd(), fOFDSetLkw, &un)
	}, nil
}
