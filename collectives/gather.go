package collectives

import (
	"context"

	"github.com/gorun-hpc/gorun/comm"
)

// gatherLinearMinBytes: from this many bytes per rank, Gather and Scatter
// talk to the root directly. A binomial tree needs only log2(p) steps at
// the root but forwards each block through up to log2(p) ranks; once the
// bytes outweigh the per-message latency, forwarding costs more than it
// saves (Open MPI switches to its linear algorithms in the same range).
const gatherLinearMinBytes = 64 << 10

// Gather collects every rank's send into root's recv, rank i's block at
// recv[i*len(send):]. All ranks pass sends of the same length; recv must
// hold Size()*len(send) elements on root and is ignored elsewhere (nil is
// fine).
func Gather[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T, root int) error {
	cl, err := begin(ctx, c, desc{op: opGather, kind: kindOf[T](), root: int32(root), count: int64(len(send))}, sizeOf[T]())
	if err != nil {
		return err
	}
	if err := cl.checkRoot(root); err != nil {
		return cl.finish(err)
	}
	if cl.rank == root && len(recv) != cl.size*len(send) {
		return cl.finish(cl.argError("recv holds %d elements, want Size()*len(send) = %d", len(recv), cl.size*len(send)))
	}
	return cl.finish(cl.gather(asBytes(send), asBytes(recv), root))
}

func (cl *call) gather(send, recv []byte, root int) error {
	if cl.size == 1 {
		copy(recv, send)
		return nil
	}
	if len(send) >= gatherLinearMinBytes {
		return cl.gatherLinear(send, recv, root)
	}
	return cl.gatherBinomial(send, recv, root)
}

func (cl *call) gatherLinear(send, recv []byte, root int) error {
	n := len(send)
	if cl.rank != root {
		return cl.send(root, send)
	}
	copy(recv[root*n:], send)
	for i := range cl.size {
		if i != root {
			if err := cl.recv(i, recv[i*n:(i+1)*n]); err != nil {
				return err
			}
		}
	}
	return nil
}

// gatherBinomial: relative rank v collects the blocks of its subtree
// [v, v+lowbit(v)) in relative order, then sends them to its parent in one
// message. The root rotates relative order back to rank order.
func (cl *call) gatherBinomial(send, recv []byte, root int) error {
	p, n := cl.size, len(send)
	v := (cl.rank - root + p) % p
	sub := p - v
	if v != 0 {
		sub = min(v&-v, p-v)
	}
	var tmp []byte
	switch {
	case sub == 1:
		tmp = send
	case v == 0 && root == 0:
		tmp = recv
	default:
		var free func()
		tmp, free = scratchBuf[byte](sub * n)
		defer free()
	}
	if sub != 1 {
		copy(tmp, send)
	}
	for mask := 1; mask < p; mask <<= 1 {
		if v&mask != 0 {
			return cl.send((v-mask+root)%p, tmp[:min(mask, p-v)*n])
		}
		if child := v | mask; child < p {
			if err := cl.recv((child+root)%p, tmp[mask*n:min(2*mask, p-v)*n]); err != nil {
				return err
			}
		}
	}
	// Root: tmp holds relative blocks 0..p-1; relative k is rank k+root.
	if root != 0 {
		copy(recv[root*n:], tmp[:(p-root)*n])
		copy(recv[:root*n], tmp[(p-root)*n:])
	}
	return nil
}

// Gatherv collects send from every rank into root's recv, rank i's
// elements at recv[sum(counts[:i]):][:counts[i]]. counts and recv matter
// only on root, where len(counts) == Size(), len(recv) == sum(counts) and
// counts[i] must equal rank i's len(send) (a difference is reported as a
// mismatch). Blocks are packed in rank order; for other layouts gather
// into a scratch buffer and copy.
func Gatherv[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T, counts []int, root int) error {
	cl, err := begin(ctx, c, desc{op: opGatherv, kind: kindOf[T](), root: int32(root), count: -1}, sizeOf[T]())
	if err != nil {
		return err
	}
	if err := cl.checkRoot(root); err != nil {
		return cl.finish(err)
	}
	es := sizeOf[T]()
	if cl.rank != root {
		return cl.finish(cl.send(root, asBytes(send)))
	}
	offs, err := cl.offsets(counts, len(recv))
	if err != nil {
		return cl.finish(err)
	}
	if counts[root] != len(send) {
		return cl.finish(cl.argError("counts[%d] = %d but root's own len(send) = %d", root, counts[root], len(send)))
	}
	rb := asBytes(recv)
	copy(rb[offs[root]*es:], asBytes(send))
	for i := range cl.size {
		if i != root {
			if err := cl.recv(i, rb[offs[i]*es:offs[i+1]*es]); err != nil {
				return cl.finish(err)
			}
		}
	}
	return cl.finish(nil)
}

// offsets checks a counts vector against a buffer length and returns the
// packed offsets (len Size()+1).
func (cl *call) offsets(counts []int, total int) ([]int, error) {
	if len(counts) != cl.size {
		return nil, cl.argError("len(counts) = %d, want Size() = %d", len(counts), cl.size)
	}
	offs := make([]int, cl.size+1)
	for i, n := range counts {
		if n < 0 {
			return nil, cl.argError("counts[%d] = %d is negative", i, n)
		}
		offs[i+1] = offs[i] + n
	}
	if offs[cl.size] != total {
		return nil, cl.argError("counts add up to %d elements but the buffer holds %d", offs[cl.size], total)
	}
	return offs, nil
}
