// Command followjob is the job the follower tests and bench/follow run
// through gorun: every rank appends a step to followload's datasets and
// the file is flushed, step after step, until a stop file appears (or
// -steps is reached). Each flush is a snapshot readers check.
//
//	gorun -n 4 followjob [-steps N] [-stop FILE] [-latest] [-nosnap] [-timing] file.h5
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/followload"
)

func main() {
	steps := flag.Int64("steps", 1<<20, "stop after this many steps")
	stop := flag.String("stop", "", "stop at the first step after this file exists")
	latest := flag.Bool("latest", false, "libver latest")
	nosnap := flag.Bool("nosnap", false, "without WithSnapshots (bench/follow's baseline)")
	timing := flag.Bool("timing", false, "rank 0 prints the median and 90th percentile time of a Flush")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gorun -n N followjob [flags] file.h5")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *steps, *stop, *latest, !*nosnap, *timing); err != nil {
		fmt.Fprintln(os.Stderr, "followjob:", err)
		os.Exit(1)
	}
}

func run(path string, steps int64, stop string, latest, snap, timing bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c, err := comm.Init(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	opts := []h5file.Option{h5file.WithComm(c), h5file.WithContext(ctx)}
	if snap {
		opts = append(opts, h5file.WithSnapshots())
	}
	if latest {
		opts = append(opts, h5file.WithLibver(h5file.LibverLatest))
	}
	f, err := h5file.Create(path, "w", opts...)
	if err != nil {
		return err
	}
	if err := followload.Create(f, c.Size()); err != nil {
		return err
	}
	if err := f.Flush(); err != nil {
		return err
	}
	var flushes []time.Duration
	var k int64
	for ; k < steps; k++ {
		if stop != "" {
			var done int32
			if c.Rank() == 0 {
				if _, err := os.Stat(stop); err == nil {
					done = 1
				}
			}
			if err := collectives.BcastValue(ctx, c, &done, 0); err != nil {
				return err
			}
			if done == 1 {
				break
			}
		}
		if err := followload.Step(f, k, c.Rank(), c.Size()); err != nil {
			return err
		}
		t0 := time.Now()
		if err := f.Flush(); err != nil {
			return err
		}
		flushes = append(flushes, time.Since(t0))
	}
	st := f.SnapshotStats()
	if err := f.Close(); err != nil {
		return err
	}
	if c.Rank() == 0 {
		fmt.Printf("steps %d\n", k)
		if timing && len(flushes) > 0 {
			slices.Sort(flushes)
			fmt.Printf("flush median %v p90 %v max %v over %d flushes (snapshots %v)\n",
				flushes[len(flushes)/2], flushes[len(flushes)*9/10], flushes[len(flushes)-1], len(flushes), snap)
			fmt.Printf("published %d, without the lock %d, waiting for readers %v\n", st.Published, st.WithoutLock, st.LockWait)
		}
	}
	return nil
}
