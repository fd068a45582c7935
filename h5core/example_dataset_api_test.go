package h5core_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gorun-hpc/gorun/h5core"
)

// Type, Shape, MaxShape and Layout describe a dataset.
func ExampleDataset_Type() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("series", h5core.DatasetSpec{
		Type: h5core.Float64LE, Shape: []uint64{0, 3}, MaxShape: []uint64{h5core.Unlimited, 3}, Chunk: []uint64{64, 3},
	})
	fmt.Println(d.Type(), d.Shape(), d.MaxShape()[0] == h5core.Unlimited, d.MaxShape()[1], d.Layout())
	// Output: f64le [0 3] true 3 chunked
}

// Shape is the current shape; a scalar's is empty.
func ExampleDataset_Shape() {
	f := h5core.NewFile()
	a, _ := f.Root().CreateDataset("a", h5core.DatasetSpec{Type: h5core.Int32LE, Shape: []uint64{2, 5}})
	s, _ := f.Root().CreateDataset("s", h5core.DatasetSpec{Type: h5core.Int32LE})
	fmt.Println(a.Shape(), len(s.Shape()))
	// Output: [2 5] 0
}

// MaxShape is how far Resize may go; nil MaxShape in the spec is the
// shape itself.
func ExampleDataset_MaxShape() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("d", h5core.DatasetSpec{Type: h5core.Int32LE, Shape: []uint64{4}})
	fmt.Println(d.MaxShape())
	// Output: [4]
}

// Layout is compact, contiguous or chunked as the spec asked.
func ExampleDataset_Layout() {
	f := h5core.NewFile()
	for i, spec := range []h5core.DatasetSpec{
		{Type: h5core.Int8LE, Shape: []uint64{4}, Compact: true},
		{Type: h5core.Int8LE, Shape: []uint64{4}},
		{Type: h5core.Int8LE, Shape: []uint64{4}, Chunk: []uint64{2}},
	} {
		d, _ := f.Root().CreateDataset(fmt.Sprint("d", i), spec)
		fmt.Println(d.Layout())
	}
	// Output:
	// compact
	// contiguous
	// chunked
}

// LayoutClass prints as h5py's layout names.
func ExampleLayoutClass_String() {
	fmt.Println(h5core.LayoutCompact, h5core.LayoutContiguous, h5core.LayoutChunked, h5core.LayoutVirtual)
	// Output: compact contiguous chunked virtual
}

// ChunkShape and ChunkBytes give a chunked dataset's chunk dimensions and
// the bytes of one decoded chunk.
func ExampleDataset_ChunkShape() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("img", h5core.DatasetSpec{Type: h5core.Uint16LE, Shape: []uint64{480, 640}, Chunk: []uint64{60, 80}})
	c, _ := f.Root().CreateDataset("flat", h5core.DatasetSpec{Type: h5core.Uint16LE, Shape: []uint64{10}})
	fmt.Println(d.ChunkShape(), d.ChunkBytes(), c.ChunkShape() == nil)
	// Output: [60 80] 9600 true
}

// ChunkBytes is the size of one decoded chunk, edge chunks included
// (they are stored whole).
func ExampleDataset_ChunkBytes() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("d", h5core.DatasetSpec{Type: h5core.Float32LE, Shape: []uint64{10, 10}, Chunk: []uint64{4, 4}})
	fmt.Println(d.ChunkBytes())
	// Output: 64
}

// Filters is the pipeline in encoding order, as the spec gave it (with
// the client data the filters fill in at creation).
func ExampleDataset_Filters() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("z", h5core.DatasetSpec{
		Type: h5core.Int32LE, Shape: []uint64{100}, Chunk: []uint64{50},
		Filters: []h5core.Filter{h5core.Shuffle(4), h5core.Deflate(6), h5core.Fletcher32()},
	})
	for _, fl := range d.Filters() {
		fmt.Println(fl.ID, fl.Name, fl.ClientData)
	}
	// Output:
	// 2 shuffle [4]
	// 1 deflate [6]
	// 3 fletcher32 []
}

// Fill is the fill value message: when storage is allocated and filled,
// and the value (nil: zeros).
func ExampleDataset_Fill() {
	f := h5core.NewFile()
	a, _ := f.Root().CreateDataset("a", h5core.DatasetSpec{Type: h5core.Int16LE, Shape: []uint64{4}})
	b, _ := f.Root().CreateDataset("b", h5core.DatasetSpec{Type: h5core.Int16LE, Shape: []uint64{4}, Fill: []byte{0xff, 0xff}})
	fmt.Println(a.Fill().Value, b.Fill().Value)
	// Output: [] [255 255]
}

