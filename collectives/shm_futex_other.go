//go:build !linux

package collectives

import (
	"runtime"
	"sync/atomic"
	"time"
)

// Host segments exist on Linux only (comm.SharedMemory is false
// elsewhere), so these never park a rank; they keep the code portable.
func futexWait(w *atomic.Uint32, val uint32, d time.Duration) {
	deadline := time.Now().Add(d)
	for w.Load() == val && time.Now().Before(deadline) {
		runtime.Gosched()
	}
}

func futexWake(*atomic.Uint32) {}

func osYield() { runtime.Gosched() }
