package collectives

import "github.com/gorun-hpc/gorun/comm"

// Op is a reduction operator for Reduce, Allreduce, Scan and Exscan. The
// zero Op is invalid; use Sum, Prod, Min, Max or NewOp.
//
// Results are combined in rank order (lower ranks on the left), and every
// rank of an Allreduce gets bit-identical results, so floating-point sums
// agree everywhere (ranks that compare file metadata depend on it). The
// name travels (hashed) in each message header, so ranks that pass
// different operators get a *MismatchError instead of a wrong result.
type Op[T comm.Number] struct {
	name        string
	commutative bool
	apply       func(dst, a, b []T) // dst[i] = a[i] op b[i]; dst may alias a or b
}

// Name returns the operator's name as given to NewOp ("sum" for Sum).
func (o Op[T]) Name() string { return o.name }

// Commutative reports whether the operator may combine operands in any
// order, which lets large reductions use the ring algorithm.
func (o Op[T]) Commutative() bool { return o.commutative }

// NewOp makes an operator from an associative element function. f(a, b)
// gets the operand from the lower rank as a. Say commutative only if
// f(a, b) == f(b, a) for all values: it selects faster algorithms.
func NewOp[T comm.Number](name string, commutative bool, f func(a, b T) T) Op[T] {
	return Op[T]{name: name, commutative: commutative, apply: func(dst, a, b []T) {
		for i := range dst {
			dst[i] = f(a[i], b[i])
		}
	}}
}

// Sum adds elementwise (integer sums wrap around, as in Go).
func Sum[T comm.Number]() Op[T] {
	return Op[T]{name: "sum", commutative: true, apply: func(dst, a, b []T) {
		a, b = a[:len(dst)], b[:len(dst)]
		for i := range dst {
			dst[i] = a[i] + b[i]
		}
	}}
}

// Prod multiplies elementwise.
func Prod[T comm.Number]() Op[T] {
	return Op[T]{name: "prod", commutative: true, apply: func(dst, a, b []T) {
		a, b = a[:len(dst)], b[:len(dst)]
		for i := range dst {
			dst[i] = a[i] * b[i]
		}
	}}
}

// Min keeps the elementwise minimum (Go's min: a NaN operand gives NaN).
func Min[T comm.Number]() Op[T] {
	return Op[T]{name: "min", commutative: true, apply: func(dst, a, b []T) {
		a, b = a[:len(dst)], b[:len(dst)]
		for i := range dst {
			dst[i] = min(a[i], b[i])
		}
	}}
}

// Max keeps the elementwise maximum (Go's max: a NaN operand gives NaN).
func Max[T comm.Number]() Op[T] {
	return Op[T]{name: "max", commutative: true, apply: func(dst, a, b []T) {
		a, b = a[:len(dst)], b[:len(dst)]
		for i := range dst {
			dst[i] = max(a[i], b[i])
		}
	}}
}
