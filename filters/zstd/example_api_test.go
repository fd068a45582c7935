package zstd_test

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/gorun-hpc/gorun/filters/zstd"
)

// Compress takes a level 1..MaxLevel (higher is smaller and slower); 0
// or less is zstd's default, 3 (hdf5plugin's too), and levels above
// MaxLevel are MaxLevel.
func ExampleCompress() {
	src := bytes.Repeat([]byte("temperature,pressure,humidity\n"), 200)
	fast, _ := zstd.Compress(src, 1)
	small, _ := zstd.Compress(src, zstd.MaxLevel)
	def, _ := zstd.Compress(src, 0)
	three, _ := zstd.Compress(src, 3)
	beyond, _ := zstd.Compress(src, 99)
	fmt.Println(len(fast) < len(src)/10, len(small) <= len(fast))
	fmt.Println(bytes.Equal(def, three), bytes.Equal(beyond, small))
	// Output:
	// true true
	// true true
}

// Decompress reads a Zstandard frame, as the HDF5 Zstd filter stores a
// chunk; garbage is ErrFormat.
func ExampleDecompress() {
	src := []byte("one chunk of a dataset")
	enc, _ := zstd.Compress(src, 3)
	dec, err := zstd.Decompress(enc, len(src))
	fmt.Printf("%s %v\n", dec, err)
	_, err = zstd.Decompress([]byte("not zstd"), 100)
	fmt.Println(errors.Is(err, zstd.ErrFormat))
	// Output:
	// one chunk of a dataset <nil>
	// true
}
