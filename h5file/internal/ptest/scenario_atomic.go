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
// rank 1, whose next read must see the value (or a later one).

func init() {
	Register(Scenario{Name: "atomic", Run: atomicScenario, Verify: `
x = f['x'][()]
assert (x[:7] == x[0]).all() and (x[8:] == x[0]).all() and 1 <= x[0] <= n, x
if n > 1:
    assert x[7] == 1049, x[7]
assert f.attrs['mixed'] == 0
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
	return f.Close()
}
