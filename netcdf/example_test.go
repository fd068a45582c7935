package netcdf_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/netcdf"
)

// Example writes a netCDF-4 file with an unlimited time dimension, a
// coordinate variable and a data variable, then appends a record to it.
// With h5file.WithComm(c) in Create and Open, the same calls run on every
// rank of a parallel job, each rank writing its own part of the data.
func Example() {
	dir, _ := os.MkdirTemp("", "netcdf")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "out.nc")

	f, err := netcdf.Create(path, "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	f.DefDim("time", netcdf.Unlimited)
	f.DefDim("x", 3)
	tv, _ := f.DefVar("time", h5file.Float64, []string{"time"})
	tv.SetText("units", "seconds since 2026-01-01")
	v, _ := f.DefVar("v", h5file.Float32, []string{"time", "x"}, netcdf.FillValue(float32(-999)))
	f.EndDef()
	f.Grow("time", 1)
	tv.Dataset().Write([]float64{0})
	v.Dataset().WriteSel(h5file.S(h5file.Index(0)), []float32{1, 2, 3})
	if err := f.Close(); err != nil {
		fmt.Println(err)
		return
	}

	// Append: the dimensions and variables come from the file.
	f, err = netcdf.Open(path, "r+")
	if err != nil {
		fmt.Println(err)
		return
	}
	n := f.Dim("time").Len()
	f.Grow("time", n+1)
	f.Var("time").Dataset().WriteSel(h5file.S(h5file.Index(int64(n))), []float64{3600})
	f.Var("v").Dataset().WriteSel(h5file.S(h5file.Index(int64(n))), []float32{4, 5, 6})
	for _, d := range f.Dims() {
		fmt.Println(d.Name, d.Len(), d.Unlimited())
	}
	if err := f.Close(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// time 2 true
	// x 3 false
}
