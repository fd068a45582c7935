package launch

import (
	"fmt"
	"runtime"
	"strings"
)

// cpuShare is the GOMAXPROCS a rank gets when local ranks share this
// host's CPUs: the Go analogue of mpiexec binding each rank to its cores.
// A Go process on its own sizes its scheduler to every CPU; N such
// processes on one host then hand work between idle Ps with thread wakeups
// that cost more than the message itself (bench/runtime/RESULTS.md,
// "Decisions measured"). cpusPerRank > 0 is taken as given; 0 divides
// the CPUs this launcher may use among the local ranks, at least 1 each.
func cpuShare(cpusPerRank, localRanks int) int {
	if cpusPerRank > 0 {
		return cpusPerRank
	}
	return max(1, runtime.NumCPU()/max(1, localRanks))
}

// procsEnv adds GOMAXPROCS=procs unless the caller's environment already
// sets it (the user's choice wins, as with -x GOMAXPROCS=8), or procs < 0
// (the caller asked to leave the Go default).
func procsEnv(env []string, procs int) []string {
	if procs < 0 {
		return env
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "GOMAXPROCS=") {
			return env
		}
	}
	return append(env, fmt.Sprintf("GOMAXPROCS=%d", procs))
}
