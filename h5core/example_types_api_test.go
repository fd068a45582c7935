package h5core_test

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/gorun-hpc/gorun/h5core"
)

// IntType and FloatType make numbers of any size and byte order.
func ExampleIntType() {
	fmt.Println(h5core.IntType(2, true, h5core.BigEndian), h5core.IntType(8, false, h5core.LittleEndian), h5core.IntType(1, true, h5core.LittleEndian).Size)
	// Output: i16be u64le 1
}

// FloatType is an IEEE float of 2, 4 or 8 bytes.
func ExampleFloatType() {
	for _, n := range []int{2, 4, 8} {
		t := h5core.FloatType(n, h5core.LittleEndian)
		fmt.Println(t, t.ExpSize, t.MantSize)
	}
	// Output:
	// f16le 5 10
	// f32le 8 23
	// f64le 11 52
}

// FixedString is numpy's "S<n>" (PadNull ASCII, as h5py writes it) or a
// NUL-terminated string as netCDF's NC_CHAR attributes.
func ExampleFixedString() {
	s := h5core.FixedString(8, h5core.ASCII, h5core.PadNull)
	u := h5core.FixedString(16, h5core.UTF8, h5core.PadNullTerm)
	fmt.Println(s, s.Size, u.Charset == h5core.UTF8, u.Pad == h5core.PadNullTerm)
	// Output: S8 8 true true
}

// VlenString is h5py's str: variable-length, NUL-terminated; each element
// stored is a global heap reference.
func ExampleVlenString() {
	t := h5core.VlenString(h5core.UTF8)
	fmt.Println(t, t.Size, t.HasVlen())
	// Output: vlen-string 16 true
}

// VlenOf is a variable-length sequence (h5py's vlen_dtype).
func ExampleVlenOf() {
	t := h5core.VlenOf(h5core.Int32LE)
	fmt.Println(t, t.Size, t.Base)
	// Output: vlen(i32le) 16 i32le
}

// ArrayOf is a fixed-size array element (numpy's ("f8", (2, 3))).
func ExampleArrayOf() {
	t := h5core.ArrayOf(h5core.Float64LE, 2, 3)
	fmt.Println(t, t.Size, t.Dims)
	// Output: [2 3]f64le 48 [2 3]
}

// Compound is a struct type: members at byte offsets in an element of
// the given size.
func ExampleCompound() {
	t := h5core.Compound(12,
		h5core.Member{Name: "t", Offset: 0, Type: h5core.Float64LE},
		h5core.Member{Name: "id", Offset: 8, Type: h5core.Int32LE})
	fmt.Println(t, t.Size, len(t.Members))
	// Output: {t: f64le, id: i32le} 12 2
}

// Enum names integer values; members are stored sorted by name, as
// libhdf5 stores them.
func ExampleEnum() {
	t := h5core.Enum(h5core.Uint8LE, []string{"RED", "GREEN", "BLUE"}, []int64{0, 1, 2})
	fmt.Println(t, t.EnumNames, t.EnumValues)
	// Output: enum(u8le) [BLUE GREEN RED] [[2] [1] [0]]
}

// Bool is h5py's boolean: an int8 enum of FALSE and TRUE.
func ExampleBool() {
	t := h5core.Bool()
	fmt.Println(t, t.EnumNames, t.Equal(h5core.Enum(h5core.Int8LE, []string{"FALSE", "TRUE"}, []int64{0, 1})))
	// Output: enum(i8le) [FALSE TRUE] true
}

// HasVlen says whether elements hold global heap references, anywhere
// inside: such data changes metadata when written.
func ExampleDatatype_HasVlen() {
	rec := h5core.Compound(24, h5core.Member{Name: "x", Offset: 0, Type: h5core.Float64LE}, h5core.Member{Name: "name", Offset: 8, Type: h5core.VlenString(h5core.UTF8)})
	fmt.Println(h5core.Float64LE.HasVlen(), rec.HasVlen(), h5core.ArrayOf(h5core.VlenOf(h5core.Int8LE), 2).HasVlen())
	// Output: false true true
}

// Clone is a deep copy: changing it leaves the original alone.
func ExampleDatatype_Clone() {
	a := h5core.Compound(4, h5core.Member{Name: "v", Offset: 0, Type: h5core.Int32LE})
	b := a.Clone()
	b.Members[0].Name = "w"
	fmt.Println(a, b, a.Equal(b))
	// Output: {v: i32le} {w: i32le} false
}

