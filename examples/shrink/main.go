// Command shrink is a time-step loop that outlives its ranks: every step
// appends one row to a dataset of one shared HDF5 file and flushes it, and
// when a rank dies the others shrink their communicator (comm's Shrink),
// reopen the file at its last flush and go on with one rank fewer.
//
//	gorun --enable-recovery -n 4 ./examples/shrink -steps 10 out.h5
//
// The file holds, for step t (one row each):
//
//	field[t, j]  = 1000*t + j         the values, whoever wrote them
//	owner[t, j]  = the world rank that wrote field[t, j]
//	ranks[t]     = how many ranks shared step t
//
// The columns are split into equal blocks, one per rank of the current
// communicator: after a shrink the blocks are recomputed for the
// survivors. -kill R:S[,R:S...] makes world rank R kill itself with
// SIGKILL at step S, after writing its block and before the flush (the
// step is lost and written again by the survivors); tests use it.
//
// Under gorun without --enable-recovery a death ends the job as always,
// and the file is as of the last flush. With it the job goes on, and
// gorun's exit status still says that a rank died.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

func main() {
	steps := flag.Int("steps", 10, "time steps")
	cols := flag.Int("cols", 12, "columns of the field (values per step)")
	kill := flag.String("kill", "", "RANK:STEP[,RANK:STEP...]: that world rank kills itself (SIGKILL) at that step")
	progress := flag.Bool("progress", false, "rank 0 prints \"step T\" when step T is flushed")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: shrink [-steps N] [-cols N] [-kill R:S,...] FILE.h5")
		os.Exit(2)
	}
	kills, err := parseKills(*kill)
	if err != nil {
		fmt.Fprintln(os.Stderr, "shrink:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	world, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "shrink:", err)
		os.Exit(1)
	}
	defer world.Close()
	job := &run{path: flag.Arg(0), steps: *steps, cols: *cols, kills: kills, me: world.Rank(), progress: *progress}
	if err := job.loop(ctx, world); err != nil {
		fmt.Fprintf(os.Stderr, "shrink: world rank %d: %v\n", world.Rank(), err)
		world.Close()
		os.Exit(1)
	}
}

// run is one rank's part of the job.
type run struct {
	path        string
	steps, cols int
	kills       map[int]int // world rank -> the step it dies at
	me          int         // world rank
	progress    bool
}

// loop runs the steps on c; when a rank dies it shrinks c and resumes
// from the file's last flush, until every step is in the file.
func (r *run) loop(ctx context.Context, c *comm.Comm) error {
	for attempt := 0; ; attempt++ {
		err := r.steps1(ctx, c, attempt == 0)
		failedAt := time.Now()
		// Every survivor must know whether every other finished: one
		// may have failed at a step another got through (a flush that a
		// rank's death cut short on some ranks only).
		done, failed, aerr := c.Agree(ctx, err == nil)
		if aerr != nil {
			return errors.Join(err, aerr)
		}
		if done && len(failed) == 0 {
			return nil
		}
		if err != nil && !errors.Is(err, comm.ErrRankFailed) {
			return err // not a death: nothing to recover from
		}
		nc, serr := c.Shrink(ctx)
		if serr != nil {
			return fmt.Errorf("shrinking after %v: %w", err, serr)
		}
		if nc.Rank() == 0 {
			fmt.Printf("shrink: ranks %v of %d are gone, going on with %d (agreed and shrunk in %v)\n", failed, c.Size(), nc.Size(), time.Since(failedAt).Round(time.Microsecond))
		}
		c = nc
	}
}

