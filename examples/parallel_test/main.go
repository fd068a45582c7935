// Command parallel_test is h5py's "Parallel HDF5" example in Go: every rank
// of `gorun -n N ./examples/parallel_test` opens parallel_test.hdf5
// together, all create dataset "test" (N int32), and each writes element
// rank straight into the shared file. `h5dump parallel_test.hdf5` shows
// 0, 1, ..., N-1.
//
// There is no h5file parallel API yet, so this program plays its rules by
// hand with h5core: every rank builds the same model (the deterministic
// allocator gives every rank the same addresses with no messages), each
// writes its own bytes, and rank 0 alone writes the metadata.
package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5core"
)

// discard is where ranks other than 0 "write" the metadata: running the
// same Flush keeps their allocators in step with rank 0's.
type discard struct{}

func (discard) WriteAt(p []byte, off int64) (int, error) { return len(p), nil }

func main() {
	path := "parallel_test.hdf5"
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "parallel_test:", err)
		os.Exit(1)
	}
	if err := run(ctx, c, path); err != nil {
		fmt.Fprintf(os.Stderr, "parallel_test: rank %d: %v\n", c.Rank(), err)
		c.Abort(1)
	}
	c.Close()
}

func run(ctx context.Context, c *comm.Comm, path string) error {
	rank, size := c.Rank(), c.Size()
	// Rank 0 creates (truncates) the file; the others open it once it exists.
	flags := os.O_RDWR
	if rank == 0 {
		flags |= os.O_CREATE | os.O_TRUNC
	}
	var f *os.File
	var err error
	if rank == 0 {
		f, err = os.OpenFile(path, flags, 0o644)
	}
	if err := collectives.Barrier(ctx, c); err != nil {
		return err
	}
	if rank != 0 {
		f, err = os.OpenFile(path, flags, 0)
	}
	if err != nil {
		return err
	}
	defer f.Close()

	model := h5core.NewFile()
	d, err := model.Root().CreateDataset("test", h5core.DatasetSpec{Type: h5core.Int32LE, Shape: []uint64{uint64(size)}})
	if err != nil {
		return err
	}
	addr, _ := d.DataAddr()
	var elem [4]byte
	binary.LittleEndian.PutUint32(elem[:], uint32(rank))
	if _, err := f.WriteAt(elem[:], int64(addr)+4*int64(rank)); err != nil {
		return err
	}
	// Every rank's data is written before the metadata that points at it.
	if err := collectives.Barrier(ctx, c); err != nil {
		return err
	}
	var sink io.WriterAt = discard{}
	if rank == 0 {
		sink = f
	}
	if err := model.Flush(sink); err != nil {
		return err
	}
	if rank == 0 {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	return collectives.Barrier(ctx, c)
}
