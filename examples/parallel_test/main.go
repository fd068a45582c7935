// Command parallel_test is h5py's "Parallel HDF5" example in Go: every rank
// of `gorun -n N ./examples/parallel_test` opens parallel_test.hdf5
// together (h5file.WithComm, the Go of driver='mpio', comm=comm), all
// create dataset "test" (N int32), and each writes element rank straight
// into the shared file. `h5dump parallel_test.hdf5` shows 0, 1, ..., N-1.
//
//	from mpi4py import MPI
//	import h5py
//	rank = MPI.COMM_WORLD.rank
//	f = h5py.File('parallel_test.hdf5', 'w', driver='mpio', comm=MPI.COMM_WORLD)
//	dset = f.create_dataset('test', (4,), dtype='i')
//	dset[rank] = rank
//	f.close()
//
// With -atomic the file is in atomic mode (h5py's f.atomic = True) before
// the writes; the output is the same.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

func main() {
	atomic := flag.Bool("atomic", false, "open the file in atomic mode (h5py's f.atomic = True)")
	flag.Parse()
	path := "parallel_test.hdf5"
	if flag.NArg() > 0 {
		path = flag.Arg(0)
	}
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "parallel_test:", err)
		os.Exit(1)
	}
	if err := run(ctx, c, path, *atomic); err != nil {
		fmt.Fprintf(os.Stderr, "parallel_test: rank %d: %v\n", c.Rank(), err)
		c.Abort(1)
	}
	c.Close()
}

func run(ctx context.Context, c *comm.Comm, path string, atomic bool) error {
	rank := c.Rank()
	f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
	if err != nil {
		return err
	}
	if err := f.SetAtomic(atomic); err != nil {
		return err
	}
	dset, err := h5file.CreateDatasetOf[int32](f, "test", []uint64{uint64(c.Size())})
	if err != nil {
		return err
	}
	if err := dset.WriteSel(h5file.S(h5file.Index(int64(rank))), []int32{int32(rank)}); err != nil {
		return err
	}
	return f.Close()
}
