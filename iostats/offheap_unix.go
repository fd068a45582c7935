//go:build unix

package iostats

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// offHeap returns n zeroed values of the pointer-free type T in an
// anonymous mapping of their own, outside the garbage-collected heap, or
// nil if the system refuses one. The caller gives it back with
// freeOffHeap and keeps no pointer into it after.
func offHeap[T any](n int) []T {
	var t T
	b, err := unix.Mmap(-1, 0, n*int(unsafe.Sizeof(t)), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// freeOffHeap gives back s, which offHeap returned.
func freeOffHeap[T any](s []T) {
	var t T
	_ = unix.Munmap(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(t))))
}
