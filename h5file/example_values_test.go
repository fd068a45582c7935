package h5file_test

import (
	"errors"
	"fmt"
	"log"
	"reflect"

	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/h5file"
)

// CreateDatasetOf makes a dataset whose type is the one a Go type maps
// to, in a file or in a group.
func ExampleCreateDatasetOf() {
	f, done := newFile("of.h5")
	defer done()
	type sample struct {
		T     float64 `h5:"time"`
		Value int32   `h5:"value"`
	}
	g, _ := f.CreateGroup("log")
	d, err := h5file.CreateDatasetOf[sample](g, "samples", []uint64{2})
	if err != nil {
		log.Fatal(err)
	}
	d.Write([]sample{{0.5, 7}, {1.5, 9}})
	n, _ := h5file.CreateDatasetOf[uint16](f, "counts", []uint64{2, 2})
	v, _ := h5file.ReadAll[sample](d)
	fmt.Println(d.Name(), d.Dtype().Size, v)
	fmt.Println(n.Name(), n.Shape(), n.Dtype())
	// Output:
	// /log/samples 12 [{0.5 7} {1.5 9}]
	// /counts [2 2] u16le
}

// TypeOf shows the HDF5 type a Go type maps to, for WithDtype,
// SetTyped or CommitType.
func ExampleTypeOf() {
	for _, v := range []any{int32(0), 0.0, "", true, [3]uint8{}, []float32{}, [][]int64{}} {
		t, err := h5file.TypeOf(reflect.TypeOf(v))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%T %v %d\n", v, t, t.Size)
	}
	// Output:
	// int32 i32le 4
	// float64 f64le 8
	// string vlen-string 16
	// bool enum(i8le) 1
	// [3]uint8 [3]u8le 3
	// []float32 f32le 4
	// [][]int64 vlen(i64le) 16
}

// ArrayOf is a fixed-size array element type (numpy's ("f8", (3,)));
// Go arrays map to it by themselves.
func ExampleArrayOf() {
	f, done := newFile("array.h5")
	defer done()
	vec3 := h5file.ArrayOf(h5file.Float64, 3)
	d, err := f.CreateDataset("positions", vec3, []uint64{2})
	if err != nil {
		log.Fatal(err)
	}
	d.Write([][3]float64{{1, 2, 3}, {4, 5, 6}})
	v, _ := h5file.ReadAll[[3]float64](d)
	fmt.Println(d.Shape(), d.Dtype().Size, v)
	// Output: [2] 24 [[1 2 3] [4 5 6]]
}

// Enum is an integer type whose values have names (h5py's
// enum_dtype); the data reads and writes as the integers.
func ExampleEnum() {
	f, done := newFile("enum.h5")
	defer done()
	phase := h5file.Enum(h5file.Uint8, []string{"SOLID", "LIQUID", "GAS"}, []int64{0, 1, 2})
	d, err := f.CreateDataset("phase", phase, []uint64{4})
	if err != nil {
		log.Fatal(err)
	}
	d.Write([]uint8{0, 1, 1, 2})
	v, _ := h5file.ReadAll[uint8](d)
	fmt.Println(d.Dtype(), v)
	// Output: enum(u8le) [0 1 1 2]
}

// FixedString is numpy's "S<n>": strings of n bytes, null-padded.
func ExampleFixedString() {
	f, done := newFile("fixedstring.h5")
	defer done()
	s8 := h5file.FixedString(8, false)
	d, err := f.CreateDatasetFrom("stations", []string{"OSLO", "BERGEN"}, h5file.WithDtype(s8))
	if err != nil {
		log.Fatal(err)
	}
	v, _ := h5file.ReadAll[string](d)
	fmt.Printf("%v %d %q\n", d.Dtype(), d.Dtype().Size, v)
	// Output: S8 8 ["OSLO" "BERGEN"]
}

// VlenOf is a variable-length sequence type (h5py's vlen_dtype): each
// element a list of its own length.
func ExampleVlenOf() {
	f, done := newFile("vlen.h5")
	defer done()
	d, err := f.CreateDataset("neighbours", h5file.VlenOf(h5file.Int32), []uint64{3})
	if err != nil {
		log.Fatal(err)
	}
	if err := d.Write([][]int32{{1}, {0, 2}, {}}); err != nil {
		log.Fatal(err)
	}
	v, _ := h5file.ReadAll[[]int32](d)
	fmt.Println(d.Dtype(), v)
	// Output: vlen(i32le) [[1] [0 2] []]
}