// DataAddr is where a contiguous dataset's data lives: the caller writes
// it there, before the next Flush.
func ExampleDataset_DataAddr() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("v", h5core.DatasetSpec{Type: h5core.Int32LE, Shape: []uint64{3}})
	addr, size := d.DataAddr()
	var w memWriter
	data := make([]byte, size)
	for i := range 3 {
		binary.LittleEndian.PutUint32(data[4*i:], uint32(10*(i+1)))
	}
	w.WriteAt(data, int64(addr))
	f.Flush(&w)
	fmt.Println(size, addr != h5core.UndefinedAddr, w.b[addr:addr+4])
	// Output: 12 true [10 0 0 0]
}

// AllocStorage gives storage to a dataset of a file that allocated late
// (libhdf5's default) and was never written; datasets made here have it
// already, so it is then a no-op.
func ExampleDataset_AllocStorage() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("v", h5core.DatasetSpec{Type: h5core.Int32LE, Shape: []uint64{3}})
	before, _ := d.DataAddr()
	err := d.AllocStorage()
	after, _ := d.DataAddr()
	fmt.Println(err, before == after)
	// Output: <nil> true
}

// A compact dataset keeps its data in its header: CompactData reads it,
// SetCompactData replaces it (whole).
func ExampleDataset_CompactData() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("origin", h5core.DatasetSpec{Type: h5core.Uint8LE, Shape: []uint64{3}, Compact: true})
	if err := d.SetCompactData([]byte{1, 2, 3}); err != nil {
		fmt.Println(err)
		return
	}
	g, _ := reopen(f)
	o, _ := g.Root().Lookup("origin")
	fmt.Println(o.(*h5core.Dataset).CompactData())
	// Output: [1 2 3]
}

// SetCompactData takes exactly the dataset's bytes.
func ExampleDataset_SetCompactData() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("c", h5core.DatasetSpec{Type: h5core.Int16LE, Shape: []uint64{2}, Compact: true})
	fmt.Println(d.SetCompactData([]byte{1, 0, 2, 0}), d.SetCompactData([]byte{1}) != nil, d.CompactData())
	// Output: <nil> true [1 0 2 0]
}

// Chunk looks a chunk up by its first element: an unfiltered chunk has
// its place from the start; a filtered one once AllocChunk gave it one.
func ExampleDataset_Chunk() {
	f := h5core.NewFile()
	plain, _ := f.Root().CreateDataset("plain", h5core.DatasetSpec{Type: h5core.Int32LE, Shape: []uint64{8}, Chunk: []uint64{4}})
	packed, _ := f.Root().CreateDataset("packed", h5core.DatasetSpec{Type: h5core.Int32LE, Shape: []uint64{8}, Chunk: []uint64{4}, Filters: []h5core.Filter{h5core.Deflate(1)}})
	r, ok, _ := plain.Chunk([]uint64{4})
	fmt.Println(ok, r.Coords, r.Size)
	_, ok, _ = packed.Chunk([]uint64{4})
	fmt.Println(ok)
	// Output:
	// true [4] 16
	// false
}

// Chunks lists every allocated chunk in coordinate order.
func ExampleDataset_Chunks() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("m", h5core.DatasetSpec{Type: h5core.Uint8LE, Shape: []uint64{4, 4}, Chunk: []uint64{2, 2}})
	chunks, _ := d.Chunks()
	var coords [][]uint64
	for _, c := range chunks {
		coords = append(coords, c.Coords)
	}
	fmt.Println(coords)
	// Output: [[0 0] [0 2] [2 0] [2 2]]
}

// AllocChunk places a filtered chunk encoded with EncodeChunk: the
// caller writes the stored bytes at the address returned.
func ExampleDataset_AllocChunk() {
	f := h5core.NewFile()
	fs := []h5core.Filter{h5core.Deflate(6)}
	d, _ := f.Root().CreateDataset("z", h5core.DatasetSpec{Type: h5core.Uint8LE, Shape: []uint64{1024}, Chunk: []uint64{1024}, Filters: fs})
	stored, mask, _ := h5core.EncodeChunk(d.Filters(), make([]byte, 1024))
	addr, err := d.AllocChunk([]uint64{0}, uint64(len(stored)), mask)
	if err != nil {
		fmt.Println(err)
		return
	}
	var w memWriter
	w.WriteAt(stored, int64(addr))
	f.Flush(&w)
	g, err := h5core.Open(bytes.NewReader(w.b), int64(len(w.b)))
	if err != nil {
		fmt.Println(err)
		return
	}
	o, _ := g.Root().Lookup("z")
	back, err := o.(*h5core.Dataset).ReadChunk(bytes.NewReader(w.b), []uint64{0})
	fmt.Println(len(stored) < 100, bytes.Equal(back, make([]byte, 1024)), err)
	// Output: true true <nil>
}

