package blosclz_test

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/gorun-hpc/gorun/filters/blosclz"
)

// Compress returns nil for data that does not shrink: c-blosc then
// stores the block as it is.
func ExampleCompress() {
	repetitive := bytes.Repeat([]byte{0, 0, 0, 1}, 256)
	random := []byte("q8#Lz!0x")
	enc := blosclz.Compress(repetitive)
	fmt.Println(len(repetitive), len(enc) < 64, blosclz.Compress(random) == nil)
	// Output: 1024 true true
}

// Decompress wants the exact decoded size c-blosc records for the
// block: any other outcome is ErrFormat.
func ExampleDecompress() {
	src := bytes.Repeat([]byte("abcd"), 64)
	enc := blosclz.Compress(src)
	dec, err := blosclz.Decompress(enc, len(src))
	fmt.Println(bytes.Equal(dec, src), err)
	_, err = blosclz.Decompress(enc, len(src)-1)
	fmt.Println(errors.Is(err, blosclz.ErrFormat))
	// Output:
	// true <nil>
	// true
}