// NamedType's Dtype is the committed type, for checking what a file's
// named types hold.
func ExampleNamedType_Dtype() {
	f, done := newFile("ntdtype.h5")
	defer done()
	f.CommitType("types/flag", h5file.Bool)
	nt, _ := f.NamedType("types/flag")
	fmt.Println(nt.Dtype(), nt.Dtype().Size, nt.Dtype().Class == h5core.ClassEnum)
	// Output: enum(i8le) 1 true
}

// Index selects one position of a dimension (dset[i]); negative indexes
// count from the end, and one outside the dimension is an error.
func ExampleIndex() {
	f, done := newFile("index.h5")
	defer done()
	d, _ := f.CreateDatasetFrom("m", []int32{0, 1, 2, 10, 11, 12}, h5file.WithShape(2, 3))
	row, _ := h5file.ReadSlice[int32](d, h5file.S(h5file.Index(-1)))
	elem, _ := h5file.ReadSlice[int32](d, h5file.S(h5file.Index(0), h5file.Index(2)))
	_, err := h5file.ReadSlice[int32](d, h5file.S(h5file.Index(2)))
	fmt.Println(row, elem, err != nil)
	// Output: [10 11 12] [2] true
}

// Range is start:stop; negative bounds count from the end, and End is
// Python's empty stop.
func ExampleRange() {
	f, done := newFile("range.h5")
	defer done()
	d, _ := f.CreateDatasetFrom("x", []int32{0, 1, 2, 3, 4, 5})
	a, _ := h5file.ReadSlice[int32](d, h5file.S(h5file.Range(1, 3)))
	b, _ := h5file.ReadSlice[int32](d, h5file.S(h5file.Range(-2, h5file.End)))
	c, _ := h5file.ReadSlice[int32](d, h5file.S(h5file.Range(4, 4)))
	fmt.Println(a, b, c)
	// Output: [1 2] [4 5] []
}

// RangeStep is start:stop:step, here every other element and every
// third.
func ExampleRangeStep() {
	f, done := newFile("rangestep.h5")
	defer done()
	d, _ := f.CreateDatasetFrom("x", []int32{0, 1, 2, 3, 4, 5, 6})
	even, _ := h5file.ReadSlice[int32](d, h5file.S(h5file.RangeStep(0, h5file.End, 2)))
	third, _ := h5file.ReadSlice[int32](d, h5file.S(h5file.RangeStep(1, h5file.End, 3)))
	_, err := h5file.ReadSlice[int32](d, h5file.S(h5file.RangeStep(0, 4, 0)))
	fmt.Println(even, third, err != nil)
	// Output: [0 2 4 6] [1 4] true
}

// S builds the selection dset[1:3, :] ; trailing dimensions left out are
// selected whole, and All is Python's ":".
func ExampleS() {
	f, done := newFile("s.h5")
	defer done()
	d, _ := f.CreateDatasetFrom("m", []int32{0, 1, 10, 11, 20, 21, 30, 31}, h5file.WithShape(4, 2))
	a, _ := h5file.ReadSlice[int32](d, h5file.S(h5file.Range(1, 3), h5file.All))
	b, _ := h5file.ReadSlice[int32](d, h5file.S(h5file.Range(1, 3)))
	c, _ := h5file.ReadSlice[int32](d, h5file.Slices{{Start: 0, Stop: h5file.End, Step: 3}, h5file.Index(1)})
	fmt.Println(a, b, c)
	// Output: [10 11 20 21] [10 11 20 21] [1 31]
}

// Dims prints a maximum shape as h5py prints maxshape: None for an
// unlimited dimension.
func ExampleDims_String() {
	fmt.Println(h5file.Dims{10, h5file.Unlimited})
	fmt.Printf("%v\n", h5file.Dims{})
	// Output:
	// [10 None]
	// []
}

// LinkKind names the kind of each link VisitLinks reports.
func ExampleLinkKind_String() {
	for _, k := range []h5file.LinkKind{h5file.LinkHard, h5file.LinkSoft, h5file.LinkExternal} {
		fmt.Println(k)
	}
	// Output:
	// hard
	// soft
	// external
}

// A zero Ref is a null reference (h5py's bool(ref) is False), as in the
// second element of this dataset of references.
func ExampleRef_IsNull() {
	f, done := newFile("nullref.h5")
	defer done()
	g, _ := f.CreateGroup("a")
	r, _ := g.Ref()
	d, _ := f.CreateDatasetFrom("refs", []h5file.Ref{r, 0})
	refs, _ := h5file.ReadAll[h5file.Ref](d)
	for _, r := range refs {
		if r.IsNull() {
			fmt.Println("null")
			continue
		}
		o, _ := f.Deref(r)
		fmt.Println(o.Name())
	}
	// Output:
	// /a
	// null
}

