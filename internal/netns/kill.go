package netns

import (
	"os/exec"
	"syscall"
)

func killPID(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }

func execOut(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}
