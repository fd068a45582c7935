package h5file_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"path/filepath"
	"time"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// WithTrackOrder makes groups and attributes list in creation order, as
// h5py's track_order=True; without it they list by name.
func ExampleWithTrackOrder() {
	f, done := newFile("ordered.h5", h5file.WithTrackOrder())
	defer done()
	for _, name := range []string{"step10", "step2", "step1"} {
		f.CreateGroup(name)
	}
	f.Attrs().Set("z", 1)
	f.Attrs().Set("a", 2)
	keys, _ := f.Keys()
	fmt.Println(keys, f.Attrs().Names())
	// Output: [step10 step2 step1] [z a]
}

// WithContext bounds every blocking call on the file: once the context
// ends, calls fail with its error instead of waiting (in a parallel file,
// instead of waiting for a rank that never comes).
func ExampleWithContext() {
	path, cleanup := tempFile("ctx.h5")
	defer cleanup()
	ctx, cancel := context.WithCancel(context.Background())
	f, err := h5file.Create(path, "w", h5file.WithContext(ctx))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	_, err = f.CreateGroup("before")
	fmt.Println(err)
	cancel()
	_, err = f.CreateGroup("after")
	fmt.Println(errors.Is(err, context.Canceled))
	// Output:
	// <nil>
	// true
}

// WithSmallWriteBatching holds each rank's small writes until the next
// Flush or Close, where rank 0 writes them together: here every rank
// writes one element of each of many small datasets.
func ExampleWithSmallWriteBatching() {
	path, cleanup := tempFile("batched.h5")
	defer cleanup()
	errs := ranks(4, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithSmallWriteBatching())
		if err != nil {
			return err
		}
		for i := range 8 {
			d, err := h5file.CreateDatasetOf[int32](f, fmt.Sprintf("probe%d", i), []uint64{uint64(c.Size())})
			if err != nil {
				return err
			}
			v := []int32{int32(10*i + c.Rank())}
			if err := d.WriteSel(h5file.S(h5file.Index(int64(c.Rank()))), v); err != nil {
				return err
			}
		}
		return f.Close() // the held writes reach the file here
	})
	fmt.Println(errors.Join(errs...))
	f, err := h5file.Open(path, "r")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	for _, name := range []string{"probe0", "probe7"} {
		v, _ := h5file.ReadAll[int32](must1(f.Dataset(name)))
		fmt.Println(name, v)
	}
	// Output:
	// <nil>
	// probe0 [0 1 2 3]
	// probe7 [70 71 72 73]
}

