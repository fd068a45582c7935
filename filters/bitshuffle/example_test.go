package bitshuffle_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/filters/bitshuffle"
)

// A chunk of 1000 small int32 counts: bit-transposed, most bit rows are
// zero, and LZ4 takes them to a fraction of the size.
func ExampleEncode() {
	src := make([]byte, 4000)
	for i := 0; i < 1000; i++ {
		src[4*i] = byte(i % 7)
	}
	cd := bitshuffle.ClientData(4, 0, bitshuffle.LZ4, 0)
	enc, err := bitshuffle.Encode(cd, src)
	if err != nil {
		log.Fatal(err)
	}
	dec, _ := bitshuffle.Decode(cd, enc, len(src))
	fmt.Println(len(enc) < 400, bytes.Equal(dec, src))
	// Output: true true
}

// The bit transpose of 16 uint16 values 0..15: bit row 0 (bit 0 of the low
// bytes) is 10101010 10101010, as bitshuffle.bitshuffle gives.
func ExampleTransBitElem() {
	src := make([]byte, 32)
	for i := 0; i < 16; i++ {
		src[2*i] = byte(i)
	}
	dst := make([]byte, 32)
	bitshuffle.TransBitElem(dst, src, 16, 2)
	fmt.Println(dst[:8], bitshuffle.DefaultBlockSize(2))
	// Output: [170 170 204 204 240 240 0 255] 4096
}
