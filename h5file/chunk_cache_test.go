package h5file

import (
	"io"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// countingReader counts the chunk reads that reach the file.
type countingReader struct {
	r io.ReaderAt
	n atomic.Int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	c.n.Add(1)
	return c.r.ReadAt(p, off)
}

// TestChunkCacheDecodesOnce reads one element at a time from a compressed
// chunk: with the cache (libhdf5's default size) the chunk is read and
// decoded once; with the cache off, once per read. Writes drop the cache,
// and a cache one chunk big evicts.
func TestChunkCacheDecodesOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.h5")
	f, err := Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	d, err := CreateDatasetOf[float64](f, "x", []uint64{4096}, Chunks(1024), Gzip(4))
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, 4096)
	for i := range x {
		x[i] = float64(i)
	}
	if err := d.Write(x); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	// readEach reads elements lo..hi-1 one by one, checks them, and
	// returns the chunk reads it took.
	readEach := func(t *testing.T, f *File, d *Dataset, idx []int64) int64 {
		t.Helper()
		cr := &countingReader{r: f.os}
		f.chunkReader = cr
		for _, i := range idx {
			var v [1]float64
			if err := d.ReadSel(S(Range(i, i+1)), v[:]); err != nil {
				t.Fatal(err)
			}
			if v[0] != x[i] && v[0] != -x[i] {
				t.Fatalf("element %d = %v, want %v", i, v[0], x[i])
			}
		}
		return cr.n.Load()
	}
	seq := func(lo, hi int64) []int64 {
		var s []int64
		for i := lo; i < hi; i++ {
			s = append(s, i)
		}
		return s
	}
	open := func(t *testing.T, mode string, opts ...Option) (*File, *Dataset) {
		f, err := Open(path, mode, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		d, err := f.Dataset("x")
		if err != nil {
			t.Fatal(err)
		}
		return f, d
	}

	t.Run("default cache", func(t *testing.T) {
		f, d := open(t, "r")
		if n := readEach(t, f, d, seq(0, 200)); n != 1 {
			t.Errorf("200 single-element reads of one chunk read it %d times, want 1", n)
		}
		// Four chunks of 8 KiB fit in 1 MiB: a second pass reads none.
		if n := readEach(t, f, d, seq(0, 4096)); n != 3 {
			t.Errorf("reading all four chunks element by element read %d chunks, want 3 (one cached)", n)
		}
		if n := readEach(t, f, d, seq(0, 4096)); n != 0 {
			t.Errorf("a second pass read %d chunks, want 0", n)
		}
	})
	t.Run("cache off", func(t *testing.T) {
		f, d := open(t, "r", WithChunkCache(0, 0, 0))
		if n := readEach(t, f, d, seq(0, 200)); n != 200 {
			t.Errorf("200 reads without a cache read the chunk %d times, want 200", n)
		}
	})
	t.Run("one chunk big evicts", func(t *testing.T) {
		f, d := open(t, "r", WithChunkCache(8192, 521, 0.75))
		if n := readEach(t, f, d, []int64{0, 1024, 0, 1024, 1025}); n != 4 {
			t.Errorf("alternating two chunks in a one-chunk cache read %d, want 4", n)
		}
	})
	t.Run("one slot evicts", func(t *testing.T) {
		f, d := open(t, "r", WithChunkCache(1<<20, 1, 0.75))
		if n := readEach(t, f, d, []int64{0, 1024, 0, 1024, 1025}); n != 4 {
			t.Errorf("alternating two chunks in one slot read %d, want 4", n)
		}
	})
	t.Run("writes drop it", func(t *testing.T) {
		f, d := open(t, "r+")
		if n := readEach(t, f, d, seq(0, 10)); n != 1 {
			t.Fatalf("read %d, want 1", n)
		}
		neg := make([]float64, 10)
		for i := range neg {
			neg[i] = -x[i]
		}
		if err := d.WriteSel(S(Range(0, 10)), neg); err != nil {
			t.Fatal(err)
		}
		var v [1]float64
		if err := d.ReadSel(S(Range(3, 4)), v[:]); err != nil || v[0] != -3 {
			t.Fatalf("after a write element 3 reads %v (%v), want -3", v[0], err)
		}
	})
	t.Run("bad knobs", func(t *testing.T) {
		for _, c := range []struct {
			nbytes, nslots int
			w0             float64
		}{{-1, 521, 0.75}, {1 << 20, 0, 0.75}, {1 << 20, 521, 1.5}, {1 << 20, 521, -0.1}} {
			if f, err := Open(path, "r", WithChunkCache(c.nbytes, c.nslots, c.w0)); err == nil {
				f.Close()
				t.Errorf("WithChunkCache(%d, %d, %v) opened", c.nbytes, c.nslots, c.w0)
			}
		}
	})
}

// TestFilteredReadFill reads chunks never written of a compressed dataset
// with a fill value, whole (decoded into the caller's slice, which holds
// other values first) and in part (through pooled buffers that held other
// chunks): every element is the fill value.
func TestFilteredReadFill(t *testing.T) {
	f, err := Create(filepath.Join(t.TempDir(), "fill.h5"), "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := CreateDatasetOf[int32](f, "x", []uint64{64}, Chunks(16), Gzip(4), FillValue(int32(-7)))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.WriteSel(S(Range(16, 32)), make([]int32, 16)); err != nil {
		t.Fatal(err)
	}
	for _, sel := range []Slices{S(All), S(Range(3, 60)), S(Range(40, 41))} {
		h, _ := sel.hyperslab(d.Shape())
		got := make([]int32, h.NumElements())
		for i := range got {
			got[i] = 99
		}
		if err := d.ReadSel(sel, got); err != nil {
			t.Fatal(err)
		}
		for i, v := range got {
			e := uint64(i) + h.Start[0]
			want := int32(-7)
			if e >= 16 && e < 32 {
				want = 0
			}
			if v != want {
				t.Fatalf("selection %v: element %d = %d, want %d", sel, e, v, want)
			}
		}
	}
}