// A zero RegionRef is a null region reference.
func ExampleRegionRef_IsNull() {
	f, done := newFile("nullregion.h5")
	defer done()
	d, _ := f.CreateDatasetFrom("x", []int32{1, 2, 3})
	rr, _ := d.RegionRef(h5file.S(h5file.Range(0, 2)))
	var unset h5file.RegionRef
	fmt.Println(rr.IsNull(), unset.IsNull())
	_, err := f.DerefRegion(unset)
	fmt.Println(err != nil)
	// Output:
	// false true
	// true
}

// Elements lists the coordinates a region reference selects, in the
// order ReadRegion returns their values.
func ExampleRegion_Elements() {
	f, done := newFile("elements.h5")
	defer done()
	d, _ := f.CreateDatasetFrom("grid", []int32{0, 1, 2, 10, 11, 12}, h5file.WithShape(2, 3))
	rr, _ := d.RegionRef(h5file.S(h5file.All, h5file.RangeStep(0, h5file.End, 2)))
	reg, _ := f.DerefRegion(rr)
	pts, _ := reg.Elements()
	vals, _ := h5file.ReadRegion[int32](reg)
	fmt.Println(pts, vals)
	// Output: [[0 0] [0 2] [1 0] [1 2]] [0 2 10 12]
}

// Hyperslab gives a region back as a selection for ReadSel and WriteSel
// when it is one: the whole dataset, or a large regular selection
// (stored as a regular hyperslab). Small regions are stored as lists of
// blocks, as libhdf5 stores them; read those with ReadRegion.
func ExampleRegion_Hyperslab() {
	f, done := newFile("hyperslab.h5")
	defer done()
	x := make([]int32, 10000)
	for i := range x {
		x[i] = int32(i)
	}
	d, _ := f.CreateDatasetFrom("x", x)
	even, _ := d.RegionRef(h5file.S(h5file.RangeStep(0, h5file.End, 2)))
	small, _ := d.RegionRef(h5file.S(h5file.Range(0, 2)))

	reg, _ := f.DerefRegion(even)
	hs, ok := reg.Hyperslab()
	buf := make([]int32, 5000)
	reg.Dataset.ReadSel(hs, buf)
	fmt.Println(ok, hs.Start, hs.Stride, hs.Count, buf[:3])
	reg, _ = f.DerefRegion(small)
	_, ok = reg.Hyperslab()
	fmt.Println(ok)
	// Output:
	// true [0] [2] [5000] [0 2 4]
	// false
}

// ReadRegion reads what a region reference selects, whatever its shape.
func ExampleReadRegion() {
	f, done := newFile("readregion.h5")
	defer done()
	d, _ := f.CreateDatasetFrom("t", []float64{20.5, 21, 21.5, 22, 22.5})
	rr, _ := d.RegionRef(h5file.S(h5file.Range(1, 4)))
	d.Attrs().Set("daytime", rr)

	stored, _ := h5file.AttrValue[h5file.RegionRef](d, "daytime")
	reg, _ := f.DerefRegion(stored)
	v, err := h5file.ReadRegion[float64](reg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v)
	// Output: [21 21.5 22]
}

// An OpError names the operation and the path; Unwrap gives the cause,
// so errors.Is finds the sentinel and errors.As the *OpError.
func ExampleOpError_Unwrap() {
	f, done := newFile("operr.h5")
	defer done()
	d, _ := h5file.CreateDatasetOf[int32](f, "x", []uint64{4})
	err := d.Write([]int32{1, 2})
	var oe *h5file.OpError
	if errors.As(err, &oe) {
		fmt.Println(oe.Op, oe.Path)
	}
	fmt.Println(errors.Is(err, h5file.ErrShape), errors.Unwrap(err) != nil)
	// Output:
	// write /x
	// true true
}

// OpError's Is makes h5core's causes match h5file's sentinels, so one
// errors.Is test covers both layers.
func ExampleOpError_Is() {
	f, done := newFile("operris.h5")
	defer done()
	f.CreateGroup("g")
	_, err := f.CreateGroup("g")
	fmt.Println(errors.Is(err, h5file.ErrExists), errors.Is(err, h5core.ErrExists))
	_, err = f.Group("missing")
	fmt.Println(errors.Is(err, h5file.ErrNotFound), errors.Is(err, h5core.ErrNotFound))
	// Output:
	// true true
	// true true
}
