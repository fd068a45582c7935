package collectives

import "github.com/gorun-hpc/gorun/comm"

// MinLoc and MaxLoc reduce (value, index) pairs, MPI_MINLOC and
// MPI_MAXLOC: the result pair holds the smallest (largest) value and the
// index that came with it; among equal values, the lowest index. The
// slices hold pairs one after the other, value then index, both of type T
// (MPI's MPI_2INT, MPI_2DOUBLE_PRECISION): [v0, i0, v1, i1, ...], so
// len(send) is twice the number of pairs. The usual index is the rank:
//
//	in := []float64{residual, float64(c.Rank())}
//	out := make([]float64, 2)
//	collectives.Allreduce(ctx, c, in, out, collectives.MaxLoc[float64]())
//	// out[0] is the largest residual, int(out[1]) the rank that has it
//
// (a float32 holds integers exactly up to 2^24). An odd last element,
// half a pair, is taken from the lowest rank. A NaN compares as equal to
// any value: the pair keeps the lower rank's value and the lower index.
//
// Both are commutative, but they are declared non-commutative: the
// large-message Allreduce algorithms cut a vector into blocks at any
// element, which could split a pair; the tree and recursive-doubling
// algorithms keep vectors whole and give the same result.
func MinLoc[T comm.Number]() Op[T] {
	return Op[T]{name: "minloc", commutative: false, apply: func(dst, a, b []T) { loc(dst, a, b, func(x, y T) bool { return x < y }) }}
}

// MaxLoc: see MinLoc.
func MaxLoc[T comm.Number]() Op[T] {
	return Op[T]{name: "maxloc", commutative: false, apply: func(dst, a, b []T) { loc(dst, a, b, func(x, y T) bool { return x > y }) }}
}

// loc combines pairs; better(x, y) says x wins over y. dst may alias a or
// b, so each pair is read before it is written.
func loc[T comm.Number](dst, a, b []T, better func(x, y T) bool) {
	n := len(dst)
	a, b = a[:n], b[:n]
	for i := 0; i+1 < n; i += 2 {
		av, ai, bv, bi := a[i], a[i+1], b[i], b[i+1]
		switch {
		case better(av, bv):
			dst[i], dst[i+1] = av, ai
		case better(bv, av):
			dst[i], dst[i+1] = bv, bi
		default:
			dst[i], dst[i+1] = av, min(ai, bi)
		}
	}
	if n%2 == 1 {
		dst[n-1] = a[n-1]
	}
}
