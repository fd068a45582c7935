package h5file_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// Paths given to a group's methods are relative to it (or absolute, from
// the root): a function handed a *Group fills its part of the file.
func ExampleGroup_CreateDataset() {
	f, done := newFile("groupcreate.h5")
	defer done()
	writeStep := func(g *h5file.Group, n int) error {
		d, err := g.CreateDataset("fields/T", h5file.Float32, []uint64{uint64(n)}, h5file.FillValue(float32(273.15)))
		if err != nil {
			return err
		}
		return d.WriteSel(h5file.S(h5file.Index(0)), []float32{300})
	}
	for i := range 2 {
		g, _ := f.CreateGroup(fmt.Sprintf("step%d", i))
		if err := writeStep(g, 2+i); err != nil {
			log.Fatal(err)
		}
	}
	for _, p := range []string{"step0/fields/T", "/step1/fields/T"} {
		v, _ := h5file.ReadAll[float32](must1(f.Dataset(p)))
		fmt.Println(p, v)
	}
	// Output:
	// step0/fields/T [300 273.15]
	// /step1/fields/T [300 273.15 273.15]
}

// CreateDatasetFrom in a group: the dataset's path is the group's plus
// the name.
func ExampleGroup_CreateDatasetFrom() {
	f, done := newFile("groupfrom.h5")
	defer done()
	g, _ := f.CreateGroup("mesh")
	x, _ := g.CreateDatasetFrom("x", []float64{0, 0.5, 1})
	conn, _ := g.CreateDatasetFrom("cells", [][]int32{{0, 1}, {1, 2}})
	fmt.Println(x.Name(), x.Shape(), conn.Name(), conn.Shape())
	// Output: /mesh/x [3] /mesh/cells [2 2]
}

// CreateGroup below a group, with the missing levels between.
func ExampleGroup_CreateGroup() {
	f, done := newFile("groupgroup.h5")
	defer done()
	run, _ := f.CreateGroup("run")
	g, err := run.CreateGroup("output/fields")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.Name(), run.Contains("output"))
	_, err = run.CreateGroup("output")
	fmt.Println(errors.Is(err, h5file.ErrExists))
	// Output:
	// /run/output/fields true
	// true
}

// Group opens a member group by a relative or an absolute path.
func ExampleGroup_Group() {
	f, done := newFile("groupopen.h5")
	defer done()
	f.CreateGroup("a/b/c")
	a, _ := f.Group("a")
	c, _ := a.Group("b/c")
	b, _ := c.Group("/a/b")
	fmt.Println(c.Name(), b.Name())
	_, err := a.Group("x")
	fmt.Println(h5file.IsNotFound(err))
	// Output:
	// /a/b/c /a/b
	// true
}

// Dataset opens a dataset below a group.
func ExampleGroup_Dataset() {
	f, done := newFile("groupdataset.h5")
	defer done()
	f.CreateDatasetFrom("run/out/energy", []float64{1, 0.5, 0.25})
	run, _ := f.Group("run")
	d, err := run.Dataset("out/energy")
	if err != nil {
		log.Fatal(err)
	}
	v, _ := h5file.ReadAll[float64](d)
	fmt.Println(d.Name(), v)
	// Output: /run/out/energy [1 0.5 0.25]
}

// Contains tests a path below a group: h5py's `name in group`.
func ExampleGroup_Contains() {
	f, done := newFile("groupcontains.h5")
	defer done()
	f.CreateDatasetFrom("run/out/energy", []float64{1})
	run, _ := f.Group("run")
	for _, p := range []string{"out", "out/energy", "energy", "/run"} {
		fmt.Println(p, run.Contains(p))
	}
	// Output:
	// out true
	// out/energy true
	// energy false
	// /run true
}

// Len counts a group's direct members, links included.
func ExampleGroup_Len() {
	f, done := newFile("grouplen.h5")
	defer done()
	g, _ := f.CreateGroup("g")
	g.CreateDatasetFrom("a", []int8{1})
	g.CreateGroup("b/c")
	g.SoftLink("alias", "/g/a")
	fmt.Println(g.Len())
	// Output: 3
}

