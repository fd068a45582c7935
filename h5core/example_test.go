package h5core_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorun-hpc/gorun/h5core"
)

// Example writes the seed's file: dataset "test", four int32 values.
// h5core hands out addresses; the caller writes raw data, then Flush
// writes the metadata.
func Example() {
	path := filepath.Join(os.TempDir(), "h5core_example.h5")
	w, err := os.Create(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.Remove(path)
	defer w.Close()

	f := h5core.NewFile()
	d, err := f.Root().CreateDataset("test", h5core.DatasetSpec{Type: h5core.Int32LE, Shape: []uint64{4}})
	if err != nil {
		fmt.Println(err)
		return
	}
	addr, size := d.DataAddr()
	w.WriteAt([]byte{0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}, int64(addr))
	if err := f.Flush(w); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(size, "bytes of data; file", f.EOF(), "bytes")
	// Output: 16 bytes of data; file 1192 bytes
}

// ExampleOpen reads a file's tree.
func ExampleOpen() {
	b, err := os.ReadFile("../testdata/golden/seed.bin")
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := h5core.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		fmt.Println(err)
		return
	}
	o, _ := f.Root().Lookup("test")
	d := o.(*h5core.Dataset)
	fmt.Println(f.Root().Members(), d.Shape(), d.Type(), d.Layout())
	// Output: [test] [4] i32le contiguous
}

// ExampleChunkRuns maps dset[1:3, ::2] of a (4, 6) dataset with (2, 3)
// chunks to byte runs per chunk.
func ExampleChunkRuns() {
	sel := h5core.Hyperslab{Start: []uint64{1, 0}, Stride: []uint64{1, 2}, Count: []uint64{2, 3}}
	h5core.ChunkRuns([]uint64{4, 6}, []uint64{2, 3}, 4, sel, func(coords []uint64, runs []h5core.Run) error {
		fmt.Println(coords, runs)
		return nil
	})
	// Output:
	// [0 0] [{12 0 4} {20 4 4}]
	// [0 3] [{16 8 4}]
	// [2 0] [{0 12 4} {8 16 4}]
	// [2 3] [{4 20 4}]
}

// ExampleContiguousRuns maps selections of a contiguous (4, 6) int32
// dataset to byte runs: dset[1:3, ::2] is one run per element, while whole
// rows dset[1:3] are a single run.
func ExampleContiguousRuns() {
	shape := []uint64{4, 6}
	show := func(r h5core.Run) error { fmt.Println(r); return nil }
	h5core.ContiguousRuns(shape, 4, h5core.Hyperslab{Start: []uint64{1, 0}, Stride: []uint64{1, 2}, Count: []uint64{2, 3}}, show)
	fmt.Println("--")
	h5core.ContiguousRuns(shape, 4, h5core.Hyperslab{Start: []uint64{1, 0}, Count: []uint64{2, 6}}, show)
	// Output:
	// {24 0 4}
	// {32 4 4}
	// {40 8 4}
	// {48 12 4}
	// {56 16 4}
	// {64 20 4}
	// --
	// {24 0 48}
}

// ExampleEncodeChunk runs a chunk of int32s through h5py's
// shuffle+gzip+fletcher32 pipeline and back.
func ExampleEncodeChunk() {
	fs := h5core.H5pyFilters(4, true, 4, true)
	raw := make([]byte, 4096)
	for i := 0; i < len(raw); i += 4 {
		binary.LittleEndian.PutUint32(raw[i:], uint32(i/4))
	}
	stored, mask, err := h5core.EncodeChunk(fs, raw)
	if err != nil {
		fmt.Println(err)
		return
	}
	back, err := h5core.DecodeChunk(fs, mask, stored, len(raw))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range fs {
		fmt.Print(f.Name, " ")
	}
	fmt.Println(mask, len(stored) < len(raw)/4, bytes.Equal(back, raw))
	// Output: shuffle deflate fletcher32 0 true true
}

// ExampleDecodeChunk shows the Fletcher-32 filter catching a corrupt chunk.
func ExampleDecodeChunk() {
	fs := []h5core.Filter{h5core.Fletcher32()}
	stored, mask, _ := h5core.EncodeChunk(fs, []byte("sixteen bytes!!!"))
	stored[3] ^= 1 // a bit flips on disk
	_, err := h5core.DecodeChunk(fs, mask, stored, 16)
	fmt.Println(errors.Is(err, h5core.ErrChecksum))
	// Output: true
}

// ExampleWithLibver writes the newer format family (h5py's
// libver='latest'): superblock 3, version 2 object headers; a group of
// more than 8 links goes to dense storage as libhdf5 stores it.
func ExampleWithLibver() {
	var buf memWriter
	f := h5core.NewFile(h5core.WithLibver(h5core.LibverLatest))
	g, _ := f.Root().CreateGroup("runs")
	for i := range 10 {
		g.CreateGroup(fmt.Sprintf("run%d", i))
	}
	if err := f.Flush(&buf); err != nil {
		fmt.Println(err)
		return
	}
	back, err := h5core.Open(bytes.NewReader(buf.b), int64(len(buf.b)))
	if err != nil {
		fmt.Println(err)
		return
	}
	runs, _ := back.Root().Lookup("runs")
	fmt.Println("superblock", back.SuperblockVersion(), "family latest:", back.Family() == h5core.LibverLatest, len(runs.(*h5core.Group).Members()), "runs")
	// Output: superblock 3 family latest: true 10 runs
}

// ExampleWithTrackOrder keeps the creation order of links and attributes
// (h5py's track_order=True): h5py lists them in that order.
func ExampleWithTrackOrder() {
	var buf memWriter
	f := h5core.NewFile(h5core.WithTrackOrder())
	f.Root().CreateGroup("zeta")
	f.Root().CreateGroup("alpha")
	if err := f.Flush(&buf); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(buf.b) > 0)
	// Output: true
}

// memWriter is an in-memory io.WriterAt.
type memWriter struct{ b []byte }

func (m *memWriter) WriteAt(p []byte, off int64) (int, error) {
	if end := int(off) + len(p); end > len(m.b) {
		m.b = append(m.b, make([]byte, end-len(m.b))...)
	}
	return copy(m.b[off:], p), nil
}
