package zstd_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/filters/zstd"
)

func Example() {
	src := bytes.Repeat([]byte("zstd "), 1000)
	enc, err := zstd.Compress(src, 3)
	if err != nil {
		log.Fatal(err)
	}
	_, err = zstd.Decompress(enc, len(src)-1) // more than the chunk holds
	fmt.Println(err)
	dec, err := zstd.Decompress(enc, len(src))
	fmt.Println(len(enc) < 100, bytes.Equal(dec, src), err)
	// Output:
	// zstd: frame holds 5000 bytes, at most 4999 expected: zstd: output too large
	// true true <nil>
}
