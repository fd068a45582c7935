// Command launchbench times the launch of a whole job: `gorun -n N
// ./hello` (examples/hello: comm.Init, a line, Close) against `mpiexec -n
// N ./hello_c` (testdata/hello.c built with mpicc: MPI_Init, a line, MPI_Finalize),
// run in turn, A B A B, so both see the same machine; it prints each side's
// median wall time, the median of the per-pair ratios, and the load
// (uptime) before and after.
//
//	go run ./bench/runtime/cmd/launchbench -ranks 64 -runs 11
//
// Open MPI runs with its defaults (shared memory between the ranks of a
// host), --oversubscribe (more ranks than cores) and, as root,
// --allow-run-as-root; gorun with its defaults (TCP over loopback).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	ranks := flag.String("ranks", "64", "comma-separated rank counts")
	runs := flag.Int("runs", 11, "timed runs of each command per rank count (after one warm-up each)")
	flag.Parse()
	if err := run(*ranks, *runs); err != nil {
		fmt.Fprintf(os.Stderr, "launchbench: %v\n", err)
		os.Exit(1)
	}
}

func run(ranksFlag string, runs int) error {
	dir, err := os.MkdirTemp("", "launchbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	gorun, hello, helloC := filepath.Join(dir, "gorun"), filepath.Join(dir, "hello"), filepath.Join(dir, "hello_c")
	_, self, _, _ := runtime.Caller(0)
	here := filepath.Dir(self)
	root := filepath.Join(here, "..", "..", "..", "..")
	for _, b := range [][]string{
		{"go", "build", "-o", gorun, "./cmd/gorun"},
		{"go", "build", "-o", hello, "./examples/hello"},
		{"mpicc", "-O2", "-o", helloC, filepath.Join(here, "testdata", "hello.c")},
	} {
		cmd := exec.Command(b[0], b[1:]...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v\n%s", strings.Join(b, " "), err, out)
		}
	}
	mpiexec := []string{"mpiexec", "--oversubscribe"}
	if os.Geteuid() == 0 {
		mpiexec = append(mpiexec, "--allow-run-as-root")
	}
	fmt.Printf("load before: %s\n", uptime())
	fmt.Println("| ranks | gorun median ms | mpiexec median ms | gorun/mpiexec (median of pairs) | runs | failed runs gorun / mpiexec |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|")
	for _, f := range strings.Split(ranksFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("-ranks %q: %q is not a rank count", ranksFlag, f)
		}
		a := []string{gorun, "-n", strconv.Itoa(n), hello}
		b := append(slices.Clone(mpiexec), "-n", strconv.Itoa(n), helloC)
		var ta, tb, ratio []float64
		var failA, failB int
		for i := -1; i < runs; i++ { // i == -1: warm-up, not counted
			// A failed run (Open MPI loses a rank to SIGPIPE now and then
			// at 64 ranks on a loaded machine) is counted and the pair
			// run again, up to maxFailed times a side.
			da, err := timeRun(a, n)
			if err != nil {
				if failA++; failA > maxFailed {
					return err
				}
				fmt.Fprintf(os.Stderr, "launchbench: failed run, again: %v\n", firstLine(err))
				i--
				continue
			}
			db, err := timeRun(b, n)
			if err != nil {
				if failB++; failB > maxFailed {
					return err
				}
				fmt.Fprintf(os.Stderr, "launchbench: failed run, again: %v\n", firstLine(err))
				i--
				continue
			}
			if i >= 0 {
				ta, tb = append(ta, ms(da)), append(tb, ms(db))
				ratio = append(ratio, ms(da)/ms(db))
			}
		}
		fmt.Printf("| %d | %.0f | %.0f | %.2f | %d | %d / %d |\n", n, median(ta), median(tb), median(ratio), runs, failA, failB)
	}
	fmt.Printf("load after: %s\n", uptime())
	return nil
}

// timeRun runs argv and checks that all n ranks said hello.
func timeRun(argv []string, n int) (time.Duration, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, out.Bytes())
	}
	if got := bytes.Count(out.Bytes(), []byte("hello from rank")); got != n {
		return 0, fmt.Errorf("%s: %d ranks said hello, want %d:\n%s", strings.Join(argv, " "), got, n, out.Bytes())
	}
	return d, nil
}

// maxFailed bounds the failed runs of a side per rank count.
const maxFailed = 5

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func uptime() string {
	b, err := exec.Command("uptime").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}
