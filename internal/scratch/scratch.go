// Package scratch lends large buffers from pools by power-of-two size
// class instead of make: a fresh large slice is zeroed and, after the GC
// returned its pages, page-faulted in again on every call, which on a VM
// costs more than the network time of a 1 MiB Allreduce or the copy of a
// two-phase write's data. Collectives and h5file's collective writes use
// it for their temporary buffers.
package scratch

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/gorun-hpc/gorun/comm"
)

// Min: buffers below it are cheap to allocate and not pooled.
const Min = 16 << 10

var pools [48]sync.Pool // class c holds *[]byte of capacity 1<<c

// Get returns n elements of uninitialised (possibly dirty) memory and the
// function that gives them back; the caller must not touch the slice after
// calling it.
func Get[T comm.Number](n int) ([]T, func()) {
	var zero T
	size := n * int(unsafe.Sizeof(zero))
	if size < Min {
		return make([]T, n), func() {}
	}
	c := bits.Len(uint(size - 1))
	var b []byte
	if v, ok := pools[c].Get().(*[]byte); ok {
		b = *v
	} else {
		b = make([]byte, 1<<c)
	}
	s := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n)
	return s, func() { pools[c].Put(&b) }
}