// Equal compares how two types encode, whatever way they were built.
func ExampleDatatype_Equal() {
	fmt.Println(h5core.IntType(4, true, h5core.LittleEndian).Equal(h5core.Int32LE), h5core.Int32LE.Equal(h5core.Uint32LE))
	// Output: true false
}

// String names a type for people: numbers by size in bits and byte
// order, strings by bytes.
func ExampleDatatype_String() {
	for _, t := range []*h5core.Datatype{h5core.Float32LE, h5core.IntType(2, false, h5core.BigEndian), h5core.FixedString(4, h5core.ASCII, h5core.PadNull), h5core.ObjectRefType(), h5core.RegionRefType()} {
		fmt.Println(t)
	}
	// Output:
	// f32le
	// u16be
	// S4
	// object-ref
	// region-ref
}

// ObjectRefType is h5py's ref_dtype: elements are 8-byte object header
// addresses.
func ExampleObjectRefType() {
	t := h5core.ObjectRefType()
	fmt.Println(t.Class == h5core.ClassReference, t.Size == h5core.ObjectRefSize, t.RefType == h5core.RefObject)
	// Output: true true true
}

// RegionRefType is h5py's regionref_dtype: elements are 12-byte global
// heap IDs of a stored Region.
func ExampleRegionRefType() {
	t := h5core.RegionRefType()
	fmt.Println(t.Class == h5core.ClassReference, t.Size == h5core.RegionRefSize, t.RefType == h5core.RefRegion)
	// Output: true true true
}

// PutVlen stores a variable-length element in the global heap; the
// reference it returns is what the dataset's raw data holds. GetVlen
// reads the element back.
func ExampleFile_PutVlen() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("names", h5core.DatasetSpec{Type: h5core.VlenString(h5core.UTF8), Shape: []uint64{2}})
	raw := make([]byte, 2*h5core.VlenRefSize)
	for i, s := range []string{"alpha", "beta"} {
		ref, err := f.PutVlen(uint32(len(s)), []byte(s))
		if err != nil {
			fmt.Println(err)
			return
		}
		ref.Encode(raw[i*h5core.VlenRefSize:])
	}
	var w memWriter
	addr, _ := d.DataAddr()
	w.WriteAt(raw, int64(addr))
	g, _ := reopenFrom(f, &w)
	o, _ := g.Root().Lookup("names")
	a, _ := o.(*h5core.Dataset).DataAddr()
	for i := range 2 {
		ref, _ := h5core.DecodeVlenRef(w.b[a+uint64(i*h5core.VlenRefSize):])
		b, _ := g.GetVlen(ref)
		fmt.Println(ref.Len, string(b))
	}
	// Output:
	// 5 alpha
	// 4 beta
}

// reopenFrom flushes f into w, which already holds raw data, and opens
// the result.
func reopenFrom(f *h5core.File, w *memWriter) (*h5core.File, error) {
	if err := f.Flush(w); err != nil {
		return nil, err
	}
	return h5core.Open(bytes.NewReader(w.b), int64(len(w.b)))
}

// GetVlen returns a stored element's bytes; a reference to nothing is an
// error.
func ExampleFile_GetVlen() {
	f := h5core.NewFile()
	ref, _ := f.PutVlen(3, []byte{1, 2, 3})
	b, err := f.GetVlen(ref)
	fmt.Println(b, err)
	_, err = f.GetVlen(h5core.VlenRef{Len: 1, Addr: ref.Addr, Index: ref.Index + 100})
	fmt.Println(err != nil)
	// Output:
	// [1 2 3] <nil>
	// true
}

// A VlenRef's stored form is 16 bytes: length, collection address, index.
func ExampleVlenRef_Encode() {
	v := h5core.VlenRef{Len: 5, Addr: 0x1000, Index: 2}
	b := make([]byte, h5core.VlenRefSize)
	v.Encode(b)
	back, err := h5core.DecodeVlenRef(b)
	fmt.Println(b[:4], back == v, err)
	// Output: [5 0 0 0] true <nil>
}

// DecodeVlenRef reads the stored form; too few bytes are an error.
func ExampleDecodeVlenRef() {
	_, err := h5core.DecodeVlenRef(make([]byte, 8))
	zero, _ := h5core.DecodeVlenRef(make([]byte, 16))
	fmt.Println(err != nil, zero == h5core.VlenRef{})
	// Output: true true
}

