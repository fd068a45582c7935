// Command scaleprog is the scale test's job: every rank joins, runs one
// Allgather of its rank (checked), measures what it holds (open file
// descriptors, threads, resident memory, from /proc/self) and sends that
// to rank 0 with a Gather; rank 0 prints one "stats" line with the
// minimum, median and maximum of each over the job, then every rank
// leaves.
//
// Two variables help find where the time goes (docs/SCALING.md):
// SCALEPROG_CPUPROFILE=DIR makes every rank write its CPU profile to
// DIR/rank-N.pprof (merge them with `go tool pprof DIR/*.pprof`), and
// SCALEPROG_TRACE=FILE makes every rank append one line to FILE with the
// wall-clock microseconds at which it started and ended each phase:
// "rank start init allgather gather close".
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

func main() {
	t0 := time.Now()
	if dir := os.Getenv("SCALEPROG_CPUPROFILE"); dir != "" {
		f, err := os.Create(filepath.Join(dir, "rank-"+os.Getenv("GORUN_RANK")+".pprof"))
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	marks := []time.Time{t0}
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "scaleprog:", err)
		os.Exit(1)
	}
	initTook := time.Since(t0)
	marks = append(marks, time.Now())
	n, r := c.Size(), c.Rank()
	got := make([]int64, n)
	if err := collectives.Allgather(ctx, c, []int64{int64(r)}, got); err != nil {
		fmt.Fprintf(os.Stderr, "scaleprog: rank %d: allgather: %v\n", r, err)
		os.Exit(1)
	}
	for i, v := range got {
		if v != int64(i) {
			fmt.Fprintf(os.Stderr, "scaleprog: rank %d: allgather[%d] = %d\n", r, i, v)
			os.Exit(1)
		}
	}
	marks = append(marks, time.Now())
	mine := []int64{countFDs(), status("Threads:"), status("VmRSS:"), initTook.Microseconds()}
	var all []int64
	if r == 0 {
		all = make([]int64, len(mine)*n)
	}
	if err := collectives.Gather(ctx, c, mine, all, 0); err != nil {
		fmt.Fprintf(os.Stderr, "scaleprog: rank %d: gather: %v\n", r, err)
		os.Exit(1)
	}
	marks = append(marks, time.Now())
	if r == 0 {
		names := []string{"fds", "threads", "rss_kib", "init_us"}
		var b strings.Builder
		fmt.Fprintf(&b, "stats ranks=%d", n)
		for k, name := range names {
			col := make([]int64, n)
			for i := range n {
				col[i] = all[i*len(mine)+k]
			}
			slices.Sort(col)
			fmt.Fprintf(&b, " %s=%d/%d/%d", name, col[0], col[n/2], col[n-1])
		}
		fmt.Println(b.String())
	}
	if err := c.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "scaleprog: rank %d: close: %v\n", r, err)
		os.Exit(1)
	}
	if path := os.Getenv("SCALEPROG_TRACE"); path != "" {
		writeTrace(path, r, append(marks, time.Now()))
	}
}

// writeTrace appends rank's phase times to path in one write (O_APPEND:
// the lines of different ranks do not mix).
func writeTrace(path string, rank int, marks []time.Time) {
	line := strconv.Itoa(rank)
	for _, m := range marks {
		line += " " + strconv.FormatInt(m.UnixMicro(), 10)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	_, _ = f.Write([]byte(line + "\n"))
	f.Close()
}

func countFDs() int64 {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return int64(len(ents))
}

// status is a number field of /proc/self/status (VmRSS in KiB).
func status(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				v, _ := strconv.ParseInt(f[0], 10, 64)
				return v
			}
		}
	}
	return -1
}
