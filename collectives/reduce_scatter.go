package collectives

import (
	"context"
	"fmt"

	"github.com/gorun-hpc/gorun/comm"
)

// ReduceScatterBlock combines every rank's send elementwise with op and
// leaves block i of the result (len(recv) elements) on rank i
// (MPI_Reduce_scatter_block): Reduce then Scatter in one call, moving
// about as many bytes as the Scatter alone. Every rank passes send of
// Size()*len(recv) elements.
func ReduceScatterBlock[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T, op Op[T]) error {
	cl, err := begin(ctx, c, reduceDesc(opReduceScatterBlock, len(recv), -1, op), sizeOf[T]())
	if err != nil {
		return err
	}
	if err := op.valid(cl); err != nil {
		return cl.finish(err)
	}
	if len(send) != cl.size*len(recv) {
		return cl.finish(cl.argError("send holds %d elements, want Size()*len(recv) = %d", len(send), cl.size*len(recv)))
	}
	offs := make([]int, cl.size+1)
	for i := range offs {
		offs[i] = i * len(recv)
	}
	return cl.finish(reduceScatter(cl, send, recv, offs, op))
}

// ReduceScatter is ReduceScatterBlock with a block size per rank
// (MPI_Reduce_scatter): rank i gets elements [sum(counts[:i]),
// sum(counts[:i+1])) of the reduction. Every rank passes the same counts
// (a different vector is a mismatch), len(send) == sum(counts) and
// len(recv) == counts[Rank()].
func ReduceScatter[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T, counts []int, op Op[T]) error {
	d := reduceDesc(opReduceScatter, len(send), -1, op)
	d.check = hashString(fmt.Sprint(op.name, counts))
	cl, err := begin(ctx, c, d, sizeOf[T]())
	if err != nil {
		return err
	}
	if err := op.valid(cl); err != nil {
		return cl.finish(err)
	}
	offs, err := cl.offsets(counts, len(send))
	if err != nil {
		return cl.finish(err)
	}
	if len(recv) != counts[cl.rank] {
		return cl.finish(cl.argError("len(recv) = %d but counts[%d] = %d", len(recv), cl.rank, counts[cl.rank]))
	}
	return cl.finish(reduceScatter(cl, send, recv, offs, op))
}

// reduceScatter leaves block r (send[offs[r]:offs[r+1]] reduced over all
// ranks) in rank r's recv. A commutative op goes around the ring: at step
// i rank r passes its partial sum of block r-i-1 to the right and adds the
// left neighbour's partial of block r-i-2, so after p-1 steps it holds
// block r complete; each rank sends and receives (p-1)/p of the vector,
// the least possible. A non-commutative op needs the operands in rank
// order: Reduce to rank 0 with the binomial tree, then Scatterv.
func reduceScatter[T comm.Number](cl *call, send, recv []T, offs []int, op Op[T]) error {
	p, r := cl.size, cl.rank
	if p == 1 {
		copy(recv, send)
		return nil
	}
	if !op.commutative {
		full, free := scratchBuf[T](len(send))
		defer free()
		if err := reduceBinomial(cl, send, full, op, 0); err != nil {
			return err
		}
		if r != 0 {
			return cl.recv(0, asBytes(recv))
		}
		for i := 1; i < p; i++ {
			if err := cl.send(i, asBytes(full[offs[i]:offs[i+1]])); err != nil {
				return err
			}
		}
		copy(recv, full[offs[0]:offs[1]])
		return nil
	}
	acc, free := scratchBuf[T](len(send))
	defer free()
	copy(acc, send)
	maxBlock := 0
	for i := range p {
		maxBlock = max(maxBlock, offs[i+1]-offs[i])
	}
	tmp, freeT := scratchBuf[T](maxBlock)
	defer freeT()
	right, left := (r+1)%p, (r-1+p)%p
	for i := 0; i < p-1; i++ {
		s, g := (r-i-1+2*p)%p, (r-i-2+2*p)%p
		blk := acc[offs[g]:offs[g+1]]
		in := tmp[:len(blk)]
		if err := cl.sendrecv(right, asBytes(acc[offs[s]:offs[s+1]]), left, asBytes(in)); err != nil {
			return err
		}
		op.apply(blk, in, blk)
	}
	copy(recv, acc[offs[r]:offs[r+1]])
	return nil
}
