package h5file_test

import (
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/h5file"
)

// Keys lists a group's members; Contains tests a path, as h5py's `in`.
func ExampleGroup_Keys() {
	f, err := h5file.Create(tempPath("keys.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	g, err := f.CreateGroup("fields")
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"rho", "E", "u"} {
		if _, err := g.CreateDatasetFrom(name, []float64{0}); err != nil {
			log.Fatal(err)
		}
	}
	keys, _ := g.Keys()
	fmt.Println(keys, g.Len(), f.Contains("fields/rho"), g.Contains("v"))
	// Output: [E rho u] 3 true false
}

// Get returns a *Group or a *Dataset, h5py's g[path].
func ExampleGroup_Get() {
	f, err := h5file.Create(tempPath("get.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.CreateDatasetFrom("run/x", []int32{1, 2})
	for _, p := range []string{"run", "run/x"} {
		o, err := f.Get(p)
		if err != nil {
			log.Fatal(err)
		}
		switch o := o.(type) {
		case *h5file.Group:
			fmt.Println(o.Name(), "group of", o.Len())
		case *h5file.Dataset:
			fmt.Println(o.Name(), "dataset of shape", o.Shape())
		}
	}
	// Output:
	// /run group of 1
	// /run/x dataset of shape [2]
}

// IsNotFound tells a path that names nothing from other errors.
func ExampleIsNotFound() {
	f, err := h5file.Create(tempPath("notfound.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	_, err = f.Dataset("missing")
	fmt.Println(h5file.IsNotFound(err))
	// Output: true
}

// Move renames an object and Delete unlinks one: h5py's g.move and del.
func ExampleGroup_Move() {
	f, err := h5file.Create(tempPath("move.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.CreateDatasetFrom("tmp", []int32{1})
	f.CreateDatasetFrom("old", []int32{2})
	if err := f.Move("tmp", "final"); err != nil {
		log.Fatal(err)
	}
	if err := f.Delete("old"); err != nil {
		log.Fatal(err)
	}
	keys, _ := f.Keys()
	fmt.Println(keys)
	// Output: [final]
}

// A soft link names another path; Get follows it, LinkTarget reads it.
func ExampleGroup_SoftLink() {
	f, err := h5file.Create(tempPath("softlink.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.CreateDatasetFrom("steps/0042/u", []float32{1, 2, 3})
	if err := f.SoftLink("latest", "/steps/0042"); err != nil {
		log.Fatal(err)
	}
	target, ok := f.LinkTarget("latest")
	d, err := f.Dataset("latest/u")
	if err != nil {
		log.Fatal(err)
	}
	u, _ := h5file.ReadAll[float32](d)
	fmt.Println(target, ok, u)
	// Output: /steps/0042 true [1 2 3]
}
