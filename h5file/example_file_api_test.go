package h5file_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"reflect"

	"github.com/gorun-hpc/gorun/h5file"
)

// tempFile is a path for an example's file in a fresh temporary
// directory, and the function that removes the directory.
func tempFile(name string) (string, func()) {
	dir, err := os.MkdirTemp("", "h5file-example")
	if err != nil {
		log.Fatal(err)
	}
	return filepath.Join(dir, name), func() { os.RemoveAll(dir) }
}

// newFile creates a file for an example, and the function that closes
// and removes it.
func newFile(name string, opts ...h5file.Option) (*h5file.File, func()) {
	path, cleanup := tempFile(name)
	f, err := h5file.Create(path, "w", opts...)
	if err != nil {
		log.Fatal(err)
	}
	return f, func() { f.Close(); cleanup() }
}

// Root is the file's root group, for code written against *Group (a
// function that fills any group works on the whole file too).
func ExampleFile_Root() {
	f, done := newFile("root.h5")
	defer done()
	fill := func(g *h5file.Group) {
		g.CreateDatasetFrom("x", []int32{1, 2})
	}
	fill(f.Root())
	sub, _ := f.CreateGroup("sub")
	fill(sub)
	f.Visit(func(name string, o h5file.Object) error {
		fmt.Println(name)
		return nil
	})
	fmt.Println(f.Root().Name(), f.Name())
	// Output:
	// sub
	// sub/x
	// x
	// / /
}

// Filename and Mode say which file a File is and whether it is writable;
// Comm is nil for a serial file.
func ExampleFile_Filename() {
	path, cleanup := tempFile("names.h5")
	defer cleanup()
	w, err := h5file.Create(path, "w")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(filepath.Base(w.Filename()), w.Mode(), w.Comm() == nil)
	w.Close()
	r, err := h5file.Open(path, "r")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	fmt.Println(filepath.Base(r.Filename()), r.Mode())
	// Output:
	// names.h5 r+ true
	// names.h5 r
}

// Close writes what is not on disk yet and releases the file; every
// later call on it, or on its objects, is ErrClosed.
func ExampleFile_Close() {
	path, cleanup := tempFile("close.h5")
	defer cleanup()
	f, err := h5file.Create(path, "w")
	if err != nil {
		log.Fatal(err)
	}
	d, _ := f.CreateDatasetFrom("x", []int32{1, 2, 3})
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Close()) // closing twice is not an error
	_, err = h5file.ReadAll[int32](d)
	fmt.Println(errors.Is(err, h5file.ErrClosed))
	// Output:
	// <nil>
	// true
}

// The root group's attributes are the file's: h5py's f.attrs.
func ExampleFile_Attrs() {
	f, done := newFile("fileattrs.h5")
	defer done()
	f.Attrs().Set("code", "gorun")
	f.Attrs().Set("steps", 100)
	steps, _ := h5file.AttrValue[int64](f, "steps")
	fmt.Println(f.Attrs().Names(), steps)
	// Output: [code steps] 100
}

// Contains, Keys and Len look at the root group's members.
func ExampleFile_Contains() {
	f, done := newFile("contains.h5")
	defer done()
	f.CreateDatasetFrom("run/x", []int32{1})
	f.CreateGroup("meta")
	f.SoftLink("dangling", "/nowhere")
	keys, _ := f.Keys()
	fmt.Println(f.Contains("run/x"), f.Contains("/run"), f.Contains("run/y"), f.Contains("dangling"))
	fmt.Println(keys, f.Len())
	// Output:
	// true true false false
	// [dangling meta run] 3
}

// Keys lists the root group's members in libhdf5's order: by name, or in
// creation order in a file made WithTrackOrder.
func ExampleFile_Keys() {
	for _, opts := range [][]h5file.Option{nil, {h5file.WithTrackOrder()}} {
		f, done := newFile("keys.h5", opts...)
		for _, name := range []string{"zeta", "alpha", "mu"} {
			f.CreateGroup(name)
		}
		keys, _ := f.Keys()
		fmt.Println(keys)
		done()
	}
	// Output:
	// [alpha mu zeta]
	// [zeta alpha mu]
}

