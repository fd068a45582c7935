package netcdf_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/netcdf"
)

// makeSteps writes a file like examples/netcdf's (y 64, x 128) with n
// time steps.
func makeSteps(b *testing.B, path string, n int) {
	f, err := netcdf.Create(path, "w")
	if err != nil {
		b.Fatal(err)
	}
	f.DefDim("time", netcdf.Unlimited)
	f.DefDim("y", 64)
	f.DefDim("x", 128)
	f.DefVar("time", h5file.Float64, []string{"time"})
	temp, err := f.DefVar("temperature", h5file.Float32, []string{"time", "y", "x"})
	if err != nil {
		b.Fatal(err)
	}
	if err := f.Grow("time", uint64(n)); err != nil {
		b.Fatal(err)
	}
	step := make([]float32, 64*128)
	for t := 0; t < n; t++ {
		if err := temp.Dataset().WriteSel(h5file.S(h5file.Index(int64(t))), step); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAppendStep appends one step (open r+, grow, write, close) to
// files of 10 and 1000 steps: the cost should not grow with the file.
func BenchmarkAppendStep(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("steps=%d", n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "a.nc")
			makeSteps(b, path, n)
			step := make([]float32, 64*128)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f, err := netcdf.Open(path, "r+")
				if err != nil {
					b.Fatal(err)
				}
				t := f.Dim("time").Len()
				if err := f.Grow("time", t+1); err != nil {
					b.Fatal(err)
				}
				if err := f.Var("temperature").Dataset().WriteSel(h5file.S(h5file.Index(int64(t))), step); err != nil {
					b.Fatal(err)
				}
				if err := f.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
