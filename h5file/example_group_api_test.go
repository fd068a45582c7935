package h5file_test

import (
	"errors"
	"fmt"
	"log"
	"strings"

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

// ObjectID identifies an object in its file, whatever name reached it:
// two hard links to one object have the same ID, as h5py compares obj.id.
// It is the object's header address, which a new object gets at the next
// flush: compare the IDs of objects created since only after one.
func ExampleFile_ObjectID() {
	f, done := newFile("objectid.h5")
	defer done()
	a, _ := f.CreateGroup("a")
	f.HardLink("b", a)
	b, _ := f.Group("b")
	c, _ := f.CreateGroup("c")
	if err := f.Flush(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.ObjectID() == b.ObjectID(), a.ObjectID() == c.ObjectID(), f.ObjectID() == f.Root().ObjectID())
	// Output: true false true
}

// An OpError's message names the operation and the object, then the
// cause, worded with h5file's sentinels.
func ExampleOpError_Error() {
	f, done := newFile("operror_msg.h5")
	defer done()
	d, _ := h5file.CreateDatasetOf[int32](f, "grid/temp", []uint64{4})
	fmt.Println(d.WriteSel(h5file.S(h5file.Range(0, 2)), []int32{1, 2, 3}))
	_, err := f.CreateGroup("grid")
	fmt.Println(err)
	// Output:
	// h5file: write /grid/temp: h5file: shape mismatch: 3 elements for a selection of 2
	// h5file: create group /grid: link "grid": h5file: name already exists
}

// A CollisionError also matches ErrExists when a rank's own creation
// clashes with a name the file came to hold before the flush (here made
// collectively after it); Ranks[1] is then -1.
func ExampleCollisionError_Is() {
	path, cleanup := tempFile("collision_file.h5")
	defer cleanup()
	errs := ranks(2, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		defer f.Close()
		if c.Rank() == 1 {
			if _, err := f.Independent().CreateGroup("results"); err != nil {
				return err
			}
		}
		if _, err := f.CreateGroup("results"); err != nil { // collective
			return err
		}
		err = f.Flush()
		var ce *h5file.CollisionError
		if c.Rank() == 0 && errors.As(err, &ce) {
			fmt.Println(ce.Path, ce.Ranks, errors.Is(err, h5file.ErrCollision), errors.Is(err, h5file.ErrExists))
		}
		return f.Close()
	})
	fmt.Println(errors.Join(errs...))
	// Output:
	// /results [1 -1] true true
	// <nil>
}

// Error names the call where the ranks parted, which ranks made which
// call, and the rule.
func ExampleMismatchError_Error() {
	path, cleanup := tempFile("mismatch_msg.h5")
	defer cleanup()
	errs := ranks(3, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		if c.Rank() == 2 {
			f.Attrs().Set("extra", 1)
		}
		return f.Close()
	})
	fmt.Println(strings.ReplaceAll(errs[0].Error(), path, "FILE"))
	// Output: h5file: ranks disagree at metadata operation #2: rank 2 called SetAttr("/@extra", i64le, [], value#89cd31291d2aefa4, named false) but ranks 0,1 called Close (file FILE; every rank must make the same metadata calls, with the same arguments, in the same order; the file on disk is as of the last good flush)
}

// Error names both ranks (or the rank and the file) and the path, and
// says how to avoid the clash.
func ExampleCollisionError_Error() {
	path, cleanup := tempFile("collision_msg.h5")
	defer cleanup()
	errs := ranks(2, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		defer f.Close()
		f.Independent().CreateGroup("out")
		err = f.Flush()
		if c.Rank() == 0 {
			fmt.Println(strings.ReplaceAll(err.Error(), path, "FILE"))
		}
		return f.Close()
	})
	fmt.Println(errors.Join(errs...))
	// Output:
	// h5file: flush FILE: h5file: ranks created the same name: ranks 0 and 1 both created /out (rank 0 a group, rank 1 a group); no rank's own creations of this epoch were applied: give each rank's objects names of their own (with the rank in them)
	// <nil>
}

// File is the file an object lives in (the File itself for a File), for
// code handed only an object.
func ExampleFile_File() {
	f, done := newFile("filefile.h5")
	defer done()
	d, _ := f.CreateDatasetFrom("g/x", []int8{1})
	flush := func(o interface{ File() *h5file.File }) error { return o.File().Flush() }
	fmt.Println(flush(d), flush(f), d.File() == f.File())
	// Output: <nil> <nil> true
}
