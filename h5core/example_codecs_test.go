package h5core_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/h5core"
)

// roundTrip encodes 4000 bytes of runs through fs and decodes them back.
func roundTrip(fs ...h5core.Filter) {
	data := make([]byte, 4000)
	for i := range data {
		data[i] = byte(i / 100)
	}
	enc, mask, err := h5core.EncodeChunk(fs, data)
	if err != nil {
		log.Fatal(err)
	}
	dec, err := h5core.DecodeChunk(fs, mask, enc, len(data))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(enc) < len(data)/10, bytes.Equal(dec, data))
}

// h5py's LZF filter; CreateDataset completes its client data.
func ExampleLZF() {
	roundTrip(h5core.LZF())
	// Output: true true
}

// hdf5plugin.Blosc("zstd", 5, bit shuffle), for 4-byte elements.
func ExampleBlosc() {
	f, err := h5core.Blosc("zstd", 5, 2)
	if err != nil {
		log.Fatal(err)
	}
	f.ClientData[2] = 4 // element size, which CreateDataset fills
	roundTrip(f)
	// Output: true true
}

func ExampleZstd() {
	roundTrip(h5core.Zstd(3))
	// Output: true true
}

// The LZ4 filter in 1 KiB blocks (0: one block per chunk).
func ExampleLZ4() {
	roundTrip(h5core.LZ4(1024))
	// Output: true true
}

func ExampleBzip2() {
	roundTrip(h5core.Bzip2(9))
	// Output: true true
}

// LookupCodec says whether a filter id can be read and written here.
func ExampleLookupCodec() {
	for _, id := range []uint16{1, 32001, 32013} {
		c, ok := h5core.LookupCodec(id)
		if ok {
			fmt.Printf("%d %s (%s)\n", id, c.Name, c.Plugin)
		} else {
			fmt.Println(id, "unsupported")
		}
	}
	// Output:
	// 1 gzip ()
	// 32001 blosc (hdf5plugin / hdf5-filter-plugin-blosc)
	// 32013 unsupported
}
