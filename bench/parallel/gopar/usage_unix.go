//go:build unix

package main

import (
	"syscall"
	"time"
)

// selfUsage is this process's minor page faults and CPU time so far.
func selfUsage() (minorFaults int64, cpu time.Duration) {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return int64(ru.Minflt), time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
