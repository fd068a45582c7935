package main

import (
	"context"
	"fmt"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// Collective reads of short runs (two-phase reads): every rank writes its
// tile of a 3-D cube (contiguous and chunked) independently; after a
// flush every rank reads, collectively, its neighbour's tile, a strided
// selection, a slab that overlaps every other rank's, and (the last rank)
// nothing; then the file is closed, opened read-only and the neighbour's
// tile read collectively again. Each rank checks every value it reads.

func init() {
	Register(Scenario{Name: "collective_read_tiles", Run: collectiveReadTiles, Verify: `
for name in ['contiguous', 'chunked']:
    x = f[name][()]
    assert (x == np.arange(x.size).reshape(x.shape)).all(), name
`})
}

// readTilesShape is the cube for n ranks: tiles of uneven sizes.
func readTilesShape(n int) []uint64 {
	px, py := grid(n)
	return []uint64{10, uint64(6*px + 1), uint64(7*py + 2)}
}

// tile3 is rank r's tile: all of the first dimension, a grid block of the
// other two.
func tile3(shape []uint64, n, r int) h5file.Slices {
	px, py := grid(n)
	a, b := block(int(shape[1]), px, r/py)
	c, d := block(int(shape[2]), py, r%py)
	return h5file.S(h5file.All, h5file.Range(a, b), h5file.Range(c, d))
}

func collectiveReadTiles(ctx context.Context, c *comm.Comm, path string) error {
	n, r := c.Size(), c.Rank()
	shape := readTilesShape(n)
	f, err := create(ctx, c, path)
	if err != nil {
		return err
	}
	type sel struct {
		what string
		s    h5file.Slices
	}
	nz := int64(shape[2])
	reads := []sel{
		{"the next rank's tile", tile3(shape, n, (r+1)%n)},
		{"a strided selection", h5file.S(h5file.RangeStep(int64(r%3), 10, 2), h5file.All, h5file.RangeStep(int64(r%2), nz, 3))},
		{"an overlapping slab", h5file.S(h5file.Range(int64(r%5), int64(r%5+5)), h5file.Range(1, int64(shape[1])-1), h5file.Range(2, nz-1))},
	}
	for _, ds := range []struct {
		name string
		opts []h5file.DatasetOption
	}{
		{"contiguous", nil},
		{"chunked", []h5file.DatasetOption{h5file.Chunks(3, 4, 5)}},
	} {
		d, err := h5file.CreateDatasetOf[int64](f, ds.name, shape, ds.opts...)
		if err != nil {
			return err
		}
		if err := writeLinear(d, shape, tile3(shape, n, r)); err != nil {
			return err
		}
		if err := f.Flush(); err != nil {
			return err
		}
		for _, rd := range reads {
			if err := checkLinear(d, shape, rd.s, rd.what); err != nil {
				return err
			}
		}
		empty := h5file.S(h5file.Range(0, 0), h5file.Range(0, 0), h5file.Range(0, 0))
		s := tile3(shape, n, (r+2)%n)
		if r == n-1 {
			s = empty
		}
		if err := checkLinear(d, shape, s, "a tile, the last rank nothing"); err != nil {
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	f, err = h5file.Open(path, "r", h5file.WithComm(c), h5file.WithContext(ctx))
	if err != nil {
		return err
	}
	for _, name := range []string{"contiguous", "chunked"} {
		d, err := f.Dataset(name)
		if err != nil {
			return err
		}
		if err := checkLinear(d, shape, tile3(shape, n, (r+1)%n), "the next rank's tile, read-only"); err != nil {
			return err
		}
	}
	return f.Close()
}

// each3 calls fn with the linear index of every element of s (steps and
// bounds as given, unit blocks) in the packed order.
func each3(shape []uint64, s h5file.Slices, fn func(lin int64)) {
	r := func(x h5file.Slice, dim uint64) (lo, hi, step int64) {
		return x.Start, min(x.Stop, int64(dim)), max(x.Step, 1) // non-negative bounds only
	}
	l0, h0, s0 := r(s[0], shape[0])
	l1, h1, s1 := r(s[1], shape[1])
	l2, h2, s2 := r(s[2], shape[2])
	for i := l0; i < h0; i += s0 {
		for j := l1; j < h1; j += s1 {
			for k := l2; k < h2; k += s2 {
				fn((i*int64(shape[1])+j)*int64(shape[2]) + k)
			}
		}
	}
}

func writeLinear(d *h5file.Dataset, shape []uint64, s h5file.Slices) error {
	var v []int64
	each3(shape, s, func(lin int64) { v = append(v, lin) })
	return d.WriteSel(s, v)
}

// checkLinear reads s collectively and checks each value is its index.
func checkLinear(d *h5file.Dataset, shape []uint64, s h5file.Slices, what string) error {
	var got []int64
	if err := d.Collective().ReadSel(s, &got); err != nil {
		return fmt.Errorf("%s of %s: %w", what, d.Name(), err)
	}
	i := 0
	var bad error
	each3(shape, s, func(lin int64) {
		if bad == nil && (i >= len(got) || got[i] != lin) {
			bad = fmt.Errorf("%s of %s: element %d of %d reads wrong (want %d)", what, d.Name(), i, len(got), lin)
		}
		i++
	})
	if bad == nil && i != len(got) {
		bad = fmt.Errorf("%s of %s: %d elements, want %d", what, d.Name(), len(got), i)
	}
	return bad
}
