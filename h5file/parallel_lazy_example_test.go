package h5file_test

import (
	"errors"
	"fmt"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// A parallel open reads only what the ranks touch: here rank 1 reads one
// dataset; it asks rank 0 for the metadata, and rank 0 alone reads the
// file.
func ExampleFile_MetadataIO() {
	path := tempPath("lazy_open.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range []string{"a", "b", "c"} {
		if _, err := f.CreateDatasetFrom(name, []int32{1, 2, 3}); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := f.Close(); err != nil {
		fmt.Println(err)
		return
	}
	got := make([]h5file.MetadataIO, 2)
	errs := ranks(2, func(c *comm.Comm) error {
		f, err := h5file.Open(path, "r", h5file.WithComm(c))
		if err != nil {
			return err
		}
		if c.Rank() == 1 {
			d, err := f.Dataset("b")
			if err != nil {
				return err
			}
			if _, err := h5file.ReadAll[int32](d); err != nil {
				return err
			}
		}
		err = f.Close()
		got[c.Rank()] = f.MetadataIO()
		return err
	})
	fmt.Println(errors.Join(errs...))
	fmt.Println("rank 0 read the file:", got[0].FileReads > 0, "asked:", got[0].Requests > 0)
	fmt.Println("rank 1 read the file:", got[1].FileReads > 0, "asked:", got[1].Requests > 0)
	// Output:
	// <nil>
	// rank 0 read the file: true asked: false
	// rank 1 read the file: false asked: true
}

// Each rank of a parallel file keeps at most a bounded amount of the
// metadata bytes it read or received (4 MiB unless WithMetadataCache
// says otherwise); what h5core decoded stays loaded regardless. A file
// opened r+ reads no more than one opened r: a dataset's storage that
// h5py never allocated is allocated at its first write, which every
// rank makes.
func ExampleWithMetadataCache() {
	path := tempPath("bounded_cache.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := f.CreateDatasetFrom("x", []int32{1, 2, 3}); err != nil {
		fmt.Println(err)
		return
	}
	if err := f.Close(); err != nil {
		fmt.Println(err)
		return
	}
	errs := ranks(2, func(c *comm.Comm) error {
		f, err := h5file.Open(path, "r+", h5file.WithComm(c), h5file.WithMetadataCache(256<<10))
		if err != nil {
			return err
		}
		d, err := f.Dataset("x")
		if err != nil {
			return err
		}
		if c.Rank() == 1 {
			if err := d.WriteSel(h5file.S(h5file.Index(2)), []int32{30}); err != nil {
				return err
			}
		}
		return f.Close()
	})
	fmt.Println(errors.Join(errs...))
	f, err = h5file.Open(path, "r")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	d, _ := f.Dataset("x")
	v, err := h5file.ReadAll[int32](d)
	fmt.Println(v, err)
	// Output:
	// <nil>
	// [1 2 30] <nil>
}
