package h5file_test

import (
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/h5file"
)

// Shape, Dtype, MaxShape, Len and Size describe a dataset: h5py's shape,
// dtype, maxshape, len() and size.
func ExampleDataset_Shape() {
	f, done := newFile("shape.h5")
	defer done()
	d, _ := f.CreateDataset("frames", h5file.Uint16, []uint64{5, 64, 64},
		h5file.MaxShape(h5file.Unlimited, 64, 64), h5file.Chunks(1, 64, 64))
	s, _ := f.CreateDatasetFrom("dt", 0.01)
	fmt.Println(d.Shape(), d.Dtype(), d.MaxShape(), d.Len(), d.Size())
	fmt.Println(s.Shape(), s.Dtype(), s.MaxShape(), s.Len(), s.Size())
	// Output:
	// [5 64 64] u16le [None 64 64] 5 20480
	// [] f64le [] 0 1
}

// Dtype is the HDF5 type of the elements; its Size is in bytes.
func ExampleDataset_Dtype() {
	f, done := newFile("dtype.h5")
	defer done()
	a, _ := f.CreateDatasetFrom("le", []int32{1})
	b, _ := f.CreateDatasetFrom("be", []int32{1}, h5file.WithDtype(h5file.Int32BE))
	c, _ := f.CreateDatasetFrom("names", []string{"a"})
	for _, d := range []*h5file.Dataset{a, b, c} {
		fmt.Println(d.Name(), d.Dtype(), d.Dtype().Size)
	}
	// Output:
	// /le i32le 4
	// /be i32be 4
	// /names vlen-string 16
}

// MaxShape is how far Resize may grow a dataset: None for unlimited.
func ExampleDataset_MaxShape() {
	f, done := newFile("maxshape.h5")
	defer done()
	fixed, _ := f.CreateDatasetFrom("fixed", []int8{1, 2})
	growing, _ := f.CreateDataset("growing", h5file.Int8, []uint64{0, 3}, h5file.MaxShape(h5file.Unlimited, 10))
	fmt.Println(fixed.MaxShape(), growing.MaxShape())
	// Output: [2] [None 10]
}

// Len is the length of the first dimension (h5py's len(dset)): the
// number of records of a dataset that grows along it.
func ExampleDataset_Len() {
	f, done := newFile("len.h5")
	defer done()
	d, _ := f.CreateDataset("records", h5file.Float32, []uint64{0, 4}, h5file.MaxShape(h5file.Unlimited, 4))
	for range 3 {
		d.Resize(d.Len()+1, 4)
	}
	fmt.Println(d.Len(), d.Size())
	// Output: 3 12
}

// Resize grows (or shrinks) a chunked dataset within MaxShape; new
// elements read as the fill value.
func ExampleDataset_Resize() {
	f, done := newFile("resize.h5")
	defer done()
	d, _ := f.CreateDataset("t", h5file.Int32, []uint64{2},
		h5file.MaxShape(h5file.Unlimited), h5file.Chunks(4), h5file.FillValue(int32(-1)))
	d.Write([]int32{1, 2})
	if err := d.Resize(5); err != nil {
		log.Fatal(err)
	}
	v, _ := h5file.ReadAll[int32](d)
	fmt.Println(v)
	d.Resize(3)
	v, _ = h5file.ReadAll[int32](d)
	fmt.Println(v)
	fixed, _ := f.CreateDatasetFrom("fixed", []int32{1, 2})
	fmt.Println(fixed.Resize(3) != nil)
	// Output:
	// [1 2 -1 -1 -1]
	// [1 2 -1]
	// true
}

// Layout, Chunks and the filter accessors say how a dataset is stored:
// h5py's chunks, compression, compression_opts, shuffle and fletcher32.
func ExampleDataset_Layout() {
	f, done := newFile("layout.h5")
	defer done()
	plain, _ := f.CreateDatasetFrom("plain", make([]float64, 100))
	small, _ := f.CreateDatasetFrom("small", []int32{1, 2}, h5file.Compact())
	packed, _ := f.CreateDatasetFrom("packed", make([]float64, 100),
		h5file.Chunks(25), h5file.Shuffle(), h5file.Gzip(6), h5file.Fletcher32())
	for _, d := range []*h5file.Dataset{plain, small, packed} {
		fmt.Printf("%s %s %v %q %d %v %v\n", d.Name(), d.Layout(), d.Chunks(), d.Compression(), d.CompressionOpts(), d.Shuffle(), d.Fletcher32())
	}
	// Output:
	// /plain contiguous [] "" -1 false false
	// /small compact [] "" -1 false false
	// /packed chunked [25] "gzip" 6 true true
}