// FollowInterval sets how often a follower looks for the writer's next
// flush: a short interval for a live plot, a long one to poll a remote
// file system gently.
func ExampleFollowInterval() {
	path, cleanup := tempFile("interval.h5")
	defer cleanup()
	job, err := newExampleJob(path)
	if err != nil {
		log.Fatal(err)
	}
	defer job.f.Close()
	f, err := h5file.Open(path, "r", h5file.Follow(), h5file.FollowInterval(5*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	before := f.Generation()
	done := make(chan error, 1)
	go func() { done <- job.step() }()
	defer func() { <-done }()
	if err := f.Next(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(before, f.Generation())
	// Output: 2 3
}

// Generation is the writer's flush count as of a follower's view: it
// moves with Poll and Next, and is 0 for a file not opened with Follow.
func ExampleFile_Generation() {
	path, cleanup := tempFile("generation.h5")
	defer cleanup()
	job, err := newExampleJob(path)
	if err != nil {
		log.Fatal(err)
	}
	defer job.f.Close()
	f, err := h5file.Open(path, "r", h5file.Follow())
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	fmt.Println(f.Generation(), job.f.Generation())
	for range 3 {
		job.step()
	}
	f.Poll()
	fmt.Println(f.Generation())
	// Output:
	// 2 0
	// 5
}

// SnapshotStats counts the flushes a writer published for followers,
// and how long it waited for h5py readers to let go of the file.
func ExampleFile_SnapshotStats() {
	path, cleanup := tempFile("stats.h5")
	defer cleanup()
	f, err := h5file.Create(path, "w", h5file.WithSnapshots())
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	for i := range 3 {
		f.Attrs().Set("step", i)
		f.Flush()
	}
	st := f.SnapshotStats()
	fmt.Println(st.Published, st.WithoutLock)
	// Output: 4 0
}

// Compact stores a small dataset inside its object header: one read
// brings metadata and data together.
func ExampleCompact() {
	f, done := newFile("compact.h5")
	defer done()
	d, err := f.CreateDatasetFrom("origin", []float64{0, 0, 0}, h5file.Compact())
	if err != nil {
		log.Fatal(err)
	}
	v, _ := h5file.ReadAll[float64](d)
	fmt.Println(d.Layout(), v)
	_, err = f.CreateDataset("big", h5file.Float64, []uint64{1 << 20}, h5file.Compact())
	fmt.Println(err != nil)
	// Output:
	// compact [0 0 0]
	// true
}

// Chunks stores a dataset in chunks of the given shape, which filters
// and Resize need: here one row of an image per chunk.
func ExampleChunks() {
	f, done := newFile("chunked.h5")
	defer done()
	d, err := f.CreateDataset("image", h5file.Uint8, []uint64{480, 640}, h5file.Chunks(1, 640))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Layout(), d.Chunks())
	// Output: chunked [1 640]
}

// MaxShape lets a dataset grow: Unlimited is h5py's None. A dataset with
// a maximum shape is chunked (a default chunk shape if none is given).
func ExampleMaxShape() {
	f, done := newFile("maxshapeopt.h5")
	defer done()
	d, err := f.CreateDataset("series", h5file.Float64, []uint64{0, 3}, h5file.MaxShape(h5file.Unlimited, 3))
	if err != nil {
		log.Fatal(err)
	}
	d.Resize(2, 3)
	d.Write([]float64{1, 2, 3, 4, 5, 6})
	fmt.Println(d.Shape(), d.MaxShape(), d.Layout())
	// Output: [2 3] [None 3] chunked
}

// FillValue is what unwritten elements read as; Dataset.FillValue reads
// it back.
func ExampleFillValue() {
	f, done := newFile("fillopt.h5")
	defer done()
	d, _ := f.CreateDataset("mask", h5file.Int8, []uint64{4}, h5file.FillValue(int8(-1)))
	d.WriteSel(h5file.S(h5file.Index(1)), []int8{1})
	v, _ := h5file.ReadAll[int8](d)
	var fill int8
	d.FillValue(&fill)
	fmt.Println(v, fill)
	// Output: [-1 1 -1 -1] -1
}

// Fletcher32 adds a checksum to every chunk, checked on every read.
func ExampleFletcher32() {
	f, done := newFile("fletcheropt.h5")
	defer done()
	d, err := f.CreateDatasetFrom("x", []int64{1, 2, 3, 4}, h5file.Chunks(2), h5file.Fletcher32())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Fletcher32(), d.Filters()[0].Name)
	// Output: true fletcher32
}

// Gzip compresses chunks with deflate (h5py's compression='gzip');
// a level outside 0..9 is refused.
func ExampleGzip() {
	f, done := newFile("gzipopt.h5")
	defer done()
	zeros := make([]float64, 4096)
	d, err := f.CreateDatasetFrom("zeros", zeros, h5file.Chunks(1024), h5file.Gzip(4))
	if err != nil {
		log.Fatal(err)
	}
	ci, _ := d.ChunkInfo([]uint64{0})
	fmt.Println(d.Compression(), d.CompressionOpts(), ci.Size < 1024*8)
	_, err = f.CreateDatasetFrom("bad", zeros, h5file.Gzip(10))
	fmt.Println(err != nil)
	// Output:
	// gzip 4 true
	// true
}

// Shuffle groups the bytes of the elements before compression, which
// helps smooth numeric data compress.
func ExampleShuffle() {
	f, done := newFile("shuffleopt.h5")
	defer done()
	x := make([]int64, 1024)
	for i := range x {
		x[i] = int64(i) * 1000
	}
	plain, _ := f.CreateDatasetFrom("plain", x, h5file.Gzip(4))
	shuffled, _ := f.CreateDatasetFrom("shuffled", x, h5file.Shuffle(), h5file.Gzip(4))
	a, _ := plain.ChunkInfo([]uint64{0})
	b, _ := shuffled.ChunkInfo([]uint64{0})
	fmt.Println(shuffled.Shuffle(), b.Size < a.Size)
	// Output: true true
}

// WithDtype spells the stored type out instead of deriving it from the
// Go values: here float64 values stored as float32, and int values as
// big-endian int16.
func ExampleWithDtype() {
	f, done := newFile("withdtype.h5")
	defer done()
	a, _ := f.CreateDatasetFrom("a", []float64{0.5, 1.5}, h5file.WithDtype(h5file.Float32))
	b, _ := f.CreateDatasetFrom("b", []int64{1, -2}, h5file.WithDtype(h5file.Int16BE))
	av, _ := h5file.ReadAll[float64](a)
	bv, _ := h5file.ReadAll[int64](b)
	fmt.Println(a.Dtype(), av, b.Dtype(), bv)
	// Output: f32le [0.5 1.5] i16be [1 -2]
}

// WithShape shapes the flat slice CreateDatasetFrom writes (row-major).
func ExampleWithShape() {
	f, done := newFile("withshape.h5")
	defer done()
	d, err := f.CreateDatasetFrom("m", []int32{1, 2, 3, 4, 5, 6}, h5file.WithShape(2, 3))
	if err != nil {
		log.Fatal(err)
	}
	row1, _ := h5file.ReadSlice[int32](d, h5file.S(h5file.Index(1)))
	_, err = f.CreateDatasetFrom("bad", []int32{1, 2, 3}, h5file.WithShape(2, 2))
	fmt.Println(d.Shape(), row1, errors.Is(err, h5file.ErrShape))
	// Output: [2 3] [4 5 6] true
}

// WithNamedType makes a dataset share a committed datatype, which h5dump
// shows by its path.
func ExampleWithNamedType() {
	f, done := newFile("withnamed.h5")
	defer done()
	kelvin, _ := f.CommitType("types/kelvin", h5file.Float32)
	a, _ := f.CreateDataset("surface", nil, []uint64{2}, h5file.WithNamedType(kelvin))
	b, _ := f.CreateDataset("air", nil, []uint64{3}, h5file.WithNamedType(kelvin))
	a.Write([]float32{288, 290})
	v, _ := h5file.ReadAll[float32](a)
	fmt.Println(a.Dtype(), b.Dtype(), v)
	// Output: f32le f32le [288 290]
}

// Shallow copies a group with its direct members only: member groups
// come empty (h5py's shallow=True).
func ExampleShallow() {
	f, done := newFile("shallow.h5")
	defer done()
	f.CreateDatasetFrom("run/x", []int32{1})
	f.CreateDatasetFrom("run/sub/y", []int32{2})
	f.Copy("run", "copy", h5file.Shallow())
	keys, _ := must1(f.Group("copy")).Keys()
	sub, _ := f.Group("copy/sub")
	fmt.Println(keys, sub.Len())
	// Output: [sub x] 0
}

// WithoutAttrs copies an object without its attributes.
func ExampleWithoutAttrs() {
	f, done := newFile("noattrs.h5")
	defer done()
	d, _ := f.CreateDatasetFrom("x", []int32{1, 2})
	d.Attrs().Set("units", "m")
	f.Copy("x", "with")
	f.Copy("x", "without", h5file.WithoutAttrs())
	fmt.Println(must1(f.Dataset("with")).Attrs().Names(), must1(f.Dataset("without")).Attrs().Len())
	// Output: [units] 0
}

// ExpandSoftLinks copies what soft links point to instead of the links,
// so the copy stands on its own.
func ExampleExpandSoftLinks() {
	f, done := newFile("expandsoft.h5")
	defer done()
	f.CreateDatasetFrom("data/x", []int32{1, 2})
	f.SoftLink("run/latest", "/data/x")
	f.Copy("run", "kept")
	f.Copy("run", "expanded", h5file.ExpandSoftLinks())
	kept, _ := must1(f.Group("kept")).LinkTarget("latest")
	_, isLink := must1(f.Group("expanded")).LinkTarget("latest")
	v, _ := h5file.ReadAll[int32](must1(f.Dataset("expanded/latest")))
	fmt.Println(kept, isLink, v)
	// Output: /data/x false [1 2]
}

// ExpandExternalLinks copies the objects external links point to into
// this file, so it no longer needs the other one.
func ExampleExpandExternalLinks() {
	path, cleanup := tempFile("expandext.h5")
	defer cleanup()
	other := filepath.Join(filepath.Dir(path), "mesh.h5")
	m, _ := h5file.Create(other, "w")
	m.CreateDatasetFrom("coords", []float64{0, 1})
	m.Close()

	f, err := h5file.Create(path, "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.CreateExternalLink("inputs/mesh", "mesh.h5", "/coords")
	f.Copy("inputs", "linked")
	f.Copy("inputs", "standalone", h5file.ExpandExternalLinks())
	_, _, linked := must1(f.Group("linked")).ExternalLink("mesh")
	_, _, stillLinked := must1(f.Group("standalone")).ExternalLink("mesh")
	v, _ := h5file.ReadAll[float64](must1(f.Dataset("standalone/mesh")))
	fmt.Println(linked, stillLinked, v)
	// Output: true false [0 1]
}
