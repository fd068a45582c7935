package h5file

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// mapSupported: Linux has fallocate, MAP_SHARED and
// MADV_POPULATE_WRITE (5.14; older kernels fault pages on touch).
const mapSupported = true

// refused reports whether errno means the file system or kernel does not
// do the call (as opposed to a real failure such as ENOSPC or EIO).
func refused(errno error) bool {
	return errors.Is(errno, unix.EOPNOTSUPP) || errors.Is(errno, unix.ENOSYS) || errors.Is(errno, unix.ENODEV) ||
		errors.Is(errno, unix.EACCES) || errors.Is(errno, unix.EPERM) || errors.Is(errno, unix.EINVAL)
}

// fdOf runs fn with f's descriptor.
func fdOf(f *os.File, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// allocate makes sure blocks back bytes [off, off+n) of f (fallocate mode
// 0: data already there stays, holes get blocks, the file grows to
// off+n if shorter, never shrinks).
func allocate(f *os.File, off, n uint64) error {
	return fdOf(f, func(fd int) error {
		for {
			err := unix.Fallocate(fd, 0, int64(off), int64(n))
			if err == unix.EINTR {
				continue
			}
			if err == nil {
				return nil
			}
			perr := &os.PathError{Op: "fallocate", Path: f.Name(), Err: err}
			if refused(err) {
				return fmt.Errorf("%w: %w", errMapRefused, perr)
			}
			return perr
		}
	})
}

// mapFile maps bytes [off, off+n) of f shared, readable and writable.
func mapFile(f *os.File, off, n uint64) ([]byte, error) {
	var b []byte
	err := fdOf(f, func(fd int) error {
		var err error
		b, err = unix.Mmap(fd, int64(off), int(n), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
		if err != nil {
			perr := &os.PathError{Op: "mmap", Path: f.Name(), Err: err}
			if refused(err) {
				return fmt.Errorf("%w: %w", errMapRefused, perr)
			}
			return perr
		}
		return nil
	})
	return b, err
}

// populate faults b's pages in for writing, in one call.
func populate(b []byte) error {
	err := unix.Madvise(b, unix.MADV_POPULATE_WRITE)
	if err != nil && refused(err) {
		return fmt.Errorf("%w: madvise: %w", errMapRefused, err)
	}
	return err // EINTR and others: the copy faults the pages itself
}

// unmapFile releases a mapping of mapFile.
func unmapFile(b []byte) error { return unix.Munmap(b) }
