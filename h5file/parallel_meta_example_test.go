package h5file_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// ranks runs body on n ranks inside this process; a program started by
// gorun gets its one communicator from comm.Init instead.
func ranks(n int, body func(c *comm.Comm) error) []error {
	ctx := context.Background()
	comms, err := comm.NewLocal(ctx, n)
	if err != nil {
		log.Fatal(err)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for r, c := range comms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[r] = body(c)
		}()
	}
	wg.Wait()
	for _, c := range comms {
		c.Close()
	}
	return errs
}

// The seed's program: every rank opens the file with its communicator
// (h5py's driver='mpio', comm=comm), all create the dataset together, and
// each writes its own element straight to the file.
func ExampleWithComm() {
	path := tempPath("parallel_test.hdf5")
	errs := ranks(4, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		d, err := h5file.CreateDatasetOf[int32](f, "test", []uint64{uint64(c.Size())})
		if err != nil {
			return err
		}
		if err := d.WriteSel(h5file.S(h5file.Index(int64(c.Rank()))), []int32{int32(c.Rank())}); err != nil {
			return err
		}
		return f.Close()
	})
	fmt.Println(errors.Join(errs...))
	f, err := h5file.Open(path, "r")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, _ := f.Dataset("test")
	v, _ := h5file.ReadAll[int32](d)
	fmt.Println(v)
	// Output:
	// <nil>
	// [0 1 2 3]
}

// The seed page's example of the rule that metadata calls are collective:
// `if rank == 1: f.create_group('x')`. Every rank gets an error naming the
// call and the ranks, instead of a corrupt file or a hang.
func ExampleMismatchError() {
	path := tempPath("mismatch.h5")
	errs := ranks(4, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		if c.Rank() == 1 {
			if _, err := f.CreateGroup("x"); err != nil {
				return err
			}
		}
		return f.Close()
	})
	var me *h5file.MismatchError
	if errors.As(errs[2], &me) {
		fmt.Println(errors.Is(errs[2], h5file.ErrMismatch), me.Op)
		for _, g := range me.Calls {
			fmt.Println(g.Ranks, g.Call)
		}
	}
	// Output:
	// true 2
	// [1] CreateGroup("/x")
	// [0 2 3] Close
}
