package h5file_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorun-hpc/gorun/h5file"
)

// ExampleGroup_CreateExternalLink links a name in one file to a dataset of
// another, as h5py's f['t'] = h5py.ExternalLink('b.h5', '/temps') does;
// reading the name opens b.h5, found beside a.h5.
func ExampleGroup_CreateExternalLink() {
	dir, _ := os.MkdirTemp("", "extlink")
	defer os.RemoveAll(dir)
	b, err := h5file.Create(filepath.Join(dir, "b.h5"), "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	b.CreateDatasetFrom("temps", []float64{20.5, 21})
	b.Close()

	a, err := h5file.Create(filepath.Join(dir, "a.h5"), "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close()
	if err := a.Root().CreateExternalLink("t", "b.h5", "/temps"); err != nil {
		fmt.Println(err)
		return
	}
	d, err := a.Dataset("t")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, _ := h5file.ReadAll[float64](d)
	fmt.Println(d.Name(), v)
	// Output: /temps [20.5 21]
}