// Len is the number of members of the root group: h5py's len(f).
func ExampleFile_Len() {
	f, done := newFile("len.h5")
	defer done()
	fmt.Println(f.Len())
	f.CreateDatasetFrom("a/b/c", []int8{1})
	f.CreateGroup("d")
	fmt.Println(f.Len())
	// Output:
	// 0
	// 2
}

// Get returns whatever a path names, following links (the object is
// named by the path used, as in h5py); a type switch tells groups from
// datasets.
func ExampleFile_Get() {
	f, done := newFile("get.h5")
	defer done()
	f.CreateDatasetFrom("data/t", []float64{0, 1})
	f.SoftLink("latest", "/data/t")
	for _, p := range []string{"data", "data/t", "latest", "missing"} {
		o, err := f.Get(p)
		switch o := o.(type) {
		case *h5file.Group:
			fmt.Println(p, "group", o.Len())
		case *h5file.Dataset:
			fmt.Println(p, "dataset", o.Name(), o.Shape())
		default:
			fmt.Println(p, h5file.IsNotFound(err))
		}
	}
	// Output:
	// data group 1
	// data/t dataset /data/t [2]
	// latest dataset /latest [2]
	// missing true
}

// Group and Dataset open an object of a known kind by path; the wrong
// kind is an error.
func ExampleFile_Group() {
	f, done := newFile("group.h5")
	defer done()
	f.CreateDatasetFrom("run1/energy", []float64{1.5})
	g, err := f.Group("run1")
	if err != nil {
		log.Fatal(err)
	}
	keys, _ := g.Keys()
	fmt.Println(g.Name(), keys)
	_, err = f.Group("run1/energy")
	fmt.Println(err != nil)
	// Output:
	// /run1 [energy]
	// true
}

// Dataset opens a dataset by path, absolute or relative to the root.
func ExampleFile_Dataset() {
	f, done := newFile("dataset.h5")
	defer done()
	f.CreateDatasetFrom("run1/energy", []float64{1.5, 2.5})
	d, err := f.Dataset("/run1/energy")
	if err != nil {
		log.Fatal(err)
	}
	v, _ := h5file.ReadAll[float64](d)
	fmt.Println(d.Name(), v)
	_, err = f.Dataset("run2/energy")
	fmt.Println(err)
	// Output:
	// /run1/energy [1.5 2.5]
	// h5file: get /run2/energy: path "run2/energy": no member "run2": h5file: not found
}

// CreateGroup makes a group and any missing groups above it; a name
// already taken is ErrExists (RequireGroup reuses it instead).
func ExampleFile_CreateGroup() {
	f, done := newFile("creategroup.h5")
	defer done()
	g, err := f.CreateGroup("results/2026/december")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.Name(), f.Contains("results/2026"))
	_, err = f.CreateGroup("results")
	fmt.Println(errors.Is(err, h5file.ErrExists))
	// Output:
	// /results/2026/december true
	// true
}

// RequireGroup returns the group if it exists and creates it otherwise:
// a restarted run calls it again without an error.
func ExampleFile_RequireGroup() {
	f, done := newFile("requiregroup.h5")
	defer done()
	a, _ := f.RequireGroup("checkpoints")
	a.Attrs().Set("first", true)
	b, err := f.RequireGroup("checkpoints")
	if err != nil {
		log.Fatal(err)
	}
	f.Flush() // new objects get their IDs (header addresses) at a flush
	fmt.Println(b.Name(), b.Attrs().Contains("first"), a.ObjectID() == b.ObjectID())
	// Output: /checkpoints true true
}

