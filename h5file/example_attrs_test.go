package h5file_test

import (
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/h5file"
)

// AttrValue reads an attribute of a file, group or dataset as a Go type.
func ExampleAttrValue() {
	f, err := h5file.Create(tempPath("attrvalue.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, _ := f.CreateDatasetFrom("u", []float64{0, 0})
	d.Attrs().Set("units", "m/s")
	d.Attrs().Set("step", 42)
	d.Attrs().Set("origin", []float64{0.5, -1})
	units, _ := h5file.AttrValue[string](d, "units")
	step, _ := h5file.AttrValue[int64](d, "step") // a Go int is stored as int64, as h5py does
	origin, _ := h5file.AttrValue[[]float64](d, "origin")
	fmt.Println(units, step, origin)
	// Output: m/s 42 [0.5 -1]
}

// Names, Contains, Len and Delete manage an object's attributes.
func ExampleAttrs_Names() {
	f, err := h5file.Create(tempPath("attrnames.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	a := f.Attrs()
	a.Set("code", "gorun")
	a.Set("version", 3)
	a.Set("draft", true)
	if err := a.Delete("draft"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Names(), a.Len(), a.Contains("draft"))
	// Output: [code version] 2 false
}

// Get describes an attribute; Value decodes it into its natural Go type.
func ExampleAttrs_Get() {
	f, err := h5file.Create(tempPath("attrget.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Attrs().Set("dims", []int32{64, 64, 32})
	at, err := f.Attrs().Get("dims")
	if err != nil {
		log.Fatal(err)
	}
	v, _ := at.Value()
	fmt.Printf("%s %v %v %T %v\n", at.Name, at.Dtype, at.Shape, v, v)
	// Output: dims i32le [3] []int32 [64 64 32]
}

// Read decodes an attribute into a variable or a slice of the caller's.
func ExampleAttrs_Read() {
	f, err := h5file.Create(tempPath("attrread.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Attrs().Set("dt", 0.001)
	f.Attrs().Set("shape", []uint64{3, 4})
	var dt float64
	shape := make([]uint64, 2)
	if err := f.Attrs().Read("dt", &dt); err != nil {
		log.Fatal(err)
	}
	if err := f.Attrs().Read("shape", shape); err != nil {
		log.Fatal(err)
	}
	fmt.Println(dt, shape)
	// Output: 0.001 [3 4]
}

// SetTyped chooses the HDF5 type and shape instead of deriving them: here
// a fixed-length ASCII string (numpy's "S8") and a 2x2 int16 matrix.
func ExampleAttrs_SetTyped() {
	f, err := h5file.Create(tempPath("attrtyped.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := f.Attrs().SetTyped("tag", "v1", h5file.FixedString(8, false), nil); err != nil {
		log.Fatal(err)
	}
	if err := f.Attrs().SetTyped("m", []int16{1, 0, 0, 1}, h5file.Int16, []uint64{2, 2}); err != nil {
		log.Fatal(err)
	}
	tag, _ := f.Attrs().Get("tag")
	m, _ := f.Attrs().Get("m")
	tv, _ := tag.Value()
	mv, _ := m.Value()
	fmt.Printf("%q in %d bytes, %v %v %v\n", tv, tag.Dtype.Size, m.Dtype, m.Shape, mv)
	// Output: "v1" in 8 bytes, i16le [2 2] [1 0 0 1]
}