// PutRegion stores a region (a dataset and a selection) for a region
// reference; GetRegion reads it back.
func ExampleFile_PutRegion() {
	f := h5core.NewFile()
	f.Root().CreateDataset("grid", h5core.DatasetSpec{Type: h5core.Int32LE, Shape: []uint64{4, 4}})
	g, w := reopen(f)
	o, _ := g.Root().Lookup("grid")
	reg := h5core.Region{Dataset: o.Addr(), Kind: h5core.SelBlocks, Rank: 2, Blocks: [][2][]uint64{{{0, 0}, {1, 1}}}}
	ref, err := g.PutRegion(reg)
	if err != nil {
		fmt.Println(err)
		return
	}
	back, err := g.GetRegion(ref)
	g.Flush(w)
	fmt.Println(back.Dataset == o.Addr(), back.Blocks, err)
	// Output: true [[[0 0] [1 1]]] <nil>
}

// GetRegion reads the region a stored reference names: here two points,
// which keep their order.
func ExampleFile_GetRegion() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("v", h5core.DatasetSpec{Type: h5core.Int8LE, Shape: []uint64{10}})
	g, _ := reopen(f)
	o, _ := g.Root().Lookup("v")
	ref, _ := g.PutRegion(h5core.Region{Dataset: o.Addr(), Kind: h5core.SelPoints, Rank: 1, Points: [][]uint64{{7}, {2}}})
	reg, _ := g.GetRegion(ref)
	pts, _ := reg.SortedElements(d.Shape(), 100)
	fmt.Println(reg.Points, pts)
	// Output: [[7] [2]] [[7] [2]]
}

// A RegionRef's stored form is 12 bytes: the heap collection's address
// and the object's index.
func ExampleRegionRef_Encode() {
	r := h5core.RegionRef{Addr: 0x2000, Index: 1}
	b := make([]byte, h5core.RegionRefSize)
	r.Encode(b)
	back, err := h5core.DecodeRegionRef(b)
	fmt.Println(back == r, err)
	// Output: true <nil>
}

// DecodeRegionRef reads the stored form; the zero value is a null
// reference.
func ExampleDecodeRegionRef() {
	null, err := h5core.DecodeRegionRef(make([]byte, h5core.RegionRefSize))
	_, short := h5core.DecodeRegionRef(make([]byte, 4))
	fmt.Println(null == h5core.RegionRef{}, err, short != nil)
	// Output: true <nil> true
}

// EncodeRegion and DecodeRegion are a region's heap object, as libhdf5
// stores it.
func ExampleEncodeRegion() {
	r := h5core.Region{Dataset: 800, Kind: h5core.SelPoints, Rank: 2, Points: [][]uint64{{0, 1}, {3, 2}}}
	b, err := h5core.EncodeRegion(r)
	if err != nil {
		fmt.Println(err)
		return
	}
	back, err := h5core.DecodeRegion(b)
	fmt.Println(back.Dataset, back.Kind == h5core.SelPoints, back.Points, err)
	// Output: 800 true [[0 1] [3 2]] <nil>
}

// DecodeRegion checks counts against the bytes present: a damaged
// object is a *FormatError, not a huge allocation.
func ExampleDecodeRegion() {
	r := h5core.Region{Dataset: 800, Kind: h5core.SelBlocks, Rank: 1, Blocks: [][2][]uint64{{{2}, {5}}}}
	b, _ := h5core.EncodeRegion(r)
	_, err := h5core.DecodeRegion(b[:len(b)-4])
	fmt.Println(errors.Is(err, h5core.ErrFormat))
	// Output: true
}

// Last is the largest coordinate a region selects, per dimension: what a
// reader checks against the dataset's shape.
func ExampleRegion_Last() {
	r := h5core.Region{Kind: h5core.SelBlocks, Rank: 2, Blocks: [][2][]uint64{{{0, 4}, {1, 5}}, {{3, 0}, {3, 1}}}}
	last, ok := r.Last()
	_, okAll := h5core.Region{Kind: h5core.SelAll, Rank: 2}.Last()
	fmt.Println(last, ok, okAll)
	// Output: [3 5] true false
}

