package main

import (
	"context"
	"fmt"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// Decompositions, resize, attributes and many objects: the metadata side
// of a parallel file (helper B's scenarios). Every value a rank writes
// encodes the rank, so h5py checks each rank's part landed where it should.

func init() {
	Register(Scenario{Name: "rows1d", Run: rows1d, Verify: `
L = 100*n + 7
d = f['x'][()]
assert d.dtype == np.int32 and d.shape == (L,)
assert (d == owners(L, n)*1000000 + np.arange(L)).all(), d
`})
	Register(Scenario{Name: "rows2d", Run: rows2d, Verify: `
R, C = 10*n + 3, 6
o = owners(R, n)[:, None]
want = o*1e6 + np.arange(R)[:, None]*C + np.arange(C)[None, :]
d = f['x'][()]
assert d.shape == (R, C) and (d == want).all(), d
`})
	Register(Scenario{Name: "cols2d", Run: cols2d, Verify: `
R, C = 5, 10*n + 3
o = owners(C, n)[None, :]
want = o*1e6 + np.arange(R)[:, None]*C + np.arange(C)[None, :]
d = f['x'][()]
assert d.shape == (R, C) and (d == want).all(), d
`})
	Register(Scenario{Name: "tiles2d", Run: tiles2d, Verify: `
px, py = grid(n)
R, C = 7*px + 2, 5*py + 3
o = owners(R, px)[:, None]*py + owners(C, py)[None, :]
want = o*1e6 + np.arange(R)[:, None]*C + np.arange(C)[None, :]
for name in ['contiguous', 'chunked']:
    d = f[name][()]
    assert d.shape == (R, C) and (d == want).all(), (name, d)
assert f['chunked'].chunks == (4, 4)
`})
	Register(Scenario{Name: "blocks3d", Run: blocks3d, Verify: `
A, B, C = 2*n + 1, 4, 3
o = owners(A*B, n).reshape(A, B)[:, :, None]
idx = np.arange(A*B*C).reshape(A, B, C)
d = f['x'][()]
assert d.dtype == np.int64 and d.shape == (A, B, C) and (d == o*1000000 + idx).all(), d
assert f['x'].chunks == (2, 3, 2)
`})
	Register(Scenario{Name: "append", Run: appendSteps, Verify: `
per, steps = 5, 7
d = f['steps']
assert d.maxshape == (None, per*n) and d.shape == (steps, per*n)
want = np.array([[1000*s + i for i in range(per*n)] for s in range(steps)])
assert (d[()] == want).all(), d[()]
assert list(f['count'][()]) == [steps]*n
`})
	Register(Scenario{Name: "attrs", Run: attrs, Verify: `
assert f.attrs['ranks'] == n and f.attrs['title'] == 'changed'
g = f['g']
assert list(g.attrs['shape']) == [n, 2*n] and g.attrs['units'] == 'm/s'
assert 'gone' not in g.attrs
d = f['g/d']
assert (d[()] == np.arange(n)).all()
assert d.attrs['scale'] == 0.5 and list(d.attrs['names']) == ['rank%d' % r for r in range(n)]
`})
	Register(Scenario{Name: "many", Run: many, Verify: `
for gi in range(10):
    for di in range(40):
        d = f['g%d/d%02d' % (gi, di)]
        assert d.shape == (n,) and (d[()] == np.arange(n)*1000 + gi*100 + di).all(), (gi, di, d[()])
assert len(f) == 10
`})
}

func create(ctx context.Context, c *comm.Comm, path string) (*h5file.File, error) {
	return h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
}

func rows1d(ctx context.Context, c *comm.Comm, path string) error {
	n, r := c.Size(), c.Rank()
	L := 100*n + 7
	f, err := create(ctx, c, path)
	if err != nil {
		return err
	}
	d, err := h5file.CreateDatasetOf[int32](f, "x", []uint64{uint64(L)})
	if err != nil {
		return err
	}
	lo, hi := block(L, n, r)
	v := make([]int32, hi-lo)
	for i := range v {
		v[i] = int32(r*1000000) + int32(lo) + int32(i)
	}
	if err := d.WriteSel(h5file.S(h5file.Range(lo, hi)), v); err != nil {
		return err
	}
	return f.Close()
}

// value2d is what a rank writes at (i, j) of an R x C dataset.
func value2d(owner int, i, j, C int64) float64 {
	return float64(owner)*1e6 + float64(i*C+j)
}

func write2d(d *h5file.Dataset, owner int, r0, r1, c0, c1, C int64) error {
	v := make([]float64, 0, (r1-r0)*(c1-c0))
	for i := r0; i < r1; i++ {
		for j := c0; j < c1; j++ {
			v = append(v, value2d(owner, i, j, C))
		}
	}
	return d.WriteSel(h5file.S(h5file.Range(r0, r1), h5file.Range(c0, c1)), v)
}

// rows2d also reopens the file for reading from every rank: rank 0 reads
// the metadata and shares it, the others must not read any.
func rows2d(ctx context.Context, c *comm.Comm, path string) error {
	n, r := c.Size(), c.Rank()
	R, C := 10*n+3, 6
	f, err := create(ctx, c, path)
	if err != nil {
		return err
	}
	d, err := h5file.CreateDatasetOf[float64](f, "x", []uint64{uint64(R), uint64(C)})
	if err != nil {
		return err
	}
	lo, hi := block(R, n, r)
	if err := write2d(d, r, lo, hi, 0, int64(C), int64(C)); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	f, err = h5file.Open(path, "r", h5file.WithComm(c), h5file.WithContext(ctx))
	if err != nil {
		return err
	}
	d, err = f.Dataset("x")
	if err != nil {
		return err
	}
	// Each rank reads the block of its right neighbour.
	nr := (r + 1) % n
	lo, hi = block(R, n, nr)
	got, err := h5file.ReadSlice[float64](d, h5file.S(h5file.Range(lo, hi)))
	if err != nil {
		return err
	}
	for k, v := range got {
		i, j := lo+int64(k)/int64(C), int64(k)%int64(C)
		if v != value2d(nr, i, j, int64(C)) {
			return fmt.Errorf("reopened: x[%d,%d] = %v, want %v", i, j, v, value2d(nr, i, j, int64(C)))
		}
	}
	if m := f.MetadataReads(); m != 0 {
		return fmt.Errorf("reopened: rank %d read metadata from the file %d times (rank 0 shares it)", r, m)
	}
	return f.Close()
}

func cols2d(ctx context.Context, c *comm.Comm, path string) error {
	n, r := c.Size(), c.Rank()
	R, C := 5, 10*n+3
	f, err := create(ctx, c, path)
	if err != nil {
		return err
	}
	d, err := h5file.CreateDatasetOf[float64](f, "x", []uint64{uint64(R), uint64(C)})
	if err != nil {
		return err
	}
	lo, hi := block(C, n, r)
	if err := write2d(d, r, 0, int64(R), lo, hi, int64(C)); err != nil {
		return err
	}
	return f.Close()
}

func tiles2d(ctx context.Context, c *comm.Comm, path string) error {
	n, r := c.Size(), c.Rank()
	px, py := grid(n)
	R, C := 7*px+2, 5*py+3
	f, err := create(ctx, c, path)
	if err != nil {
		return err
	}
	ti, tj := r/py, r%py
	r0, r1 := block(R, px, ti)
	c0, c1 := block(C, py, tj)
	for _, name := range []string{"contiguous", "chunked"} {
		var opts []h5file.DatasetOption
		if name == "chunked" {
			opts = append(opts, h5file.Chunks(4, 4)) // chunks straddle tiles: ranks share chunks
		}
		d, err := h5file.CreateDatasetOf[float64](f, name, []uint64{uint64(R), uint64(C)}, opts...)
		if err != nil {
			return err
		}
		if err := write2d(d, r, r0, r1, c0, c1, int64(C)); err != nil {
			return err
		}
	}
	return f.Close()
}

// blocks3d splits the first two dimensions, flattened, into row blocks:
// a rank's part is a run of (a, b) pencils, written one pencil row at a time.
func blocks3d(ctx context.Context, c *comm.Comm, path string) error {
	n, r := c.Size(), c.Rank()
	A, B, C := 2*n+1, 4, 3
	f, err := create(ctx, c, path)
	if err != nil {
		return err
	}
	d, err := h5file.CreateDatasetOf[int64](f, "x", []uint64{uint64(A), uint64(B), uint64(C)}, h5file.Chunks(2, 3, 2))
	if err != nil {
		return err
	}
	lo, hi := block(A*B, n, r)
	for p := lo; p < hi; p++ {
		a, b := p/int64(B), p%int64(B)
		v := make([]int64, C)
		for k := range v {
			v[k] = int64(r)*1000000 + (a*int64(B)+b)*int64(C) + int64(k)
		}
		if err := d.WriteSel(h5file.S(h5file.Index(a), h5file.Index(b)), v); err != nil {
			return err
		}
	}
	return f.Close()
}

// appendSteps is h5bench's pattern: an unlimited dataset grows one step at
// a time (collective Resize), each rank writing its block of the new row.
func appendSteps(ctx context.Context, c *comm.Comm, path string) error {
	const per, steps = 5, 7
	n, r := c.Size(), int64(c.Rank())
	f, err := create(ctx, c, path)
	if err != nil {
		return err
	}
	d, err := h5file.CreateDatasetOf[int64](f, "steps", []uint64{0, uint64(per * n)}, h5file.MaxShape(h5file.Unlimited, uint64(per*n)), h5file.Chunks(1, per))
	if err != nil {
		return err
	}
	count, err := h5file.CreateDatasetOf[int32](f, "count", []uint64{uint64(n)})
	if err != nil {
		return err
	}
	for s := int64(0); s < steps; s++ {
		if err := d.Resize(uint64(s+1), uint64(per*n)); err != nil {
			return err
		}
		row := make([]int64, per)
		for i := range row {
			row[i] = 1000*s + r*per + int64(i)
		}
		if err := d.WriteSel(h5file.S(h5file.Index(s), h5file.Range(r*per, (r+1)*per)), row); err != nil {
			return err
		}
		if err := count.WriteSel(h5file.S(h5file.Index(r)), []int32{int32(s + 1)}); err != nil {
			return err
		}
		if s%3 == 2 {
			if err := f.Flush(); err != nil {
				return err
			}
		}
	}
	return f.Close()
}

// attrs sets attributes collectively (same value on every rank) on the
// file, a group and a dataset, changes one and deletes one.
func attrs(ctx context.Context, c *comm.Comm, path string) error {
	n, r := c.Size(), c.Rank()
	f, err := create(ctx, c, path)
	if err != nil {
		return err
	}
	g, err := f.CreateGroup("g")
	if err != nil {
		return err
	}
	d, err := h5file.CreateDatasetOf[int32](g, "d", []uint64{uint64(n)})
	if err != nil {
		return err
	}
	if err := d.WriteSel(h5file.S(h5file.Index(int64(r))), []int32{int32(r)}); err != nil {
		return err
	}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("rank%d", i)
	}
	for _, a := range []struct {
		o    h5file.Object
		name string
		v    any
	}{
		{f, "title", "parallel"}, {f, "ranks", int64(n)}, {g, "shape", []int64{int64(n), int64(2 * n)}},
		{g, "units", "m/s"}, {g, "gone", int32(1)}, {d, "scale", 0.5}, {d, "names", names},
		{f, "title", "changed"},
	} {
		if err := a.o.Attrs().Set(a.name, a.v); err != nil {
			return fmt.Errorf("attribute %s: %w", a.name, err)
		}
	}
	if err := g.Attrs().Delete("gone"); err != nil {
		return err
	}
	return f.Close()
}

