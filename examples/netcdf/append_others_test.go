package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestAppendOthers appends with the example to netCDF-4 files that
// netCDF-C's ncgen -4 and netCDF4-python wrote, of other sizes than the
// example's, at 1 and 4 ranks.
func TestAppendOthers(t *testing.T) {
	gorun, prog := tools(t)
	dir := t.TempDir()
	cdl := filepath.Join(dir, "in.cdl")
	if err := os.WriteFile(cdl, []byte(`netcdf in {
dimensions:
	time = UNLIMITED ;
	y = 5 ;
	x = 7 ;
variables:
	double time(time) ;
		time:units = "seconds since 2026-01-01" ;
	float y(y) ;
	float x(x) ;
	float temperature(time, y, x) ;
data:
	time = 0 ;
	y = 0, 1, 2, 3, 4 ;
	x = 0, 1, 2, 3, 4, 5, 6 ;
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 4} {
		t.Run(fmt.Sprintf("ncgen,n=%d", n), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ncgen.nc")
			interop.NCGen(t, "-4", "-o", path, cdl)
			gorunN(t, gorun, n, prog, "-append", path)
			checkFile(t, path, 2, 5, 7, 1)
			// netCDF-C can still write the file: it appends step 2 (as
			// the example would), then we append step 3.
			interop.NetCDFPy(t, fmt.Sprintf(`
n = netCDF4.Dataset(%q, 'a')
t = len(n.dimensions['time'])
n['time'][t] = 3600 * t
n['temperature'][t] = 100 * t + np.arange(5)[:, None] + np.arange(7)[None, :] / 1000
n.close()
`, path))
			gorunN(t, gorun, n, prog, "-append", path)
			checkFile(t, path, 4, 5, 7, 1)
		})
		t.Run(fmt.Sprintf("netCDF4-python,n=%d", n), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "py.nc")
			interop.NetCDFPy(t, fmt.Sprintf(`
n = netCDF4.Dataset(%q, 'w')
n.createDimension('time', None); n.createDimension('y', 6); n.createDimension('x', 9)
tv = n.createVariable('time', 'f8', ('time',)); tv.units = 'seconds since 2026-01-01'
n.createVariable('y', 'f4', ('y',))[:] = np.arange(6)
n.createVariable('x', 'f4', ('x',))[:] = np.arange(9)
T = n.createVariable('temperature', 'f4', ('time', 'y', 'x'))
tv[0] = 0
T[0] = 100 + np.arange(6)[:, None] + np.arange(9)[None, :] / 1000 - 100
n.close()
`, path))
			gorunN(t, gorun, n, prog, "-append", path)
			checkFile(t, path, 2, 6, 9, 0)
		})
	}
}
