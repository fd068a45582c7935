package h5core

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

// TestReadChunkBounds: a chunk record or chunk shape that a damaged file
// can hold (a stored size past the end of the file, an unfiltered chunk of
// the wrong size, chunk dimensions larger than the dataset's fixed extent)
// is a FormatError before ReadChunk allocates anything of that size.
func TestReadChunkBounds(t *testing.T) {
	build := func(t *testing.T, filtered bool) (*Dataset, *memFile) {
		t.Helper()
		f := NewFile()
		spec := DatasetSpec{Type: Float64LE, Shape: []uint64{8, 8}, Chunk: []uint64{4, 4}}
		if filtered {
			spec.Filters = H5pyFilters(8, true, 4, true)
		}
		d, err := f.Root().CreateDataset("c", spec)
		if err != nil {
			t.Fatal(err)
		}
		m := &memFile{}
		if err := d.WriteChunk(m, []uint64{0, 0}, make([]byte, d.ChunkBytes())); err != nil {
			t.Fatal(err)
		}
		if _, err := d.ReadChunk(m, []uint64{0, 0}); err != nil {
			t.Fatalf("undamaged chunk: %v", err)
		}
		return d, m
	}
	cases := []struct {
		name     string
		filtered bool
		damage   func(d *Dataset)
		want     string
	}{
		{"filtered stored size past the end", true, func(d *Dataset) { d.chunks[chunkKey([]uint64{0, 0})].Size = 0xff000040 }, "beyond the end of the file"},
		{"address past the end", true, func(d *Dataset) { d.chunks[chunkKey([]uint64{0, 0})].Addr = 1 << 40 }, "beyond the end of the file"},
		{"unfiltered chunk of the wrong size", false, func(d *Dataset) { d.chunks[chunkKey([]uint64{0, 0})].Size = 64 }, "needs 128"},
		{"chunk dimension past a fixed extent", true, func(d *Dataset) { d.chunk[1] = 0xff0004 }, "does not fit the dataset's maximum shape"},
		{"chunk of 4 GiB", false, func(d *Dataset) {
			d.maxShape[0], d.maxShape[1] = Unlimited, Unlimited
			d.chunk[0], d.chunk[1] = 1<<16, 1<<14
		}, "4 GiB or more"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, m := build(t, c.filtered)
			c.damage(d)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := d.ReadChunk(m, []uint64{0, 0})
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want ErrFormat saying %q", err, c.want)
			}
			if a := after.TotalAlloc - before.TotalAlloc; a > 1<<20 {
				t.Errorf("ReadChunk allocated %d bytes before refusing", a)
			}
		})
	}
}
