package collectives

import (
	"unsafe"

	"github.com/gorun-hpc/gorun/comm"
)

// asBytes views a numeric slice as its bytes in host order (no copy): the
// typed collectives move memory, the element kind in the header makes sure
// both ends agree on what it is.
func asBytes[T comm.Number](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(s[0])))
}

func sizeOf[T comm.Number]() int {
	var z T
	return int(unsafe.Sizeof(z))
}
