package h5file

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// writev writes iov at file offset off with one pwritev and returns the
// bytes written (a short count when the kernel wrote less).
func writev(f *os.File, iov [][]byte, off int64) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var werr error
	if err := rc.Write(func(fd uintptr) bool {
		for {
			n, werr = unix.Pwritev(int(fd), iov, off)
			if werr != unix.EINTR {
				return true
			}
		}
	}); err != nil {
		return 0, err
	}
	if werr != nil {
		return n, &os.PathError{Op: "pwritev", Path: f.Name(), Err: werr}
	}
	if n == 0 {
		return 0, fmt.Errorf("pwritev %s at byte %d: wrote nothing", f.Name(), off)
	}
	return n, nil
}