// RequireDataset reuses a dataset of the same type and shape, so a
// program can reopen its output with mode "a" and go on.
func ExampleFile_RequireDataset() {
	path, cleanup := tempFile("requiredataset.h5")
	defer cleanup()
	for run := range 2 {
		f, err := h5file.Open(path, "a")
		if err != nil {
			log.Fatal(err)
		}
		d, err := f.RequireDataset("counts", h5file.Int64, []uint64{2})
		if err != nil {
			log.Fatal(err)
		}
		v, _ := h5file.ReadAll[int64](d)
		v[run]++
		d.Write(v)
		fmt.Println(v)
		f.Close()
	}
	// Output:
	// [1 0]
	// [1 1]
}

// CreateDatasetFrom makes a dataset shaped and typed after a Go value:
// a slice, nested slices (N-D), or one value (a scalar dataset).
func ExampleFile_CreateDatasetFrom() {
	f, done := newFile("from.h5")
	defer done()
	a, _ := f.CreateDatasetFrom("vector", []float32{1, 2, 3})
	b, _ := f.CreateDatasetFrom("matrix", [][]int16{{1, 2, 3}, {4, 5, 6}})
	c, _ := f.CreateDatasetFrom("flat2d", []int16{1, 2, 3, 4, 5, 6}, h5file.WithShape(3, 2))
	s, _ := f.CreateDatasetFrom("dt", 0.5)
	t, _ := f.CreateDatasetFrom("label", "run 7")
	for _, d := range []*h5file.Dataset{a, b, c, s, t} {
		fmt.Println(d.Name(), d.Shape(), d.Dtype())
	}
	// Output:
	// /vector [3] f32le
	// /matrix [2 3] i16le
	// /flat2d [3 2] i16le
	// /dt [] f64le
	// /label [] vlen-string
}

// Delete unlinks a path; the object's space is reused after the next
// flush.
func ExampleFile_Delete() {
	f, done := newFile("delete.h5")
	defer done()
	f.CreateDatasetFrom("tmp/scratch", make([]float64, 1000))
	f.CreateDatasetFrom("keep", []int32{1})
	if err := f.Delete("tmp"); err != nil {
		log.Fatal(err)
	}
	keys, _ := f.Keys()
	fmt.Println(keys, h5file.IsNotFound(f.Delete("tmp")))
	// Output: [keep] true
}

// Move renames a link, within a group or to another one.
func ExampleFile_Move() {
	f, done := newFile("move.h5")
	defer done()
	f.CreateDatasetFrom("draft", []int32{1, 2})
	if err := f.Move("draft", "final/result"); err != nil {
		log.Fatal(err)
	}
	d, _ := f.Dataset("final/result")
	fmt.Println(f.Contains("draft"), d.Name())
	// Output: false /final/result
}

// Copy duplicates an object with its attributes and data; CopyOption
// values choose what comes along (here WithoutAttrs and Shallow).
func ExampleFile_Copy() {
	f, done := newFile("copy.h5")
	defer done()
	f.CreateDatasetFrom("run/x", []int32{1, 2, 3})
	f.CreateDatasetFrom("run/deep/y", []int32{4})
	g, _ := f.Group("run")
	g.Attrs().Set("note", "original")

	f.Copy("run", "full")
	f.Copy("run", "bare", h5file.WithoutAttrs(), h5file.Shallow())
	f.Visit(func(name string, o h5file.Object) error {
		fmt.Println(name, o.Attrs().Len())
		return nil
	})
	// Output:
	// bare 0
	// bare/deep 0
	// bare/x 0
	// full 1
	// full/deep 0
	// full/deep/y 0
	// full/x 0
	// run 1
	// run/deep 0
	// run/deep/y 0
	// run/x 0
}

// SoftLink names a path, resolved when followed; LinkTarget reads the
// path back.
func ExampleFile_SoftLink() {
	f, done := newFile("softlink.h5")
	defer done()
	f.CreateDatasetFrom("step/1/T", []float64{300})
	f.CreateDatasetFrom("step/2/T", []float64{301})
	f.SoftLink("latest", "/step/2")
	g, _ := f.Group("latest")
	t, _ := f.Dataset("latest/T")
	v, _ := h5file.ReadAll[float64](t)
	target, ok := f.LinkTarget("latest")
	fmt.Println(g.Name(), v, target, ok)
	// Output: /latest [301] /step/2 true
}

