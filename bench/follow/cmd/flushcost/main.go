// Command flushcost measures the time of a Flush with and without
// h5file.WithSnapshots: followjob (an append of one step to two datasets
// and an attribute, then Flush, step after step) run through gorun,
// alternating the two sides run by run, and a third side with snapshots
// while an h5py process opens the file back to back (libhdf5's file
// locking, so each flush waits for a gap between its opens). It prints
// one Markdown table row per rank count: the median over runs of each
// run's median (and 90th percentile) flush time.
//
//	go run ./bench/follow/cmd/flushcost [-runs 7] [-steps 400] [-ranks 1,4] [-h5py]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	runs := flag.Int("runs", 7, "runs per side")
	steps := flag.Int("steps", 400, "flushes per run")
	ranks := flag.String("ranks", "1,4", "rank counts")
	h5py := flag.Bool("h5py", true, "also run with an h5py reader opening the file back to back")
	flag.Parse()
	if err := run(*runs, *steps, *ranks, *h5py); err != nil {
		fmt.Fprintln(os.Stderr, "flushcost:", err)
		os.Exit(1)
	}
}

const reader = `
import h5py, os, sys
path, stop = sys.argv[1], sys.argv[2]
while not os.path.exists(stop):
    try:
        f = h5py.File(path, 'r')
    except OSError:
        continue
    f['steps'][()]
    f.close()
`

func run(runs, steps int, rankList string, withPy bool) error {
	dir, err := os.MkdirTemp("", "flushcost")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	gorun, job := filepath.Join(dir, "gorun"), filepath.Join(dir, "followjob")
	for _, b := range [][2]string{{gorun, "./cmd/gorun"}, {job, "./h5file/internal/followjob"}} {
		if out, err := exec.Command("go", "build", "-o", b[0], b[1]).CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	up, _ := exec.Command("uptime").Output()
	fmt.Printf("uptime before: %s", up)
	sides := []string{"plain", "snapshots"}
	if withPy {
		sides = append(sides, "snapshots+h5py")
	}
	fmt.Println("| ranks | side | flush median | flush p90 |")
	fmt.Println("|---:|---|---:|---:|")
	for _, rs := range strings.Split(rankList, ",") {
		n, err := strconv.Atoi(rs)
		if err != nil {
			return err
		}
		med := map[string][]time.Duration{}
		p90 := map[string][]time.Duration{}
		for r := range runs {
			for _, side := range sides {
				m, p, err := once(gorun, job, dir, n, steps, side)
				if err != nil {
					return fmt.Errorf("%d ranks, %s, run %d: %w", n, side, r, err)
				}
				med[side] = append(med[side], m)
				p90[side] = append(p90[side], p)
			}
		}
		for _, side := range sides {
			fmt.Printf("| %d | %s | %v | %v |\n", n, side, median(med[side]), median(p90[side]))
		}
	}
	up, _ = exec.Command("uptime").Output()
	fmt.Printf("uptime after: %s", up)
	return nil
}

var timing = regexp.MustCompile(`flush median (\S+) p90 (\S+)`)

// once runs followjob once and returns its median and p90 flush time.
func once(gorun, job, dir string, n, steps int, side string) (time.Duration, time.Duration, error) {
	path, stop := filepath.Join(dir, "f.h5"), filepath.Join(dir, "stop")
	os.Remove(path)
	os.Remove(stop)
	args := []string{"-n", strconv.Itoa(n), job, "-timing", "-steps", strconv.Itoa(steps)}
	if side == "plain" {
		args = append(args, "-nosnap")
	}
	var py *exec.Cmd
	if side == "snapshots+h5py" {
		// The reader starts once the file exists: the job creates it.
		args = append(args, "-stop", filepath.Join(dir, "never"))
	}
	cmd := exec.Command(gorun, append(args, path)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	if side == "snapshots+h5py" {
		for start := time.Now(); time.Since(start) < time.Minute; time.Sleep(time.Millisecond) {
			if _, err := os.Stat(path); err == nil {
				break
			}
		}
		py = exec.Command("/usr/bin/python3", "-c", reader, path, stop)
		py.Env = append(os.Environ(), "HDF5_USE_FILE_LOCKING=TRUE")
		if err := py.Start(); err != nil {
			return 0, 0, err
		}
	}
	err := cmd.Wait()
	if py != nil {
		os.WriteFile(stop, nil, 0o644)
		py.Wait()
	}
	if err != nil {
		return 0, 0, fmt.Errorf("%v\n%s", err, out.String())
	}
	m := timing.FindStringSubmatch(out.String())
	if m == nil {
		return 0, 0, fmt.Errorf("no timing in output:\n%s", out.String())
	}
	med, err1 := time.ParseDuration(m[1])
	p, err2 := time.ParseDuration(m[2])
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("timing %q %q", m[1], m[2])
	}
	return med, p, nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2].Round(time.Microsecond)
}
