package nbit_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/filters/nbit"
)

// AtomicClientData is what libhdf5 stores for an N-bit dataset of
// integers or floats: here 100 values of 16-bit integers keeping 12
// bits from bit 2 (libhdf5's precision and offset).
func ExampleAtomicClientData() {
	fmt.Println(nbit.AtomicClientData(100, 2, false, 12, 2))
	fmt.Println(nbit.AtomicClientData(8, 4, true, 32, 0)) // full precision: copied
	// Output:
	// [8 0 100 1 2 0 12 2]
	// [8 1 8 1 4 1 32 0]
}

// Decode unpacks a chunk (three 4-bit values in two bytes: libhdf5 writes
// floor(bits/8)+1); the bits outside each value's precision read as zero,
// and a chunk whose values the client data say are more than max bytes is
// refused.
func ExampleDecode() {
	cd := nbit.AtomicClientData(3, 1, false, 4, 0) // 4-bit values in bytes
	packed, err := nbit.Encode(cd, []byte{0x0a, 0xfb, 0x0c})
	if err != nil {
		log.Fatal(err)
	}
	out, err := nbit.Decode(cd, packed, 3)
	fmt.Printf("% x | % x %v\n", packed, out, err)
	_, err = nbit.Decode(cd, packed, 2)
	fmt.Println(errors.Is(err, nbit.ErrTooLarge))
	_, err = nbit.Decode(cd, packed[:1], 3)
	fmt.Println(errors.Is(err, nbit.ErrData))
	// Output:
	// ab c0 | 0a 0b 0c <nil>
	// true
	// true
}
