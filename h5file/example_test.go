package h5file_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gorun-hpc/gorun/h5file"
)

func tempPath(name string) string {
	dir, err := os.MkdirTemp("", "h5file-example")
	if err != nil {
		log.Fatal(err)
	}
	return filepath.Join(dir, name)
}

// Create a file, a dataset holding a Go slice, and an attribute: h5py's
// File(path, 'w'), create_dataset(data=...) and attrs[...] = ....
func ExampleCreate() {
	path := tempPath("example.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := f.CreateDatasetFrom("test", []int32{0, 1, 2, 3}); err != nil {
		log.Fatal(err)
	}
	if err := f.Attrs().Set("title", "the seed"); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}

	f, err = h5file.Open(path, "r")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, _ := f.Dataset("test")
	vals, _ := h5file.ReadAll[int32](d)
	title, _ := h5file.AttrValue[string](f, "title")
	fmt.Println(d.Shape(), d.Dtype(), vals, title)
	// Output: [4] i32le [0 1 2 3] the seed
}

// A chunked, compressed dataset that grows along its first dimension:
// h5py's create_dataset(shape=(0, 3), maxshape=(None, 3), chunks=(64, 3),
// compression='gzip', shuffle=True) and resize.
func ExampleFile_CreateDataset() {
	f, err := h5file.Create(tempPath("grow.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := f.CreateDataset("steps", h5file.Float64, []uint64{0, 3},
		h5file.MaxShape(h5file.Unlimited, 3), h5file.Chunks(64, 3), h5file.Gzip(4), h5file.Shuffle())
	if err != nil {
		log.Fatal(err)
	}
	for step := int64(0); step < 3; step++ {
		if err := d.Resize(uint64(step+1), 3); err != nil {
			log.Fatal(err)
		}
		row := []float64{float64(step), float64(step) * 10, float64(step) * 100}
		if err := d.WriteSel(h5file.S(h5file.Index(step)), row); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(d.Shape(), d.Chunks(), d.Compression(), d.CompressionOpts(), d.Shuffle())
	// Output: [3 3] [64 3] gzip 4 true
}

// The Go of dset[10:20, ::2] = x and of reading it back.
func ExampleDataset_WriteSel() {
	f, err := h5file.Create(tempPath("slab.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := h5file.CreateDatasetOf[int32](f, "m", []uint64{30, 8})
	if err != nil {
		log.Fatal(err)
	}
	x := make([]int32, 10*4)
	for i := range x {
		x[i] = int32(i)
	}
	sel := h5file.S(h5file.Range(10, 20), h5file.RangeStep(0, h5file.End, 2))
	if err := d.WriteSel(sel, x); err != nil {
		log.Fatal(err)
	}
	row, _ := h5file.ReadSlice[int32](d, h5file.S(h5file.Index(11)))
	fmt.Println(row)
	// Output: [4 0 5 0 6 0 7 0]
}

// Go structs become compound types; `h5:"name"` tags name the members.
func ExampleDataset_Write() {
	type particle struct {
		Pos  [3]float32 `h5:"pos"`
		ID   int64      `h5:"id"`
		Name string     `h5:"name"`
	}
	f, err := h5file.Create(tempPath("particles.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := h5file.CreateDatasetOf[particle](f, "particles", []uint64{2})
	if err != nil {
		log.Fatal(err)
	}
	if err := d.Write([]particle{{[3]float32{1, 2, 3}, 7, "a"}, {[3]float32{4, 5, 6}, 8, "b"}}); err != nil {
		log.Fatal(err)
	}
	ps, _ := h5file.ReadAll[particle](d)
	fmt.Println(ps)
	// Output: [{[1 2 3] 7 a} {[4 5 6] 8 b}]
}

// Groups with intermediate levels, as h5py's require_group.
func ExampleGroup_RequireGroup() {
	f, err := h5file.Create(tempPath("groups.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if _, err := f.RequireGroup("run/1/fields"); err != nil {
		log.Fatal(err)
	}
	f.Visit(func(name string, o h5file.Object) error {
		fmt.Println(name)
		return nil
	})
	// Output:
	// run
	// run/1
	// run/1/fields
}
