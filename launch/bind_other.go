//go:build !linux

package launch

import (
	"fmt"
	"os/exec"
	"runtime"
)

// hostCores: binding needs Linux's sched_setaffinity.
func hostCores() ([]cpuCore, error) {
	return nil, fmt.Errorf("--bind-to: binding ranks to CPUs is supported on Linux only, not %s: give --bind-to none", runtime.GOOS)
}

func startBound(cmd *exec.Cmd, cpus []int) error { return cmd.Start() }
