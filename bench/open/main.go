package main

import (
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

	"github.com/gorun-hpc/gorun/h5file"
)

type benchCase struct {
	name, file, py string
	op             func(f *h5file.File) error
}

var cases = []benchCase{
	{"open 10k objects", "tenk.h5", "open", func(*h5file.File) error { return nil }},
	{"open + one dataset's attribute", "tenk.h5", "one", oneAttr},
	{"open + visit 10k objects", "tenk.h5", "visit", visitAll},
	{"open + list 100k members", "wide.h5", "list", list100k},
}

func oneAttr(f *h5file.File) error {
	d, err := f.Dataset("g42/d17")
	if err != nil {
		return err
	}
	var v int64
	if err := d.Attrs().Read("i", &v); err != nil || v != 4217 {
		return fmt.Errorf("attribute i = %d, %v", v, err)
	}
	return nil
}

func visitAll(f *h5file.File) error {
	n := 0
	err := f.Visit(func(string, h5file.Object) error { n++; return nil })
	if err == nil && n != 100*100 {
		err = fmt.Errorf("visited %d objects", n)
	}
	return err
}

func list100k(f *h5file.File) error {
	g, err := f.Group("g")
	if err != nil {
		return err
	}
	k, err := g.Keys()
	if err == nil && len(k) != 100000 {
		err = fmt.Errorf("%d members", len(k))
	}
	return err
}

func main() {
	runs := flag.Int("runs", 7, "runs per case, alternating with h5py; the table shows medians")
	reps := flag.Int("reps", 10, "opens per run (each run's time is their mean)")
	py := flag.String("python", "/usr/bin/python3", "interpreter with h5py")
	only := flag.String("only", "serial,parallel,parrw,mem,parmem", "which tables: serial (opens), parallel (gorun vs h5py mpio), mem (peak RSS), parmem (peak RSS per rank of a parallel open, 4 ranks), parrw (parallel open r+)")
	ranksFlag := flag.String("ranks", "2,4,8", "parallel: rank counts")
	flag.Parse()
	dir, err := os.MkdirTemp("", "gorun-bench-open")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	_, self, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(self), "h5py_open.py")
	if out, err := exec.Command(*py, script, "make", dir).CombinedOutput(); err != nil {
		fail(fmt.Errorf("h5py make: %v\n%s", err, out))
	}
	fmt.Printf("open benchmarks: files made by h5py, median of %d runs of %d opens each, %d CPUs, load %s\n\n",
		*runs, *reps, runtime.NumCPU(), loadavg())
	if strings.Contains(*only, "serial") {
		serial(dir, *py, script, *runs, *reps)
	}
	if strings.Contains(*only, "par") || strings.Contains(*only, "mem") { // parallel, parrw, parmem
		bin, err := buildTools(dir)
		if err != nil {
			fail(err)
		}
		if strings.Contains(*only, "parallel") {
			if err := parallel(dir, bin, *py, script, *ranksFlag, *runs, *reps, false); err != nil {
				fail(err)
			}
		}
		if strings.Contains(*only, "parrw") {
			if err := parallel(dir, bin, *py, script, *ranksFlag, *runs, *reps, true); err != nil {
				fail(err)
			}
		}
		if strings.Contains(strings.ReplaceAll(*only, "parmem", ""), "mem") {
			if err := memory(dir, bin, *py, script, *runs); err != nil {
				fail(err)
			}
		}
		if strings.Contains(*only, "parmem") {
			if err := parallelMemory(dir, bin, *py, script, *runs); err != nil {
				fail(err)
			}
		}
	}
}

func loadavg() string {
	load, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(load)); len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "?"
}

func serial(dir, py, script string, runs, reps int) {
	fmt.Println("| case | gorun | h5py (libhdf5) | gorun / h5py |")
	fmt.Println("|---|---|---|---|")
	for _, c := range cases {
		path := filepath.Join(dir, c.file)
		if err := goOnce(path, c.op); err != nil { // warm, and check
			fail(fmt.Errorf("%s: %w", c.name, err))
		}
		var g, p []time.Duration
		for range runs {
			t := time.Now()
			for range reps {
				if err := goOnce(path, c.op); err != nil {
					fail(fmt.Errorf("%s: %w", c.name, err))
				}
			}
			g = append(g, time.Since(t)/time.Duration(reps))
			d, err := pyOp(py, script, c.py, path, reps)
			if err != nil {
				fail(fmt.Errorf("%s: %w", c.name, err))
			}
			p = append(p, d)
		}
		mg, mp := median(g), median(p)
		fmt.Printf("| %s | %s | %s | %.2fx |\n", c.name, ms(mg), ms(mp), float64(mg)/float64(mp))
	}
	fmt.Println()
}

func goOnce(path string, op func(*h5file.File) error) error {
	f, err := h5file.Open(path, "r")
	if err != nil {
		return err
	}
	if err := op(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func pyOp(py, script, c, path string, reps int) (time.Duration, error) {
	out, err := exec.Command(py, script, "time", c, path, strconv.Itoa(reps)).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("h5py %s: %v\n%s", c, err, out)
	}
	s, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		return 0, fmt.Errorf("h5py %s printed %q", c, out)
	}
	return time.Duration(s * float64(time.Second)), nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/1e6) }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench/open:", err)
	os.Exit(1)
}
