package blosc_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/filters/blosc"
)

func Example() {
	src := make([]byte, 8000) // 2000 little-endian int32 counting up
	for i := 0; i < 2000; i++ {
		src[4*i], src[4*i+1] = byte(i), byte(i>>8)
	}
	enc, err := blosc.Compress(src, blosc.Options{TypeSize: 4, Level: 5, Shuffle: blosc.BitShuffle, Codec: blosc.LZ4})
	if err != nil {
		log.Fatal(err)
	}
	h, _ := blosc.ReadHeader(enc)
	dec, err := blosc.Decompress(enc, len(src))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.NBytes, h.TypeSize, h.CBytes == len(enc), len(enc) < 1000, bytes.Equal(dec, src))
	// Output: 8000 4 true true true
}
