package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/internal/interop"
)

func build(t *testing.T, dir, pkg string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = "../.."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// tools builds gorun and this example once per test.
func tools(t *testing.T) (gorun, prog string) {
	bin := t.TempDir()
	return build(t, bin, "./cmd/gorun"), build(t, bin, "./examples/netcdf")
}

func gorunN(t *testing.T, gorun string, n int, args ...string) {
	t.Helper()
	if out, err := exec.Command(gorun, append([]string{"-n", fmt.Sprint(n)}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("gorun -n %d %v: %v\n%s", n, args, err, out)
	}
}

// checkFile reads path with ncdump, netCDF4-python and xarray (both
// engines): time is unlimited with steps records, temperature is over
// (time, y, x) with the three coordinates, and every value is
// 100*t + j + i/1000 (records written by others than us: only the steps
// from first on).
func checkFile(t *testing.T, path string, steps, ny, nx, first int) {
	t.Helper()
	out, code := interop.NCDump(t, "-h", path)
	if code != 0 {
		t.Fatalf("ncdump -h: exit %d\n%s", code, out)
	}
	for _, want := range []string{
		fmt.Sprintf("time = UNLIMITED ; // (%d currently)", steps), fmt.Sprintf("y = %d ;", ny), fmt.Sprintf("x = %d ;", nx),
		"float temperature(time, y, x) ;", "double time(time) ;", `time:units = "seconds since 2026-01-01" ;`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("ncdump -h lacks %q:\n%s", want, out)
		}
	}
	got := interop.NetCDFPy(t, fmt.Sprintf(`
path, first = %q, %d
n = netCDF4.Dataset(path)
T = n['temperature'][first:].filled(np.nan)
t, j, i = np.meshgrid(np.arange(first, len(n.dimensions['time'])), np.arange(T.shape[1]), np.arange(T.shape[2]), indexing='ij')
print(n.dimensions['time'].isunlimited(), T.shape, np.abs(T - (100*t + j + i/1000).astype('f4')).max(), n['time'][first:].tolist())
for e in ('netcdf4', 'h5netcdf'):
    ds = xarray.open_dataset(path, engine=e)
    print(e, ds.temperature.dims, sorted(ds.coords), str(ds.time.values[-1])[:19], float(ds.y[-1]), float(ds.x[-1]))
`, path, first))
	var times []string
	for s := first; s < steps; s++ {
		times = append(times, fmt.Sprintf("%.1f", 3600*float64(s)))
	}
	last := fmt.Sprintf("2026-01-01T%02d:00:00", steps-1)
	want := fmt.Sprintf("True (%d, %d, %d) 0.0 [%s]\n", steps-first, ny, nx, strings.Join(times, ", "))
	for _, e := range []string{"netcdf4", "h5netcdf"} {
		want += fmt.Sprintf("%s ('time', 'y', 'x') ['time', 'x', 'y'] %s %.1f %.1f\n", e, last, float64(ny-1), float64(nx-1))
	}
	if got != want {
		t.Errorf("python:\n%s\nwant\n%s", got, want)
	}
}

// TestNetCDF runs the example through the real launcher at 1 and 4 ranks,
// then appends two steps (at 4 ranks and at 1), reading the file with
// ncdump, netCDF4-python and xarray after each run.
func TestNetCDF(t *testing.T) {
	gorun, prog := tools(t)
	for _, n := range []int{1, 4} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.nc")
			gorunN(t, gorun, n, prog, path)
			checkFile(t, path, 1, 64, 128, 0)
			gorunN(t, gorun, 4, prog, "-append", path)
			checkFile(t, path, 2, 64, 128, 0)
			gorunN(t, gorun, 1, prog, "-append", path)
			checkFile(t, path, 3, 64, 128, 0)
		})
	}
}
