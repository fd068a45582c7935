package h5file

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
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

// stepAllocs counts the allocations that steps of ls make on the
// ranks' own goroutines, by site (allocSites), with the memory profiler
// recording every one.
func stepAllocs(ls *lockstep, steps int) map[string]int64 {
	runtime.GC()
	before := allocSites()
	for range steps {
		ls.step()
	}
	runtime.GC() // the profile is published at the end of a cycle
	runtime.GC()
	sites := map[string]int64{}
	for k, v := range allocSites() {
		if d := v - before[k]; d > 0 {
			sites[k] = d
		}
	}
	return sites
}

// allocSites is the objects allocated so far on the ranks' goroutines
// (newLockstep's), by site: the first frame outside the runtime that
// allocated them, with its line, and the function that called it
// (closures named as the function they are in, so that a call wrapped
// in statsCall's closure is the same site as unwrapped). A pool's
// allocations (under sync.Pool's Get or Put) are left out, and so are
// the transport's (package comm): how many there are depends on timing
// (a collection empties the pools, under -race Put drops an item at
// random, a message that arrives before its receive is posted is read
// into a new buffer), on and off alike.
func allocSites() map[string]int64 {
	var recs []runtime.MemProfileRecord
	for {
		n, ok := runtime.MemProfile(recs, true)
		if ok {
			recs = recs[:n]
			break
		}
		recs = make([]runtime.MemProfileRecord, n+100)
	}
	out := map[string]int64{}
	for _, r := range recs {
		var site, caller string
		pool, rank := false, false
		frames := runtime.CallersFrames(r.Stack())
		for {
			fr, more := frames.Next()
			fn := fr.Function
			switch {
			case strings.HasPrefix(fn, "sync.(*Pool)."):
				pool = true
			case strings.HasSuffix(fn, "h5file.newLockstep.func1"):
				rank = true
			case site == "" && !strings.HasPrefix(fn, "runtime.") && !strings.HasPrefix(fn, "internal/"):
				site = fmt.Sprintf("%s:%d", fn, fr.Line)
			case site != "" && caller == "":
				caller = closureRE.ReplaceAllString(fn, "")
			}
			if !more {
				break
			}
		}
		if rank && !pool && !strings.HasPrefix(site, "github.com/gorun-hpc/gorun/comm.") {
			out[site+" from "+caller] += r.AllocObjects
		}
	}
	return out
}

// closureRE matches a closure's suffix of its function's name.
var closureRE = regexp.MustCompile(`(\.func\d+)+$`)

// TestIOStatsHooksAllocate: with gorun --iostats on, the hot paths of
// bench/parallel's cases (independent and collective writes and reads,
// two-phase exchanges, metadata check points, collectives) allocate
// nothing more than with it off: the report's hooks add counters to
// records they already hold, never a map entry, a closure or a record
// per call. Counting every allocation of a step (testing.AllocsPerRun)
// could not say that: "on" exceeded "off" by 4-6 a step under -race or
// repeated runs, and by as many the other way, which were comm's and
// the pools' allocations, whose number depends on timing (allocSites
// leaves them out), and msgpack's and fmt's pooled buffers growing
// after a pool came back empty. Those vary at sites that allocate off
// too, so what counts here is sites that allocate only with the report
// on, each step: a hook's allocation, or a closure made for one, is such
// a site, 4 a step (once per call on each of 4 ranks).
func TestIOStatsHooksAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 4 in-process ranks per path")
	}
	defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
	runtime.MemProfileRate = 1
	const ranks, steps = 4, 20
	for _, hp := range hotPaths {
		t.Run(hp.name, func(t *testing.T) {
			var sites [2]map[string]int64
			for i, on := range []bool{false, true} {
				ls := newLockstep(t, ranks, on, filepath.Join(t.TempDir(), "a.h5"), hp.setup)
				ls.step() // the dataset's place in the report is taken at its first call
				sites[i] = stepAllocs(ls, steps)
				ls.close()
				if ls.err != nil {
					t.Fatalf("on %v: %v", on, ls.err)
				}
			}
			var total [2]int64
			for i := range sites {
				for _, n := range sites[i] {
					total[i] += n
				}
			}
			var extra int64
			for k, n := range sites[1] {
				if sites[0][k] == 0 {
					extra += n
					t.Logf("on only: %d allocations at %s", n, k)
				}
			}
			t.Logf("allocations per step of %d ranks: off %.2f, on %.2f, at sites only on %.2f",
				ranks, float64(total[0])/steps, float64(total[1])/steps, float64(extra)/steps)
			if extra >= 2*steps {
				t.Errorf("with statistics on, a step of %d ranks allocates %.2f times at sites that do not allocate off: the hooks allocate", ranks, float64(extra)/steps)
			}
		})
	}
}
