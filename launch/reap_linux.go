package launch

import (
	"os"
	"os/exec"

	"golang.org/x/sys/unix"
)

// awaitExit returns once cmd's process has exited, without holding an
// OS thread while it waits: os/exec's Wait blocks one in waitid per
// child, 1,024 threads for 1,024 ranks (docs/SCALING.md). It waits for
// the process' pidfd to become readable through the runtime's poller;
// the caller's Wait then reaps at once. Where pidfds are missing (Linux
// before 5.10 for PIDFD_NONBLOCK) it returns at once and Wait blocks as
// before.
func awaitExit(cmd *exec.Cmd) {
	fd, err := unix.PidfdOpen(cmd.Process.Pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Read(func(fd uintptr) bool {
		// Exited (WNOWAIT: the zombie stays for Wait), or wait for the
		// pidfd to become readable and look again.
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PIDFD, int(fd), &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
		return err != nil || info.Signo != 0
	})
}
