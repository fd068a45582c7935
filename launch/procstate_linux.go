package launch

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// procState is the state letter of /proc/<pid>/stat ('R', 'S', 'T', 'Z',
// ...), or 0 if the process is gone or the file cannot be read.
func procState(pid int) byte {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	return statState(b)
}

// statState parses the state from a stat line "pid (comm) S ...": comm may
// hold spaces and parentheses, so the state follows the last ')'.
func statState(b []byte) byte {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) || b[i+1] != ' ' {
		return 0
	}
	return b[i+2]
}

// stopSignals are the signals the launcher gets when a child stops or
// continues (SIGCHLD, sent unless SA_NOCLDSTOP, which Go does not set), so
// a stopped rank is looked at when it stops, not at the next poll.
var stopSignals = []os.Signal{syscall.SIGCHLD}