// LinkTarget tells a soft link from the other members of the root group.
func ExampleFile_LinkTarget() {
	f, done := newFile("linktarget.h5")
	defer done()
	f.CreateGroup("data")
	f.SoftLink("alias", "/data")
	for _, name := range []string{"alias", "data"} {
		target, ok := f.LinkTarget(name)
		fmt.Printf("%s %q %v\n", name, target, ok)
	}
	// Output:
	// alias "/data" true
	// data "" false
}

// HardLink gives an object a second name in the root group; both names
// are the same object.
func ExampleFile_HardLink() {
	f, done := newFile("filehardlink.h5")
	defer done()
	g, _ := f.CreateGroup("runs/42")
	f.HardLink("best", g)
	best, _ := f.Group("best")
	best.Attrs().Set("score", 0.93)
	score, _ := h5file.AttrValue[float64](g, "score")
	f.Flush() // new objects get their IDs (header addresses) at a flush
	fmt.Println(best.ObjectID() == g.ObjectID(), score)
	// Output: true 0.93
}

// CreateExternalLink points a name at an object of another file (h5py's
// ExternalLink); reads follow it, and ExternalLink reads it back.
func ExampleFile_CreateExternalLink() {
	path, cleanup := tempFile("main.h5")
	defer cleanup()
	mesh := filepath.Join(filepath.Dir(path), "mesh.h5")
	m, _ := h5file.Create(mesh, "w")
	m.CreateDatasetFrom("coords", []float64{0, 0.5, 1})
	m.Close()

	f, err := h5file.Create(path, "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := f.CreateExternalLink("grid", "mesh.h5", "/coords"); err != nil {
		log.Fatal(err)
	}
	d, _ := f.Dataset("grid")
	v, _ := h5file.ReadAll[float64](d)
	file, target, ok := f.ExternalLink("grid")
	fmt.Println(v, file, target, ok)
	// Output: [0 0.5 1] mesh.h5 /coords true
}

// ExternalLink reads an external link without opening the other file:
// here one whose file does not exist, which Contains reports as naming
// nothing.
func ExampleFile_ExternalLink() {
	f, done := newFile("extlink.h5")
	defer done()
	f.CreateExternalLink("input", "/data/missing.h5", "/x")
	file, path, ok := f.ExternalLink("input")
	fmt.Println(file, path, ok, f.Contains("input"))
	_, _, ok = f.ExternalLink("nothing")
	fmt.Println(ok)
	// Output:
	// /data/missing.h5 /x true false
	// false
}

// Visit walks every object below the root, parents first; returning an
// error stops the walk.
func ExampleFile_Visit() {
	f, done := newFile("visit.h5")
	defer done()
	f.CreateDatasetFrom("a/x", []int32{1})
	f.CreateDatasetFrom("a/y", []int32{1, 2})
	f.CreateDatasetFrom("b/z", []int32{1, 2, 3})
	var total uint64
	f.Visit(func(name string, o h5file.Object) error {
		if d, ok := o.(*h5file.Dataset); ok {
			total += d.Size()
		}
		return nil
	})
	stop := errors.New("found")
	var found string
	err := f.Visit(func(name string, o h5file.Object) error {
		if d, ok := o.(*h5file.Dataset); ok && d.Size() == 2 {
			found = name
			return stop
		}
		return nil
	})
	fmt.Println(total, found, err == stop)
	// Output: 6 a/y true
}

