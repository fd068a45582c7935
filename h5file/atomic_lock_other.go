//go:build !linux

package h5file

import (
	"fmt"
	"os"
	"runtime"

	"github.com/gorun-hpc/gorun/h5core"
)

// lockingSupported is false off Linux: macOS has open file description
// locks only as a private interface, and Windows' byte-range locks are
// mandatory (a locked range fails other ranks' plain reads and writes
// instead of making them wait), so neither gives MPI-IO's atomic mode
// safely. SetAtomic(true) is an error there (errUnsupportedLocks).
const lockingSupported = false

// errUnsupportedLocks is SetAtomic(true)'s error on this system.
var errUnsupportedLocks = fmt.Errorf("h5file: atomic mode needs byte-range locks that belong to an open file (Linux's open file description locks), which gorun has no safe equivalent of on %s/%s: run atomic-mode jobs on Linux, or write without atomic mode and Flush plus a Barrier before other ranks read: %w",
	runtime.GOOS, runtime.GOARCH, h5core.ErrUnsupported)

func lockRange(f *os.File, off, n int64, write bool) (func(), error) {
	return nil, errUnsupportedLocks
}
