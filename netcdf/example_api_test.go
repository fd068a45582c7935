package netcdf_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/netcdf"
)

// tempNC is a path for an example's file in a fresh temporary directory,
// and the function that removes the directory.
func tempNC(name string) (string, func()) {
	dir, err := os.MkdirTemp("", "netcdf-example")
	if err != nil {
		panic(err)
	}
	return filepath.Join(dir, name), func() { os.RemoveAll(dir) }
}

// writeSample makes the file the reading examples open: an unlimited
// dimension time with two records, a coordinate variable for it, a fixed
// dimension x without one, and a variable over both.
func writeSample(path string) error {
	f, err := netcdf.Create(path, "w")
	if err != nil {
		return err
	}
	f.SetText("title", "sample")
	f.DefDim("time", netcdf.Unlimited)
	f.DefDim("x", 3)
	tv, _ := f.DefVar("time", h5file.Float64, []string{"time"})
	tv.SetText("units", "hours since 2026-01-01")
	v, _ := f.DefVar("temp", h5file.Float32, []string{"time", "x"}, netcdf.FillValue(float32(-999)))
	v.SetText("units", "K")
	if err := f.Grow("time", 2); err != nil {
		f.Close()
		return err
	}
	tv.Dataset().Write([]float64{0, 1})
	v.Dataset().Write([]float32{280, 281, 282, 283, 284, 285})
	return f.Close()
}

// ExampleCreate defines a dimension and a variable, ends the definitions
// and writes the data. With h5file.WithComm(c) as the last argument every
// rank of a parallel job makes the same calls, and each writes its own
// part of the data (Dataset().WriteSel or Collective().WriteSel).
func ExampleCreate() {
	path, cleanup := tempNC("create.nc")
	defer cleanup()

	f, err := netcdf.Create(path, "w") // "w-" fails if the file exists
	if err != nil {
		fmt.Println(err)
		return
	}
	f.DefDim("x", 4)
	v, err := f.DefVar("height", h5file.Float64, []string{"x"})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := f.EndDef(); err != nil {
		fmt.Println(err)
		return
	}
	v.Dataset().Write([]float64{1.5, 2.5, 3.5, 4.5})
	if err := f.Close(); err != nil {
		fmt.Println(err)
		return
	}

	// Any HDF5 reader opens it; h5file is one.
	h, _ := h5file.Open(path, "r")
	defer h.Close()
	ds, _ := h.Dataset("height")
	data, _ := h5file.ReadAll[float64](ds)
	fmt.Println(ds.Shape(), data)
	// Output:
	// [4] [1.5 2.5 3.5 4.5]
}

// ExampleOpen reads the dimensions and variables of an existing file from
// its dimension scales, whichever tool wrote it.
func ExampleOpen() {
	path, cleanup := tempNC("open.nc")
	defer cleanup()
	if err := writeSample(path); err != nil {
		fmt.Println(err)
		return
	}

	f, err := netcdf.Open(path, "r") // "r+" to append
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	for _, v := range f.Vars() {
		var dims []string
		for _, d := range v.Dims {
			dims = append(dims, d.Name)
		}
		fmt.Printf("%s(%s) %v\n", v.Name, strings.Join(dims, ", "), v.Dataset().Shape())
	}
	// Output:
	// time(time) [2]
	// temp(time, x) [2 3]
}

