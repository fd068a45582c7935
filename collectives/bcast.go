package collectives

import (
	"context"

	"github.com/gorun-hpc/gorun/comm"
)

// Bcast algorithm thresholds. A binomial tree costs log2(p) full-message
// steps; van de Geijn's scatter + ring allgather moves about 2n bytes per
// rank whatever p is, but takes log2(p) + p-1 steps. Over TCP a step costs
// tens of microseconds, so the crossover is later than MPICH's 12 KiB
// (tuned for shared memory and InfiniBand); with 2 ranks scattering only
// adds a step.
const (
	bcastScatterMinBytes = 256 << 10
	bcastScatterMinRanks = 3
)

// Bcast copies root's buf into buf on every other rank. Every rank passes a
// buf of the same length.
func Bcast[T comm.Number](ctx context.Context, c *comm.Comm, buf []T, root int) error {
	cl, err := begin(ctx, c, desc{op: opBcast, kind: kindOf[T](), root: int32(root), count: int64(len(buf))}, sizeOf[T]())
	if err != nil {
		return err
	}
	if err := cl.checkRoot(root); err != nil {
		return cl.finish(err)
	}
	return cl.finish(cl.bcast(asBytes(buf), root))
}

func (cl *call) checkRoot(root int) error {
	if root < 0 || root >= cl.size {
		return cl.argError("root %d is not a rank of a communicator of size %d", root, cl.size)
	}
	return nil
}

func (cl *call) bcast(buf []byte, root int) error {
	if n := cl.nodesFor(root); n != nil {
		return cl.bcastNodes(n, buf, root)
	}
	if cl.size >= bcastScatterMinRanks && len(buf) >= bcastScatterMinBytes {
		return cl.bcastScatterRing(buf, root)
	}
	return cl.bcastBinomial(buf, root)
}

// bcastBinomial: relative rank v receives from v minus its lowest set bit,
// then sends to v+mask for every smaller power of two mask.
func (cl *call) bcastBinomial(buf []byte, root int) error {
	p := cl.size
	v := (cl.rank - root + p) % p
	mask := 1
	for mask < p {
		if v&mask != 0 {
			if err := cl.recv((v-mask+root)%p, buf); err != nil {
				return err
			}
			break
		}
		mask <<= 1
	}
	for mask >>= 1; mask > 0; mask >>= 1 {
		if v+mask < p {
			if err := cl.send((v+mask+root)%p, buf); err != nil {
				return err
			}
		}
	}
	return nil
}

// chunks splits n bytes into p nearly equal pieces on elemSize boundaries;
// piece i is buf[off(i):off(i+1)].
type chunks struct{ n, p, per int }

func newChunks(n, p, elemSize int) chunks {
	elems := n / max(elemSize, 1)
	per := (elems + p - 1) / p * max(elemSize, 1)
	return chunks{n: n, p: p, per: per}
}

func (c chunks) off(i int) int { return min(i*c.per, c.n) }

// bcastScatterRing is van de Geijn's broadcast: a binomial scatter gives
// relative rank v piece v, then a ring allgather completes every buffer.
func (cl *call) bcastScatterRing(buf []byte, root int) error {
	p := cl.size
	v := (cl.rank - root + p) % p
	ch := newChunks(len(buf), p, cl.elemSize)
	if err := cl.scatterPieces(buf, ch, v, root); err != nil {
		return err
	}
	// Ring over relative ranks: at step i send piece v-i, receive v-i-1.
	right, left := (cl.rank+1)%p, (cl.rank-1+p)%p
	for i := 0; i < p-1; i++ {
		s, r := (v-i+p)%p, (v-i-1+p)%p
		if err := cl.sendrecv(right, buf[ch.off(s):ch.off(s+1)], left, buf[ch.off(r):ch.off(r+1)]); err != nil {
			return err
		}
	}
	return nil
}

// scatterPieces is a binomial scatter in relative ranks: v receives pieces
// [v, v+lowbit(v)) from its parent and hands the upper halves to children.
// Pieces are contiguous in buf, so every transfer is one slice.
func (cl *call) scatterPieces(buf []byte, ch chunks, v, root int) error {
	p := cl.size
	mask := 1
	for mask < p {
		if v&mask != 0 {
			if err := cl.recv((v-mask+root)%p, buf[ch.off(v):ch.off(min(v+mask, p))]); err != nil {
				return err
			}
			break
		}
		mask <<= 1
	}
	for mask >>= 1; mask > 0; mask >>= 1 {
		if v+mask < p {
			if err := cl.send((v+mask+root)%p, buf[ch.off(v+mask):ch.off(min(v+2*mask, p))]); err != nil {
				return err
			}
		}
	}
	return nil
}