// VisitLinks walks every link below the root, soft and external ones
// included and not followed.
func ExampleFile_VisitLinks() {
	f, done := newFile("filevisitlinks.h5")
	defer done()
	f.CreateDatasetFrom("data/p", []int32{1})
	f.SoftLink("data/latest", "/data/p")
	f.CreateExternalLink("mesh", "mesh.h5", "/coords")
	f.VisitLinks(func(name string, l h5file.Link) error {
		fmt.Printf("%s %v %q %q\n", name, l.Kind, l.File, l.Path)
		return nil
	})
	// Output:
	// data hard "" ""
	// data/latest soft "" "/data/p"
	// data/p hard "" ""
	// mesh external "mesh.h5" "/coords"
}

// CommitType stores a datatype under a name (h5py's f['t'] = dtype);
// NamedType opens it, and datasets made WithNamedType share it.
func ExampleFile_CommitType() {
	f, done := newFile("commit.h5")
	defer done()
	type point struct{ X, Y float32 }
	pt, _ := h5file.TypeOf(reflect.TypeFor[point]())
	if _, err := f.CommitType("types/point", pt); err != nil {
		log.Fatal(err)
	}
	nt, err := f.NamedType("types/point")
	if err != nil {
		log.Fatal(err)
	}
	d, _ := f.CreateDataset("path", nil, []uint64{2}, h5file.WithNamedType(nt))
	d.Write([]point{{0, 0}, {1, 2}})
	v, _ := h5file.ReadAll[point](d)
	fmt.Println(nt.Name(), nt.Dtype().Size, v)
	// Output: /types/point 8 [{0 0} {1 2}]
}

// NamedType opens a committed datatype by path, for its type and
// attributes.
func ExampleFile_NamedType() {
	f, done := newFile("namedtype.h5")
	defer done()
	t, _ := f.CommitType("celsius", h5file.Float32)
	t.Attrs().Set("units", "degC")
	nt, err := f.NamedType("celsius")
	if err != nil {
		log.Fatal(err)
	}
	units, _ := h5file.AttrValue[string](nt, "units")
	fmt.Println(nt.Name(), nt.Dtype(), units)
	_, err = f.NamedType("kelvin")
	fmt.Println(h5file.IsNotFound(err))
	// Output:
	// /celsius f32le degC
	// true
}

// The root group has a reference and an ObjectID like any object, and
// File returns the file itself, so code taking an Object works on it.
func ExampleFile_Ref() {
	f, done := newFile("rootref.h5")
	defer done()
	r, err := f.Ref()
	if err != nil {
		log.Fatal(err)
	}
	o, _ := f.Deref(r)
	fmt.Println(r.IsNull(), o.Name(), o.ObjectID() == f.ObjectID(), f.File() == f)
	// Output: false / true true
}

// SetAtomic turns on MPI's atomic mode (a rank's writes are seen by the
// other ranks as soon as the write returns); a serial file accepts it.
func ExampleFile_SetAtomic() {
	f, done := newFile("atomic.h5")
	defer done()
	fmt.Println(f.Atomic())
	if err := f.SetAtomic(true); err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Atomic())
	// Output:
	// false
	// true
}

// DerefRegion turns a region reference, read from a dataset of them,
// into its dataset and selection.
func ExampleFile_DerefRegion() {
	f, done := newFile("derefregion.h5")
	defer done()
	d, _ := f.CreateDatasetFrom("grid", []int32{0, 1, 2, 10, 11, 12}, h5file.WithShape(2, 3))
	rr, _ := d.RegionRef(h5file.S(h5file.All, h5file.Range(1, 3)))
	f.CreateDatasetFrom("refs", []h5file.RegionRef{rr, {}})

	refs, _ := h5file.ReadAll[h5file.RegionRef](must1(f.Dataset("refs")))
	fmt.Println(refs[0].IsNull(), refs[1].IsNull())
	reg, err := f.DerefRegion(refs[0])
	if err != nil {
		log.Fatal(err)
	}
	vals, _ := h5file.ReadRegion[int32](reg)
	fmt.Println(reg.Dataset.Name(), vals)
	// Output:
	// false true
	// /grid [1 2 11 12]
}