// WriteChunk stores a whole decoded chunk, encoding it if the dataset is
// filtered; ReadChunk reads it back decoded, and a chunk never written
// reads as the fill value.
func ExampleDataset_WriteChunk() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("z", h5core.DatasetSpec{
		Type: h5core.Int16LE, Shape: []uint64{8}, Chunk: []uint64{4},
		Filters: []h5core.Filter{h5core.Shuffle(2), h5core.Deflate(4)}, Fill: []byte{9, 0},
	})
	var w memWriter
	if err := d.WriteChunk(&w, []uint64{0}, []byte{1, 0, 2, 0, 3, 0, 4, 0}); err != nil {
		fmt.Println(err)
		return
	}
	f.Flush(&w)
	r := bytes.NewReader(w.b)
	a, _ := d.ReadChunk(r, []uint64{0})
	b, _ := d.ReadChunk(r, []uint64{4})
	fmt.Println(a, b)
	// Output: [1 0 2 0 3 0 4 0] [9 0 9 0 9 0 9 0]
}

// ReadChunk decodes the chunk at given coordinates; coordinates that are
// not a chunk's first element are an error.
func ExampleDataset_ReadChunk() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("u", h5core.DatasetSpec{Type: h5core.Uint8LE, Shape: []uint64{6}, Chunk: []uint64{3}})
	var w memWriter
	d.WriteChunk(&w, []uint64{3}, []byte{4, 5, 6})
	f.Flush(&w)
	got, err := d.ReadChunk(bytes.NewReader(w.b), []uint64{3})
	fmt.Println(got, err)
	_, err = d.ReadChunk(bytes.NewReader(w.b), []uint64{1})
	fmt.Println(err != nil)
	// Output:
	// [4 5 6] <nil>
	// true
}

// ReadChunkAt reads a chunk whose record the caller looked up (Chunk),
// touching only the file: many goroutines may read chunks of one dataset
// at once.
func ExampleDataset_ReadChunkAt() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("z", h5core.DatasetSpec{Type: h5core.Uint8LE, Shape: []uint64{8}, Chunk: []uint64{4}, Filters: []h5core.Filter{h5core.Deflate(1)}})
	var w memWriter
	d.WriteChunk(&w, []uint64{0}, []byte{1, 2, 3, 4})
	d.WriteChunk(&w, []uint64{4}, []byte{5, 6, 7, 8})
	f.Flush(&w)
	r := bytes.NewReader(w.b)
	recs := make([]h5core.ChunkRecord, 2)
	oks := make([]bool, 2)
	for i := range 2 {
		recs[i], oks[i], _ = d.Chunk([]uint64{uint64(4 * i)})
	}
	out := make([][]byte, 2)
	done := make(chan int)
	for i := range 2 {
		go func() {
			out[i], _ = d.ReadChunkAt(r, []uint64{uint64(4 * i)}, recs[i], oks[i])
			done <- i
		}()
	}
	<-done
	<-done
	fmt.Println(out)
	// Output: [[1 2 3 4] [5 6 7 8]]
}

// ReadChunkInto decodes a chunk straight into the caller's buffer, which
// must be ChunkBytes long.
func ExampleDataset_ReadChunkInto() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("z", h5core.DatasetSpec{Type: h5core.Uint8LE, Shape: []uint64{4}, Chunk: []uint64{4}, Filters: []h5core.Filter{h5core.Zstd(3)}})
	var w memWriter
	d.WriteChunk(&w, []uint64{0}, []byte{7, 7, 7, 7})
	f.Flush(&w)
	rec, ok, _ := d.Chunk([]uint64{0})
	dst := make([]byte, d.ChunkBytes())
	err := d.ReadChunkInto(bytes.NewReader(w.b), []uint64{0}, rec, ok, dst)
	fmt.Println(dst, err, d.ReadChunkInto(bytes.NewReader(w.b), []uint64{0}, rec, ok, make([]byte, 3)) != nil)
	// Output: [7 7 7 7] <nil> true
}