// SortedElements lists the coordinates of a union of blocks in C order
// without repeats; points keep their order, as libhdf5 reads them; All
// needs the shape.
func ExampleRegion_SortedElements() {
	blocks := h5core.Region{Kind: h5core.SelBlocks, Rank: 1, Blocks: [][2][]uint64{{{4}, {5}}, {{1}, {4}}}}
	points := h5core.Region{Kind: h5core.SelPoints, Rank: 1, Points: [][]uint64{{5}, {1}, {5}}}
	a, _ := blocks.SortedElements([]uint64{8}, 100)
	b, _ := points.SortedElements([]uint64{8}, 100)
	c, _ := h5core.Region{Kind: h5core.SelAll, Rank: 2}.SortedElements([]uint64{2, 2}, 100)
	fmt.Println(a, b, c)
	// Output: [[1] [2] [3] [4] [5]] [[5] [1] [5]] [[0 0] [0 1] [1 0] [1 1]]
}

// All selects a whole dataset; Shape is the selection buffer's shape and
// NumElements its length.
func ExampleAll() {
	h := h5core.All([]uint64{3, 4})
	fmt.Println(h.Start, h.Count, h.Shape(), h.NumElements())
	// Output: [0 0] [3 4] [3 4] 12
}

// Shape is Count*Block per dimension: dset[0:6:2, 1:3] is 3 by 2.
func ExampleHyperslab_Shape() {
	h := h5core.Hyperslab{Start: []uint64{0, 1}, Stride: []uint64{2, 1}, Count: []uint64{3, 2}}
	fmt.Println(h.Shape())
	// Output: [3 2]
}

// NumElements is the number of selected elements.
func ExampleHyperslab_NumElements() {
	h := h5core.Hyperslab{Start: []uint64{0}, Stride: []uint64{4}, Count: []uint64{3}, Block: []uint64{2}}
	fmt.Println(h.NumElements())
	// Output: 6
}

// Check tells a selection that fits a shape from one that does not.
func ExampleHyperslab_Check() {
	h := h5core.Hyperslab{Start: []uint64{2}, Count: []uint64{3}}
	fmt.Println(h.Check([]uint64{5}), h.Check([]uint64{4}) != nil, h.Check([]uint64{5, 5}) != nil)
	// Output: <nil> true true
}

// Spans is a selection's elements as runs of consecutive indexes: a run
// per row of a hyperslab, merged where rows touch.
func ExampleSelection_Spans() {
	rows := h5core.Selection{Kind: h5core.SelectBlocks, Rank: 2, Regular: &h5core.Hyperslab{Start: []uint64{1, 0}, Count: []uint64{2, 4}}}
	cols := h5core.Selection{Kind: h5core.SelectBlocks, Rank: 2, Regular: &h5core.Hyperslab{Start: []uint64{0, 1}, Count: []uint64{3, 2}}}
	a, _ := rows.Spans([]uint64{3, 4}, 100)
	b, _ := cols.Spans([]uint64{3, 4}, 100)
	fmt.Println(a, b)
	// Output: [{4 8}] [{1 2} {5 2} {9 2}]
}

// A *FormatError names the offset of what is malformed; errors.Is
// matches ErrFormat.
func ExampleFormatError_Is() {
	_, err := h5core.Open(bytes.NewReader([]byte("not an HDF5 file at all")), 23)
	var fe *h5core.FormatError
	fmt.Println(errors.Is(err, h5core.ErrFormat), errors.As(err, &fe))
	// Output: true true
}

// A *ChecksumError names the structure that failed its checksum and
// where; it matches ErrChecksum and ErrFormat.
func ExampleChecksumError_Is() {
	f := h5core.NewFile(h5core.WithLibver(h5core.LibverLatest))
	_, w := reopen(f)
	b := append([]byte(nil), w.b...)
	b[20] ^= 0xff // inside the version 3 superblock, before its checksum
	_, err := h5core.Open(bytes.NewReader(b), int64(len(b)))
	var ce *h5core.ChecksumError
	fmt.Println(errors.Is(err, h5core.ErrChecksum), errors.Is(err, h5core.ErrFormat), errors.As(err, &ce) && ce.Off == 0)
	// Output: true true true
}

// An *UnknownFilterError names a filter h5core has no codec for; it
// matches ErrUnsupported.
func ExampleUnknownFilterError_Is() {
	fs := []h5core.Filter{{ID: 32099, Name: "mystery"}}
	_, _, err := h5core.EncodeChunk(fs, []byte{1, 2, 3})
	var ue *h5core.UnknownFilterError
	fmt.Println(errors.Is(err, h5core.ErrUnsupported), errors.As(err, &ue) && ue.ID == 32099)
	// Output: true true
}

