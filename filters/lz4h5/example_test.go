package lz4h5_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/filters/lz4h5"
)

func Example() {
	src := bytes.Repeat([]byte("lz4 "), 1000)
	enc, err := lz4h5.Compress(src, 0) // one block
	if err != nil {
		log.Fatal(err)
	}
	dec, err := lz4h5.Decompress(enc, len(src))
	fmt.Println(enc[:12], len(enc) < 100, bytes.Equal(dec, src), err)
	// Output: [0 0 0 0 0 0 15 160 0 0 15 160] true true <nil>
}
