package collectives

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/gorun-hpc/gorun/comm"
)

// Scratch buffers for reductions and gathers come from pools by power-of-
// two size class instead of make: a fresh large slice is zeroed and, after
// the GC returned its pages, page-faulted in again on every call, which on
// a VM cost more than the 1 MiB Allreduce's network time. Buffers below
// scratchMin are cheap to allocate and not pooled.
const scratchMin = 16 << 10

var scratchPools [40]sync.Pool // class c holds *[]byte of capacity 1<<c

// scratch returns n elements of uninitialised (possibly dirty) memory
// and the function that gives them back; the caller must not touch the
// slice after calling it.
func scratch[T comm.Number](n int) ([]T, func()) {
	size := n * int(sizeOf[T]())
	if size < scratchMin {
		return make([]T, n), func() {}
	}
	c := bits.Len(uint(size - 1))
	var b []byte
	if v, ok := scratchPools[c].Get().(*[]byte); ok {
		b = *v
	} else {
		b = make([]byte, 1<<c)
	}
	s := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n)
	return s, func() { scratchPools[c].Put(&b) }
}
