// Command gopar is the Go side of bench/parallel: run it under gorun; rank
// 0 prints one JSON line with the slowest rank's time.
//
//	go run ./cmd/gorun -n 4 ./bench/parallel/gopar -case write -bytes 268435456
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/gorun-hpc/gorun/bench/parallel"
	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

type opts struct {
	kase       string
	bytes      int64
	flush      bool
	coll       bool
	dir        string
	steps      int
	particles  int64
	warmup     int
	reps       int
	batch      bool
	profile    string
	phases     bool
	keep       bool
	codec      string // gzip case: compress with this codec instead (codecs.go)
	aggs       int    // tiles, tilesread: h5file.WithAggregators (0: every rank)
	noMap      bool   // tiles: h5file.WithMappedWrites(false), one pwrite per run
	libver     string // meta: the format family (earliest | latest)
	multi      bool   // vpic: each step's 8 variables in one File.WriteMulti
	noPrealloc bool   // h5file.WithPreallocation(false): no fallocate before long runs
}

func main() {
	var o opts
	flag.StringVar(&o.kase, "case", "write", "write | raw | meta | vpic | gzip | tiles | tilesread")
	flag.Int64Var(&o.bytes, "bytes", 256<<20, "total bytes of the shared dataset (write, raw, gzip)")
	flag.BoolVar(&o.flush, "flush", false, "flush (fsync) before close")
	flag.BoolVar(&o.coll, "coll", false, "collective data writes where the API has them")
	flag.StringVar(&o.dir, "dir", os.TempDir(), "directory for the file")
	flag.IntVar(&o.steps, "steps", 5, "VPIC-IO time steps")
	flag.Int64Var(&o.particles, "particles", 1<<20, "VPIC-IO particles per rank")
	flag.BoolVar(&o.batch, "batch", false, "meta: open the file WithSmallWriteBatching (small writes held until Close, written by rank 0)")
	flag.IntVar(&o.warmup, "warmup", 1, "untimed whole runs before the timed one, in the same processes")
	flag.IntVar(&o.reps, "reps", 1, "timed runs after the warm-up, in the same processes; the result is their median (the slowest rank's time in each)")
	flag.StringVar(&o.profile, "profile", "", "write each rank's CPU profile of all runs (use -warmup 50 for enough samples) to DIR/cpu-rank-N.prof")
	flag.BoolVar(&o.phases, "phases", false, "meta, write: print each rank's phase times to stderr")
	flag.StringVar(&o.codec, "codec", "", "gzip case: use this codec instead of deflate(4): "+codecNames())
	flag.BoolVar(&o.noMap, "nomap", false, "tiles: h5file.WithMappedWrites(false) (one pwrite per run, as before decision 41)")
	flag.IntVar(&o.aggs, "aggregators", 0, "tiles, tilesread: two-phase aggregators (h5file.WithAggregators; 0: every rank)")
	flag.StringVar(&o.libver, "libver", "earliest", "meta: format family, earliest | latest (h5py's libver)")
	flag.BoolVar(&o.multi, "multi", false, "vpic: write each step's 8 variables with one File.WriteMulti (H5Dwrite_multi) instead of 8 writes")
	flag.BoolVar(&o.noPrealloc, "noprealloc", false, "h5file.WithPreallocation(false): long runs are not fallocated before their writes (as before decision 49)")
	flag.BoolVar(&o.keep, "keep", false, "keep the timed run's file in -dir (gopar-CASE-PID.h5), to check what was written")
	flag.Parse()
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gopar:", err)
		os.Exit(1)
	}
	defer c.Close()
	path := filepath.Join(o.dir, fmt.Sprintf("gopar-%s-%d.h5", o.kase, os.Getppid()))
	r := parallel.Result{Case: caseName(o), Ranks: c.Size(), Bytes: o.bytes, Flush: o.flush, Coll: o.coll, Steps: o.steps}
	// Data is made before the clock starts, as h5py's side does.
	var x []float64 // only the cases that write it: a 256 MiB array costs the others memory and time
	if o.kase == "write" || o.kase == "raw" || o.kase == "gzip" {
		lo, hi := part(o.bytes/8, c.Rank(), c.Size())
		x = slabData(lo, hi)
	}
	var tl tiling
	if o.kase == "tiles" || o.kase == "tilesread" {
		tl = newTiling(o.bytes, c.Rank(), c.Size())
		x = tl.data()
	}
	if o.kase == "tilesread" {
		// The file to read, written once before any run (collectively).
		wo := o
		wo.coll = true
		if err := writeTiles(ctx, c, path, wo, x, tl); err != nil {
			fmt.Fprintf(os.Stderr, "gopar: rank %d: writing the cube to read: %v\n", c.Rank(), err)
			os.Exit(1)
		}
		tilesGot = make([]float64, len(x))
	}
	if o.kase == "vpic" {
		vpicData.fl, vpicData.in = make([]float32, o.particles), make([]int32, o.particles)
		for i := range vpicData.fl {
			vpicData.fl[i] = float32(i) * 0.001
			vpicData.in[i] = int32(i)
		}
	}
	// Warm-up runs are whole untimed runs in the same processes (file
	// created, written, closed, removed), as OSU's warm-up iterations:
	// on a VM the first large write into fresh page-cache memory costs up
	// to 10x the steady state, whatever the library (bench/parallel/RESULTS.md).
	var stop func()
	if o.profile != "" {
		stop = startProfile(o.profile, c.Rank())
	}
	reps := max(o.reps, 1)
	var secs []float64              // the timed runs' times
	var vpics []*parallel.VPICTimes // and their VPIC-IO figures
	for i := 0; i < o.warmup+reps && err == nil; i++ {
		err = timed(ctx, c, path, o, x, tl, &r)
		if i >= o.warmup {
			secs, vpics = append(secs, r.Seconds), append(vpics, r.VPIC)
		}
		if i < o.warmup+reps-1 && c.Rank() == 0 && o.kase != "tilesread" {
			_ = os.Remove(path)
		}
	}
	if len(secs) > 1 { // the median run (the upper one of an even count), with its figures
		idx := make([]int, len(secs))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(secs[a], secs[b]) })
		m := idx[len(idx)/2]
		r.Seconds, r.VPIC = secs[m], vpics[m]
	}
	if err == nil && o.kase == "tilesread" {
		err = checkTiles(tilesGot, x)
	}
	if stop != nil {
		stop()
	}
	if err != nil {
		r.Err = err.Error()
	}
	if c.Rank() == 0 {
		if !o.keep {
			_ = os.Remove(path)
		}
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gopar: rank %d: %v\n", c.Rank(), err)
		os.Exit(1)
	}
}

