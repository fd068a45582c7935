package h5file_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorun-hpc/gorun/h5file"
)

// ExampleReadND writes a [][]float64 as a 2x3 dataset (h5py's
// create_dataset(data=[[...], [...]])) and reads it back with its shape.
func ExampleReadND() {
	dir, _ := os.MkdirTemp("", "nested")
	defer os.RemoveAll(dir)
	f, err := h5file.Create(filepath.Join(dir, "n.h5"), "w")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	d, err := f.CreateDatasetFrom("grid", [][]float64{{1, 2, 3}, {4, 5, 6}})
	if err != nil {
		fmt.Println(err)
		return
	}
	data, shape, err := h5file.ReadND[float64](d)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(shape, data, "row 1, col 2:", data[1*shape[1]+2])
	// Output: [2 3] [1 2 3 4 5 6] row 1, col 2: 6
}
