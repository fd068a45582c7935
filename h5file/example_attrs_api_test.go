package h5file_test

import (
	"errors"
	"fmt"
	"log"
	"reflect"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// Set stores a Go value as an attribute, typed as h5py types it, and
// replaces an attribute of the same name (of any type). Names lists them
// by name (in creation order in a file made WithTrackOrder).
func ExampleAttrs_Set() {
	f, done := newFile("attrset.h5")
	defer done()
	d, _ := f.CreateDatasetFrom("T", []float32{280, 290})
	a := d.Attrs()
	a.Set("units", "K")
	a.Set("valid_range", []float32{150, 350})
	a.Set("calibrated", true)
	a.Set("version", 1)
	a.Set("version", "1.1") // replaced, with a new type
	for _, name := range a.Names() {
		at, _ := a.Get(name)
		v, _ := at.Value()
		fmt.Println(name, at.Dtype, v)
	}
	// Output:
	// calibrated enum(i8le) true
	// units vlen-string K
	// valid_range f32le [150 350]
	// version vlen-string 1.1
}

// Contains tests for an attribute before reading it.
func ExampleAttrs_Contains() {
	f, done := newFile("attrcontains.h5")
	defer done()
	f.Attrs().Set("title", "run 7")
	for _, name := range []string{"title", "comment"} {
		fmt.Println(name, f.Attrs().Contains(name))
	}
	// Output:
	// title true
	// comment false
}

// Delete removes an attribute (h5py's del obj.attrs[name]); deleting one
// that is not there is an error.
func ExampleAttrs_Delete() {
	f, done := newFile("attrdelete.h5")
	defer done()
	g, _ := f.CreateGroup("g")
	g.Attrs().Set("tmp", 1)
	fmt.Println(g.Attrs().Delete("tmp"), g.Attrs().Len())
	fmt.Println(h5file.IsNotFound(g.Attrs().Delete("tmp")))
	// Output:
	// <nil> 0
	// true
}

// Len is the number of attributes: h5py's len(obj.attrs).
func ExampleAttrs_Len() {
	f, done := newFile("attrlen.h5")
	defer done()
	d, _ := f.CreateDatasetFrom("x", []int8{1})
	fmt.Println(d.Attrs().Len())
	d.Attrs().Set("a", 1)
	d.Attrs().Set("b", 2)
	fmt.Println(d.Attrs().Len())
	// Output:
	// 0
	// 2
}

// SetEmpty stores an attribute with a type and no value (h5py.Empty),
// as netCDF and some instruments write flags; IsEmpty reads it back.
func ExampleAttrs_SetEmpty() {
	f, done := newFile("attrempty.h5")
	defer done()
	if err := f.Attrs().SetEmpty("placeholder", h5file.Float64); err != nil {
		log.Fatal(err)
	}
	at, _ := f.Attrs().Get("placeholder")
	fmt.Println(at.IsEmpty(), at.Dtype, at.Shape)
	// Output: true f64le []
}

// SetNamed stores an attribute of a committed datatype, so files that
// share types by name (netCDF-4's user types) keep sharing them.
func ExampleAttrs_SetNamed() {
	f, done := newFile("attrnamed.h5")
	defer done()
	type range2 struct{ Lo, Hi float32 }
	t, _ := h5file.TypeOf(reflect.TypeFor[range2]())
	nt, _ := f.CommitType("range_t", t)
	if err := f.Attrs().SetNamed("valid", range2{-1, 1}, nt, nil); err != nil {
		log.Fatal(err)
	}
	v, _ := h5file.AttrValue[range2](f, "valid")
	fmt.Println(v)
	// Output: {-1 1}
}

// Attribute.Read decodes one attribute into a value of the caller's.
func ExampleAttribute_Read() {
	f, done := newFile("attributeread.h5")
	defer done()
	f.Attrs().Set("origin", []float64{0.5, 1.5, 2.5})
	at, err := f.Attrs().Get("origin")
	if err != nil {
		log.Fatal(err)
	}
	var origin []float64
	if err := at.Read(&origin); err != nil {
		log.Fatal(err)
	}
	fmt.Println(at.Shape, origin)
	// Output: [3] [0.5 1.5 2.5]
}

// Value decodes an attribute into its natural Go type, for code that
// does not know the types in advance (a lister, a converter).
func ExampleAttribute_Value() {
	f, done := newFile("attributevalue.h5")
	defer done()
	f.Attrs().Set("n", int32(3))
	f.Attrs().Set("name", "probe")
	f.Attrs().Set("xyz", []float32{1, 2, 3})
	for _, name := range f.Attrs().Names() {
		at, _ := f.Attrs().Get(name)
		v, _ := at.Value()
		fmt.Printf("%s %T %v\n", name, v, v)
	}
	// Output:
	// n int32 3
	// name string probe
	// xyz []float32 [1 2 3]
}

// IsEmpty tells an attribute without a value (h5py.Empty) from one
// holding a value; reading an empty one fails.
func ExampleAttribute_IsEmpty() {
	f, done := newFile("attributeisempty.h5")
	defer done()
	f.Attrs().SetEmpty("none", h5file.Int32)
	f.Attrs().Set("some", int32(0))
	for _, name := range []string{"none", "some"} {
		at, _ := f.Attrs().Get(name)
		var v int32
		err := at.Read(&v)
		fmt.Println(name, at.IsEmpty(), err == nil)
	}
	// Output:
	// none true false
	// some false true
}

// PendingAttrs.Set sets an attribute from one rank alone: here each
// rank records its own host count on a group all ranks made.
func ExamplePendingAttrs_Set() {
	path, cleanup := tempFile("pendingattrs.h5")
	defer cleanup()
	errs := ranks(2, func(c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c))
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.CreateGroup("ranks"); err != nil {
			return err
		}
		a := f.Independent().Attrs("ranks")
		if err := a.Set(fmt.Sprintf("rank%d_cells", c.Rank()), 100*(c.Rank()+1)); err != nil {
			return err
		}
		return f.Close()
	})
	if err := errors.Join(errs...); err != nil {
		log.Fatal(err)
	}
	f, _ := h5file.Open(path, "r")
	defer f.Close()
	g, _ := f.Group("ranks")
	for _, name := range g.Attrs().Names() {
		v, _ := h5file.AttrValue[int64](g, name)
		fmt.Println(name, v)
	}
	// Output:
	// rank0_cells 100
	// rank1_cells 200
}
