//go:build !linux && !darwin

package launch

import "os"

// stopSignals: no stop signal, nothing to hear.
var stopSignals []os.Signal

// procState knows no process states here (Windows has no stop signal): no
// rank is reported stopped.
func procState(pid int) byte { return 0 }
