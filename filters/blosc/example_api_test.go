package blosc_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/filters/blosc"
)

// float64s is n little-endian float64 values of a smooth signal.
func float64s(n int) []byte {
	b := make([]byte, 8*n)
	for i := range n {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(1000+i)<<40)
	}
	return b
}

// Compress makes one Blosc chunk with the options of hdf5plugin.Blosc:
// here each codec named as hdf5plugin names them, with byte shuffle.
func ExampleCompress() {
	src := float64s(1024)
	for _, name := range []string{"blosclz", "lz4", "lz4hc", "zlib", "zstd"} {
		enc, err := blosc.Compress(src, blosc.Options{TypeSize: 8, Level: 5, Shuffle: blosc.Shuffle, Codec: blosc.Names[name]})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(name, len(enc) < len(src)/4)
	}
	_, err := blosc.Compress(src, blosc.Options{TypeSize: 8, Level: 5, Codec: blosc.Snappy})
	fmt.Println(err != nil)
	// Output:
	// blosclz true
	// lz4 true
	// lz4hc true
	// zlib true
	// zstd true
	// true
}

// Decompress decodes a chunk, refusing before it allocates one whose
// header claims more than the caller allows.
func ExampleDecompress() {
	src := float64s(512)
	enc, err := blosc.Compress(src, blosc.Options{TypeSize: 8, Level: 9, Shuffle: blosc.BitShuffle, Codec: blosc.Zstd})
	if err != nil {
		log.Fatal(err)
	}
	dec, err := blosc.Decompress(enc, len(src))
	fmt.Println(bytes.Equal(dec, src), err)
	_, err = blosc.Decompress(enc, 100)
	fmt.Println(errors.Is(err, blosc.ErrTooLarge))
	_, err = blosc.Decompress(enc[:20], len(src))
	fmt.Println(errors.Is(err, blosc.ErrFormat))
	// Output:
	// true <nil>
	// true
	// true
}

// ReadHeader reads what a chunk says about itself without decoding it:
// its decoded and stored sizes, element size and block size.
func ExampleReadHeader() {
	src := float64s(256)
	enc, _ := blosc.Compress(src, blosc.Options{TypeSize: 8, Level: 0, Codec: blosc.LZ4}) // level 0: stored
	h, err := blosc.ReadHeader(enc)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.NBytes, h.TypeSize, h.CBytes == len(enc), h.CBytes >= h.NBytes)
	_, err = blosc.ReadHeader(enc[:8])
	fmt.Println(errors.Is(err, blosc.ErrFormat))
	// Output:
	// 2048 8 true true
	// true
}
