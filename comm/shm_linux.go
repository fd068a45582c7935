package comm

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// shmDir is where POSIX shared memory lives on Linux (a tmpfs).
const shmDir = "/dev/shm/"

const shmSupported = true

// createShm makes a new segment of n bytes, readable and writable by this
// user only, and maps it. O_EXCL: a file someone made under the name first
// is never used.
func createShm(name string, n int) ([]byte, error) {
	fd, err := unix.Open(shmDir+name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, &os.PathError{Op: "create", Path: shmDir + name, Err: err}
	}
	defer unix.Close(fd)
	if err := unix.Ftruncate(fd, int64(n)); err != nil {
		_ = unix.Unlink(shmDir + name)
		return nil, &os.PathError{Op: "truncate", Path: shmDir + name, Err: err}
	}
	mem, err := unix.Mmap(fd, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		_ = unix.Unlink(shmDir + name)
		return nil, &os.PathError{Op: "mmap", Path: shmDir + name, Err: err}
	}
	return mem, nil
}

// openShm maps the segment a peer made, after checking that it is a
// regular file of this user's, closed to everyone else, of n bytes.
func openShm(name string, n int) ([]byte, error) {
	fd, err := unix.Open(shmDir+name, unix.O_RDWR|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: shmDir + name, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, &os.PathError{Op: "stat", Path: shmDir + name, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || int(st.Uid) != os.Getuid() || st.Mode&0o077 != 0 || st.Size != int64(n) {
		return nil, fmt.Errorf("comm: %s%s is not a segment of this user's with mode 0600 and %d bytes (mode %o, uid %d, %d bytes)", shmDir, name, n, st.Mode, st.Uid, st.Size)
	}
	mem, err := unix.Mmap(fd, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, &os.PathError{Op: "mmap", Path: shmDir + name, Err: err}
	}
	return mem, nil
}

func unlinkShm(name string) { _ = unix.Unlink(shmDir + name) }

func unmapShm(mem []byte) error { return unix.Munmap(mem) }

// osYield gives the CPU to another runnable process, if any. A raw system
// call: the Go scheduler must not hand this thread's P to another thread
// while it yields (that costs a futex wake-up per yield).
func osYield() { _, _, _ = unix.RawSyscall(unix.SYS_SCHED_YIELD, 0, 0, 0) }

// cpuLayout returns the host's online CPUs (not just this process'
// affinity, which runtime.NumCPU reports) and whether this process is
// pinned to a single CPU (gorun --bind-to core, taskset).
func cpuLayout() (online int, pinned bool) {
	var set unix.CPUSet
	if unix.SchedGetaffinity(0, &set) == nil {
		pinned = set.Count() == 1
	}
	online = runtime.NumCPU()
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return online, pinned
	}
	n := 0
	for _, part := range strings.Split(strings.TrimSpace(string(b)), ",") {
		lo, hi, rng := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		z := a
		var err2 error
		if rng {
			z, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || z < a {
			return online, pinned
		}
		n += z - a + 1
	}
	return max(n, online), pinned
}
