package h5file_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/h5file"
)

// RequireDataset opens a dataset if it is what the program expects and
// creates it otherwise, so a restarted run reuses its output file.
func ExampleGroup_RequireDataset() {
	f, err := h5file.Create(tempPath("require.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	for run := 0; run < 2; run++ {
		d, err := f.RequireDataset("out/T", h5file.Float64, []uint64{8})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(d.Name(), d.Shape())
	}
	_, err = f.RequireDataset("out/T", h5file.Float64, []uint64{16})
	fmt.Println(errors.Is(err, h5file.ErrExists))
	// Output:
	// /out/T [8]
	// /out/T [8]
	// true
}

// HardLink gives an object a second name, h5py's g[name] = obj: both
// names open the same object.
func ExampleGroup_HardLink() {
	f, err := h5file.Create(tempPath("hardlink.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := f.CreateDatasetFrom("mesh/x", []float64{0, 0.5, 1})
	if err != nil {
		log.Fatal(err)
	}
	if err := f.HardLink("step0/x", d); err != nil {
		log.Fatal(err)
	}
	x, err := f.Dataset("step0/x")
	if err != nil {
		log.Fatal(err)
	}
	var v []float64
	if err := x.Read(&v); err != nil {
		log.Fatal(err)
	}
	if err := f.Flush(); err != nil { // new objects get their IDs at a flush
		log.Fatal(err)
	}
	fmt.Println(v, x.ObjectID() == d.ObjectID())
	// Output: [0 0.5 1] true
}

// VisitLinks lists every link with its kind, without following soft or
// external ones (h5py's visit_links).
func ExampleGroup_VisitLinks() {
	f, err := h5file.Create(tempPath("visitlinks.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if _, err := f.CreateDatasetFrom("data/p", []int32{1}); err != nil {
		log.Fatal(err)
	}
	if err := f.SoftLink("latest", "/data/p"); err != nil {
		log.Fatal(err)
	}
	err = f.VisitLinks(func(name string, l h5file.Link) error {
		if l.Kind == h5file.LinkSoft {
			fmt.Println(name, l.Kind, "->", l.Path)
		} else {
			fmt.Println(name, l.Kind)
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// data hard
	// data/p hard
	// latest soft -> /data/p
}
