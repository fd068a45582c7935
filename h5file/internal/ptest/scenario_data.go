package main

import (
	"context"
	"fmt"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// Raw data in collective mode without filters: column blocks of a
// contiguous and of a chunked dataset whose chunks straddle the blocks,
// written through Collective() (each rank writes its own part after the
// check point), one rank taking part with an empty selection; then every
// rank reads a compressed dataset independently, each a different tile.

func init() {
	Register(Scenario{Name: "collective_cols", Run: collectiveCols, Verify: `
R, C = 6, 9*n + 1
o = owners(C, n)[None, :] * np.ones((R, 1), dtype=np.int64)
want = o*1e6 + np.arange(R)[:, None]*C + np.arange(C)[None, :]
for name in ['contiguous', 'chunked']:
    assert (f[name][()] == want).all(), (name, f[name][()])
assert f['chunked'].chunks == (4, 5)
assert (f['z'][()] == np.arange(R*C).reshape(R, C)).all()
`})
}

func collectiveCols(ctx context.Context, c *comm.Comm, path string) error {
	n, r := c.Size(), c.Rank()
	R, C := 6, 9*n+1
	f, err := create(ctx, c, path)
	if err != nil {
		return err
	}
	lo, hi := block(C, n, r)
	for _, ds := range []struct {
		name string
		opts []h5file.DatasetOption
	}{
		{"contiguous", nil},
		{"chunked", []h5file.DatasetOption{h5file.Chunks(4, 5)}},
	} {
		d, err := h5file.CreateDatasetOf[float64](f, ds.name, []uint64{uint64(R), uint64(C)}, ds.opts...)
		if err != nil {
			return err
		}
		// Rows 0..2 in one collective call, rows 3..5 in a second, in which
		// the last rank (when n > 1) takes part with nothing and writes its
		// rows independently afterwards.
		for _, rows := range [][2]int64{{0, 3}, {3, int64(R)}} {
			v := make([]float64, 0, (rows[1]-rows[0])*(hi-lo))
			for i := rows[0]; i < rows[1]; i++ {
				for j := lo; j < hi; j++ {
					v = append(v, value2d(r, i, j, int64(C)))
				}
			}
			sel := h5file.S(h5file.Range(rows[0], rows[1]), h5file.Range(lo, hi))
			late := n > 1 && r == n-1 && rows[0] == 3
			if late {
				if err := d.Collective().WriteSel(h5file.S(h5file.Range(0, 0), h5file.Range(0, 0)), []float64{}); err != nil {
					return err
				}
				if err := d.WriteSel(sel, v); err != nil {
					return err
				}
				continue
			}
			if err := d.Collective().WriteSel(sel, v); err != nil {
				return err
			}
		}
	}
	z, err := h5file.CreateDatasetOf[int64](f, "z", []uint64{uint64(R), uint64(C)}, h5file.Chunks(2, 4), h5file.Gzip(3), h5file.Shuffle(), h5file.Fletcher32())
	if err != nil {
		return err
	}
	var all []int64
	if r == 0 {
		all = make([]int64, R*C)
		for k := range all {
			all[k] = int64(k)
		}
	}
	sel := h5file.S(h5file.Range(0, 0), h5file.Range(0, 0))
	if r == 0 {
		sel = h5file.S(h5file.Range(0, int64(R)), h5file.Range(0, int64(C)))
	}
	if err := z.Collective().WriteSel(sel, all); err != nil {
		return err
	}
	if err := z.Collective().ReadSel(h5file.S(h5file.Range(0, 0), h5file.Range(0, 0)), &[]int64{}); err != nil {
		return err
	}
	// Independent reads of the compressed data: the right neighbour's columns.
	nlo, nhi := block(C, n, (r+1)%n)
	got, err := h5file.ReadSlice[int64](z, h5file.S(h5file.Range(1, int64(R)), h5file.Range(nlo, nhi)))
	if err != nil {
		return err
	}
	for q, v := range got {
		i, j := 1+int64(q)/(nhi-nlo), nlo+int64(q)%(nhi-nlo)
		if v != i*int64(C)+j {
			return fmt.Errorf("z[%d,%d] = %d, want %d", i, j, v, i*int64(C)+j)
		}
	}
	return f.Close()
}
