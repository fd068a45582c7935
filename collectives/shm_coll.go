package collectives

import (
	"unsafe"

	"github.com/gorun-hpc/gorun/comm"
)

// Barrier and Allreduce through the host segment (shm_seg.go).

// segRedChunk is the piece of its slice a rank combines through all the
// operands at once (bytes): small enough that the piece stays in L1
// between the p-1 combines.
const segRedChunk = 8 << 10

// barrier is one synchronisation.
func (s *shmSeg) barrier(cl *call) error { return s.sync(cl, true, nil) }

// segAllreduce runs Allreduce in the segment if its size suits it: small
// vectors (up to smallMax bytes) through the small buffers, any op up to
// segFlatMax ranks and commutative ones above; larger ones as a
// reduce-scatter and allgather through the big buffers, when the segment
// has them, for a commutative op (which, as for the message path's ring,
// promises that cutting the vector anywhere is harmless: MinLoc's pairs
// must stay whole). acc holds this rank's operand and gets the result. handled
// false: run the message path.
func segAllreduce[T comm.Number](s *shmSeg, cl *call, acc []T, op Op[T]) (handled bool, err error) {
	n := len(acc) * sizeOf[T]()
	switch {
	case n <= s.smallMax && (s.p <= segFlatMax || op.commutative):
		return true, segAllreduceSmall(s, cl, acc, op)
	case n > s.smallMax && s.bigChunk > 0 && op.commutative:
		return true, segAllreduceBig(s, cl, acc, op)
	}
	return false, nil
}

// segAllreduceSmall: each rank writes its operand into its small buffer
// for the epoch and synchronises. Flat, every rank then combines all the
// buffers in rank order; in the tree each rank folds its children's
// buffers into its own before it arrives (a commutative op), and after
// the release everyone copies rank 0's. Either way all ranks get the same
// bits. The buffers alternate by epoch: a rank writes one again two
// synchronisations later, when every rank has read it.
func segAllreduceSmall[T comm.Number](s *shmSeg, cl *call, acc []T, op Op[T]) error {
	b := asBytes(acc)
	e := s.epoch + 1
	mine := fromBytes[T](s.small(s.rank, e)[:len(b)])
	copy(mine, acc)
	if s.p <= segFlatMax {
		if err := s.sync(cl, true, nil); err != nil {
			return err
		}
		copy(acc, fromBytes[T](s.small(0, e)[:len(b)]))
		for q := 1; q < s.p; q++ {
			op.apply(acc, acc, fromBytes[T](s.small(q, e)[:len(b)]))
		}
		return nil
	}
	err := s.sync(cl, true, func(child int) {
		op.apply(mine, mine, fromBytes[T](s.small(child, e)[:len(b)]))
	})
	if err != nil {
		return err
	}
	copy(acc, fromBytes[T](s.small(0, e)[:len(b)]))
	return nil
}

// segAllreduceBig works through acc in rounds of up to bigChunk bytes:
// every rank copies its part of the round into its big buffer and
// synchronises; rank r combines slice r of all the operands in rank order
// into rank 0's buffer; after a second synchronisation everyone copies
// the result out. Each element is combined once, by one rank, so all
// ranks get the same bits. The two sets of buffers alternate by round.
//
// Copies, per rank and round of m bytes: a rank copies in only the
// slices others combine (its own is read from acc), combines its slice
// in segRedChunk pieces, each through all p operands while it sits in
// L1 and straight back into acc, and copies out only the others'
// slices: 2(p-1)/p m bytes copied instead of 2m, one pass over the
// result instead of p-1. The copies are also less than a MiB each, so
// Go's memmove does not switch to non-temporal stores, which sent the
// operands to memory just before another rank read them.
func segAllreduceBig[T comm.Number](s *shmSeg, cl *call, acc []T, op Op[T]) error {
	per := s.bigChunk / sizeOf[T]()
	first := true
	for lo := 0; lo < len(acc); lo += per {
		part := acc[lo:min(len(acc), lo+per)]
		k := s.round
		s.round++
		a, b := s.bigSlice(len(part))
		segBigIn(s, k, part, a, b)
		if err := s.sync(cl, first, nil); err != nil {
			return err
		}
		first = false
		segBigCombine(s, k, part, a, b, op)
		if err := s.sync(cl, false, nil); err != nil {
			return err
		}
		segBigOut(s, k, part, a, b)
	}
	return nil
}

// bigSlice is the slice [a, b) of a round of m elements this rank
// combines.
func (s *shmSeg) bigSlice(m int) (a, b int) {
	slice := (m + s.p - 1) / s.p
	return min(s.rank*slice, m), min((s.rank+1)*slice, m)
}

// segBigIn copies this rank's operand part of round k, but for its own
// slice [a, b), into its big buffer.
func segBigIn[T comm.Number](s *shmSeg, k uint64, part []T, a, b int) {
	mine := fromBytes[T](s.big(k, s.rank))
	copy(mine[:a], part[:a])
	copy(mine[b:len(part)], part[b:])
}

// segBigCombine combines slice [a, b) of round k's operands in rank order
// (this rank's own from part) into part and rank 0's buffer, a piece of
// segRedChunk bytes at a time.
func segBigCombine[T comm.Number](s *shmSeg, k uint64, part []T, a, b int, op Op[T]) {
	out := fromBytes[T](s.big(k, 0))
	chunk := max(1, segRedChunk/sizeOf[T]())
	for c0 := a; c0 < b; c0 += chunk {
		c1 := min(b, c0+chunk)
		own := part[c0:c1]
		src := func(q int) []T {
			if q == s.rank {
				return own
			}
			return fromBytes[T](s.big(k, q))[c0:c1]
		}
		dst := out[c0:c1]
		op.apply(dst, src(0), src(1))
		for q := 2; q < s.p; q++ {
			op.apply(dst, dst, src(q))
		}
		copy(own, dst)
	}
}

// segBigOut copies the others' slices of round k's result from rank 0's
// buffer into part.
func segBigOut[T comm.Number](s *shmSeg, k uint64, part []T, a, b int) {
	out := fromBytes[T](s.big(k, 0))
	copy(part[:a], out[:a])
	copy(part[b:], out[b:len(part)])
}

// fromBytes views b (aligned for T: the segment's buffers start on cache
// lines) as elements of T.
func fromBytes[T comm.Number](b []byte) []T {
	n := len(b) / sizeOf[T]()
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n)
}