// Resize changes the shape within MaxShape; new unfiltered chunks get
// storage at once, listed by ResizedChunks (where a nonzero fill value
// must be written).
func ExampleDataset_Resize() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("t", h5core.DatasetSpec{Type: h5core.Float64LE, Shape: []uint64{2}, MaxShape: []uint64{h5core.Unlimited}, Chunk: []uint64{2}})
	if err := d.Resize([]uint64{7}); err != nil {
		fmt.Println(err)
		return
	}
	var coords [][]uint64
	for _, c := range d.ResizedChunks() {
		coords = append(coords, c.Coords)
	}
	fmt.Println(coords, d.Shape())
	fixed, _ := f.Root().CreateDataset("fixed", h5core.DatasetSpec{Type: h5core.Float64LE, Shape: []uint64{2}})
	fmt.Println(fixed.Resize([]uint64{3}) != nil)
	// Output:
	// [[2] [4] [6]] [7]
	// true
}

// ResizedChunks are the chunks the last Resize allocated, for the caller
// to write the fill value into.
func ExampleDataset_ResizedChunks() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("g", h5core.DatasetSpec{Type: h5core.Uint8LE, Shape: []uint64{2, 2}, MaxShape: []uint64{4, 4}, Chunk: []uint64{2, 2}})
	d.Resize([]uint64{4, 2})
	for _, c := range d.ResizedChunks() {
		fmt.Println(c.Coords, c.Size)
	}
	// Output: [2 0] 4
}

// DecodeChunkInto decodes a stored chunk into a buffer of exactly the
// chunk's size, with no allocation for codecs that decode in place.
func ExampleDecodeChunkInto() {
	fs := []h5core.Filter{h5core.Shuffle(4), h5core.Deflate(4)}
	raw := make([]byte, 256)
	for i := range raw {
		raw[i] = byte(i / 4)
	}
	stored, mask, _ := h5core.EncodeChunk(fs, raw)
	dst := make([]byte, len(raw))
	err := h5core.DecodeChunkInto(fs, mask, stored, dst)
	fmt.Println(bytes.Equal(dst, raw), err)
	err = h5core.DecodeChunkInto(fs, mask, stored, make([]byte, 100))
	fmt.Println(errors.Is(err, h5core.ErrFormat))
	// Output:
	// true <nil>
	// true
}

// GetChunkBuf and PutChunkBuf pool chunk-sized buffers for code that
// reads many chunks.
func ExampleGetChunkBuf() {
	b := h5core.GetChunkBuf(4096)
	fmt.Println(len(b))
	h5core.PutChunkBuf(b) // b must not be used after this
	// Output: 4096
}

// PutChunkBuf returns a buffer to the pool GetChunkBuf takes from.
func ExamplePutChunkBuf() {
	for range 3 {
		b := h5core.GetChunkBuf(1 << 16)
		b[0] = 1 // contents are undefined until written
		h5core.PutChunkBuf(b)
	}
	fmt.Println("ok")
	// Output: ok
}

// Deflate, Shuffle and Fletcher32 are libhdf5's built-in filters, as
// H5Pset_deflate, H5Pset_shuffle and H5Pset_fletcher32 add them.
func ExampleDeflate() {
	for _, fl := range []h5core.Filter{h5core.Deflate(6), h5core.Shuffle(8), h5core.Fletcher32()} {
		fmt.Println(fl.ID, fl.Name, fl.Flags == h5core.FilterOptional, fl.ClientData)
	}
	// Output:
	// 1 deflate true [6]
	// 2 shuffle true [8]
	// 3 fletcher32 false []
}

// Shuffle groups byte k of every element together, which helps the
// compressor after it.
func ExampleShuffle() {
	fs := []h5core.Filter{h5core.Shuffle(2)}
	stored, _, _ := h5core.EncodeChunk(fs, []byte{1, 0xa, 2, 0xa, 3, 0xa})
	fmt.Println(stored)
	// Output: [1 2 3 10 10 10]
}

// Fletcher32 appends a 4-byte checksum to each chunk; DecodeChunk checks
// it.
func ExampleFletcher32() {
	fs := []h5core.Filter{h5core.Fletcher32()}
	stored, _, _ := h5core.EncodeChunk(fs, []byte("abcdefgh"))
	back, err := h5core.DecodeChunk(fs, 0, stored, 8)
	fmt.Println(len(stored), string(back), err)
	// Output: 12 abcdefgh <nil>
}

// H5pyFilters is the pipeline h5py's create_dataset builds for shuffle,
// compression='gzip' and fletcher32, in h5py's order.
func ExampleH5pyFilters() {
	for _, fs := range [][]h5core.Filter{
		h5core.H5pyFilters(4, true, 4, false),
		h5core.H5pyFilters(8, false, -1, true),
	} {
		var names []string
		for _, fl := range fs {
			names = append(names, fl.Name)
		}
		fmt.Println(names)
	}
	// Output:
	// [shuffle deflate]
	// [fletcher32]
}
