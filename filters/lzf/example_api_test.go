package lzf_test

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/gorun-hpc/gorun/filters/lzf"
)

// Compress takes the largest output the caller accepts: h5py's LZF filter
// stores a chunk as it is when compressing does not shrink it, so it asks
// for less than the input.
func ExampleCompress() {
	src := bytes.Repeat([]byte("lzf!"), 50)
	enc, err := lzf.Compress(src, len(src)-1)
	fmt.Println(len(src), len(enc) < 20, err)
	_, err = lzf.Compress([]byte("xyz"), 2)
	fmt.Println(err != nil)
	// Output:
	// 200 true <nil>
	// true
}

// Decompress bounds the output by the chunk's size: a stream that would
// decode to more is ErrTooLarge, a broken one ErrFormat.
func ExampleDecompress() {
	src := bytes.Repeat([]byte{1, 2, 3, 4}, 25)
	enc, _ := lzf.Compress(src, len(src))
	dec, err := lzf.Decompress(enc, 100)
	fmt.Println(bytes.Equal(dec, src), err)
	_, err = lzf.Decompress(enc, 50)
	fmt.Println(errors.Is(err, lzf.ErrTooLarge))
	_, err = lzf.Decompress([]byte{0xe0}, 100)
	fmt.Println(errors.Is(err, lzf.ErrFormat))
	// Output:
	// true <nil>
	// true
	// true
}