// Delete unlinks a member of a group.
func ExampleGroup_Delete() {
	f, done := newFile("groupdelete.h5")
	defer done()
	g, _ := f.CreateGroup("scratch")
	g.CreateDatasetFrom("tmp1", []int8{1})
	g.CreateDatasetFrom("tmp2", []int8{2})
	if err := g.Delete("tmp1"); err != nil {
		log.Fatal(err)
	}
	keys, _ := g.Keys()
	fmt.Println(keys)
	// Output: [tmp2]
}

// Visit walks the objects below a group, with names relative to it.
func ExampleGroup_Visit() {
	f, done := newFile("groupvisit.h5")
	defer done()
	f.CreateDatasetFrom("other/x", []int8{1})
	f.CreateDatasetFrom("run/fields/T", []float32{1})
	f.CreateDatasetFrom("run/fields/P", []float32{1})
	run, _ := f.Group("run")
	run.Visit(func(name string, o h5file.Object) error {
		fmt.Println(name, o.Name())
		return nil
	})
	// Output:
	// fields /run/fields
	// fields/P /run/fields/P
	// fields/T /run/fields/T
}

// LinkTarget reads a soft link of a group without following it.
func ExampleGroup_LinkTarget() {
	f, done := newFile("grouplinktarget.h5")
	defer done()
	g, _ := f.CreateGroup("checkpoints")
	g.CreateGroup("0100")
	g.CreateGroup("0200")
	g.SoftLink("latest", "0200")
	target, ok := g.LinkTarget("latest")
	fmt.Println(target, ok)
	latest, _ := g.Group("latest")
	fmt.Println(latest.Name())
	// Output:
	// 0200 true
	// /checkpoints/latest
}

// File accessors: Name is "/" (the File is its root group), File is the
// file itself, ObjectID the root group's, as for any Object.
func ExampleFile_Name() {
	f, done := newFile("filename_accessors.h5")
	defer done()
	var o h5file.Object = f
	g, _ := f.CreateGroup("g")
	fmt.Println(o.Name(), f.File() == f, g.File() == f, f.ObjectID() == f.Root().ObjectID())
	// Output: / true true true
}

// Mode is "r" for a file opened read-only, "r+" for any writable one.
func ExampleFile_Mode() {
	path, cleanup := tempFile("modes.h5")
	defer cleanup()
	for _, mode := range []string{"w", "a", "r+", "r"} {
		f, err := h5file.Open(path, mode)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(mode, f.Mode())
		f.Close()
	}
	// Output:
	// w r+
	// a r+
	// r+ r+
	// r r
}

// Comm is the communicator a parallel file was opened with: code that
// receives a *File finds its rank there.
func ExampleFile_Comm() {
	path, cleanup := tempFile("filecomm.h5")
	defer cleanup()
	sizes := make([]int, 2)
	errs := ranks(2, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		sizes[f.Comm().Rank()] = f.Comm().Size()
		return f.Close()
	})
	fmt.Println(errors.Join(errs...), sizes)
	// Output: <nil> [2 2]
}

// Atomic reports MPI's atomic mode, which SetAtomic turns on and off.
func ExampleFile_Atomic() {
	path, cleanup := tempFile("fileatomic.h5")
	defer cleanup()
	modes := make([]bool, 2)
	errs := ranks(2, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		if err := f.SetAtomic(true); err != nil { // collective
			return err
		}
		modes[c.Rank()] = f.Atomic()
		return f.Close()
	})
	fmt.Println(errors.Join(errs...), modes)
	// Output: <nil> [true true]
}

// MismatchError's Is matches ErrMismatch, which says the ranks made
// different metadata calls; Error names the call and the ranks.
func ExampleMismatchError_Is() {
	path, cleanup := tempFile("mismatchis.h5")
	defer cleanup()
	errs := ranks(2, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		name := "a"
		if c.Rank() == 1 {
			name = "b" // a different argument is a different call
		}
		if _, err := f.CreateGroup(name); err != nil {
			return err
		}
		return f.Close()
	})
	fmt.Println(errors.Is(errs[0], h5file.ErrMismatch), errors.Is(errs[1], h5file.ErrMismatch))
	var me *h5file.MismatchError
	if errors.As(errs[0], &me) {
		for _, call := range me.Calls {
			fmt.Println(call.Ranks, call.Call)
		}
	}
	// The largest group of ranks comes last (on a tie, rank 0's).
	// Output:
	// true true
	// [1] CreateGroup("/b")
	// [0] CreateGroup("/a")
}
