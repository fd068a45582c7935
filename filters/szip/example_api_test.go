package szip_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/filters/szip"
)

// ParseClientData reads the four values libhdf5 stores for an SZIP
// dataset, and refuses values libaec cannot have written.
func ExampleParseClientData() {
	p, err := szip.ParseClientData([]uint32{szip.OptNN | szip.OptLSB | szip.OptAllowK13, 32, 16, 1024})
	fmt.Printf("%+v %v\n", p, err)
	_, err = szip.ParseClientData([]uint32{szip.OptNN, 32, 16, 8}) // scanline shorter than a block
	fmt.Println(errors.Is(err, szip.ErrParams))
	// Output:
	// {Options:41 PixelsPerBlock:32 BitsPerPixel:16 PixelsPerScanline:1024} <nil>
	// true
}

// BuffToBuffDecompress is libaec's SZ_BufftoBuffDecompress: it decodes an
// SZIP stream (a chunk without its 4-byte size) into a buffer of the
// decoded size.
func ExampleBuffToBuffDecompress() {
	p, err := szip.ParseClientData([]uint32{szip.OptRaw | szip.OptLSB, 8, 8, 8})
	if err != nil {
		log.Fatal(err)
	}
	stream := []byte{0xe0, 0x20, 0x40, 0x60, 0x80, 0xa0, 0xc0, 0xe1, 0x00} // one raw block
	dst := make([]byte, 8)
	if err := szip.BuffToBuffDecompress(dst, stream, p); err != nil {
		log.Fatal(err)
	}
	fmt.Println(dst)
	// Output: [1 2 3 4 5 6 7 8]
}
