package h5file_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorun-hpc/gorun/h5file"
)

// ExampleFile_Deref stores object references in an attribute and a
// dataset (h5py's ref_dtype) and follows them back (h5py's f[ref]).
func ExampleFile_Deref() {
	dir, _ := os.MkdirTemp("", "refs")
	defer os.RemoveAll(dir)
	f, _ := h5file.Create(filepath.Join(dir, "refs.h5"), "w")
	defer f.Close()
	g, _ := f.CreateGroup("results")
	d, _ := h5file.CreateDatasetOf[float64](g, "pressure", []uint64{10})
	gref, _ := g.Ref()
	dref, _ := d.Ref()
	f.Attrs().Set("latest", gref)
	f.CreateDatasetFrom("index", []h5file.Ref{dref, gref})

	r, _ := h5file.AttrValue[h5file.Ref](f, "latest")
	o, _ := f.Deref(r)
	fmt.Println(o.Name())
	refs, _ := h5file.ReadAll[h5file.Ref](must1(f.Dataset("index")))
	for _, r := range refs {
		o, _ := f.Deref(r)
		fmt.Println(o.Name())
	}
	// Output:
	// /results
	// /results/pressure
	// /results
}

// ExampleDataset_RegionRef stores a reference to part of a dataset
// (h5py's dset.regionref[1:3, ::2]) and reads that part back through it.
func ExampleDataset_RegionRef() {
	dir, _ := os.MkdirTemp("", "regions")
	defer os.RemoveAll(dir)
	f, _ := h5file.Create(filepath.Join(dir, "regions.h5"), "w")
	defer f.Close()
	d, _ := f.CreateDatasetFrom("grid", []int32{0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23}, h5file.WithShape(3, 4))
	rr, _ := d.RegionRef(h5file.S(h5file.Range(1, 3), h5file.RangeStep(0, h5file.End, 2)))
	d.Attrs().Set("interesting", rr)

	reg, _ := f.DerefRegion(must1(h5file.AttrValue[h5file.RegionRef](d, "interesting")))
	vals, _ := h5file.ReadRegion[int32](reg)
	fmt.Println(reg.Dataset.Name(), vals)
	// Output:
	// /grid [10 12 20 22]
}

// ExampleDim_AttachScale labels a dataset's dimensions with coordinate
// datasets as h5py's dims does (libhdf5's dimension scales), which
// xarray and netCDF read as named dimensions.
func ExampleDim_AttachScale() {
	dir, _ := os.MkdirTemp("", "dims")
	defer os.RemoveAll(dir)
	f, _ := h5file.Create(filepath.Join(dir, "dims.h5"), "w")
	defer f.Close()
	temp, _ := h5file.CreateDatasetOf[float32](f, "temp", []uint64{2, 3})
	lat, _ := f.CreateDatasetFrom("lat", []float64{-10, 10})
	lon, _ := f.CreateDatasetFrom("lon", []float64{0, 120, 240})
	lat.MakeScale("latitude")
	lon.MakeScale("longitude")
	temp.Dim(0).AttachScale(lat)
	temp.Dim(1).AttachScale(lon)
	temp.Dim(0).SetLabel("y")

	for i := range temp.Shape() {
		label, _ := temp.Dim(i).Label()
		scales, _ := temp.Dim(i).Scales()
		fmt.Printf("%d %q %s %s\n", i, label, scales[0].Name(), scales[0].ScaleName())
	}
	// Output:
	// 0 "y" /lat latitude
	// 1 "" /lon longitude
}
