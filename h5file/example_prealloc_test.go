package h5file_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gorun-hpc/gorun/h5file"
)

// A long run (here 4 MiB, one WriteSel of half a dataset) written into
// new storage on ext4 is fallocated first, so the page cache finds blocks
// there instead of reserving them 4 KiB at a time.
// WithPreallocation(false) writes it without; the file's bytes are the
// same, and other file systems always write without.
func ExampleWithPreallocation() {
	dir, _ := os.MkdirTemp("", "prealloc")
	defer os.RemoveAll(dir)
	for _, on := range []bool{true, false} {
		f, err := h5file.Create(filepath.Join(dir, fmt.Sprint(on, ".h5")), "w", h5file.WithPreallocation(on))
		if err != nil {
			log.Fatal(err)
		}
		d, err := h5file.CreateDatasetOf[float64](f, "x", []uint64{1 << 20})
		if err != nil {
			log.Fatal(err)
		}
		half := make([]float64, 1<<19)
		for i := range half {
			half[i] = float64(i)
		}
		if err := d.WriteSel(h5file.S(h5file.Range(0, 1<<19)), half); err != nil {
			log.Fatal(err)
		}
		edge, err := h5file.ReadSlice[float64](d, h5file.S(h5file.Range(1<<19-2, 1<<19+2)))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(on, edge, f.Close())
	}
	// Output:
	// true [524286 524287 0 0] <nil>
	// false [524286 524287 0 0] <nil>
}
