package h5file_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
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

// A compressed dataset is written collectively (h5py's `with
// dset.collective:`): every rank calls WriteSel with its own part, and
// each chunk is compressed once, by the lowest rank writing into it.
func ExampleDataset_Collective() {
	path := tempPath("collective.h5")
	errs := ranks(4, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		d, err := h5file.CreateDatasetOf[int64](f, "x", []uint64{12}, h5file.Chunks(4), h5file.Gzip(6))
		if err != nil {
			return err
		}
		r := int64(c.Rank())
		mine := []int64{10 * r, 10*r + 1, 10*r + 2}
		if err := d.Collective().WriteSel(h5file.S(h5file.Range(3*r, 3*r+3)), mine); err != nil {
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
	d, _ := f.Dataset("x")
	v, _ := h5file.ReadAll[int64](d)
	fmt.Println(d.Compression(), v)
	// Output:
	// <nil>
	// gzip [0 1 2 10 11 12 20 21 22 30 31 32]
}

// Variable-length data changes metadata, so every rank calls WriteVlen,
// each with its own selection and data; the ranks apply all parts in rank
// order.
func ExampleDataset_WriteVlen() {
	path := tempPath("vlen.h5")
	errs := ranks(3, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		d, err := h5file.CreateDatasetOf[string](f, "log", []uint64{3})
		if err != nil {
			return err
		}
		r := int64(c.Rank())
		msg := fmt.Sprintf("rank %d %s", r, strings.Repeat("!", c.Rank()))
		if err := d.WriteVlen(h5file.S(h5file.Index(r)), []string{msg}); err != nil {
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
	d, _ := f.Dataset("log")
	v, _ := h5file.ReadAll[string](d)
	fmt.Printf("%q\n", v)
	// Output:
	// <nil>
	// ["rank 0 " "rank 1 !" "rank 2 !!"]
}
