//go:build !linux

package launch

import "os/exec"

// awaitExit returns at once: Wait blocks a thread per child here.
func awaitExit(*exec.Cmd) {}