// steps1 opens the file (creates it on the first attempt), finds the
// first step not in it, and writes the rest, flushing after each.
func (r *run) steps1(ctx context.Context, c *comm.Comm, first bool) (err error) {
	opts := []h5file.Option{h5file.WithComm(c), h5file.WithContext(ctx)}
	var f *h5file.File
	if first {
		f, err = h5file.Create(r.path, "w", opts...)
	} else {
		f, err = h5file.Open(r.path, "r+", opts...)
	}
	if err != nil {
		return err
	}
	// Close writes no metadata after a failed collective: the file stays
	// at its last flush, and Close releases the file (and rank 0's lock)
	// for the reopen with the survivors.
	defer func() { err = errors.Join(err, f.Close()) }()
	var field, owner, ranks *h5file.Dataset
	if first {
		cols := uint64(r.cols)
		if field, err = h5file.CreateDatasetOf[float64](f, "field", []uint64{0, cols}, h5file.MaxShape(h5file.Unlimited, cols), h5file.Chunks(1, cols)); err != nil {
			return err
		}
		if owner, err = h5file.CreateDatasetOf[int32](f, "owner", []uint64{0, cols}, h5file.MaxShape(h5file.Unlimited, cols), h5file.Chunks(1, cols)); err != nil {
			return err
		}
		if ranks, err = h5file.CreateDatasetOf[int32](f, "ranks", []uint64{0}, h5file.MaxShape(h5file.Unlimited), h5file.Chunks(64)); err != nil {
			return err
		}
		if err := f.Flush(); err != nil {
			return err
		}
	} else {
		root := f.Root()
		if field, err = root.Dataset("field"); err != nil {
			return err
		}
		if owner, err = root.Dataset("owner"); err != nil {
			return err
		}
		if ranks, err = root.Dataset("ranks"); err != nil {
			return err
		}
	}
	// The file is at its last flush, the same for every rank: its rows
	// are the steps done.
	for t := int(field.Shape()[0]); t < r.steps; t++ {
		if err := r.step(c, t, field, owner, ranks); err != nil {
			return fmt.Errorf("step %d: %w", t, err)
		}
		if err := f.Flush(); err != nil {
			return fmt.Errorf("step %d: %w", t, err)
		}
		if r.progress && c.Rank() == 0 {
			fmt.Printf("step %d\n", t)
		}
	}
	return nil
}

// step appends row t: this rank writes its block of columns.
func (r *run) step(c *comm.Comm, t int, field, owner, ranks *h5file.Dataset) error {
	n := uint64(t + 1)
	cols := uint64(r.cols)
	for _, d := range []*h5file.Dataset{field, owner} {
		if err := d.Resize(n, cols); err != nil {
			return err
		}
	}
	if err := ranks.Resize(n); err != nil {
		return err
	}
	lo, hi := r.cols*c.Rank()/c.Size(), r.cols*(c.Rank()+1)/c.Size()
	vals := make([]float64, hi-lo)
	who := make([]int32, hi-lo)
	for j := lo; j < hi; j++ {
		vals[j-lo] = float64(1000*t + j)
		who[j-lo] = int32(r.me)
	}
	sel := h5file.S(h5file.Index(int64(t)), h5file.Range(int64(lo), int64(hi)))
	if err := field.WriteSel(sel, vals); err != nil {
		return err
	}
	if err := owner.WriteSel(sel, who); err != nil {
		return err
	}
	if c.Rank() == 0 {
		if err := ranks.WriteSel(h5file.S(h5file.Index(int64(t))), []int32{int32(c.Size())}); err != nil {
			return err
		}
	}
	if s, ok := r.kills[r.me]; ok && s == t {
		// Its block is written, the step is not flushed: the survivors
		// write the step again without it.
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			_ = p.Kill() // SIGKILL on Unix
		}
		time.Sleep(time.Minute) // the signal ends the process first
	}
	return nil
}

// parseKills reads -kill's RANK:STEP list.
func parseKills(s string) (map[int]int, error) {
	out := map[int]int{}
	if s == "" {
		return out, nil
	}
	for _, kv := range strings.Split(s, ",") {
		rs, ss, ok := strings.Cut(kv, ":")
		rank, err1 := strconv.Atoi(rs)
		step, err2 := strconv.Atoi(ss)
		if !ok || err1 != nil || err2 != nil || rank < 0 || step < 0 {
			return nil, fmt.Errorf("-kill %q: give RANK:STEP pairs, e.g. 2:3,0:6", s)
		}
		out[rank] = step
	}
	return out, nil
}
