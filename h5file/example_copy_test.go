package h5file_test

import (
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/h5file"
)

// Copy duplicates a group with everything below it, h5py's
// f.copy('run1', 'archive/run1'): data, chunks, filters and attributes.
func ExampleGroup_Copy() {
	f, err := h5file.Create(tempPath("copy.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := f.CreateDatasetFrom("run1/T", []float64{280, 281, 282}, h5file.Gzip(4))
	if err != nil {
		log.Fatal(err)
	}
	if err := d.Attrs().Set("units", "K"); err != nil {
		log.Fatal(err)
	}
	if err := f.Copy("run1", "archive/run1"); err != nil {
		log.Fatal(err)
	}
	c, err := f.Dataset("archive/run1/T")
	if err != nil {
		log.Fatal(err)
	}
	v, err := h5file.ReadAll[float64](c)
	if err != nil {
		log.Fatal(err)
	}
	units, err := h5file.AttrValue[string](c, "units")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v, units, c.Compression())
	// Output:
	// [280 281 282] K gzip
}

// CopyObject copies an object of one file into another (h5py's
// dst.copy(src['grid'], 'grid')).
func ExampleCopyObject() {
	src, err := h5file.Create(tempPath("copy_src.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	if _, err := src.CreateDatasetFrom("grid/x", []int32{0, 10, 20}); err != nil {
		log.Fatal(err)
	}
	dst, err := h5file.Create(tempPath("copy_dst.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer dst.Close()
	g, err := src.Group("grid")
	if err != nil {
		log.Fatal(err)
	}
	root, err := dst.Group("/")
	if err != nil {
		log.Fatal(err)
	}
	if err := h5file.CopyObject(g, root, "grid", h5file.WithoutAttrs()); err != nil {
		log.Fatal(err)
	}
	x, err := dst.Dataset("grid/x")
	if err != nil {
		log.Fatal(err)
	}
	v, err := h5file.ReadAll[int32](x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(x.Name(), v)
	// Output:
	// /grid/x [0 10 20]
}
