package collectives

import (
	"context"

	"github.com/gorun-hpc/gorun/comm"
)

// allreduceRingMinBytes: from this size a commutative Allreduce uses the
// ring (reduce-scatter then allgather: 2(p-1) steps moving 2n(p-1)/p bytes
// per rank) instead of recursive doubling (log2(p) steps moving n bytes
// each). With TCP's ~30 µs per step and ~1-2 GB/s on loopback the ring wins
// above a few hundred KiB for 4-8 ranks; MPICH's 2 KiB is for networks with
// microsecond latency.
const allreduceRingMinBytes = 256 << 10

func (o Op[T]) valid(cl *call) error {
	if o.apply == nil {
		return cl.argError("the zero Op; use Sum, Prod, Min, Max or NewOp")
	}
	return nil
}

func reduceDesc[T comm.Number](op opCode, n, root int, o Op[T]) desc {
	return desc{op: op, kind: kindOf[T](), root: int32(root), count: int64(n), check: hashString(o.name)}
}

// Reduce combines every rank's send elementwise with op into root's recv:
// recv[i] = send_0[i] op send_1[i] op ... op send_{p-1}[i]. All ranks pass
// sends of the same length; recv (len(send) elements) matters only on root.
// It uses a binomial tree; for a non-commutative op the tree is rooted at
// rank 0 so operands combine in rank order, and rank 0 forwards the result.
func Reduce[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T, op Op[T], root int) error {
	cl, err := begin(ctx, c, reduceDesc(opReduce, len(send), root, op), sizeOf[T]())
	if err != nil {
		return err
	}
	if err := cl.checkRoot(root); err != nil {
		return cl.finish(err)
	}
	if err := op.valid(cl); err != nil {
		return cl.finish(err)
	}
	if cl.rank == root && len(recv) != len(send) {
		return cl.finish(cl.argError("len(recv) = %d, want len(send) = %d", len(recv), len(send)))
	}
	if n := cl.nodesFor(root); n != nil && op.commutative {
		acc := recv
		if cl.rank != root {
			var free func()
			acc, free = scratchBuf[T](len(send))
			defer free()
		}
		copy(acc, send)
		return cl.finish(reduceNodes(cl, n, acc, op, root))
	}
	return cl.finish(reduceBinomial(cl, send, recv, op, root))
}

func reduceBinomial[T comm.Number](cl *call, send, recv []T, op Op[T], root int) error {
	p, r, n := cl.size, cl.rank, len(send)
	tree := root
	if !op.commutative {
		tree = 0
	}
	v := (r - tree + p) % p
	var acc []T
	if r == root && r == tree {
		acc = recv
	} else {
		var free func()
		acc, free = scratchBuf[T](n)
		defer free()
	}
	copy(acc, send)
	var tmp []T
	for mask := 1; mask < p; mask <<= 1 {
		if v&mask != 0 {
			if err := cl.send((v-mask+tree)%p, asBytes(acc)); err != nil {
				return err
			}
			break
		}
		if src := v | mask; src < p {
			if tmp == nil {
				var free func()
				tmp, free = scratchBuf[T](n)
				defer free()
			}
			if err := cl.recv((src+tree)%p, asBytes(tmp)); err != nil {
				return err
			}
			op.apply(acc, acc, tmp)
		}
	}
	if tree != root {
		switch r {
		case tree:
			return cl.send(root, asBytes(acc))
		case root:
			return cl.recv(tree, asBytes(recv))
		}
	}
	return nil
}

