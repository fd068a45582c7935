package h5file_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// A time step of a particle code writes many variables: one WriteMulti
// writes every rank's particles of all of them, with one agreement (and
// one two-phase exchange when the parts fall into short runs) instead of
// one collective call per variable.
func ExampleFile_WriteMulti() {
	path := tempPath("multi.h5")
	errs := ranks(4, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		x, err := h5file.CreateDatasetOf[float32](f, "x", []uint64{8})
		if err != nil {
			return err
		}
		id, err := h5file.CreateDatasetOf[int32](f, "id", []uint64{8})
		if err != nil {
			return err
		}
		r := int64(c.Rank())
		mine := h5file.S(h5file.Range(2*r, 2*r+2)) // two particles per rank
		if err := f.WriteMulti(
			h5file.MultiWrite{D: x, Sel: mine, Data: []float32{float32(r), float32(r) + 0.5}},
			h5file.MultiWrite{D: id, Sel: mine, Data: []int32{int32(10 * r), int32(10*r + 1)}},
		); err != nil {
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
	x, _ := f.Dataset("x")
	id, _ := f.Dataset("id")
	xs, _ := h5file.ReadAll[float32](x)
	ids, _ := h5file.ReadAll[int32](id)
	fmt.Println(xs)
	fmt.Println(ids)
	// Output:
	// <nil>
	// [0 0.5 1 1.5 2 2.5 3 3.5]
	// [0 1 10 11 20 21 30 31]
}

// ReadMulti reads every rank's part of several datasets in one collective
// call; here each rank reads back the rows of its neighbour.
func ExampleFile_ReadMulti() {
	path := tempPath("multiread.h5")
	errs := ranks(2, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		a, err := h5file.CreateDatasetOf[int64](f, "a", []uint64{4})
		if err != nil {
			return err
		}
		b, err := h5file.CreateDatasetOf[float64](f, "b", []uint64{4})
		if err != nil {
			return err
		}
		if err := f.WriteMulti(
			h5file.MultiWrite{D: a, Data: []int64{1, 2, 3, 4}},
			h5file.MultiWrite{D: b, Data: []float64{0.1, 0.2, 0.3, 0.4}},
		); err != nil {
			return err
		}
		other := int64(1 - c.Rank())
		var as []int64
		var bs []float64
		sel := h5file.S(h5file.Range(2*other, 2*other+2))
		if err := f.ReadMulti(
			h5file.MultiRead{D: a, Sel: sel, Dst: &as},
			h5file.MultiRead{D: b, Sel: sel, Dst: &bs},
		); err != nil {
			return err
		}
		if c.Rank() == 0 {
			fmt.Println(as, bs)
		}
		return f.Close()
	})
	fmt.Println(errors.Join(errs...))
	// Output:
	// [3 4] [0.3 0.4]
	// <nil>
}