// many is the metadata benchmark's shape, smaller: 400 datasets in 10
// groups, each rank writing its element of each (agreement every 4096
// calls, not every call).
func many(ctx context.Context, c *comm.Comm, path string) error {
	n, r := c.Size(), c.Rank()
	f, err := create(ctx, c, path)
	if err != nil {
		return err
	}
	for gi := range 10 {
		g, err := f.CreateGroup(fmt.Sprintf("g%d", gi))
		if err != nil {
			return err
		}
		for di := range 40 {
			d, err := h5file.CreateDatasetOf[int32](g, fmt.Sprintf("d%02d", di), []uint64{uint64(n)})
			if err != nil {
				return err
			}
			if err := d.WriteSel(h5file.S(h5file.Index(int64(r))), []int32{int32(r*1000 + gi*100 + di)}); err != nil {
				return err
			}
		}
	}
	return f.Close()
}

func init() {
	Register(Scenario{Name: "meta1000", Run: meta1000, MinRanks: 1, Verify: `
for gi in range(10):
    for di in range(100):
        d = f['g%d/d%02d' % (gi, di)]
        assert d.shape == (16,) and (d[:n] == np.arange(n)).all() and (d[n:] == 0).all()
`})
}

// meta1000 is the metadata benchmark: 1000 datasets of shape (16,)
// int32 in 10 groups, each rank writing its element of each (up to 16 ranks).
func meta1000(ctx context.Context, c *comm.Comm, path string) error {
	r := c.Rank()
	if c.Size() > 16 {
		return fmt.Errorf("meta1000 needs at most 16 ranks, got %d", c.Size())
	}
	f, err := create(ctx, c, path)
	if err != nil {
		return err
	}
	for gi := range 10 {
		g, err := f.CreateGroup(fmt.Sprintf("g%d", gi))
		if err != nil {
			return err
		}
		for di := range 100 {
			d, err := h5file.CreateDatasetOf[int32](g, fmt.Sprintf("d%02d", di), []uint64{16})
			if err != nil {
				return err
			}
			if err := d.WriteSel(h5file.S(h5file.Index(int64(r))), []int32{int32(r)}); err != nil {
				return err
			}
		}
	}
	return f.Close()
}
