package lzf_test

import (
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/filters/lzf"
)

func Example() {
	src := []byte("abcabcabcabcabcabcabcabc")
	enc, err := lzf.Compress(src, len(src))
	if err != nil {
		log.Fatal(err)
	}
	dec, err := lzf.Decompress(enc, len(src))
	fmt.Println(len(enc), string(dec), err)
	// Output: 7 abcabcabcabcabcabcabcabc <nil>
}