// Chunks is the chunk shape, nil for a dataset that is not chunked.
func ExampleDataset_Chunks() {
	f, done := newFile("chunks.h5")
	defer done()
	d, _ := f.CreateDataset("field", h5file.Float32, []uint64{100, 200}, h5file.Chunks(10, 200))
	c, _ := f.CreateDataset("contiguous", h5file.Float32, []uint64{100, 200})
	fmt.Println(d.Chunks(), c.Chunks() == nil)
	// Output: [10 200] true
}

// Compression names the compression filter as h5py does; LZF has no
// level.
func ExampleDataset_Compression() {
	f, done := newFile("compression.h5")
	defer done()
	g, _ := f.CreateDataset("g", h5file.Int64, []uint64{8}, h5file.Chunks(8), h5file.Gzip(9))
	l, _ := f.CreateDataset("l", h5file.Int64, []uint64{8}, h5file.Chunks(8), h5file.LZF())
	n, _ := f.CreateDataset("n", h5file.Int64, []uint64{8})
	for _, d := range []*h5file.Dataset{g, l, n} {
		fmt.Printf("%s %q %d\n", d.Name(), d.Compression(), d.CompressionOpts())
	}
	// Output:
	// /g "gzip" 9
	// /l "lzf" -1
	// /n "" -1
}

// CompressionOpts is the deflate level, as h5py's compression_opts.
func ExampleDataset_CompressionOpts() {
	f, done := newFile("copts.h5")
	defer done()
	for _, level := range []int{1, 4, 9} {
		d, _ := f.CreateDataset(fmt.Sprint("level", level), h5file.Int64, []uint64{8}, h5file.Gzip(level))
		fmt.Println(d.Name(), d.CompressionOpts())
	}
	// Output:
	// /level1 1
	// /level4 4
	// /level9 9
}

// Shuffle and Fletcher32 report the byte-shuffle and checksum filters.
func ExampleDataset_Shuffle() {
	f, done := newFile("shuffle.h5")
	defer done()
	d, _ := f.CreateDataset("d", h5file.Float64, []uint64{16}, h5file.Chunks(8), h5file.Shuffle(), h5file.Zstd(3))
	fmt.Println(d.Shuffle(), d.Fletcher32(), len(d.Filters()))
	// Output: true false 2
}

// Fletcher32 reports whether chunks carry a checksum, which every read
// verifies.
func ExampleDataset_Fletcher32() {
	f, done := newFile("fletcher.h5")
	defer done()
	d, _ := f.CreateDatasetFrom("checked", []int32{1, 2, 3, 4}, h5file.Fletcher32())
	v, err := h5file.ReadAll[int32](d)
	fmt.Println(d.Fletcher32(), d.Chunks(), v, err)
	// Output: true [4] [1 2 3 4] <nil>
}

// ChunkInfo says where a chunk is stored (h5py's get_chunk_info_by_coord):
// its first element, stored size and file offset. A compressed chunk
// never written has no address and size 0 (unfiltered chunks get their
// space when the dataset is made).
func ExampleDataset_ChunkInfo() {
	f, done := newFile("chunkinfo.h5")
	defer done()
	d, _ := f.CreateDataset("x", h5file.Int32, []uint64{8}, h5file.Chunks(4), h5file.Gzip(1))
	d.WriteSel(h5file.S(h5file.Range(0, 4)), []int32{0, 0, 0, 0})
	for _, at := range []uint64{2, 6} {
		ci, err := d.ChunkInfo([]uint64{at})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ci.Offset, ci.Size > 0, ci.Addr != h5core.UndefinedAddr, ci.FilterMask)
	}
	// Output:
	// [0] true true 0
	// [4] false false 0
}

// MakeScale makes a dataset a dimension scale (h5py's make_scale), which
// netCDF and xarray read as a named dimension; IsScale and ScaleName
// read it back.
func ExampleDataset_MakeScale() {
	f, done := newFile("makescale.h5")
	defer done()
	x, _ := f.CreateDatasetFrom("x", []float64{0, 0.5, 1})
	v, _ := f.CreateDatasetFrom("v", []float32{1, 2, 3})
	fmt.Println(x.IsScale(), x.ScaleName() == "")
	if err := x.MakeScale("distance"); err != nil {
		log.Fatal(err)
	}
	v.Dim(0).AttachScale(x)
	fmt.Println(x.IsScale(), x.ScaleName(), v.IsScale())
	// Output:
	// false true
	// true distance false
}

