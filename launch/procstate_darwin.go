package launch

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// stopSignals: see procstate_linux.go.
var stopSignals = []os.Signal{syscall.SIGCHLD}

// Process states and flags of macOS's kinfo_proc (sys/proc.h).
const (
	darwinSSTOP   = 4     // p_stat: stopped
	darwinSZOMB   = 5     // p_stat: exited, not yet reaped
	darwinPTraced = 0x800 // p_flag P_TRACED: under a debugger
)

// procState is the process's state as Linux's /proc letters name it: 'T'
// for a process stopped by a signal, 't' for one stopped under a debugger
// (left alone, as on Linux), 'Z' for a zombie, 'R' otherwise, or 0 if the
// process is gone or sysctl cannot tell.
func procState(pid int) byte {
	kp, err := unix.SysctlKinfoProc("kern.proc.pid", pid)
	if err != nil || kp.Proc.P_pid != int32(pid) {
		return 0
	}
	switch kp.Proc.P_stat {
	case darwinSZOMB:
		return 'Z'
	case darwinSSTOP:
	default:
		return 'R'
	}
	if kp.Proc.P_flag&darwinPTraced != 0 {
		return 't'
	}
	return 'T'
}
