package netcdf_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
	"github.com/gorun-hpc/gorun/internal/ranktest"
	"github.com/gorun-hpc/gorun/netcdf"
)

// runRanks runs body on n in-process ranks (internal/ranktest) and fails
// the test with the first rank's error.
func runRanks(t *testing.T, n int, body func(ctx context.Context, c *comm.Comm) error) {
	t.Helper()
	for r, err := range ranktest.Run(t, n, body) {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
}

// write makes a file with every kind of dimension: time (unlimited, with a
// coordinate variable), lev (fixed, without one) and x (fixed, with one),
// and a variable with a _FillValue of which only record 1 is written
// (rank r of n writes its x columns... all of them for n = 1).
func write(path string, opts ...h5file.Option) func(ctx context.Context, c *comm.Comm) error {
	return func(ctx context.Context, c *comm.Comm) error {
		o := append([]h5file.Option{h5file.WithContext(ctx)}, opts...)
		if c != nil {
			o = append(o, h5file.WithComm(c))
		}
		f, err := netcdf.Create(path, "w", o...)
		if err != nil {
			return err
		}
		for _, d := range []struct {
			name string
			n    uint64
		}{{"time", netcdf.Unlimited}, {"lev", 3}, {"x", 4}} {
			if _, err := f.DefDim(d.name, d.n); err != nil {
				return err
			}
		}
		xv, err := f.DefVar("x", h5file.Float64, []string{"x"})
		if err != nil {
			return err
		}
		if err := xv.SetText("units", "m"); err != nil {
			return err
		}
		tv, err := f.DefVar("time", h5file.Float64, []string{"time"})
		if err != nil {
			return err
		}
		temp, err := f.DefVar("temp", h5file.Float32, []string{"time", "lev", "x"}, netcdf.FillValue(float32(-1)))
		if err != nil {
			return err
		}
		if err := temp.Attrs().Set("scale", []float64{1, 2}); err != nil {
			return err
		}
		if err := f.SetText("title", "test"); err != nil {
			return err
		}
		if err := f.EndDef(); err != nil {
			return err
		}
		if err := f.Grow("time", 2); err != nil {
			return err
		}
		rank, size := 0, 1
		if c != nil {
			rank, size = c.Rank(), c.Size()
		}
		if rank == 0 {
			if err := xv.Dataset().Write([]float64{0, 10, 20, 30}); err != nil {
				return err
			}
			if err := tv.Dataset().Write([]float64{0, 60}); err != nil {
				return err
			}
		}
		for i := rank; i < 4; i += size {
			col := []float32{float32(100 + i), float32(110 + i), float32(120 + i)}
			if err := temp.Dataset().WriteSel(h5file.S(h5file.Index(1), h5file.All, h5file.Index(int64(i))), col); err != nil {
				return err
			}
		}
		return f.Close()
	}
}

// check reads the file of write (grown to records records) with ncdump,
// netCDF4-python and xarray's two engines.
func check(t *testing.T, path string, records int) {
	t.Helper()
	out, code := interop.NCDump(t, "-h", path)
	if code != 0 {
		t.Fatalf("ncdump -h: exit %d\n%s", code, out)
	}
	for _, want := range []string{
		fmt.Sprintf("time = UNLIMITED ; // (%d currently)", records), "lev = 3 ;", "x = 4 ;",
		"float temp(time, lev, x) ;", "temp:_FillValue = -1.f ;", `x:units = "m" ;`, "double time(time) ;",
		`:title = "test" ;`, "temp:scale = 1., 2. ;",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("ncdump -h lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"phony_dim", "lev(lev)", "DIMENSION_LIST", "_Netcdf4Dimid"} {
		if strings.Contains(out, bad) {
			t.Errorf("ncdump -h shows %q:\n%s", bad, out)
		}
	}
	got := interop.NetCDFPy(t, fmt.Sprintf(`
path = %q
n = netCDF4.Dataset(path)
print(n.data_model, [(d.name, len(d), d.isunlimited()) for d in n.dimensions.values()])
t = n['temp']
print(t.dimensions, t._FillValue, t[1].tolist(), t[0].mask.all())
for e in ('netcdf4', 'h5netcdf'):
    ds = xarray.open_dataset(path, engine=e)
    print(e, ds.temp.dims, sorted(ds.coords), ds.temp.shape, ds.x.values.tolist())
`, path))
	want := fmt.Sprintf(`NETCDF4 [('time', %d, True), ('lev', 3, False), ('x', 4, False)]
('time', 'lev', 'x') -1.0 [[100.0, 101.0, 102.0, 103.0], [110.0, 111.0, 112.0, 113.0], [120.0, 121.0, 122.0, 123.0]] True
netcdf4 ('time', 'lev', 'x') ['time', 'x'] (%d, 3, 4) [0.0, 10.0, 20.0, 30.0]
h5netcdf ('time', 'lev', 'x') ['time', 'x'] (%d, 3, 4) [0.0, 10.0, 20.0, 30.0]
`, records, records, records)
	if got != want {
		t.Errorf("python:\n%s\nwant\n%s", got, want)
	}
}

// TestCreate writes a netCDF-4 file serially; netCDF-C and xarray read it.
func TestCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.nc")
	if err := write(path)(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	check(t, path, 2)
}

// TestCreateLatest writes the file in the newer format family (superblock
// 3, version 2 headers), as netCDF-C's own files are.
func TestCreateLatest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.nc")
	if err := write(path, h5file.WithLibver(h5file.LibverLatest))(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	check(t, path, 2)
}

// TestCreateParallel writes the same file from 4 ranks.
func TestCreateParallel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.nc")
	runRanks(t, 4, write(path))
	check(t, path, 2)
}

// TestOpenAppend reopens a file, finds its dimensions and variables from
// the scales, and appends a record (serially, then from 3 ranks).
func TestOpenAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.nc")
	if err := write(path)(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	appendRec := func(ctx context.Context, c *comm.Comm) error {
		opts := []h5file.Option{h5file.WithContext(ctx)}
		if c != nil {
			opts = append(opts, h5file.WithComm(c))
		}
		f, err := netcdf.Open(path, "r+", opts...)
		if err != nil {
			return err
		}
		var dims []string
		for _, d := range f.Dims() {
			dims = append(dims, fmt.Sprintf("%s:%d:%v", d.Name, d.Len(), d.Unlimited()))
		}
		var vars []string
		for _, v := range f.Vars() {
			var ds []string
			for _, d := range v.Dims {
				ds = append(ds, d.Name)
			}
			vars = append(vars, v.Name+"("+strings.Join(ds, ",")+")")
		}
		n := f.Dim("time").Len()
		want := fmt.Sprintf("[time:%d:true lev:3:false x:4:false] [time(time) x(x) temp(time,lev,x)]", n)
		if got := fmt.Sprint(dims, " ", vars); got != want {
			f.Close()
			return fmt.Errorf("opened: %s, want %s", got, want)
		}
		if err := f.Grow("time", n+1); err != nil {
			return err
		}
		if c == nil || c.Rank() == 0 {
			if err := f.Var("time").Dataset().WriteSel(h5file.S(h5file.Index(int64(n))), []float64{60 * float64(n)}); err != nil {
				return err
			}
		}
		return f.Close()
	}
	if err := appendRec(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	check(t, path, 3)
	runRanks(t, 3, appendRec)
	check(t, path, 4)
}

// TestErrors: what netCDF forbids is an error.
func TestErrors(t *testing.T) {
	f, err := netcdf.Create(filepath.Join(t.TempDir(), "e.nc"), "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.DefDim("x", 3); err != nil {
		t.Fatal(err)
	}
	if _, err := f.DefDim("x", 4); !errors.Is(err, h5file.ErrExists) {
		t.Errorf("second x: %v", err)
	}
	if _, err := f.DefVar("v", h5file.Float32, []string{"nope"}); !errors.Is(err, h5file.ErrNotFound) {
		t.Errorf("unknown dimension: %v", err)
	}
	if _, err := f.DefVar("x", h5file.Float32, []string{"x", "x"}); err == nil {
		t.Error("a 2-D variable named after a dimension")
	}
	if err := f.Grow("x", 5); err == nil {
		t.Error("grew a fixed dimension")
	}
}

// TestUnlimitedWithoutVariable: an unlimited dimension with no coordinate
// variable is a scale that grows with its variables; netCDF-C reads its
// length from them, and Open finds it again.
func TestUnlimitedWithoutVariable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "u.nc")
	f, err := netcdf.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.DefDim("rec", netcdf.Unlimited); err != nil {
		t.Fatal(err)
	}
	v, err := f.DefVar("v", h5file.Int32, []string{"rec"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Grow("rec", 3); err != nil {
		t.Fatal(err)
	}
	if err := v.Dataset().Write([]int32{7, 8, 9}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f, err = netcdf.Open(path, "r+")
	if err != nil {
		t.Fatal(err)
	}
	if d := f.Dim("rec"); d == nil || !d.Unlimited() || d.Len() != 3 || f.Var("rec") != nil || len(f.Vars()) != 1 {
		t.Fatalf("opened: dims %v vars %v", f.Dims(), f.Vars())
	}
	if err := f.Grow("rec", 4); err != nil {
		t.Fatal(err)
	}
	if err := f.Var("v").Dataset().WriteSel(h5file.S(h5file.Index(3)), []int32{10}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, code := interop.NCDump(t, path)
	if code != 0 {
		t.Fatalf("ncdump: exit %d\n%s", code, out)
	}
	for _, want := range []string{"rec = UNLIMITED ; // (4 currently)", "int v(rec) ;", "v = 7, 8, 9, 10 ;"} {
		if !strings.Contains(out, want) {
			t.Errorf("ncdump lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "float rec") {
		t.Errorf("the dimension's scale shows as a variable:\n%s", out)
	}
}

// TestNetCDFCWritesOurFile has netCDF4-python (netCDF-C) open a file we
// created in mode "a", add a variable and an attribute and write into
// ours; then ncdump and we read it all. netCDF-C refuses to write a group
// that does not track creation order, so this fails without it.
func TestNetCDFCWritesOurFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ours.nc")
	if err := write(path)(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	out := interop.NetCDFPy(t, fmt.Sprintf(`
import netCDF4, numpy as np
with netCDF4.Dataset(%q, "a") as d:
    v = d.createVariable("added", "i4", ("x",))
    v[:] = np.arange(len(d.dimensions["x"]), dtype="i4")
    d.setncattr("history", "appended by netCDF-C")
with netCDF4.Dataset(%q) as d:
    print(d.getncattr("history"), int(d["added"][:].sum()), sorted(d.variables))
`, path, path))
	if !strings.HasPrefix(out, "appended by netCDF-C ") {
		t.Fatalf("netCDF4-python after writing into our file: %q", out)
	}
	if dump, code := interop.NCDump(t, "-h", path); code != 0 || !strings.Contains(dump, "int added(x)") {
		t.Fatalf("ncdump -h after netCDF-C wrote into our file (exit %d):\n%s", code, dump)
	}
}
