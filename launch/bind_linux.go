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
// the start runs on a thread of its own whose mask is set first; that
// thread is never given back to the Go scheduler (the goroutine ends
// locked to it, so the runtime ends the thread), and no other goroutine
// ever runs with the rank's mask.
func startBound(cmd *exec.Cmd, cpus []int) error {
	if len(cpus) == 0 {
		return cmd.Start()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // not unlocked: see above
		var set unix.CPUSet
		for _, c := range cpus {
			set.Set(c)
		}
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			errc <- fmt.Errorf("sched_setaffinity to CPUs %s: %w", cpuList(cpus), err)
			return
		}
		errc <- cmd.Start()
	}()
	return <-errc
}
