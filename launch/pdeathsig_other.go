//go:build unix && !linux

package launch

import "syscall"

// setPdeathsig does nothing: only Linux has a parent-death signal. The
// lifeline pipe (internal/lifeline) ends a Go rank with the launcher; a
// program that does not call comm.Init outlives a launcher killed by
// SIGKILL (any other end of the launcher forwards it a signal first) until
// it writes to its output, whose pipe then has no reader (SIGPIPE).
func setPdeathsig(attr *syscall.SysProcAttr) {}
