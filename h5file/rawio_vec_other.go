//go:build !linux

package h5file

import "os"

// writev writes iov at file offset off, one WriteAt per buffer (systems
// without pwritev in golang.org/x/sys, or where it is not worth it).
func writev(f *os.File, iov [][]byte, off int64) (int, error) {
	n := 0
	for _, p := range iov {
		m, err := f.WriteAt(p, off+int64(n))
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