// tilesGot is the tilesread case's destination, made before the clock
// starts.
var tilesGot []float64

// timed runs the case once between a barrier and the slowest rank's
// finish, and stores that time in r.
func timed(ctx context.Context, c *comm.Comm, path string, o opts, x []float64, tl tiling, r *parallel.Result) error {
	if err := collectives.Barrier(ctx, c); err != nil {
		return err
	}
	t0 := time.Now()
	var err error
	switch o.kase {
	case "write":
		err = writeSlab(ctx, c, path, o, x, false)
	case "gzip":
		err = writeSlab(ctx, c, path, o, x, true)
	case "raw":
		err = rawWrite(ctx, c, path, o, x)
	case "tiles":
		err = writeTiles(ctx, c, path, o, x, tl)
	case "tilesread":
		err = readTiles(ctx, c, path, o, tilesGot, tl)
	case "meta":
		err = meta(ctx, c, path, o.batch, o.phases, o.libver == "latest")
	case "vpic":
		r.VPIC, err = vpic(ctx, c, path, o)
	default:
		err = fmt.Errorf("unknown case %q", o.kase)
	}
	mine := []float64{time.Since(t0).Seconds()}
	slowest := make([]float64, 1)
	if aerr := collectives.Allreduce(ctx, c, mine, slowest, collectives.Max[float64]()); aerr != nil && err == nil {
		err = aerr
	}
	r.Seconds = slowest[0]
	return err
}

