package h5file_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// appendStep adds time step t (= the current length of time) to a
// netCDF-4 file with time(time) and temperature(time, y, x): each rank
// writes its own rows of y (rank 0 alone when serial).
func appendStep(path string, opts ...h5file.Option) error {
	f, err := h5file.Open(path, "a", opts...)
	if err != nil {
		return err
	}
	tm, err := f.Dataset("time")
	if err != nil {
		return err
	}
	temp, err := f.Dataset("temperature")
	if err != nil {
		return err
	}
	sh := temp.Shape()
	steps, ny, nx := sh[0], sh[1], sh[2]
	if err := tm.Resize(steps + 1); err != nil {
		return err
	}
	if err := temp.Resize(steps+1, ny, nx); err != nil {
		return err
	}
	rank, size := 0, 1
	if c := f.Comm(); c != nil {
		rank, size = c.Rank(), c.Size()
	}
	if rank == 0 {
		if err := tm.WriteSel(h5file.S(h5file.Index(int64(steps))), []float64{3600 * float64(steps)}); err != nil {
			return err
		}
	}
	for j := uint64(rank); j < ny; j += uint64(size) {
		row := make([]float32, nx)
		for i := range row {
			row[i] = float32(100*float64(steps) + float64(j) + float64(i)/1000)
		}
		if err := temp.WriteSel(h5file.S(h5file.Index(int64(steps)), h5file.Index(int64(j)), h5file.Range(0, int64(nx))), row); err != nil {
			return err
		}
	}
	if err := temp.Attrs().Set("appended_by", "gorun"); err != nil {
		return err
	}
	return f.Close()
}

// TestAppendNetCDF4 appends a time step to netCDF-4 files made by
// netCDF-C's ncgen -4 and by netCDF4-python (testdata/netcdf), serially
// and from 3 ranks. ncdump, netCDF4-python and h5dump then read the file:
// the unlimited dimension grew, the dimension scales still name their
// variables, and every old and new value is right.
func TestAppendNetCDF4(t *testing.T) {
	for _, src := range []string{"ncgen4.nc", "nc4py.nc"} {
		for _, ranks := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/%d ranks", src, ranks), func(t *testing.T) {
				b, err := os.ReadFile(filepath.Join("..", "testdata", "netcdf", src))
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(t.TempDir(), src)
				if err := os.WriteFile(path, b, 0o644); err != nil {
					t.Fatal(err)
				}
				if ranks == 1 {
					if err := appendStep(path); err != nil {
						t.Fatal(err)
					}
				} else {
					noErrors(t, h5file.RunRanks(t, ranks, func(ctx context.Context, c *comm.Comm) error {
						return appendStep(path, h5file.WithComm(c), h5file.WithContext(ctx))
					}))
				}
				checkNetCDFSteps(t, path, 3)
			})
		}
	}
}

// checkNetCDFSteps has netCDF-C (ncdump), netCDF4-python and h5py read a
// file of the given number of steps; h5py also follows the dimension
// scales (DIMENSION_LIST references) from the variables to time.
func checkNetCDFSteps(t *testing.T, path string, steps int) {
	t.Helper()
	out, code := interop.NCDump(t, "-h", path)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("time = UNLIMITED ; // (%d currently)", steps)) ||
		!strings.Contains(out, "float temperature(time, y, x)") || !strings.Contains(out, `temperature:appended_by = "gorun"`) {
		t.Fatalf("ncdump -h (exit %d):\n%s", code, out)
	}
	out = interop.H5Py(t, fmt.Sprintf(`import netCDF4
ds = netCDF4.Dataset(%q)
v = ds['temperature']
want = np.array([[[100*s + j + i/1000 for i in range(4)] for j in range(3)] for s in range(%d)], dtype='f4')
h = h5py.File(%q, 'r')
ok = bool((h['temperature'][()] == want).all()) and h['temperature'].dims[0][0] == h['time'] and h['temperature'].dims[2][0] == h['x']
print(v.dimensions, ds['time'][:].tolist(), bool((v[:] == want).all()) and ok, v.units, ds.dimensions['time'].isunlimited())`, path, steps, path))
	times := make([]string, steps)
	for s := range times {
		times[s] = fmt.Sprintf("%d.0", 3600*s)
	}
	want := fmt.Sprintf("('time', 'y', 'x') [%s] True K True\n", strings.Join(times, ", "))
	if out != want {
		t.Fatalf("netCDF4-python reads\n%s\nwant\n%s", out, want)
	}
	if dump, code := interop.H5Dump(t, path); code != 0 {
		t.Fatalf("h5dump exit %d:\n%.3000s", code, dump)
	}
}
