package main

import (
	"context"
	"fmt"
	"math"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// tiling is the "tiles" case's 3-D domain decomposition: a cube of n^3
// float64 split over a px x py x pz grid of ranks, the last dimension
// first (1x1x2, 1x2x2, 2x2x2), so every rank's block is many short runs
// in the file, as a 3-D simulation's is.
type tiling struct {
	n      int64
	lo, hi [3]int64
}

// grids are the rank grids per rank count; other counts split dimension 2.
var grids = map[int][3]int{1: {1, 1, 1}, 2: {1, 1, 2}, 4: {1, 2, 2}, 8: {2, 2, 2}, 16: {2, 2, 4}}

func newTiling(bytes int64, rank, size int) tiling {
	n := int64(math.Cbrt(float64(bytes / 8)))
	for (n+1)*(n+1)*(n+1)*8 <= bytes {
		n++
	}
	g, ok := grids[size]
	if !ok {
		g = [3]int{1, 1, size}
	}
	t := tiling{n: n}
	coord := [3]int{rank / (g[1] * g[2]), rank / g[2] % g[1], rank % g[2]}
	for i := range 3 {
		t.lo[i], t.hi[i] = part(n, coord[i], g[i])
	}
	return t
}

// data is the block's values: element (i, j, k) holds its linear index
// in the cube mod 1000, times 0.5 (h5py_par.py makes the same).
func (t tiling) data() []float64 {
	x := make([]float64, 0, (t.hi[0]-t.lo[0])*(t.hi[1]-t.lo[1])*(t.hi[2]-t.lo[2]))
	for i := t.lo[0]; i < t.hi[0]; i++ {
		for j := t.lo[1]; j < t.hi[1]; j++ {
			for k := t.lo[2]; k < t.hi[2]; k++ {
				x = append(x, float64(((i*t.n+j)*t.n+k)%1000)*0.5)
			}
		}
	}
	return x
}

// writeTiles writes each rank's block of a contiguous n^3 float64
// dataset, independently or (-coll) collectively.
func writeTiles(ctx context.Context, c *comm.Comm, path string, o opts, x []float64, t tiling) error {
	f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx), h5file.WithAggregators(o.aggs), h5file.WithMappedWrites(!o.noMap), h5file.WithPreallocation(!o.noPrealloc))
	if err != nil {
		return err
	}
	n := uint64(t.n)
	d, err := h5file.CreateDatasetOf[float64](f, "x", []uint64{n, n, n})
	if err != nil {
		f.Close()
		return err
	}
	w := d.WriteSel
	if o.coll {
		w = d.Collective().WriteSel
	}
	sel := h5file.S(h5file.Range(t.lo[0], t.hi[0]), h5file.Range(t.lo[1], t.hi[1]), h5file.Range(t.lo[2], t.hi[2]))
	if err := w(sel, x); err != nil {
		f.Close()
		return err
	}
	if o.flush {
		if err := f.Flush(); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// readTiles opens the cube writeTiles made and reads each rank's block,
// collectively (-coll: two-phase, the ranks' blocks being many short
// runs) or independently, into got; checked against the block's values
// after the clock stops.
func readTiles(ctx context.Context, c *comm.Comm, path string, o opts, got []float64, t tiling) error {
	f, err := h5file.Open(path, "r", h5file.WithComm(c), h5file.WithContext(ctx), h5file.WithAggregators(o.aggs))
	if err != nil {
		return err
	}
	d, err := f.Dataset("x")
	if err != nil {
		f.Close()
		return err
	}
	r := d.ReadSel
	if o.coll {
		r = d.Collective().ReadSel
	}
	sel := h5file.S(h5file.Range(t.lo[0], t.hi[0]), h5file.Range(t.lo[1], t.hi[1]), h5file.Range(t.lo[2], t.hi[2]))
	if err := r(sel, got); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// checkTiles compares what readTiles read with the block's values.
func checkTiles(got, want []float64) error {
	for i := range want {
		if got[i] != want[i] {
			return fmt.Errorf("tilesread: element %d of the block reads %v, want %v", i, got[i], want[i])
		}
	}
	return nil
}
