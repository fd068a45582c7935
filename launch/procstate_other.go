//go:build !linux && !darwin

package launch

// procState knows no process states here (Windows has no stop signal): no
// rank is reported stopped.
func procState(pid int) byte { return 0 }
