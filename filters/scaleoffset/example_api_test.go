package scaleoffset_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"math"

	"github.com/gorun-hpc/gorun/filters/scaleoffset"
)

// ClientData is the 20 values libhdf5 stores for a scale-offset dataset:
// scale type, factor, elements per chunk, then the type and the fill
// value.
func ExampleClientData() {
	cd, err := scaleoffset.ClientData(scaleoffset.FloatDScale, 2, 1000, scaleoffset.Type{Float: true, Size: 4}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(cd), cd[:8])
	fill := []byte{0xff, 0xff} // a 2-byte fill value for a 4-byte type
	_, err = scaleoffset.ClientData(scaleoffset.Int, 0, 1000, scaleoffset.Type{Size: 4, Signed: true}, fill)
	fmt.Println(errors.Is(err, scaleoffset.ErrParams))
	// Output:
	// 20 [0 2 1000 1 4 0 0 0]
	// true
}

// Decode of a float chunk stored with two decimal digits (D-scale 2):
// each value reads back within 0.005 of what was written.
func ExampleDecode() {
	vals := []float64{20.123, 20.5, 21.777, 19.999}
	src := make([]byte, 8*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint64(src[8*i:], math.Float64bits(v))
	}
	cd, err := scaleoffset.ClientData(scaleoffset.FloatDScale, 2, uint32(len(vals)), scaleoffset.Type{Float: true, Size: 8}, nil)
	if err != nil {
		log.Fatal(err)
	}
	enc, err := scaleoffset.Encode(cd, src)
	if err != nil {
		log.Fatal(err)
	}
	dec, err := scaleoffset.Decode(cd, enc, len(src))
	if err != nil {
		log.Fatal(err)
	}
	for i := range vals {
		fmt.Printf("%.2f ", math.Float64frombits(binary.LittleEndian.Uint64(dec[8*i:])))
	}
	fmt.Println(len(enc) < len(src))
	// Output: 20.12 20.50 21.78 20.00 true
}
