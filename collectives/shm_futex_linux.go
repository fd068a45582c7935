package collectives

import (
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Parking on a word of a shared mapping: FUTEX_WAIT without the private
// flag keys the wait on the page's file and offset, so a rank of another
// process that maps the segment wakes it with FUTEX_WAKE on its own mapping
// of the same word.
const (
	futexWaitOp = 0 // FUTEX_WAIT
	futexWakeOp = 1 // FUTEX_WAKE
)

// futexWait blocks while *w == val, for at most d, or until woken. A
// blocking system call: Go's scheduler gives this thread's P to others.
func futexWait(w *atomic.Uint32, val uint32, d time.Duration) {
	ts := unix.NsecToTimespec(int64(d))
	_, _, _ = syscall.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(w)), futexWaitOp, uintptr(val), uintptr(unsafe.Pointer(&ts)), 0, 0)
}

// futexWake wakes every thread parked on w.
func futexWake(w *atomic.Uint32) {
	_, _, _ = unix.RawSyscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(w)), futexWakeOp, uintptr(1<<31-1), 0, 0, 0)
}

// osYield gives the CPU to another runnable process, if any (a raw call:
// the scheduler must not hand this thread's P away for it).
func osYield() { _, _, _ = unix.RawSyscall(unix.SYS_SCHED_YIELD, 0, 0, 0) }