// Allreduce combines every rank's send elementwise with op into every
// rank's recv (len(recv) == len(send) on all ranks). recv and send may be
// the same slice. Every rank gets bit-identical results.
func Allreduce[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T, op Op[T]) error {
	cl, err := begin(ctx, c, reduceDesc(opAllreduce, len(send), -1, op), sizeOf[T]())
	if err != nil {
		return err
	}
	if err := op.valid(cl); err != nil {
		return cl.end(err)
	}
	if len(recv) != len(send) {
		return cl.end(cl.argError("len(recv) = %d, want len(send) = %d", len(recv), len(send)))
	}
	if cl.size == 1 {
		copy(recv, send)
		return cl.end(nil)
	}
	if s, err := cl.seg(); err != nil {
		return cl.end(err)
	} else if s != nil {
		if ok, err := segAllreduce(s, cl, send, recv, op); ok {
			return cl.end(err)
		}
	}
	copy(recv, send)
	if n := cl.nodesFor(-1); n != nil && op.commutative {
		return cl.end(allreduceNodes(cl, n, recv, op))
	}
	if op.commutative && len(recv)*cl.elemSize >= allreduceRingMinBytes && len(recv) >= cl.size {
		if cl.size&(cl.size-1) == 0 {
			return cl.end(allreduceRabenseifner(cl, recv, op))
		}
		return cl.end(allreduceRing(cl, recv, op))
	}
	return cl.end(allreduceRecursiveDoubling(cl, recv, op))
}

// allreduceRecursiveDoubling is MPICH's: with pof2 the largest power of two
// <= p and rem = p-pof2, the first 2*rem ranks pair up (even sends to odd)
// so pof2 ranks remain; they exchange with partners at distance 1, 2, 4,
// ... and combine lower-rank operand first, so both partners compute the
// same bits; finally the odd ranks hand the result back to the even ones.
func allreduceRecursiveDoubling[T comm.Number](cl *call, acc []T, op Op[T]) error {
	p, r, n := cl.size, cl.rank, len(acc)
	pof2 := 1
	for pof2*2 <= p {
		pof2 *= 2
	}
	rem := p - pof2
	tmp, free := scratchBuf[T](n)
	defer free()
	newrank := r - rem
	if r < 2*rem {
		if r%2 == 0 {
			if err := cl.send(r+1, asBytes(acc)); err != nil {
				return err
			}
			newrank = -1
		} else {
			if err := cl.recv(r-1, asBytes(tmp)); err != nil {
				return err
			}
			op.apply(acc, tmp, acc)
			newrank = r / 2
		}
	}
	if newrank >= 0 {
		for mask := 1; mask < pof2; mask <<= 1 {
			nd := newrank ^ mask
			dst := nd + rem
			if nd < rem {
				dst = nd*2 + 1
			}
			if err := cl.sendrecv(dst, asBytes(acc), dst, asBytes(tmp)); err != nil {
				return err
			}
			if dst < r {
				op.apply(acc, tmp, acc)
			} else {
				op.apply(acc, acc, tmp)
			}
		}
	}
	if r < 2*rem {
		if r%2 == 1 {
			return cl.send(r-1, asBytes(acc))
		}
		return cl.recv(r+1, asBytes(acc))
	}
	return nil
}

// allreduceRabenseifner, for a power-of-two p: reduce-scatter by recursive
// halving (step k exchanges half of the remaining range with the partner at
// distance p/2^k), then allgather by recursive doubling in reverse. It
// moves as few bytes as the ring in 2 log2(p) steps instead of 2(p-1).
// Every block is reduced at one rank and copied from there, so all ranks
// get the same bits. For other p the ring avoids the extra full-size
// messages that folding to a power of two would cost.
func allreduceRabenseifner[T comm.Number](cl *call, acc []T, op Op[T]) error {
	p, r, n := cl.size, cl.rank, len(acc)
	per := (n + p - 1) / p
	off := func(i int) int { return min(i*per, n) }
	tmp, free := scratchBuf[T](n)
	defer free()
	lo, hi := 0, p // the block range this rank is responsible for
	type step struct{ dst, sendLo, sendHi, keepLo, keepHi int }
	var steps []step
	for half := p / 2; half >= 1; half /= 2 {
		dst := r ^ half
		mid := lo + (hi-lo)/2
		st := step{dst: dst}
		if r < dst {
			st.sendLo, st.sendHi, st.keepLo, st.keepHi = mid, hi, lo, mid
		} else {
			st.sendLo, st.sendHi, st.keepLo, st.keepHi = lo, mid, mid, hi
		}
		keep := acc[off(st.keepLo):off(st.keepHi)]
		in := tmp[off(st.keepLo):off(st.keepHi)]
		if err := cl.sendrecv(dst, asBytes(acc[off(st.sendLo):off(st.sendHi)]), dst, asBytes(in)); err != nil {
			return err
		}
		if dst < r {
			op.apply(keep, in, keep)
		} else {
			op.apply(keep, keep, in)
		}
		lo, hi = st.keepLo, st.keepHi
		steps = append(steps, st)
	}
	for i := len(steps) - 1; i >= 0; i-- {
		st := steps[i]
		if err := cl.sendrecv(st.dst, asBytes(acc[off(st.keepLo):off(st.keepHi)]), st.dst, asBytes(acc[off(st.sendLo):off(st.sendHi)])); err != nil {
			return err
		}
	}
	return nil
}

