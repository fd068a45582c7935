package lz4h5_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/filters/lz4h5"
)

// Compress frames a chunk in blocks of the given size, as the HDF5 LZ4
// plugin does: the header holds the decoded size and the block size.
func ExampleCompress() {
	src := bytes.Repeat([]byte("chunk data "), 100) // 1100 bytes
	enc, err := lz4h5.Compress(src, 512)            // three blocks
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(binary.BigEndian.Uint64(enc[0:8]), binary.BigEndian.Uint32(enc[8:12]), len(enc) < len(src))
	// Output: 1100 512 true
}

// Decompress refuses, before allocating, a chunk whose header claims
// more than the caller allows: a chunk can hold no more than the
// dataset's chunk shape.
func ExampleDecompress() {
	src := bytes.Repeat([]byte{7}, 4096)
	enc, err := lz4h5.Compress(src, 0)
	if err != nil {
		log.Fatal(err)
	}
	dec, err := lz4h5.Decompress(enc, 4096)
	fmt.Println(len(dec), err)
	_, err = lz4h5.Decompress(enc, 1024)
	fmt.Println(errors.Is(err, lz4h5.ErrTooLarge))
	_, err = lz4h5.Decompress(enc[:10], 4096)
	fmt.Println(errors.Is(err, lz4h5.ErrFormat))
	// Output:
	// 4096 <nil>
	// true
	// true
}