// LocateSnapshotBlock finds a file's snapshot block right after its
// superblock; a file made without one is ErrNoSnapshotBlock.
func ExampleLocateSnapshotBlock() {
	_, w := reopen(h5core.NewFile())
	_, err := h5core.LocateSnapshotBlock(bytes.NewReader(w.b), int64(len(w.b)))
	fmt.Println(errors.Is(err, h5core.ErrNoSnapshotBlock))
	// Output: true
}

// DecodeSnapshotBlock reads the generation a writer published; a block
// torn by a concurrent write fails its checksum.
func ExampleDecodeSnapshotBlock() {
	f := h5core.NewFile(h5core.WithSnapshotBlock())
	var w memWriter
	f.Flush(&w)
	off, _ := h5core.LocateSnapshotBlock(bytes.NewReader(w.b), int64(len(w.b)))
	w.WriteAt(h5core.EncodeSnapshotBlock(7), off)
	gen, err := h5core.DecodeSnapshotBlock(w.b[off : off+h5core.SnapshotBlockSize])
	fmt.Println(gen, err)
	_, err = h5core.DecodeSnapshotBlock(make([]byte, h5core.SnapshotBlockSize))
	fmt.Println(errors.Is(err, h5core.ErrNoSnapshotBlock))
	// Output:
	// 7 <nil>
	// true
}

// SnapshotBlock is where NewFile reserved the block, relative to the
// superblock; UndefinedAddr without WithSnapshotBlock.
func ExampleFile_SnapshotBlock() {
	fmt.Println(h5core.NewFile(h5core.WithSnapshotBlock()).SnapshotBlock(), h5core.NewFile().SnapshotBlock() == h5core.UndefinedAddr)
	// Output: 96 true
}

// Error names the offset of the malformed structure and what is wrong.
func ExampleFormatError_Error() {
	b := make([]byte, 64)
	copy(b, "\x89HDF\r\n\x1a\n") // a signature, then nothing sensible
	b[8] = 9                     // superblock version 9
	_, err := h5core.Open(bytes.NewReader(b), int64(len(b)))
	fmt.Println(err)
	// Output: h5core: malformed HDF5 file at offset 8: superblock version (9)
}

// Error names the structure that failed its checksum (here the
// superblock of a latest-family file, version 3),
// its offset and both sums.
func ExampleChecksumError_Error() {
	_, w := reopen(h5core.NewFile(h5core.WithLibver(h5core.LibverLatest)))
	b := append([]byte(nil), w.b...)
	b[20] ^= 0xff
	_, err := h5core.Open(bytes.NewReader(b), int64(len(b)))
	var ce *h5core.ChecksumError
	if errors.As(err, &ce) {
		fmt.Println(ce.What, ce.Off, ce.Stored != ce.Actual)
	}
	// Output: version 3 superblock 0 true
}

// Error names the filter and says what to do. (SZIP, second, is a
// filter h5core knows but only decodes: that is a plain ErrUnsupported.)
func ExampleUnknownFilterError_Error() {
	for _, id := range []uint16{32099, h5core.FilterSZIP} {
		_, _, err := h5core.EncodeChunk([]h5core.Filter{{ID: id}}, []byte{1})
		fmt.Println(err)
	}
	// Output:
	// h5core: filter 32099 (not a registered filter h5core knows) is not supported; rewrite the dataset with a supported filter (h5repack -f GZIP=4, or -f NONE) to read it here
	// h5core: szip filter (4): h5core: writing SZIP (filter 4) is not supported, only reading it; use gzip, or a faster codec such as LZ4 or Zstandard: h5core: unsupported HDF5 feature
}

// Error says which part of the path is an external link, and where it
// leads; Is matches ErrExternalLink.
func ExampleExternalLinkError_Error() {
	f := h5core.NewFile()
	f.Root().CreateExternalLink("inputs/mesh", "mesh.h5", "/grid")
	_, err := f.Root().Lookup("inputs/mesh/coords")
	fmt.Println(err)
	fmt.Println(errors.Is(err, h5core.ErrExternalLink))
	// Output:
	// h5core: path "inputs/mesh/coords": "inputs/mesh" is an external link to mesh.h5:/grid
	// true
}