// allreduceRing: reduce-scatter around the ring (after p-1 steps rank r
// holds the full result of block r+1), then a ring allgather of the
// blocks. Each block is reduced once, so every rank gets the same bits.
func allreduceRing[T comm.Number](cl *call, acc []T, op Op[T]) error {
	p, r, n := cl.size, cl.rank, len(acc)
	per := (n + p - 1) / p
	off := func(i int) int { return min(i*per, n) }
	right, left := (r+1)%p, (r-1+p)%p
	tmp, free := scratchBuf[T](per)
	defer free()
	for i := 0; i < p-1; i++ {
		s, g := (r-i+p)%p, (r-i-1+p)%p
		blk := acc[off(g):off(g+1)]
		if err := cl.sendrecv(right, asBytes(acc[off(s):off(s+1)]), left, asBytes(tmp[:len(blk)])); err != nil {
			return err
		}
		op.apply(blk, tmp[:len(blk)], blk)
	}
	for i := 0; i < p-1; i++ {
		s, g := (r+1-i+p)%p, (r-i+p)%p
		if err := cl.sendrecv(right, asBytes(acc[off(s):off(s+1)]), left, asBytes(acc[off(g):off(g+1)])); err != nil {
			return err
		}
	}
	return nil
}

// Scan stores in each rank r's recv the inclusive prefix reduction
// send_0 op ... op send_r (recursive doubling, ceil(log2 p) steps).
func Scan[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T, op Op[T]) error {
	return scan(ctx, c, send, recv, op, false)
}

// Exscan stores in each rank r > 0's recv the exclusive prefix reduction
// send_0 op ... op send_{r-1}. Rank 0's recv is not written (MPI leaves it
// undefined).
func Exscan[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T, op Op[T]) error {
	return scan(ctx, c, send, recv, op, true)
}

func scan[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T, op Op[T], exclusive bool) error {
	code := opScan
	if exclusive {
		code = opExscan
	}
	cl, err := begin(ctx, c, reduceDesc(code, len(send), -1, op), sizeOf[T]())
	if err != nil {
		return err
	}
	if err := op.valid(cl); err != nil {
		return cl.finish(err)
	}
	if len(recv) != len(send) {
		return cl.finish(cl.argError("len(recv) = %d, want len(send) = %d", len(recv), len(send)))
	}
	p, r, n := cl.size, cl.rank, len(send)
	partial, freeP := scratchBuf[T](n)
	defer freeP()
	copy(partial, send)
	tmp, free := scratchBuf[T](n)
	defer free()
	first := true
	if !exclusive {
		copy(recv, send)
		first = false
	}
	for mask := 1; mask < p; mask <<= 1 {
		dst := r ^ mask
		if dst >= p {
			continue
		}
		if err := cl.sendrecv(dst, asBytes(partial), dst, asBytes(tmp)); err != nil {
			return cl.finish(err)
		}
		if dst < r {
			op.apply(partial, tmp, partial)
			if first {
				copy(recv, tmp)
				first = false
			} else {
				op.apply(recv, tmp, recv)
			}
		} else {
			op.apply(partial, partial, tmp)
		}
	}
	return cl.finish(nil)
}