// ExampleFile_DefDim defines a fixed dimension and the unlimited one.
func ExampleFile_DefDim() {
	path, cleanup := tempNC("dims.nc")
	defer cleanup()
	f, err := netcdf.Create(path, "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()

	x, _ := f.DefDim("x", 10)
	t, _ := f.DefDim("time", netcdf.Unlimited)
	fmt.Println(x.Name, x.Len(), x.Unlimited())
	fmt.Println(t.Name, t.Len(), t.Unlimited())
	if _, err := f.DefDim("x", 5); err != nil {
		fmt.Println(err)
	}
	// Output:
	// x 10 false
	// time 0 true
	// netcdf: dimension x: h5file: name already exists
}

// ExampleDim_Len shows a dimension's length and whether it is the
// unlimited one, before and after Grow.
func ExampleDim_Len() {
	path, cleanup := tempNC("len.nc")
	defer cleanup()
	f, err := netcdf.Create(path, "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()

	t, _ := f.DefDim("time", netcdf.Unlimited)
	f.DefVar("time", h5file.Float64, []string{"time"})
	fmt.Println(t.Len(), t.Unlimited())
	f.Grow("time", 24)
	fmt.Println(t.Len(), t.Unlimited())
	// Output:
	// 0 true
	// 24 true
}

// ExampleDim_Unlimited tells the record dimension of an opened file.
func ExampleDim_Unlimited() {
	path, cleanup := tempNC("unlimited.nc")
	defer cleanup()
	if err := writeSample(path); err != nil {
		fmt.Println(err)
		return
	}
	f, err := netcdf.Open(path, "r")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	for _, d := range f.Dims() {
		if d.Unlimited() {
			fmt.Println("records along", d.Name+":", d.Len())
		}
	}
	// Output:
	// records along time: 2
}

// ExampleFile_DefVar defines a coordinate variable (1-D, named after its
// dimension) and a data variable over two dimensions.
func ExampleFile_DefVar() {
	path, cleanup := tempNC("defvar.nc")
	defer cleanup()
	f, err := netcdf.Create(path, "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	f.DefDim("lat", 2)
	f.DefDim("lon", 3)
	lat, _ := f.DefVar("lat", h5file.Float32, []string{"lat"})
	v, _ := f.DefVar("elevation", h5file.Int16, []string{"lat", "lon"})
	if _, err := f.DefVar("bad", h5file.Int16, []string{"depth"}); err != nil {
		fmt.Println(err)
	}
	f.EndDef()
	lat.Dataset().Write([]float32{-45, 45})
	v.Dataset().Write([]int16{10, 20, 30, 40, 50, 60})
	fmt.Println(lat.Dataset().IsScale(), v.Dataset().Shape(), v.Dataset().Dtype().Size)
	if err := f.Close(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// netcdf: variable bad: no dimension depth (DefDim it first): h5file: not found
	// true [2 3] 2
}

// ExampleFile_EndDef shows what EndDef does: it attaches each variable's
// dimension scales, after which no definition is accepted. Close calls
// it when the program did not.
func ExampleFile_EndDef() {
	path, cleanup := tempNC("enddef.nc")
	defer cleanup()
	f, err := netcdf.Create(path, "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	f.DefDim("x", 2)
	v, _ := f.DefVar("v", h5file.Int32, []string{"x"})
	if err := f.EndDef(); err != nil {
		fmt.Println(err)
		return
	}
	scales, _ := v.Dataset().Dim(0).Scales()
	fmt.Println(scales[0].Name())
	if _, err := f.DefDim("y", 2); err != nil {
		fmt.Println(err)
	}
	// Output:
	// /x
	// netcdf: define dimension y after EndDef
}

// ExampleFile_Grow appends records: Grow lengthens the unlimited
// dimension and every variable over it, then each record is written.
func ExampleFile_Grow() {
	path, cleanup := tempNC("grow.nc")
	defer cleanup()
	if err := writeSample(path); err != nil {
		fmt.Println(err)
		return
	}

	f, err := netcdf.Open(path, "r+")
	if err != nil {
		fmt.Println(err)
		return
	}
	n := f.Dim("time").Len()
	if err := f.Grow("time", n+2); err != nil {
		fmt.Println(err)
		return
	}
	// Only one of the two new records is written: the other reads as
	// the fill value.
	f.Var("time").Dataset().WriteSel(h5file.S(h5file.Range(int64(n), int64(n+2))), []float64{2, 3})
	f.Var("temp").Dataset().WriteSel(h5file.S(h5file.Index(int64(n))), []float32{286, 287, 288})
	if err := f.Grow("x", 4); err != nil {
		fmt.Println(err)
	}
	if err := f.Close(); err != nil {
		fmt.Println(err)
		return
	}

	f, _ = netcdf.Open(path, "r")
	defer f.Close()
	temp, shape, _ := h5file.ReadND[float32](f.Var("temp").Dataset())
	fmt.Println(shape, temp)
	// Output:
	// netcdf: grow x: a fixed dimension of length 3 cannot grow
	// [4 3] [280 281 282 283 284 285 286 287 288 -999 -999 -999]
}

// ExampleFile_Close shows that Close ends the definitions when EndDef
// was not called: the file is complete netCDF-4 either way.
func ExampleFile_Close() {
	path, cleanup := tempNC("close.nc")
	defer cleanup()
	f, err := netcdf.Create(path, "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	f.DefDim("x", 2)
	f.DefVar("v", h5file.Int32, []string{"x"})
	if err := f.Close(); err != nil {
		fmt.Println(err)
		return
	}

	f, err = netcdf.Open(path, "r")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	fmt.Println(len(f.Dims()), len(f.Vars()), f.Var("v").Dims[0].Name)
	// Output:
	// 1 1 x
}

// ExampleFile_Dim looks a dimension and a variable up by name; both are
// nil when the file has none by that name.
func ExampleFile_Dim() {
	path, cleanup := tempNC("lookup.nc")
	defer cleanup()
	if err := writeSample(path); err != nil {
		fmt.Println(err)
		return
	}
	f, err := netcdf.Open(path, "r")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	fmt.Println(f.Dim("x").Len(), f.Dim("y") == nil)
	fmt.Println(f.Var("temp").Dataset().Shape(), f.Var("pressure") == nil)
	// Output:
	// 3 true
	// [2 3] true
}

// ExampleFile_Var reads a variable's data and attributes by name.
func ExampleFile_Var() {
	path, cleanup := tempNC("var.nc")
	defer cleanup()
	if err := writeSample(path); err != nil {
		fmt.Println(err)
		return
	}
	f, err := netcdf.Open(path, "r")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	v := f.Var("temp")
	row, _ := h5file.ReadSlice[float32](v.Dataset(), h5file.S(h5file.Index(1)))
	units, _ := h5file.AttrValue[string](v.Dataset(), "units")
	fmt.Println(row, units)
	// Output:
	// [283 284 285] K
}

// ExampleFile_Dims lists the dimensions in the order they were defined,
// whether or not each has a coordinate variable.
func ExampleFile_Dims() {
	path, cleanup := tempNC("listdims.nc")
	defer cleanup()
	if err := writeSample(path); err != nil {
		fmt.Println(err)
		return
	}
	f, err := netcdf.Open(path, "r")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	for _, d := range f.Dims() {
		fmt.Println(d.Name, d.Len(), d.Unlimited())
	}
	// Output:
	// time 2 true
	// x 3 false
}

// ExampleFile_Vars lists the variables with their types.
func ExampleFile_Vars() {
	path, cleanup := tempNC("listvars.nc")
	defer cleanup()
	if err := writeSample(path); err != nil {
		fmt.Println(err)
		return
	}
	f, err := netcdf.Open(path, "r")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	for _, v := range f.Vars() {
		fmt.Println(v.Name, len(v.Dims), v.Dataset().Dtype().Size)
	}
	// Output:
	// time 1 8
	// temp 2 4
}

// ExampleFile_SetText sets global attributes: text as netCDF's NC_CHAR
// with SetText, numbers through Attrs.
func ExampleFile_SetText() {
	path, cleanup := tempNC("global.nc")
	defer cleanup()
	f, err := netcdf.Create(path, "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	f.SetText("Conventions", "CF-1.10")
	f.SetText("history", "made by ExampleFile_SetText")
	f.Attrs().Set("version", int32(3))
	if err := f.Close(); err != nil {
		fmt.Println(err)
		return
	}

	h, _ := h5file.Open(path, "r")
	defer h.Close()
	conv, _ := h5file.AttrValue[string](h, "Conventions")
	version, _ := h5file.AttrValue[int32](h, "version")
	fmt.Println(conv, version)
	// Output:
	// CF-1.10 3
}

// ExampleFile_Attrs reads the global attributes, including the
// _NCProperties that Create writes for netCDF-C.
func ExampleFile_Attrs() {
	path, cleanup := tempNC("attrs.nc")
	defer cleanup()
	if err := writeSample(path); err != nil {
		fmt.Println(err)
		return
	}
	f, err := netcdf.Open(path, "r")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	a := f.Attrs()
	fmt.Println(a.Names())
	var title string
	a.Read("title", &title)
	fmt.Println(title)
	// Output:
	// [_NCProperties title]
	// sample
}

// ExampleFile_H5 reaches the HDF5 file beneath for what netCDF has no
// word for: here a group of provenance data beside the variables.
func ExampleFile_H5() {
	path, cleanup := tempNC("h5.nc")
	defer cleanup()
	f, err := netcdf.Create(path, "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	f.DefDim("x", 2)
	f.DefVar("v", h5file.Int32, []string{"x"})
	g, _ := f.H5().CreateGroup("provenance")
	g.CreateDatasetFrom("seeds", []int64{7, 11})
	if err := f.Close(); err != nil {
		fmt.Println(err)
		return
	}

	h, _ := h5file.Open(path, "r")
	defer h.Close()
	keys, _ := h.Keys()
	fmt.Println(keys)
	// Creation order (netCDF-C's): x, a dimension without a coordinate
	// variable, is made by EndDef, which Close called.
	// Output:
	// [v provenance x]
}

// ExampleVar_SetText writes a variable's text attributes as netCDF-C
// does (ncdump shows `temp:units = "K"`), and numbers through Attrs.
func ExampleVar_SetText() {
	path, cleanup := tempNC("vartext.nc")
	defer cleanup()
	f, err := netcdf.Create(path, "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	f.DefDim("x", 2)
	v, _ := f.DefVar("temp", h5file.Float32, []string{"x"})
	v.SetText("units", "K")
	v.SetText("long_name", "air temperature")
	v.Attrs().Set("valid_range", []float32{150, 350})
	if err := f.Close(); err != nil {
		fmt.Println(err)
		return
	}

	f, _ = netcdf.Open(path, "r")
	defer f.Close()
	ds := f.Var("temp").Dataset()
	units, _ := h5file.AttrValue[string](ds, "units")
	name, _ := h5file.AttrValue[string](ds, "long_name")
	valid, _ := h5file.AttrValue[[]float32](ds, "valid_range")
	fmt.Printf("%q %q %v\n", units, name, valid)
	// Output:
	// "K" "air temperature" [150 350]
}

// ExampleVar_Attrs lists a variable's attributes: the ones the program
// set, and the ones that make it netCDF-4 (its dimension ids, and for
// the others DIMENSION_LIST).
func ExampleVar_Attrs() {
	path, cleanup := tempNC("varattrs.nc")
	defer cleanup()
	if err := writeSample(path); err != nil {
		fmt.Println(err)
		return
	}
	f, err := netcdf.Open(path, "r")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	fmt.Println(f.Var("temp").Attrs().Names())
	// Output:
	// [_FillValue units _Netcdf4Coordinates DIMENSION_LIST]
}

// ExampleVar_Dataset writes a variable through its h5file.Dataset: a
// whole row with WriteSel, then reads one column back with ReadSlice.
func ExampleVar_Dataset() {
	path, cleanup := tempNC("dataset.nc")
	defer cleanup()
	f, err := netcdf.Create(path, "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	f.DefDim("y", 2)
	f.DefDim("x", 3)
	v, _ := f.DefVar("v", h5file.Int32, []string{"y", "x"})
	f.EndDef()

	ds := v.Dataset()
	ds.WriteSel(h5file.S(h5file.Index(0)), []int32{1, 2, 3})
	ds.WriteSel(h5file.S(h5file.Index(1)), []int32{4, 5, 6})
	col, _ := h5file.ReadSlice[int32](ds, h5file.S(h5file.All, h5file.Index(2)))
	fmt.Println(col)
	// Output:
	// [3 6]
}

// ExampleFillValue gives a variable its _FillValue: elements never
// written read as it, in this package and in netCDF-C.
func ExampleFillValue() {
	path, cleanup := tempNC("fill.nc")
	defer cleanup()
	f, err := netcdf.Create(path, "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	f.DefDim("x", 4)
	v, _ := f.DefVar("v", h5file.Float64, []string{"x"}, netcdf.FillValue(-1.0))
	f.EndDef()
	v.Dataset().WriteSel(h5file.S(h5file.Range(0, 2)), []float64{10, 20})

	data, _ := h5file.ReadAll[float64](v.Dataset())
	attr, _ := h5file.AttrValue[float64](v.Dataset(), "_FillValue")
	fmt.Println(data, attr)
	// Output:
	// [10 20 -1 -1] -1
}

// ExampleChunks sets a variable's chunk shape, here one row of a 2-D
// field per chunk so that each record is read in one piece.
func ExampleChunks() {
	path, cleanup := tempNC("chunks.nc")
	defer cleanup()
	f, err := netcdf.Create(path, "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	f.DefDim("time", netcdf.Unlimited)
	f.DefDim("y", 100)
	f.DefDim("x", 200)
	v, _ := f.DefVar("field", h5file.Float32, []string{"time", "y", "x"}, netcdf.Chunks(1, 10, 200))
	d, _ := f.DefVar("default", h5file.Float32, []string{"time", "y", "x"})
	fmt.Println(v.Dataset().Chunks(), d.Dataset().Chunks())
	// Output:
	// [1 10 200] [1 100 200]
}

// ExampleDeflate compresses a variable with zlib (HDF5's gzip filter),
// which every netCDF-4 reader decodes.
func ExampleDeflate() {
	path, cleanup := tempNC("deflate.nc")
	defer cleanup()
	f, err := netcdf.Create(path, "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	f.DefDim("x", 1000)
	v, _ := f.DefVar("zeros", h5file.Float64, []string{"x"}, netcdf.Deflate(4))
	f.EndDef()
	v.Dataset().Write(make([]float64, 1000))
	ds := v.Dataset()
	fmt.Println(ds.Compression(), ds.CompressionOpts(), ds.Chunks())
	// Output:
	// gzip 4 [1000]
}
