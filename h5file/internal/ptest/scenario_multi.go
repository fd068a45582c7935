package main

import (
	"context"
	"fmt"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// Multi-dataset I/O (File.WriteMulti, ReadMulti): each rank writes its
// tile of three cubes (int64 contiguous, float32 contiguous, int64
// chunked) and its element of a gzip dataset in one WriteMulti; then one
// ReadMulti reads back its neighbour's tile of all three cubes, and each
// rank checks every value. h5py checks every value of the file.

func init() {
	Register(Scenario{Name: "multi", Run: multiScenario, Verify: `
for name in ['a', 'c']:
    x = f[name][()]
    assert (x == np.arange(x.size).reshape(x.shape)).all(), name
b = f['b'][()]
assert (b == (np.arange(b.size).reshape(b.shape) * 0.5).astype('f4')).all()
assert (f['z'][()] == np.arange(n) * 7).all() and f['z'].compression == 'gzip'
`})
}

func multiScenario(ctx context.Context, c *comm.Comm, path string) error {
	n, r := c.Size(), c.Rank()
	shape := readTilesShape(n)
	f, err := create(ctx, c, path)
	if err != nil {
		return err
	}
	a, err := h5file.CreateDatasetOf[int64](f, "a", shape)
	if err != nil {
		return err
	}
	b, err := h5file.CreateDatasetOf[float32](f, "b", shape)
	if err != nil {
		return err
	}
	cc, err := h5file.CreateDatasetOf[int64](f, "c", shape, h5file.Chunks(3, 4, 5))
	if err != nil {
		return err
	}
	z, err := h5file.CreateDatasetOf[int32](f, "z", []uint64{uint64(n)}, h5file.Chunks(1), h5file.Gzip(4))
	if err != nil {
		return err
	}
	tile := tile3(shape, n, r)
	var lin []int64
	var half []float32
	each3(shape, tile, func(l int64) { lin, half = append(lin, l), append(half, float32(l)*0.5) })
	if err := f.WriteMulti(
		h5file.MultiWrite{D: a, Sel: tile, Data: lin},
		h5file.MultiWrite{D: b, Sel: tile, Data: half},
		h5file.MultiWrite{D: cc, Sel: tile, Data: lin},
		h5file.MultiWrite{D: z, Sel: h5file.S(h5file.Index(int64(r))), Data: []int32{int32(7 * r)}},
	); err != nil {
		return err
	}
	next := tile3(shape, n, (r+1)%n)
	var ga, gc []int64
	var gb []float32
	if err := f.ReadMulti(
		h5file.MultiRead{D: a, Sel: next, Dst: &ga},
		h5file.MultiRead{D: b, Sel: next, Dst: &gb},
		h5file.MultiRead{D: cc, Sel: next, Dst: &gc},
	); err != nil {
		return err
	}
	i := 0
	var bad error
	each3(shape, next, func(l int64) {
		if bad == nil && (i >= len(ga) || ga[i] != l || gc[i] != l || gb[i] != float32(l)*0.5) {
			bad = fmt.Errorf("ReadMulti of the next rank's tile: element %d reads wrong (want %d)", i, l)
		}
		i++
	})
	if bad != nil {
		return bad
	}
	return f.Close()
}
