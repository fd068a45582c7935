//go:build unix

package comm

import (
	"errors"
	"syscall"
)

// connRefused reports whether a dial failed because nothing listens at the
// address (the host is up and answered).
func connRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }
