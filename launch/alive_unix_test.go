//go:build unix

package launch

import (
	"errors"
	"syscall"
)

// processAlive reports whether pid exists and is not a zombie (a killed
// orphan stays a zombie where PID 1 does not reap, as in some containers).
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	st := procState(pid)
	return st != 'Z' && st != 'X'
}
