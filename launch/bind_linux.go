package launch

import (
	"fmt"
	"os/exec"
	"runtime"

	"golang.org/x/sys/unix"
)

// allowedCPUs is the CPUs this process may run on (its affinity mask:
// under Slurm or a cgroup, what the job was given).
func allowedCPUs() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, fmt.Errorf("sched_getaffinity: %w", err)
	}
	var cpus []int
	for c := range len(set) * 64 {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

// hostCores is the cores this process may use.
func hostCores() ([]cpuCore, error) {
	cpus, err := allowedCPUs()
	if err != nil {
		return nil, err
	}
	return coresOf(cpus, "/sys/devices/system/cpu"), nil
}

// startBound starts cmd pinned to cpus. A child inherits the affinity of
// the thread that forks it, and os/exec forks on the calling thread, so
// the start runs on a thread locked for it whose mask is set first and
// restored after. The thread must outlive the rank: Linux sends a child's
// Pdeathsig when the thread that forked it exits, not the process, so
// ending the thread (a goroutine that exits locked) would kill the rank.
// If the mask cannot be restored the goroutine parks on its thread for
// good rather than hand the rank's mask to other goroutines or end.
func startBound(cmd *exec.Cmd, cpus []int) error {
	if len(cpus) == 0 {
		return cmd.Start()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		var old, set unix.CPUSet
		if err := unix.SchedGetaffinity(0, &old); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("sched_getaffinity: %w", err)
			return
		}
		for _, c := range cpus {
			set.Set(c)
		}
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("sched_setaffinity to CPUs %s: %w", cpuList(cpus), err)
			return
		}
		errc <- cmd.Start()
		if unix.SchedSetaffinity(0, &old) != nil {
			select {} // see above: never reached in practice
		}
		runtime.UnlockOSThread()
	}()
	return <-errc
}
