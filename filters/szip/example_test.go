package szip_test

import (
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/filters/szip"
)

// A chunk as libhdf5 stores it: the decoded size (8, little-endian), then
// one AEC block of 8 samples of 8 bits coded uncompressed (option id 111,
// then the samples 1..8).
func ExampleDecode() {
	cd := []uint32{szip.OptRaw | szip.OptLSB, 8, 8, 8} // mask, pixels per block, bits, pixels per scanline
	chunk := []byte{8, 0, 0, 0, 0xe0, 0x20, 0x40, 0x60, 0x80, 0xa0, 0xc0, 0xe1, 0x00}
	out, err := szip.Decode(cd, chunk, 8)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out)
	// Output: [1 2 3 4 5 6 7 8]
}
