package launch

import (
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
