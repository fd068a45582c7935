package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/h5file"
)

// WriteDirectChunk in a parallel file is refused with a clear error on
// every rank (each rank would place the chunk itself), and the file stays
// good: a collective write after the refusal lands (on one rank, a serial
// file, the direct write works and the collective write replaces it).

func init() {
	Register(Scenario{Name: "directchunk", Run: directChunk, Verify: `
d = f['x']
assert (d[()] == np.arange(8)).all(), d[()]
`})
}

func directChunk(ctx context.Context, c *comm.Comm, path string) error {
	f, err := create(ctx, c, path)
	if err != nil {
		return err
	}
	d, err := h5file.CreateDatasetOf[int32](f, "x", []uint64{8}, h5file.Chunks(4), h5file.Gzip(4))
	if err != nil {
		return err
	}
	// One rank makes a serial file, where direct chunk writes work.
	if err := d.WriteDirectChunk([]uint64{0}, []byte{1, 2, 3}, 0); c.Size() > 1 && !errors.Is(err, h5core.ErrUnsupported) {
		return fmt.Errorf("WriteDirectChunk in a parallel file: %v, want an error matching h5core.ErrUnsupported", err)
	}
	var v []int32
	var sel h5file.Selection = h5file.S(h5file.Range(0, 0))
	if c.Rank() == 0 {
		v, sel = []int32{0, 1, 2, 3, 4, 5, 6, 7}, h5file.S(h5file.All)
	}
	if err := d.Collective().WriteSel(sel, v); err != nil {
		return err
	}
	return f.Close()
}
