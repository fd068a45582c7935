package netns

import (
	"os"
	"os/exec"
)

// killPID kills pid (SIGKILL on Unix). The package needs Linux to run, but
// compiles everywhere, so the tests that import it do.
func killPID(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}

func execOut(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}
