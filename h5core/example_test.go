package h5core_test

import (
	"bytes"
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
