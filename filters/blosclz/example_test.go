package blosclz_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/filters/blosclz"
)

func Example() {
	src := bytes.Repeat([]byte("blosc "), 100)
	enc := blosclz.Compress(src) // nil if it does not shrink
	dec, err := blosclz.Decompress(enc, len(src))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(enc) < 50, bytes.Equal(dec, src))
	// Output: true true
}
