package scaleoffset_test

import (
	"encoding/binary"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/filters/scaleoffset"
)

// Eight int16 values between 1000 and 1007, no fill value: 3 bits each
// after the 21-byte header.
func ExampleEncode() {
	t := scaleoffset.Type{Size: 2, Signed: true}
	cd, err := scaleoffset.ClientData(scaleoffset.Int, 0, 8, t, nil)
	if err != nil {
		log.Fatal(err)
	}
	src := make([]byte, 16)
	for i := 0; i < 8; i++ {
		binary.LittleEndian.PutUint16(src[2*i:], uint16(1007-i))
	}
	enc, _ := scaleoffset.Encode(cd, src)
	back, _ := scaleoffset.Decode(cd, enc, len(src))
	fmt.Println(len(enc), binary.LittleEndian.Uint32(enc), int16(binary.LittleEndian.Uint16(back[14:])))
	// Output: 25 3 1000
}
