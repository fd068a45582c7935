package collectives

import "github.com/gorun-hpc/gorun/comm"

// Integer is every Go integer type: the element types of the bitwise
// reductions.
type Integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~int | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uint
}

// BAnd is bitwise and (MPI_BAND).
func BAnd[T Integer]() Op[T] {
	return Op[T]{name: "band", commutative: true, apply: func(dst, a, b []T) {
		a, b = a[:len(dst)], b[:len(dst)]
		for i := range dst {
			dst[i] = a[i] & b[i]
		}
	}}
}

// BOr is bitwise or (MPI_BOR): e.g. a union of flag sets from every rank.
func BOr[T Integer]() Op[T] {
	return Op[T]{name: "bor", commutative: true, apply: func(dst, a, b []T) {
		a, b = a[:len(dst)], b[:len(dst)]
		for i := range dst {
			dst[i] = a[i] | b[i]
		}
	}}
}

// BXor is bitwise exclusive or (MPI_BXOR): e.g. a checksum of every
// rank's data that does not depend on the order of ranks.
func BXor[T Integer]() Op[T] {
	return Op[T]{name: "bxor", commutative: true, apply: func(dst, a, b []T) {
		a, b = a[:len(dst)], b[:len(dst)]
		for i := range dst {
			dst[i] = a[i] ^ b[i]
		}
	}}
}

// The logical reductions treat a nonzero element as true and give 1 for
// true, 0 for false, as C's && and || do (MPI_LAND, MPI_LOR, MPI_LXOR).

// LAnd is logical and: 1 where every rank's element is nonzero.
func LAnd[T comm.Number]() Op[T] { return logical[T]("land", func(x, y bool) bool { return x && y }) }

// LOr is logical or: 1 where some rank's element is nonzero.
func LOr[T comm.Number]() Op[T] { return logical[T]("lor", func(x, y bool) bool { return x || y }) }

// LXor is logical exclusive or: 1 where an odd number of ranks' elements
// are nonzero.
func LXor[T comm.Number]() Op[T] { return logical[T]("lxor", func(x, y bool) bool { return x != y }) }

func logical[T comm.Number](name string, f func(x, y bool) bool) Op[T] {
	return Op[T]{name: name, commutative: true, apply: func(dst, a, b []T) {
		a, b = a[:len(dst)], b[:len(dst)]
		for i := range dst {
			if f(a[i] != 0, b[i] != 0) {
				dst[i] = 1
			} else {
				dst[i] = 0
			}
		}
	}}
}
