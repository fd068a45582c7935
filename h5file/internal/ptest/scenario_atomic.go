package main

import (
	"context"
	"fmt"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// Atomic mode with real processes: every rank overwrites the whole
// (chunked: one pwrite per chunk) dataset with its own value and reads it
// back; no read may mix two ranks' writes. Then rank 0 writes and tells
// rank 1, whose next read must see the value (or a later one). Last,
// collective writes into compressed chunks, each read back by every rank
// right after the call returns.

func init() {
	Register(Scenario{Name: "atomic", Run: atomicScenario, Verify: `
x = f['x'][()]
assert (x[:7] == x[0]).all() and (x[8:] == x[0]).all() and 1 <= x[0] <= n, x
if n > 1:
    assert x[7] == 1049, x[7]
assert f.attrs['mixed'] == 0
z = f['z']
assert z.compression == 'gzip' and z.shape == (512*n,) and (z[()] == 6).all(), z[()]
`})
}

func atomicScenario(ctx context.Context, c *comm.Comm, path string) error {
	const elems, rounds = 1 << 15, 10
	f, err := create(ctx, c, path)
	if err != nil {
		return err
	}
	if err := f.SetAtomic(true); err != nil {
		return err
	}
	d, err := h5file.CreateDatasetOf[int32](f, "x", []uint64{elems}, h5file.Chunks(1024))
	if err != nil {
		return err
	}
	mine := make([]int32, elems)
	for i := range mine {
		mine[i] = int32(c.Rank() + 1)
	}
	back := make([]int32, elems)
	mixed := 0
	for range rounds {
		if err := d.Write(mine); err != nil {
			return err
		}
		if err := d.Read(back); err != nil {
			return err
		}
		for _, v := range back[1:] {
			if v != back[0] {
				mixed++
				break
			}
		}
	}
	if mixed > 0 {
		return fmt.Errorf("rank %d: %d of %d reads mixed two ranks' writes in atomic mode", c.Rank(), mixed, rounds)
	}
	if err := d.Collective().ReadSel(h5file.S(h5file.Range(0, 0)), []int32{}); err != nil {
		return err
	}
	if c.Size() > 1 {
		for k := int32(0); k < 50; k++ {
			switch c.Rank() {
			case 0:
				if err := d.WriteSel(h5file.S(h5file.Index(7)), []int32{1000 + k}); err != nil {
					return err
				}
				if err := c.Send(ctx, 1, 9, []byte{byte(k)}); err != nil {
					return err
				}
			case 1:
				if _, err := c.Recv(ctx, 0, 9, make([]byte, 1)); err != nil {
					return err
				}
				v, err := h5file.ReadSlice[int32](d, h5file.S(h5file.Index(7)))
				if err != nil {
					return err
				}
				if v[0] < 1000+k {
					return fmt.Errorf("rank 1 read %d after rank 0 wrote %d and said so", v[0], 1000+k)
				}
			}
		}
	}
	if err := f.Attrs().Set("mixed", int64(mixed)); err != nil {
		return err
	}
	if err := atomicFiltered(c, f); err != nil {
		return err
	}
	return f.Close()
}

// atomicFiltered: each rank rewrites its own compressed chunks
// collectively, round after round, and right after Collective().WriteSel
// returns reads the whole dataset independently: in atomic mode every
// chunk, the other owners' too, must already hold the round's value.
func atomicFiltered(c *comm.Comm, f *h5file.File) error {
	const chunk, perRank, rounds = 256, 2, 6
	n := c.Size()
	z, err := h5file.CreateDatasetOf[int32](f, "z", []uint64{uint64(chunk * perRank * n)}, h5file.Chunks(chunk), h5file.Gzip(1))
	if err != nil {
		return err
	}
	lo := int64(c.Rank() * chunk * perRank)
	mine := make([]int32, chunk*perRank)
	for k := int32(1); k <= rounds; k++ {
		for i := range mine {
			mine[i] = k
		}
		if err := z.Collective().WriteSel(h5file.S(h5file.Range(lo, lo+int64(len(mine)))), mine); err != nil {
			return err
		}
		back, err := h5file.ReadAll[int32](z)
		if err != nil {
			return fmt.Errorf("rank %d: reading right after filtered write %d in atomic mode: %w", c.Rank(), k, err)
		}
		for i, v := range back {
			if v != k {
				return fmt.Errorf("rank %d: element %d is %d right after filtered write %d returned in atomic mode", c.Rank(), i, v, k)
			}
		}
	}
	return nil
}
