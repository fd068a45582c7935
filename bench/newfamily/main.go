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

func main() {
	runs := flag.Int("runs", 5, "runs per case, alternating with h5py; the table shows medians")
	scale := flag.Int("scale", 1, "divide every count by this (for a quick look)")
	py := flag.String("python", "/usr/bin/python3", "interpreter with h5py")
	only := flag.String("only", "", "run only the cases (datasets, attrs, links) whose name contains this text")
	flag.Parse()
	dir, err := os.MkdirTemp("", "gorun-bench-newfamily")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	b := &bench{dir: dir, py: *py, script: scriptPath()}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("new-family metadata benchmarks: libver latest on both sides, median of %d runs, %s/%s, %d CPUs, load %s\n\n",
		*runs, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Println("| case | count | gorun | h5py | gorun speed / h5py | gorun per item | h5py per item |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, c := range cases(*scale) {
		if !strings.Contains(c.op, *only) {
			continue
		}
		g, p, err := b.run(c, *runs)
		if err != nil {
			fail(err)
		}
		per := func(d time.Duration) string {
			return fmt.Sprintf("%.2f µs", float64(d.Nanoseconds())/1e3/float64(c.n))
		}
		fmt.Printf("| %s | %d | %v | %v | %.2fx | %s | %s |\n", c.op, c.n,
			g.Round(time.Microsecond), p.Round(time.Microsecond), p.Seconds()/g.Seconds(), per(g), per(p))
	}
	load, _ = os.ReadFile("/proc/loadavg")
	fmt.Printf("\nload at end %s\n", strings.Join(strings.Fields(string(load))[:3], " "))
}

type benchCase struct {
	op string // "datasets", "attrs" or "links"
	n  int
}

// cases are the counts, each beside one ten times smaller so the
// table shows linearity.
func cases(scale int) []benchCase {
	scale = max(scale, 1)
	var cs []benchCase
	for _, c := range []benchCase{{"datasets", 100}, {"datasets", 1000}, {"attrs", 1000}, {"attrs", 10000}, {"links", 10000}, {"links", 100000}} {
		cs = append(cs, benchCase{c.op, max(c.n/scale, 1)})
	}
	return cs
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench/newfamily:", err)
	os.Exit(1)
}

// scriptPath finds h5py_newfamily.py beside this source file.
func scriptPath() string {
	_, self, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(self), "h5py_newfamily.py")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

type bench struct {
	dir, py, script string
}

// run times case c on both sides, alternating, and returns the medians.
func (b *bench) run(c benchCase, runs int) (g, p time.Duration, err error) {
	var tg, tp []time.Duration
	for range max(runs, 1) {
		d, err := b.gorun(c)
		if err != nil {
			return 0, 0, fmt.Errorf("gorun %s %d: %w", c.op, c.n, err)
		}
		tg = append(tg, d)
		d, err = b.h5py(c)
		if err != nil {
			return 0, 0, err
		}
		tp = append(tp, d)
	}
	return median(tg), median(tp), nil
}

// gorun times making one file of case c, Close included.
func (b *bench) gorun(c benchCase) (time.Duration, error) {
	path := filepath.Join(b.dir, "go_"+c.op+".h5")
	t := time.Now()
	f, err := h5file.Create(path, "w", h5file.WithLibver(h5file.LibverLatest))
	if err != nil {
		return 0, err
	}
	if err := fill(f, c); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	return time.Since(t), nil
}

func fill(f *h5file.File, c benchCase) error {
	small := []int32{0, 1, 2, 3}
	switch c.op {
	case "datasets":
		for i := range c.n {
			if _, err := f.CreateDatasetFrom(fmt.Sprintf("d%06d", i), small); err != nil {
				return err
			}
		}
	case "attrs":
		d, err := f.CreateDatasetFrom("x", small)
		if err != nil {
			return err
		}
		a := d.Attrs()
		for i := range c.n {
			if err := a.Set(fmt.Sprintf("a%06d", i), i); err != nil {
				return err
			}
		}
	case "links":
		if _, err := f.CreateDatasetFrom("t", small); err != nil {
			return err
		}
		g, err := f.CreateGroup("g")
		if err != nil {
			return err
		}
		for i := range c.n {
			if err := g.SoftLink(fmt.Sprintf("l%06d", i), "/t"); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("unknown case %q", c.op)
	}
	return nil
}

// h5py times the same file made by h5py with libver='latest'.
func (b *bench) h5py(c benchCase) (time.Duration, error) {
	path := filepath.Join(b.dir, "py_"+c.op+".h5")
	cmd := exec.Command(b.py, b.script, c.op, path, strconv.Itoa(c.n))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("h5py %s %d: %w", c.op, c.n, err)
	}
	s, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		return 0, fmt.Errorf("h5py %s printed %q", c.op, out)
	}
	return time.Duration(s * float64(time.Second)), nil
}
