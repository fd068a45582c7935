package comm

import (
	"errors"

	"golang.org/x/sys/windows"
)

// connRefused reports whether a dial failed because nothing listens at the
// address (the host is up and answered). Winsock's code is not syscall's
// ECONNREFUSED, which Windows never returns.
func connRefused(err error) bool { return errors.Is(err, windows.WSAECONNREFUSED) }
