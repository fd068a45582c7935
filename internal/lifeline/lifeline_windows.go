package lifeline

import (
	"os"
	"os/exec"
)

// Give is not used on Windows, where each rank's job object ends it with
// the launcher (launch/procgroup_windows.go); it gives nothing.
func Give(cmd *exec.Cmd) (w *os.File, closeRead func(), err error) {
	return nil, func() {}, nil
}

// Watch does nothing on Windows: the job object that holds the rank is
// closed by the system when the launcher dies, and that ends the rank.
func Watch() error {
	os.Unsetenv(Env)
	return nil
}