// IsScale tells dimension scales from data, as netcdf.Open does to find
// a file's dimensions.
func ExampleDataset_IsScale() {
	f, done := newFile("isscale.h5")
	defer done()
	t, _ := f.CreateDatasetFrom("time", []float64{0, 60, 120})
	f.CreateDatasetFrom("temp", []float32{280, 281, 282})
	t.MakeScale("time")
	f.Visit(func(name string, o h5file.Object) error {
		if d, ok := o.(*h5file.Dataset); ok {
			fmt.Println(name, d.IsScale())
		}
		return nil
	})
	// Output:
	// temp false
	// time true
}

// ScaleName is the NAME a scale was made with; a scale attached without
// MakeScale has none.
func ExampleDataset_ScaleName() {
	f, done := newFile("scalename.h5")
	defer done()
	v, _ := f.CreateDatasetFrom("v", []float32{1, 2})
	named, _ := f.CreateDatasetFrom("named", []int32{0, 1})
	bare, _ := f.CreateDatasetFrom("bare", []int32{0, 1})
	named.MakeScale("index")
	v.Dim(0).AttachScale(named)
	v.Dim(0).AttachScale(bare)
	fmt.Printf("%q %q %v\n", named.ScaleName(), bare.ScaleName(), bare.IsScale())
	// Output: "index" "" true
}

// Dim is one dimension of a dataset (h5py's dset.dims[i]): its label and
// the scales attached to it.
func ExampleDataset_Dim() {
	f, done := newFile("dim.h5")
	defer done()
	img, _ := h5file.CreateDatasetOf[uint8](f, "image", []uint64{2, 3})
	img.Dim(0).SetLabel("row")
	img.Dim(1).SetLabel("column")
	for i := range img.Shape() {
		label, _ := img.Dim(i).Label()
		fmt.Println(i, label)
	}
	// Output:
	// 0 row
	// 1 column
}

// SetLabel and Label name a dimension without a scale (h5py's
// dims[i].label).
func ExampleDim_SetLabel() {
	f, done := newFile("setlabel.h5")
	defer done()
	d, _ := h5file.CreateDatasetOf[float32](f, "temp", []uint64{4, 5})
	if err := d.Dim(1).SetLabel("x"); err != nil {
		log.Fatal(err)
	}
	y, _ := d.Dim(0).Label()
	x, _ := d.Dim(1).Label()
	fmt.Printf("%q %q\n", y, x)
	// Output: "" "x"
}

// Label reads a dimension's label, "" when it has none.
func ExampleDim_Label() {
	f, done := newFile("label.h5")
	defer done()
	d, _ := h5file.CreateDatasetOf[float32](f, "temp", []uint64{4, 5})
	d.Dim(0).SetLabel("y")
	for i := range d.Shape() {
		l, err := d.Dim(i).Label()
		fmt.Printf("%d %q %v\n", i, l, err)
	}
	// Output:
	// 0 "y" <nil>
	// 1 "" <nil>
}

// Scales lists the scales attached to a dimension, in attach order.
func ExampleDim_Scales() {
	f, done := newFile("scales.h5")
	defer done()
	d, _ := h5file.CreateDatasetOf[float32](f, "temp", []uint64{3})
	km, _ := f.CreateDatasetFrom("km", []float64{0, 1, 2})
	miles, _ := f.CreateDatasetFrom("miles", []float64{0, 0.62, 1.24})
	km.MakeScale("distance (km)")
	miles.MakeScale("distance (miles)")
	d.Dim(0).AttachScale(km)
	d.Dim(0).AttachScale(miles)
	scales, _ := d.Dim(0).Scales()
	for _, s := range scales {
		fmt.Println(s.Name(), s.ScaleName())
	}
	// Output:
	// /km distance (km)
	// /miles distance (miles)
}

// DetachScale takes a scale off a dimension; the bookkeeping attributes
// go when they become empty, as libhdf5 removes them.
func ExampleDim_DetachScale() {
	f, done := newFile("detach.h5")
	defer done()
	d, _ := h5file.CreateDatasetOf[float32](f, "temp", []uint64{3})
	x, _ := f.CreateDatasetFrom("x", []float64{0, 1, 2})
	x.MakeScale("x")
	d.Dim(0).AttachScale(x)
	fmt.Println(d.Attrs().Names(), x.Attrs().Names())
	if err := d.Dim(0).DetachScale(x); err != nil {
		log.Fatal(err)
	}
	scales, _ := d.Dim(0).Scales()
	fmt.Println(len(scales), d.Attrs().Names(), x.Attrs().Names())
	// Output:
	// [DIMENSION_LIST] [CLASS NAME REFERENCE_LIST]
	// 0 [] [CLASS NAME]
}
