package multihost_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/internal/netns"
)

// scaleRanks is the scale test's job size: issue 16 asks for 1024 ranks
// on one host (oversubscribed: this machine has 2 cores).
const scaleRanks = 1024

// maxScaleCPU bounds the scale job's CPU time: 12-14 s measured on the
// 2-core development VM (docs/SCALING.md), 27-34 s before the fixes
// there.
const maxScaleCPU = 20 * time.Second

// TestScale1024: gorun starts 1024 ranks of scaleprog on this host; they
// join, run an Allgather (checked by every rank) and exit. It reports what
// a rank and the launcher hold (file descriptors, threads, memory) and
// the CPU time the whole job cost; docs/SCALING.md is the model built on
// these numbers.
//
// Two bounds. The job's CPU time (user+sys of gorun and every rank, which
// load barely changes) must stay under maxScaleCPU: that is the guard
// against regressions (the shared-memory rings took it from 14 to 30 s
// before crowded hosts went back to TCP). And issue 16's: the wall time
// must be at most 10 s, unless the machine was clearly busy with other
// work when the job started (load average over twice its cores), which
// only makes the wall time a measure of the others.
func TestScale1024(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("1024 processes: not in -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	bin := binaries(t)
	raiseNoFile(t, 16384)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "gorun"), "-n", strconv.Itoa(scaleRanks), filepath.Join(bin, "scaleprog"))
	cmd.Dir = t.TempDir()
	var out netns.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	load0 := loadAvg()
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	peak := watchLauncher(cmd.Process.Pid)
	err := cmd.Wait()
	wall := time.Since(t0)
	launcher := peak()
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime() // gorun and every rank it reaped
	text := out.String()
	if err != nil {
		t.Fatalf("gorun -n %d scaleprog: %v after %v\n%s", scaleRanks, err, wall, tail(text, 4000))
	}
	m := regexp.MustCompile(`stats ranks=(\d+) fds=(\S+) threads=(\S+) rss_kib=(\S+) init_us=(\S+)`).FindStringSubmatch(text)
	if m == nil || m[1] != strconv.Itoa(scaleRanks) {
		t.Fatalf("no stats line for %d ranks:\n%s", scaleRanks, tail(text, 4000))
	}
	cores := runtime.NumCPU()
	t.Logf("%d ranks: wall %v, CPU %v (user+sys of gorun and all ranks) on %d cores; load average %.1f before", scaleRanks, wall.Round(time.Millisecond), cpu.Round(time.Millisecond), cores, load0)
	t.Logf("per rank (min/median/max): fds %s, threads %s, RSS KiB %s, Init µs %s", m[2], m[3], m[4], m[5])
	t.Logf("launcher peak: fds %d, threads %d, RSS %d KiB; its own CPU %v", launcher.fds, launcher.threads, launcher.rssKiB, launcher.cpu)
	if warnings := strings.Count(text, "level=WARN"); warnings > 0 {
		// Seen under heavy load: a peer's connection closed before its
		// handshake (docs/SCALING.md); the job is unharmed.
		t.Logf("%d warnings in the job's output, e.g. %s", warnings, firstLine(text, "level=WARN"))
	}
	if cpu > maxScaleCPU {
		t.Errorf("the job cost %v of CPU, over the %v bound (12-14 s measured; docs/SCALING.md)", cpu, maxScaleCPU)
	}
	if wall > 10*time.Second {
		if busy := load0 > 2*float64(cores); busy {
			t.Logf("took %v, over 10 s, but the machine was busy before the job (load average %.1f on %d cores): not held against the job", wall, load0, cores)
		} else {
			t.Errorf("took %v, want at most 10 s (load average %.1f before the job, %d cores)", wall, load0, cores)
		}
	}
}

func firstLine(text, sub string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, sub) {
			return line
		}
	}
	return ""
}

// procStats is what one process holds.
type procStats struct {
	fds, threads, rssKiB int
	cpu                  time.Duration // its own user+sys time, children not included
}

// watchLauncher samples pid's file descriptors, threads and resident
// memory every 20 ms until the returned function is called (after the
// process was reaped), which returns the peaks. Sampling is measurement,
// not synchronisation: a missed peak only understates.
func watchLauncher(pid int) func() procStats {
	var mu sync.Mutex
	var peak procStats
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid)); err == nil {
				b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
				mu.Lock()
				peak.fds = max(peak.fds, len(ents))
				peak.threads = max(peak.threads, statusField(string(b), "Threads:"))
				peak.rssKiB = max(peak.rssKiB, statusField(string(b), "VmRSS:"))
				if cpu := selfCPU(pid); cpu > 0 {
					peak.cpu = cpu
				}
				mu.Unlock()
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() procStats {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// selfCPU is pid's own user+sys time from /proc/PID/stat (fields 14 and
// 15, in clock ticks of 1/100 s on Linux).
func selfCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces: count from its ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.Atoi(f[11])
	s, _ := strconv.Atoi(f[12])
	return time.Duration(u+s) * 10 * time.Millisecond
}

func statusField(status, field string) int {
	for _, line := range strings.Split(status, "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				v, _ := strconv.Atoi(f[0])
				return v
			}
		}
	}
	return 0
}

func loadAvg() float64 {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
