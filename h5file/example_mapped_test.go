package h5file_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gorun-hpc/gorun/h5file"
)

// A block of a 3-D array (here half of every row: 4096 runs of 256
// bytes) written with one WriteSel goes through a mapping of the file on
// a local Linux file system, without a write call per run.
// WithMappedWrites(false) makes every run its own pwrite, as on other
// systems and network file systems; the file's bytes are the same.
func ExampleWithMappedWrites() {
	dir, _ := os.MkdirTemp("", "mapped")
	defer os.RemoveAll(dir)
	for _, on := range []bool{true, false} {
		f, err := h5file.Create(filepath.Join(dir, fmt.Sprint(on, ".h5")), "w", h5file.WithMappedWrites(on))
		if err != nil {
			log.Fatal(err)
		}
		d, err := h5file.CreateDatasetOf[float64](f, "x", []uint64{64, 64, 64})
		if err != nil {
			log.Fatal(err)
		}
		block := make([]float64, 64*64*32)
		for i := range block {
			block[i] = float64(i)
		}
		if err := d.WriteSel(h5file.S(h5file.Range(0, 64), h5file.Range(0, 64), h5file.Range(32, 64)), block); err != nil {
			log.Fatal(err)
		}
		row, err := h5file.ReadSlice[float64](d, h5file.S(h5file.Index(1), h5file.Index(2), h5file.Range(30, 34)))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(on, row, f.Close())
	}
	// Output:
	// true [0 0 2112 2113] <nil>
	// false [0 0 2112 2113] <nil>
}
