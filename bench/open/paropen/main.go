// Command paropen is the Go side of bench/open's parallel and memory
// cases. Under gorun, "par PATH REPS" opens PATH (h5py's tenk.h5) on every
// rank, rank r reads one dataset of its own, closes, REPS times, and rank
// 0 prints the mean seconds of one open+read+close (barrier to barrier);
// "par PATH REPS visit" visits every object on every rank instead; "par
// PATH REPS rw" opens PATH r+ (nothing changes; Close flushes).
// Serially, "mem list PATH" (open + list the 100k members of /g) and "mem
// read PATH" (read the dataset /x whole) print the process's peak RSS in
// KiB (VmHWM) after the operation. Under gorun, "parmem PATH" opens PATH
// (h5py's wide.h5) on every rank, lists the 100k members of /g, reads
// one dataset of its own, closes, and rank 0 prints every rank's peak RSS
// in KiB (VmHWM), rank order.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "paropen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: paropen par PATH REPS | mem list|read PATH | parmem PATH")
	}
	switch args[0] {
	case "par":
		if len(args) != 3 && (len(args) != 4 || (args[3] != "visit" && args[3] != "rw")) {
			return fmt.Errorf("usage: paropen par PATH REPS [visit|rw]")
		}
		reps, err := strconv.Atoi(args[2])
		if err != nil {
			return err
		}
		mode := ""
		if len(args) == 4 {
			mode = args[3]
		}
		return par(args[1], reps, mode)
	case "parmem":
		return parMem(args[1])
	case "mem":
		if len(args) != 3 {
			return fmt.Errorf("usage: paropen mem list|read PATH")
		}
		if err := memOp(args[1], args[2]); err != nil {
			return err
		}
		hwm, err := vmHWM()
		if err != nil {
			return err
		}
		fmt.Println(hwm)
		return nil
	}
	return fmt.Errorf("unknown mode %q", args[0])
}

func par(path string, reps int, mode string) error {
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	once := func() error {
		open := "r"
		if mode == "rw" {
			open = "r+"
		}
		f, err := h5file.Open(path, open, h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		r := c.Rank()
		if mode == "visit" { // every rank visits every object: the worst case for on-demand metadata
			k := 0
			err := f.Visit(func(string, h5file.Object) error { k++; return nil })
			if err == nil && k != 100*100 {
				err = fmt.Errorf("visited %d objects", k)
			}
			if err != nil {
				f.Close()
				return err
			}
			return f.Close()
		}
		d, err := f.Dataset(fmt.Sprintf("g%02d/d%02d", r%100, r%99))
		if err != nil {
			f.Close()
			return err
		}
		v, err := h5file.ReadAll[int32](d)
		if err == nil && len(v) != 4 {
			err = fmt.Errorf("read %v", v)
		}
		if err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if err := once(); err != nil { // warm the page cache, as h5py's side does
		return err
	}
	if err := collectives.Barrier(ctx, c); err != nil {
		return err
	}
	t := time.Now()
	for range reps {
		if err := once(); err != nil {
			return err
		}
	}
	if err := collectives.Barrier(ctx, c); err != nil {
		return err
	}
	if c.Rank() == 0 {
		fmt.Println(time.Since(t).Seconds() / float64(reps))
	}
	return nil
}

// parMem is one parallel open + list + touch of one dataset, then every
// rank's peak RSS, printed by rank 0.
func parMem(path string) error {
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	f, err := h5file.Open(path, "r", h5file.WithComm(c), h5file.WithContext(ctx))
	if err != nil {
		return err
	}
	g, err := f.Group("g")
	if err == nil {
		var k []string
		k, err = g.Keys()
		if err == nil && len(k) != 100000 {
			err = fmt.Errorf("%d members", len(k))
		}
	}
	if err == nil {
		var d *h5file.Dataset
		if d, err = g.Dataset(fmt.Sprintf("d%06d", c.Rank())); err == nil {
			_, err = h5file.ReadAll[int32](d)
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	hwm, err := vmHWM()
	if err != nil {
		return err
	}
	all, err := collectives.AllgatherValue(ctx, c, hwm)
	if err != nil {
		return err
	}
	if c.Rank() == 0 {
		fmt.Println(strings.Trim(fmt.Sprint(all), "[]"))
	}
	return nil
}

func memOp(op, path string) error {
	f, err := h5file.Open(path, "r")
	if err != nil {
		return err
	}
	defer f.Close()
	switch op {
	case "list":
		g, err := f.Group("g")
		if err != nil {
			return err
		}
		k, err := g.Keys()
		if err == nil && len(k) != 100000 {
			err = fmt.Errorf("%d members", len(k))
		}
		return err
	case "read":
		d, err := f.Dataset("x")
		if err != nil {
			return err
		}
		v, err := h5file.ReadAll[float64](d)
		if err == nil && (len(v) != 1<<27 || v[len(v)-1] != float64(len(v)-1)) {
			err = fmt.Errorf("read %d values", len(v))
		}
		return err
	}
	return fmt.Errorf("unknown mem case %q", op)
}

// vmHWM is the process's peak resident set, KiB (Linux).
func vmHWM() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}