// part is rank r's share [lo, hi) of n elements, in contiguous slabs.
func part(n int64, r, p int) (lo, hi int64) {
	per := (n + int64(p) - 1) / int64(p)
	return min(int64(r)*per, n), min(int64(r+1)*per, n)
}

func slabData(lo, hi int64) []float64 {
	x := make([]float64, hi-lo)
	for i := range x {
		x[i] = float64((lo+int64(i))%1000) * 0.5
	}
	return x
}

func writeSlab(ctx context.Context, c *comm.Comm, path string, o opts, x []float64, gzip bool) error {
	n := o.bytes / 8
	lo, hi := part(n, c.Rank(), c.Size())
	t0 := time.Now()
	f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx), h5file.WithPreallocation(!o.noPrealloc))
	if err != nil {
		return err
	}
	var dopts []h5file.DatasetOption
	if gzip {
		per := (n + int64(c.Size()) - 1) / int64(c.Size())
		chunk := min(uint64(1<<17), uint64(per)) // 1 MiB chunks, inside one rank's slab when it can be
		dopts = append(append(dopts, h5file.Chunks(chunk)), codecOptions(o.codec)...)
	}
	d, err := h5file.CreateDatasetOf[float64](f, "x", []uint64{uint64(n)}, dopts...)
	if err != nil {
		f.Close()
		return err
	}
	w := d.WriteSel
	if gzip || o.coll {
		w = d.Collective().WriteSel
	}
	t1 := time.Now()
	if err := w(h5file.S(h5file.Range(lo, hi)), x); err != nil {
		f.Close()
		return err
	}
	t2 := time.Now()
	if o.flush {
		if err := f.Flush(); err != nil {
			f.Close()
			return err
		}
	}
	err = f.Close()
	if o.phases {
		fmt.Fprintf(os.Stderr, "gopar: rank %d: create %v, write %v, flush+close %v\n", c.Rank(), t1.Sub(t0), t2.Sub(t1), time.Since(t2))
	}
	return err
}

