package main

import (
	"context"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// Compressed chunks written by many ranks (collectively): 2-D tiles whose
// chunks straddle the tiles, so most chunks get pieces from several ranks;
// then a second collective write of a strip, merged with the chunks'
// previous contents, and a collective read back.

func init() {
	Register(Scenario{Name: "filtered2d", Run: filtered2d, Verify: `
px, py = grid(n)
R, C = 7*px + 2, 5*py + 3
o = owners(R, px)[:, None]*py + owners(C, py)[None, :]
want = o*1e6 + np.arange(R)[:, None]*C + np.arange(C)[None, :]
want[1, :] = -1
for name in ['gzip', 'shuffle_gzip_fletcher']:
    d = f[name]
    assert d.compression == 'gzip' and d.chunks == (3, 4), (name, d.chunks)
    assert (d[()] == want).all(), (name, d[()])
assert f['shuffle_gzip_fletcher'].shuffle and f['shuffle_gzip_fletcher'].fletcher32
`})
}

func filtered2d(ctx context.Context, c *comm.Comm, path string) error {
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
	for _, ds := range []struct {
		name string
		opts []h5file.DatasetOption
	}{
		{"gzip", []h5file.DatasetOption{h5file.Gzip(4)}},
		{"shuffle_gzip_fletcher", []h5file.DatasetOption{h5file.Gzip(1), h5file.Shuffle(), h5file.Fletcher32()}},
	} {
		d, err := h5file.CreateDatasetOf[float64](f, ds.name, []uint64{uint64(R), uint64(C)}, append(ds.opts, h5file.Chunks(3, 4))...)
		if err != nil {
			return err
		}
		v := make([]float64, 0, (r1-r0)*(c1-c0))
		for i := r0; i < r1; i++ {
			for j := c0; j < c1; j++ {
				v = append(v, value2d(r, i, j, int64(C)))
			}
		}
		if err := d.Collective().WriteSel(h5file.S(h5file.Range(r0, r1), h5file.Range(c0, c1)), v); err != nil {
			return err
		}
		// Row 1 := -1, written by the ranks of the first tile row, each its columns.
		sel, data := h5file.S(h5file.Range(0, 0)), []float64{}
		if ti == 0 {
			sel = h5file.S(h5file.Index(1), h5file.Range(c0, c1))
			data = make([]float64, c1-c0)
			for i := range data {
				data[i] = -1
			}
		}
		if err := d.Collective().WriteSel(sel, data); err != nil {
			return err
		}
		var back []float64
		if err := d.Collective().ReadSel(h5file.S(h5file.Range(r0, r1), h5file.Range(c0, c1)), &back); err != nil {
			return err
		}
	}
	return f.Close()
}

func init() {
	Register(Scenario{Name: "filtered_append", Run: filteredAppend, Verify: `
per, steps = 5, 6
d = f['steps']
assert d.compression == 'gzip' and d.maxshape == (None, per*n) and d.shape == (steps, per*n)
want = np.array([[1000*s + i for i in range(per*n)] for s in range(steps)])
assert (d[()] == want).all(), d[()]
`})
}

// filteredAppend is the resize-append loop on a compressed dataset whose
// chunks (2 steps x 4 columns) each collect pieces from several ranks and
// steps: later steps merge with the chunk's earlier contents.
func filteredAppend(ctx context.Context, c *comm.Comm, path string) error {
	const per, steps = 5, 6
	n, r := c.Size(), int64(c.Rank())
	f, err := create(ctx, c, path)
	if err != nil {
		return err
	}
	d, err := h5file.CreateDatasetOf[int64](f, "steps", []uint64{0, uint64(per * n)}, h5file.MaxShape(h5file.Unlimited, uint64(per*n)), h5file.Chunks(2, 4), h5file.Gzip(6), h5file.Shuffle())
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
		if err := d.Collective().WriteSel(h5file.S(h5file.Index(s), h5file.Range(r*per, (r+1)*per)), row); err != nil {
			return err
		}
		if s == 2 {
			if err := f.Flush(); err != nil {
				return err
			}
		}
	}
	return f.Close()
}
