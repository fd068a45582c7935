package h5file_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gorun-hpc/gorun/h5file"
)

// tempPath is a path for an example's file in a fresh directory under
// exampleRoot, which TestMain removes when the tests end.
func tempPath(name string) string {
	dir, err := os.MkdirTemp(exampleRoot(), "h5file-example")
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

// ReadAll reads a whole dataset as a flat slice in row-major order,
// whatever its shape: h5py's dset[()].
func ExampleReadAll() {
	f, err := h5file.Create(tempPath("readall.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := f.CreateDatasetFrom("grid", []float32{1, 2, 3, 4, 5, 6}, h5file.WithShape(2, 3))
	if err != nil {
		log.Fatal(err)
	}
	vals, err := h5file.ReadAll[float32](d)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Shape(), vals)
	// Output: [2 3] [1 2 3 4 5 6]
}

// ReadSlice reads a selection: here column 1 and the last row, h5py's
// dset[:, 1] and dset[-1:].
func ExampleReadSlice() {
	f, err := h5file.Create(tempPath("readslice.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := f.CreateDatasetFrom("grid", []int16{0, 1, 2, 10, 11, 12, 20, 21, 22}, h5file.WithShape(3, 3))
	if err != nil {
		log.Fatal(err)
	}
	col, _ := h5file.ReadSlice[int16](d, h5file.S(h5file.All, h5file.Index(1)))
	last, _ := h5file.ReadSlice[int16](d, h5file.S(h5file.Range(-1, h5file.End)))
	fmt.Println(col, last)
	// Output: [1 11 21] [20 21 22]
}

// Read fills a slice (or, for a scalar dataset, a value) that the caller
// owns, so a loop can reuse one buffer.
func ExampleDataset_Read() {
	f, err := h5file.Create(tempPath("read.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, _ := f.CreateDatasetFrom("v", []int64{4, 5, 6})
	s, _ := f.CreateDatasetFrom("dt", 0.125) // a scalar dataset
	var buf []int64
	if err := d.Read(&buf); err != nil {
		log.Fatal(err)
	}
	var dt float64
	if err := s.Read(&dt); err != nil {
		log.Fatal(err)
	}
	fmt.Println(buf, dt, s.Shape())
	// Output: [4 5 6] 0.125 []
}

// ReadSel reads a selection into a buffer the caller owns: h5py's
// dset[::3].
func ExampleDataset_ReadSel() {
	f, err := h5file.Create(tempPath("readsel.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, _ := f.CreateDatasetFrom("x", []uint8{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	every3rd := make([]uint8, 4)
	if err := d.ReadSel(h5file.S(h5file.RangeStep(0, h5file.End, 3)), every3rd); err != nil {
		log.Fatal(err)
	}
	fmt.Println(every3rd)
	// Output: [0 3 6 9]
}

// Elements never written read as the fill value (h5py's fillvalue=).
func ExampleDataset_FillValue() {
	f, err := h5file.Create(tempPath("fill.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := h5file.CreateDatasetOf[float64](f, "t", []uint64{4}, h5file.FillValue(-1.0))
	if err != nil {
		log.Fatal(err)
	}
	if err := d.WriteSel(h5file.S(h5file.Index(2)), []float64{36.6}); err != nil {
		log.Fatal(err)
	}
	var fill float64
	d.FillValue(&fill)
	vals, _ := h5file.ReadAll[float64](d)
	fmt.Println(fill, vals)
	// Output: -1 [-1 -1 36.6 -1]
}

// Flush makes the file on disk complete while it stays open, so another
// reader sees it: here a second File of this process; h5dump or h5py
// with HDF5_USE_FILE_LOCKING=FALSE, since the file is locked while it is
// open for writing, as libhdf5 does.
func ExampleFile_Flush() {
	path := tempPath("flush.h5")
	w, err := h5file.Create(path, "w")
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	if _, err := w.CreateDatasetFrom("step", []int32{1}); err != nil {
		log.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	r, err := h5file.Open(path, "r")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	fmt.Println(r.Contains("step"), r.Mode(), w.Mode())
	// Output: true r r+
}

// Open with mode "a" appends to a file that exists (and creates it
// otherwise); "r" opens read-only, and writes fail.
func ExampleOpen() {
	path := tempPath("append.h5")
	for run := range 2 {
		f, err := h5file.Open(path, "a")
		if err != nil {
			log.Fatal(err)
		}
		if _, err := f.CreateDatasetFrom(fmt.Sprint("run", run), []int32{int32(run)}); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
	f, err := h5file.Open(path, "r")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	keys, _ := f.Keys()
	_, err = f.CreateGroup("more")
	fmt.Println(keys, err != nil)
	// Output: [run0 run1] true
}

// Create a file in the newer format family, as h5py's
// File(path, 'w', libver='latest', track_order=True) does.
func ExampleWithLibver() {
	path := tempPath("latest.h5")
	f, err := h5file.Create(path, "w", h5file.WithLibver(h5file.LibverLatest), h5file.WithTrackOrder())
	if err != nil {
		log.Fatal(err)
	}
	if _, err := f.CreateDatasetFrom("t", []float64{0, 3600}); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	// Opened again with "a", it keeps its family.
	f, err = h5file.Open(path, "a")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Attrs().Set("history", "appended") == nil, f.Close() == nil)
	// Output: true true
}
