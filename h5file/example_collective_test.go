package h5file_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// Collective WriteSel: each rank passes its own block of rows, and all
// ranks call it together. Here rank r writes rows 2r and 2r+1 of a 2-D
// grid.
func ExampleCollective_WriteSel() {
	path, cleanup := tempFile("collective_writesel.h5")
	defer cleanup()
	errs := ranks(3, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		d, err := h5file.CreateDatasetOf[int32](f, "grid", []uint64{6, 2})
		if err != nil {
			return err
		}
		r := int64(c.Rank())
		mine := []int32{int32(10 * r), int32(10*r + 1), int32(10*r + 2), int32(10*r + 3)}
		if err := d.Collective().WriteSel(h5file.S(h5file.Range(2*r, 2*r+2)), mine); err != nil {
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
	v, shape, _ := h5file.ReadND[int32](must1(f.Dataset("grid")))
	fmt.Println(shape, v)
	// Output:
	// <nil>
	// [6 2] [0 1 2 3 10 11 12 13 20 21 22 23]
}

// Collective Write writes the whole dataset from every rank with the
// same data: here a small compressed table of constants, which every
// rank holds.
func ExampleCollective_Write() {
	path, cleanup := tempFile("collective_write.h5")
	defer cleanup()
	errs := ranks(2, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		d, err := h5file.CreateDatasetOf[float64](f, "constants", []uint64{3}, h5file.Gzip(4))
		if err != nil {
			return err
		}
		if err := d.Collective().Write([]float64{3.14159, 2.71828, 1.41421}); err != nil {
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
	v, _ := h5file.ReadAll[float64](must1(f.Dataset("constants")))
	fmt.Println(v)
	// Output:
	// <nil>
	// [3.14159 2.71828 1.41421]
}

// Collective ReadSel: every rank reads its own part, all calling
// together; a rank with nothing to read passes an empty selection.
func ExampleCollective_ReadSel() {
	path, cleanup := tempFile("collective_readsel.h5")
	defer cleanup()
	f, err := h5file.Create(path, "w")
	if err != nil {
		log.Fatal(err)
	}
	f.CreateDatasetFrom("x", []int64{0, 1, 2, 3, 4, 5, 6, 7})
	f.Close()

	got := make([][]int64, 3)
	errs := ranks(3, func(c *comm.Comm) error {
		f, err := h5file.Open(path, "r", h5file.WithComm(c))
		if err != nil {
			return err
		}
		defer f.Close()
		d, err := f.Dataset("x")
		if err != nil {
			return err
		}
		r := int64(c.Rank())
		sel := h5file.S(h5file.Range(4*r, 4*r+4)) // ranks 0 and 1: four each
		if r == 2 {
			sel = h5file.S(h5file.Range(0, 0)) // rank 2: none
		}
		buf := make([]int64, 4)
		if r == 2 {
			buf = nil
		}
		if err := d.Collective().ReadSel(sel, buf); err != nil {
			return err
		}
		got[r] = buf
		return f.Close()
	})
	fmt.Println(errors.Join(errs...))
	fmt.Println(got)
	// Output:
	// <nil>
	// [[0 1 2 3] [4 5 6 7] []]
}

// Collective Read reads the whole dataset on every rank, each rank
// calling it: here a table of parameters every rank needs.
func ExampleCollective_Read() {
	path, cleanup := tempFile("collective_read.h5")
	defer cleanup()
	f, err := h5file.Create(path, "w")
	if err != nil {
		log.Fatal(err)
	}
	f.CreateDatasetFrom("params", []float32{0.1, 0.2, 0.3}, h5file.Gzip(1))
	f.Close()

	sums := make([]float32, 4)
	errs := ranks(4, func(c *comm.Comm) error {
		f, err := h5file.Open(path, "r", h5file.WithComm(c))
		if err != nil {
			return err
		}
		defer f.Close()
		d, err := f.Dataset("params")
		if err != nil {
			return err
		}
		var p []float32
		if err := d.Collective().Read(&p); err != nil {
			return err
		}
		sums[c.Rank()] = p[0] + p[1] + p[2]
		return f.Close()
	})
	fmt.Println(errors.Join(errs...))
	fmt.Printf("%.1f\n", sums)
	// Output:
	// <nil>
	// [0.6 0.6 0.6 0.6]
}