// rawWrite is the floor: the same bytes written with pwrite by the same
// processes, no HDF5.
func rawWrite(ctx context.Context, c *comm.Comm, path string, o opts, x []float64) error {
	if c.Rank() == 0 {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		f.Close()
	}
	if err := collectives.Barrier(ctx, c); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	lo, _ := part(o.bytes/8, c.Rank(), c.Size())
	if _, err := f.WriteAt(comm.AsBytes(x), lo*8); err != nil {
		f.Close()
		return err
	}
	if o.flush {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// meta: 1000 datasets of shape (16,) int32 in 10 groups; each rank writes
// its element of every dataset.
func meta(ctx context.Context, c *comm.Comm, path string, batch, phases, latest bool) error {
	fopts := []h5file.Option{h5file.WithComm(c), h5file.WithContext(ctx)}
	if latest {
		fopts = append(fopts, h5file.WithLibver(h5file.LibverLatest))
	}
	if batch {
		fopts = append(fopts, h5file.WithSmallWriteBatching())
	}
	t0 := time.Now()
	f, err := h5file.Create(path, "w", fopts...)
	if err != nil {
		return err
	}
	t1 := time.Now()
	if phases {
		defer func() {
			t3 := time.Now()
			faults, cpu := selfUsage() // usage_*.go
			fmt.Fprintf(os.Stderr, "gopar: rank %d: create %v, datasets %v, close %v; page faults so far %d, CPU so far %v\n", c.Rank(), t1.Sub(t0), phaseEnd.Sub(t1), t3.Sub(phaseEnd), faults, cpu)
		}()
	}
	r := int64(c.Rank())
	for g := range 10 {
		grp, err := f.Root().CreateGroup(fmt.Sprintf("g%d", g))
		if err != nil {
			f.Close()
			return err
		}
		for i := range 100 {
			d, err := h5file.CreateDatasetOf[int32](grp, fmt.Sprintf("d%d", i), []uint64{16})
			if err != nil {
				f.Close()
				return err
			}
			if r < 16 {
				if err := d.WriteSel(h5file.S(h5file.Index(r)), []int32{int32(r)}); err != nil {
					f.Close()
					return err
				}
			}
		}
	}
	phaseEnd = time.Now()
	return f.Close()
}

// phaseEnd is when meta's loop ended (for -phases).
var phaseEnd time.Time

// startProfile starts rank's CPU profile into dir; the returned func ends it.
func startProfile(dir string, rank int) func() {
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-rank-%d.prof", rank)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gopar: profile:", err)
		return nil
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "gopar: profile:", err)
		f.Close()
		return nil
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

// vpicData is VPIC-IO's particles, made once before the runs (as h5bench
// prepares its data before the steps, and as h5py_par.py does): made in
// every run, fresh memory's page faults (costly on this VM) and the skew
// between ranks they cause landed in the next collective, H5Fcreate.
var vpicData struct {
	fl []float32
	in []int32
}

// vpic is h5bench's VPIC-IO write kernel: per time step a group with 8
// 1-D particle arrays; each rank writes its particles at the offset
// Exscan gives it. It returns h5bench's figures, each the slowest rank's.
func vpic(ctx context.Context, c *comm.Comm, path string, o opts) (*parallel.VPICTimes, error) {
	mine := []int64{o.particles}
	off := make([]int64, 1)
	if err := collectives.Exscan(ctx, c, mine, off, collectives.Sum[int64]()); err != nil {
		return nil, err
	}
	if c.Rank() == 0 {
		off[0] = 0
	}
	total := make([]int64, 1)
	if err := collectives.Allreduce(ctx, c, mine, total, collectives.Sum[int64]()); err != nil {
		return nil, err
	}
	np := o.particles
	fl, in := vpicData.fl, vpicData.in
	// times: create, close, raw, meta, then one per step.
	times := make([]float64, 4+o.steps)
	since := func(t time.Time, i int) { times[i] += time.Since(t).Seconds() }
	t := time.Now()
	f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx), h5file.WithPreallocation(!o.noPrealloc))
	since(t, 0)
	if err != nil {
		return nil, err
	}
	sel := h5file.S(h5file.Range(off[0], off[0]+np))
	vars := []string{"x", "y", "z", "px", "py", "pz", "id1", "id2"}
	var parts []h5file.MultiWrite // -multi: the step's writes, done together
	for s := range o.steps {
		parts = parts[:0]
		step := time.Now()
		t := time.Now()
		g, err := f.Root().CreateGroup(fmt.Sprintf("Timestep_%d", s))
		since(t, 3)
		if err != nil {
			f.Close()
			return nil, err
		}
		for i, name := range vars {
			t := time.Now()
			var d *h5file.Dataset
			if i < 6 {
				d, err = h5file.CreateDatasetOf[float32](g, name, []uint64{uint64(total[0])})
			} else {
				d, err = h5file.CreateDatasetOf[int32](g, name, []uint64{uint64(total[0])})
			}
			since(t, 3)
			var data any = fl
			if i >= 6 {
				data = in
			}
			if err == nil && o.multi {
				parts = append(parts, h5file.MultiWrite{D: d, Sel: sel, Data: data})
			} else if err == nil {
				t = time.Now()
				err = d.WriteSel(sel, data)
				since(t, 2)
			}
			if err != nil {
				f.Close()
				return nil, err
			}
		}
		if o.multi {
			t := time.Now()
			err := f.WriteMulti(parts...)
			since(t, 2)
			if err != nil {
				f.Close()
				return nil, err
			}
		}
		since(step, 4+s)
	}
	t = time.Now()
	err = f.Close()
	since(t, 1)
	if err != nil {
		return nil, err
	}
	slowest := make([]float64, len(times))
	if err := collectives.Allreduce(ctx, c, times, slowest, collectives.Max[float64]()); err != nil {
		return nil, err
	}
	return &parallel.VPICTimes{StepSeconds: slowest[4:], RawSeconds: slowest[2], MetaSeconds: slowest[3],
		CreateSeconds: slowest[0], CloseSeconds: slowest[1], TotalBytes: total[0] * 4 * int64(len(vars)) * int64(o.steps)}, nil
}
