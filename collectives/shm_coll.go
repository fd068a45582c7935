package collectives

import (
	"unsafe"

	"github.com/gorun-hpc/gorun/comm"
)

// Barrier and Allreduce through the host segment (shm_seg.go).

// barrier is one synchronisation.
func (s *shmSeg) barrier(cl *call) error { return s.sync(cl, true, nil) }

// segAllreduce runs Allreduce in the segment if its size suits it: small
// vectors (up to smallMax bytes) through the small buffers, any op up to
// segFlatMax ranks and commutative ones above; larger ones as a
// reduce-scatter and allgather through the big buffers, when the segment
// has them, for a commutative op (which, as for the message path's ring,
// promises that cutting the vector anywhere is harmless: MinLoc's pairs
// must stay whole). send holds this rank's operand, recv (as long) gets
// the result; send is not written unless it is recv. handled false:
// recv is untouched; run the message path.
func segAllreduce[T comm.Number](s *shmSeg, cl *call, send, recv []T, op Op[T]) (handled bool, err error) {
	n := len(recv) * sizeOf[T]()
	switch {
	case n <= s.smallMax && (s.p <= segFlatMax || op.commutative):
		copy(recv, send)
		return true, segAllreduceSmall(s, cl, recv, op)
	case n > s.smallMax && s.bigChunk > 0 && op.commutative:
		if overlapping(send, recv) {
			copy(recv, send)
			send = recv
		}
		return true, segAllreduceBig(s, cl, send, recv, op)
	}
	return false, nil
}

// overlapping reports whether a and b share memory without being the
// same slice.
func overlapping[T comm.Number](a, b []T) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	pa, pb := uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&b[0]))
	if pa == pb {
		return false
	}
	size := uintptr(sizeOf[T]())
	return pa < pb+uintptr(len(b))*size && pb < pa+uintptr(len(a))*size
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

// segAllreduceBig works through send in rounds of up to bigChunk bytes:
// every rank copies its part of the round into its big buffer (straight
// from send: copying send into recv first, as the message path does, was
// a quarter of the bytes a rank moved) and synchronises; rank r combines
// slice r of all the buffers in rank order (any op) into rank 0's
// buffer; after a second synchronisation everyone copies the result out
// into recv. send may be recv. Each element is combined once, by one rank, so
// all ranks get the same bits. The two sets of buffers alternate by round.
func segAllreduceBig[T comm.Number](s *shmSeg, cl *call, send, recv []T, op Op[T]) error {
	per := s.bigChunk / sizeOf[T]()
	first := true
	for lo := 0; lo < len(recv); lo += per {
		hi := min(len(recv), lo+per)
		m := hi - lo
		k := s.round
		s.round++
		copy(fromBytes[T](s.big(k, s.rank)), send[lo:hi])
		if err := s.sync(cl, first, nil); err != nil {
			return err
		}
		first = false
		slice := (m + s.p - 1) / s.p
		a, b := min(s.rank*slice, m), min((s.rank+1)*slice, m)
		if a < b {
			dst := fromBytes[T](s.big(k, 0))[a:b]
			for q := 1; q < s.p; q++ {
				op.apply(dst, dst, fromBytes[T](s.big(k, q))[a:b])
			}
		}
		if err := s.sync(cl, false, nil); err != nil {
			return err
		}
		copy(recv[lo:hi], fromBytes[T](s.big(k, 0))[:m])
	}
	return nil
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
