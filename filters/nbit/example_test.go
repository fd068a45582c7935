package nbit_test

import (
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/filters/nbit"
)

// Four 12-bit values in 2-byte little-endian integers pack into 6 bytes
// (and the byte libhdf5 always adds).
func ExampleEncode() {
	cd := nbit.AtomicClientData(4, 2, false, 12, 0)
	packed, err := nbit.Encode(cd, []byte{0xbc, 0x0a, 0x23, 0x01, 0xff, 0x0f, 0x01, 0x00})
	if err != nil {
		log.Fatal(err)
	}
	back, _ := nbit.Decode(cd, packed, 8)
	fmt.Printf("% x\n% x\n", packed, back)
	// Output:
	// ab c1 23 ff f0 01 00
	// bc 0a 23 01 ff 0f 01 00
}
