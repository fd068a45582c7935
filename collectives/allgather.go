package collectives

import (
	"context"

	"github.com/gorun-hpc/gorun/comm"
)

// allgatherRingMinBytes: from this many bytes in the whole result,
// Allgather uses the ring (p-1 steps, each rank sends and receives every
// other block once: bandwidth-optimal) instead of Bruck's algorithm
// (ceil(log2 p) steps but a final rotation copy and uneven step sizes).
// MPICH switches at 80 KiB for non-powers of two; TCP's higher per-step
// latency argues for the same order of magnitude.
const allgatherRingMinBytes = 128 << 10

// Allgather collects every rank's send into every rank's recv, rank i's
// block at recv[i*len(send):]. All ranks pass sends of the same length and
// recv of Size()*len(send) elements.
func Allgather[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T) error {
	cl, err := begin(ctx, c, desc{op: opAllgather, kind: kindOf[T](), root: -1, count: int64(len(send))}, sizeOf[T]())
	if err != nil {
		return err
	}
	if len(recv) != cl.size*len(send) {
		return cl.finish(cl.argError("recv holds %d elements, want Size()*len(send) = %d", len(recv), cl.size*len(send)))
	}
	return cl.finish(cl.allgather(asBytes(send), asBytes(recv)))
}

func (cl *call) allgather(send, recv []byte) error {
	n := len(send)
	copy(recv[cl.rank*n:], send)
	if cl.size == 1 {
		return nil
	}
	if len(recv) >= allgatherRingMinBytes {
		offs := make([]int, cl.size+1)
		for i := range offs {
			offs[i] = i * n
		}
		return cl.allgatherRing(recv, offs)
	}
	return cl.allgatherBruck(send, recv)
}

// allgatherRing: recv already holds this rank's block at offs[rank]; at
// step i send block rank-i to the right and receive block rank-i-1 from the
// left.
func (cl *call) allgatherRing(recv []byte, offs []int) error {
	p, r := cl.size, cl.rank
	right, left := (r+1)%p, (r-1+p)%p
	for i := 0; i < p-1; i++ {
		s, g := (r-i+p)%p, (r-i-1+p)%p
		if err := cl.sendrecv(right, recv[offs[s]:offs[s+1]], left, recv[offs[g]:offs[g+1]]); err != nil {
			return err
		}
	}
	return nil
}

// allgatherBruck: tmp block j holds rank r+j's block. At step k (a power of
// two) send the first min(k, p-k) blocks to r-k and receive as many from
// r+k behind them. A final rotation puts blocks in rank order.
func (cl *call) allgatherBruck(send, recv []byte) error {
	p, r, n := cl.size, cl.rank, len(send)
	tmp, free := scratchBuf[byte](p * n)
	defer free()
	copy(tmp, send)
	for k := 1; k < p; k <<= 1 {
		m := min(k, p-k)
		if err := cl.sendrecv((r-k+p)%p, tmp[:m*n], (r+k)%p, tmp[k*n:(k+m)*n]); err != nil {
			return err
		}
	}
	copy(recv[r*n:], tmp[:(p-r)*n])
	copy(recv[:r*n], tmp[(p-r)*n:])
	return nil
}

// Allgatherv collects counts[i] elements from rank i into every rank's
// recv, packed in rank order. Every rank passes the same counts (checked:
// a different vector is a mismatch), len(recv) == sum(counts) and
// len(send) == counts[Rank()]. It uses the ring for every size.
func Allgatherv[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T, counts []int) error {
	cl, err := begin(ctx, c, desc{op: opAllgatherv, kind: kindOf[T](), root: -1, count: int64(len(recv)), check: hashInts(counts)}, sizeOf[T]())
	if err != nil {
		return err
	}
	offs, err := cl.offsets(counts, len(recv))
	if err != nil {
		return cl.finish(err)
	}
	if len(send) != counts[cl.rank] {
		return cl.finish(cl.argError("len(send) = %d but counts[%d] = %d", len(send), cl.rank, counts[cl.rank]))
	}
	es := sizeOf[T]()
	for i := range offs {
		offs[i] *= es
	}
	rb := asBytes(recv)
	copy(rb[offs[cl.rank]:], asBytes(send))
	return cl.finish(cl.allgatherRing(rb, offs))
}
