package h5file_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// Independent CreateGroup: each rank makes a group of its own, with a
// name only it knows; the next Flush puts every rank's groups in the
// file on every rank.
func ExampleIndependent_CreateGroup() {
	path, cleanup := tempFile("owngroups.h5")
	defer cleanup()
	errs := ranks(3, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.Independent().CreateGroup(fmt.Sprintf("worker%d/log", c.Rank())); err != nil {
			return err
		}
		if f.Contains(fmt.Sprintf("worker%d", c.Rank())) {
			return errors.New("in the file before the flush")
		}
		if err := f.Flush(); err != nil {
			return err
		}
		if f.Len() != c.Size() {
			return fmt.Errorf("rank %d sees %d groups", c.Rank(), f.Len())
		}
		return f.Close()
	})
	fmt.Println(errors.Join(errs...))
	f, err := h5file.Open(path, "r")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Visit(func(name string, o h5file.Object) error {
		fmt.Println(name)
		return nil
	})
	// Output:
	// <nil>
	// worker0
	// worker0/log
	// worker1
	// worker1/log
	// worker2
	// worker2/log
}

// Independent CreateDataset: a rank's dataset of a shape only it knows
// (here its particle count), written after the flush straight to the
// file.
func ExampleIndependent_CreateDataset() {
	path, cleanup := tempFile("owndatasets.h5")
	defer cleanup()
	errs := ranks(2, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		defer f.Close()
		n := 2 + c.Rank() // this rank's count
		pd, err := f.Independent().CreateDataset(fmt.Sprintf("particles/rank%d", c.Rank()), h5file.Float64, []uint64{uint64(n)})
		if err != nil {
			return err
		}
		if err := f.Flush(); err != nil {
			return err
		}
		d, err := pd.Dataset()
		if err != nil {
			return err
		}
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(c.Rank()) + float64(i)/10
		}
		if err := d.Write(x); err != nil { // an ordinary independent write
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
	for _, name := range []string{"particles/rank0", "particles/rank1"} {
		v, _ := h5file.ReadAll[float64](must1(f.Dataset(name)))
		fmt.Println(name, v)
	}
	// Output:
	// <nil>
	// particles/rank0 [0 0.1]
	// particles/rank1 [1 1.1 1.2]
}

// HeldBytes is the data a rank holds for its pending datasets until the
// flush: write large data after the flush instead.
func ExampleIndependent_HeldBytes() {
	f, done := newFile("held.h5")
	defer done()
	in := f.Independent()
	d, _ := in.CreateDataset("big", h5file.Float64, []uint64{1000})
	fmt.Println(in.HeldBytes())
	d.Write(make([]float64, 1000))
	fmt.Println(in.HeldBytes())
	f.Flush()
	fmt.Println(in.HeldBytes())
	// Output:
	// 0
	// 8000
	// 0
}

// A pending dataset knows its name, type and shape before it is in the
// file.
func ExamplePendingDataset_Name() {
	f, done := newFile("pendingname.h5")
	defer done()
	d, _ := f.Independent().CreateDataset("diag/energy", h5file.Float32, []uint64{10, 3})
	fmt.Println(d.Name(), d.Dtype(), d.Shape(), f.Contains("diag/energy"))
	// Output: /diag/energy f32le [10 3] false
}

// Dtype is the pending dataset's type, derived from the data for
// CreateDatasetFrom.
func ExamplePendingDataset_Dtype() {
	f, done := newFile("pendingdtype.h5")
	defer done()
	d, _ := f.Independent().CreateDatasetFrom("ids", []uint16{1, 2, 3})
	fmt.Println(d.Dtype(), d.Dtype().Size)
	// Output: u16le 2
}

// Shape is the pending dataset's shape.
func ExamplePendingDataset_Shape() {
	f, done := newFile("pendingshape.h5")
	defer done()
	d, _ := f.Independent().CreateDatasetFrom("m", []int8{1, 2, 3, 4, 5, 6}, h5file.WithShape(3, 2))
	fmt.Println(d.Shape())
	// Output: [3 2]
}

// Write before the flush holds the data on this rank; the flush writes
// it with the dataset.
func ExamplePendingDataset_Write() {
	f, done := newFile("pendingwrite.h5")
	defer done()
	d, _ := f.Independent().CreateDataset("seed", h5file.Int64, []uint64{2})
	if err := d.Write([]int64{7, 11}); err != nil {
		log.Fatal(err)
	}
	if err := f.Flush(); err != nil {
		log.Fatal(err)
	}
	v, _ := h5file.ReadAll[int64](must1(f.Dataset("seed")))
	fmt.Println(v)
	// Output: [7 11]
}

// WriteSel writes part of a pending dataset; the rest reads as the fill
// value once it is in the file.
func ExamplePendingDataset_WriteSel() {
	f, done := newFile("pendingwritesel.h5")
	defer done()
	d, _ := f.Independent().CreateDataset("v", h5file.Int32, []uint64{4}, h5file.FillValue(int32(-1)))
	d.WriteSel(h5file.S(h5file.Index(0)), []int32{5})
	d.WriteSel(h5file.S(h5file.Range(2, 4)), []int32{6, 7})
	f.Flush()
	v, _ := h5file.ReadAll[int32](must1(d.Dataset()))
	fmt.Println(v)
	// Output: [5 -1 6 7]
}

// Attributes of a pending dataset are set by this rank alone, with the
// dataset.
func ExamplePendingDataset_Attrs() {
	f, done := newFile("pendingdsattrs.h5")
	defer done()
	d, _ := f.Independent().CreateDatasetFrom("t", []float64{0.5})
	d.Attrs().Set("units", "s")
	f.Flush()
	units, _ := h5file.AttrValue[string](must1(d.Dataset()), "units")
	fmt.Println(units)
	// Output: s
}

// A pending group's Name is its path; Group is the group in the file,
// ErrPending until the flush.
func ExamplePendingGroup_Group() {
	f, done := newFile("pendinggroup.h5")
	defer done()
	pg, _ := f.Independent().CreateGroup("results")
	_, err := pg.Group()
	fmt.Println(pg.Name(), errors.Is(err, h5file.ErrPending))
	f.Flush()
	g, err := pg.Group()
	fmt.Println(g.Name(), err)
	// Output:
	// /results true
	// /results <nil>
}

// Name is the pending group's full path.
func ExamplePendingGroup_Name() {
	f, done := newFile("pendinggroupname.h5")
	defer done()
	pg, _ := f.Independent().CreateGroup("a")
	sub, _ := pg.CreateGroup("b/c")
	fmt.Println(pg.Name(), sub.Name())
	// Output: /a /a/b/c
}

// CreateGroup inside a pending group nests groups this rank creates
// alone.
func ExamplePendingGroup_CreateGroup() {
	f, done := newFile("pendingnested.h5")
	defer done()
	pg, _ := f.Independent().CreateGroup("rank0")
	pg.CreateGroup("checkpoints")
	pg.CreateGroup("logs")
	f.Flush()
	keys, _ := must1(f.Group("rank0")).Keys()
	fmt.Println(keys)
	// Output: [checkpoints logs]
}

// CreateDatasetFrom inside a pending group: the data given is held and
// written at the flush.
func ExamplePendingGroup_CreateDatasetFrom() {
	f, done := newFile("pendinggroupdata.h5")
	defer done()
	pg, _ := f.Independent().CreateGroup("summary")
	pg.CreateDatasetFrom("mean", []float64{1.25})
	pg.Attrs().Set("samples", 400)
	f.Flush()
	v, _ := h5file.ReadAll[float64](must1(f.Dataset("summary/mean")))
	n, _ := h5file.AttrValue[int64](must1(f.Group("summary")), "samples")
	fmt.Println(v, n)
	// Output: [1.25] 400
}

// Attrs of a pending group are set with the group, by this rank alone.
func ExamplePendingGroup_Attrs() {
	f, done := newFile("pendinggroupattrs.h5")
	defer done()
	pg, _ := f.Independent().CreateGroup("host")
	pg.Attrs().Set("name", "node17")
	pg.Attrs().Set("cores", 64)
	f.Flush()
	g, _ := pg.Group()
	fmt.Println(g.Attrs().Names())
	// Output: [cores name]
}
