// Command netcdf writes a netCDF-4 file from every rank of a parallel job,
// and appends records to one, whichever tool wrote it.
//
//	gorun -n N ./examples/netcdf FILE.nc           # write step t = 0
//	gorun -n N ./examples/netcdf -append FILE.nc   # add step t = len(time)
//
// The file has dimensions time (unlimited), y (64) and x (128); coordinate
// variables time(time) (double, units "seconds since 2026-01-01", value
// 3600*t), y(y) and x(x) (float, value = index); and
// temperature(time, y, x) float32 = 100*t + j + i/1000. Each rank writes
// its own rows of y (a block of them). -append reads the sizes of y and x
// from the file, grows time by one and writes the new step the same way.
// `ncdump -h FILE.nc` shows time = UNLIMITED; xarray.open_dataset shows
// temperature over (time, y, x) with the three coordinates.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/netcdf"
)

const ny, nx = 64, 128

func main() {
	appendStep := flag.Bool("append", false, "append the next time step to an existing netCDF-4 file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gorun -n N ./examples/netcdf [-append] FILE.nc")
		os.Exit(2)
	}
	path := flag.Arg(0)
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "netcdf:", err)
		os.Exit(1)
	}
	if *appendStep {
		err = appendTo(ctx, c, path)
	} else {
		err = create(ctx, c, path)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "netcdf: rank %d: %v\n", c.Rank(), err)
		c.Abort(1)
	}
	c.Close()
}

// create writes the file with step t = 0. Every definition is collective
// (the same calls on every rank); data writes are each rank's own.
func create(ctx context.Context, c *comm.Comm, path string) error {
	f, err := netcdf.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
	if err != nil {
		return err
	}
	for _, d := range []struct {
		name string
		n    uint64
	}{{"time", netcdf.Unlimited}, {"y", ny}, {"x", nx}} {
		if _, err := f.DefDim(d.name, d.n); err != nil {
			return err
		}
	}
	tv, err := f.DefVar("time", h5file.Float64, []string{"time"})
	if err != nil {
		return err
	}
	if err := tv.SetText("units", "seconds since 2026-01-01"); err != nil {
		return err
	}
	yv, err := f.DefVar("y", h5file.Float32, []string{"y"})
	if err != nil {
		return err
	}
	xv, err := f.DefVar("x", h5file.Float32, []string{"x"})
	if err != nil {
		return err
	}
	temp, err := f.DefVar("temperature", h5file.Float32, []string{"time", "y", "x"}, netcdf.FillValue(float32(-999)))
	if err != nil {
		return err
	}
	if err := temp.SetText("units", "degC"); err != nil {
		return err
	}
	if err := f.SetText("title", "gorun netCDF-4 example"); err != nil {
		return err
	}
	if err := f.EndDef(); err != nil {
		return err
	}
	if c.Rank() == 0 {
		if err := yv.Dataset().Write(indices(ny)); err != nil {
			return err
		}
		if err := xv.Dataset().Write(indices(nx)); err != nil {
			return err
		}
	}
	if err := f.Grow("time", 1); err != nil {
		return err
	}
	if err := writeStep(f, c, 0); err != nil {
		return err
	}
	return f.Close()
}

// appendTo adds step t = len(time) to any netCDF-4 file with these
// variables, of whatever sizes.
func appendTo(ctx context.Context, c *comm.Comm, path string) error {
	f, err := netcdf.Open(path, "r+", h5file.WithComm(c), h5file.WithContext(ctx))
	if err != nil {
		return err
	}
	for _, name := range []string{"time", "temperature"} {
		if f.Var(name) == nil {
			f.Close()
			return fmt.Errorf("%s has no variable %s", path, name)
		}
	}
	t := f.Dim("time").Len()
	if err := f.Grow("time", t+1); err != nil {
		return err
	}
	if err := writeStep(f, c, t); err != nil {
		return err
	}
	return f.Close()
}

// writeStep writes time[t] (rank 0) and this rank's rows of
// temperature[t, :, :].
func writeStep(f *netcdf.File, c *comm.Comm, t uint64) error {
	temp := f.Var("temperature")
	if len(temp.Dims) != 3 {
		return fmt.Errorf("temperature has %d dimensions, want (time, y, x)", len(temp.Dims))
	}
	nyf, nxf := temp.Dims[1].Len(), temp.Dims[2].Len()
	if c.Rank() == 0 {
		if err := f.Var("time").Dataset().WriteSel(h5file.S(h5file.Index(int64(t))), []float64{3600 * float64(t)}); err != nil {
			return err
		}
	}
	lo, hi := rows(nyf, c.Rank(), c.Size())
	buf := make([]float32, 0, (hi-lo)*nxf)
	for j := lo; j < hi; j++ {
		for i := uint64(0); i < nxf; i++ {
			buf = append(buf, float32(100*float64(t)+float64(j)+float64(i)/1000))
		}
	}
	sel := h5file.S(h5file.Index(int64(t)), h5file.Range(int64(lo), int64(hi)))
	return temp.Dataset().Collective().WriteSel(sel, buf)
}

// rows is the block of n rows that rank of size writes: [lo, hi).
func rows(n uint64, rank, size int) (lo, hi uint64) {
	per, extra := n/uint64(size), n%uint64(size)
	r := uint64(rank)
	lo = r*per + min(r, extra)
	hi = lo + per
	if r < extra {
		hi++
	}
	return lo, hi
}

func indices(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i)
	}
	return v
}
