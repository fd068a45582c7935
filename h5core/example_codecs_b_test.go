package h5core_test

import (
	"fmt"

	"github.com/gorun-hpc/gorun/h5core"
)

// A chunk of int32 through Bitshuffle with LZ4, as a dataset created with
// h5core.Bitshuffle encodes each chunk; the client data are the plugin's.
func ExampleBitshuffle() {
	f := h5core.NewFile()
	d, err := f.Root().CreateDataset("x", h5core.DatasetSpec{Type: h5core.Int32LE, Shape: []uint64{1024}, Chunk: []uint64{1024},
		Filters: []h5core.Filter{h5core.Bitshuffle(0, h5core.BitshuffleLZ4, 0)}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fs := d.Filters()
	enc, mask, _ := h5core.EncodeChunk(fs, make([]byte, 4096))
	fmt.Println(fs[0].ID, fs[0].ClientData, len(enc) < 100, mask)
	// Output: 32008 [0 4 4 0 2] true 0
}

// Scale-offset on int16 with the default fill value: the client data
// libhdf5's set_local writes.
func ExampleScaleOffset() {
	f := h5core.NewFile()
	d, err := f.Root().CreateDataset("x", h5core.DatasetSpec{Type: h5core.IntType(2, true, h5core.LittleEndian), Shape: []uint64{100}, Chunk: []uint64{50},
		Filters: []h5core.Filter{h5core.ScaleOffset(false, 0, nil)}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Filters()[0].ClientData[:8])
	// Output: [2 0 50 0 2 1 0 1]
}

// N-bit on a 12-bit integer in 2 bytes.
func ExampleNbit() {
	t := h5core.IntType(2, false, h5core.LittleEndian)
	t.Precision = 12
	f := h5core.NewFile()
	d, err := f.Root().CreateDataset("x", h5core.DatasetSpec{Type: t, Shape: []uint64{64}, Chunk: []uint64{64},
		Filters: []h5core.Filter{h5core.Nbit()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	enc, _, _ := h5core.EncodeChunk(d.Filters(), make([]byte, 128))
	fmt.Println(d.Filters()[0].ClientData, len(enc))
	// Output: [8 0 64 1 2 0 12 0] 97
}

// CheckScaleOffset says which types the scale-offset filter takes.
func ExampleCheckScaleOffset() {
	fmt.Println(h5core.CheckScaleOffset(h5core.Int32LE) == nil, h5core.CheckScaleOffset(&h5core.Datatype{Class: h5core.ClassString, Size: 4}) != nil)
	// Output: true true
}
