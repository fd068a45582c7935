package launch

import (
	"bytes"
	"os"
	"strconv"
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
