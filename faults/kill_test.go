package faults

import "os"

// killPID kills a rank's process: SIGKILL on Unix, TerminateProcess on
// Windows. A process that is already gone is no error of the test's.
func killPID(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}
