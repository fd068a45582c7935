package bitshuffle_test

import (
	"bytes"
	"errors"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/filters/bitshuffle"
)

// ClientData is what the bitshuffle plugin stores for
// hdf5plugin.Bitshuffle: plugin version 0.4, element size, block size
// (0: the default), compression and, for Zstandard, the level.
func ExampleClientData() {
	fmt.Println(bitshuffle.ClientData(4, 0, bitshuffle.LZ4, 0))
	fmt.Println(bitshuffle.ClientData(8, 2048, bitshuffle.Zstd, 5))
	fmt.Println(bitshuffle.ClientData(2, 0, bitshuffle.None, 0))
	// Output:
	// [0 4 4 0 2]
	// [0 4 8 2048 3 5]
	// [0 4 2 0 0]
}

// Decode reverses Encode, and refuses a chunk whose header claims more
// than the caller allows, before allocating.
func ExampleDecode() {
	src := make([]byte, 8*512) // 512 float64 zeros but for a few
	src[8*100+6], src[8*300+7] = 0xf0, 0x3f
	cd := bitshuffle.ClientData(8, 0, bitshuffle.Zstd, 3)
	enc, err := bitshuffle.Encode(cd, src)
	if err != nil {
		log.Fatal(err)
	}
	dec, err := bitshuffle.Decode(cd, enc, len(src))
	fmt.Println(len(enc) < 200, bytes.Equal(dec, src), err)
	_, err = bitshuffle.Decode(cd, enc, 1024)
	fmt.Println(errors.Is(err, bitshuffle.ErrTooLarge))
	// Output:
	// true true <nil>
	// true
}

// DefaultBlockSize is the plugin's block size in elements: about 8 KiB
// of them, a multiple of 8, at least 128.
func ExampleDefaultBlockSize() {
	for _, es := range []int{1, 2, 4, 8, 64, 256} {
		fmt.Println(es, bitshuffle.DefaultBlockSize(es))
	}
	// Output:
	// 1 8192
	// 2 4096
	// 4 2048
	// 8 1024
	// 64 128
	// 256 128
}

// UntransBitElem undoes TransBitElem: the bit rows become the elements
// again.
func ExampleUntransBitElem() {
	src := make([]byte, 4*16) // 16 uint32 values
	for i := range 16 {
		src[4*i], src[4*i+1] = byte(i*17), byte(i)
	}
	rows := make([]byte, len(src))
	bitshuffle.TransBitElem(rows, src, 16, 4)
	back := make([]byte, len(src))
	bitshuffle.UntransBitElem(back, rows, 16, 4)
	fmt.Println(bytes.Equal(back, src), rows[0:2], rows[62:64])
	// Output: true [170 170] [0 0]
}
