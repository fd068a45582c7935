package collectives

import (
	"context"

	"github.com/gorun-hpc/gorun/comm"
)

// alltoallPairwiseMinBytes: blocks of at least this size use the pairwise
// exchange (step i: send to r+i, receive from r-i, one pair at a time, so
// each receive is posted before its data comes and lands in place). Smaller
// blocks are all sent at once and then received, so the p-1 latencies
// overlap instead of adding up (Open MPI's "basic linear" for small
// messages).
const alltoallPairwiseMinBytes = 16 << 10

// Alltoall sends block j of every rank's send (send[j*b:][:b], b =
// len(send)/Size()) to rank j, which stores it as block i of its recv when
// it comes from rank i. All ranks pass send and recv of the same length, a
// multiple of Size().
func Alltoall[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T) error {
	cl, err := begin(ctx, c, desc{op: opAlltoall, kind: kindOf[T](), root: -1, count: int64(len(send))}, sizeOf[T]())
	if err != nil {
		return err
	}
	if len(send)%cl.size != 0 || len(recv) != len(send) {
		return cl.finish(cl.argError("len(send) = %d and len(recv) = %d must be equal multiples of Size() = %d", len(send), len(recv), cl.size))
	}
	return cl.finish(cl.alltoall(asBytes(send), asBytes(recv)))
}

func (cl *call) alltoall(send, recv []byte) error {
	p, r := cl.size, cl.rank
	b := len(send) / p
	copy(recv[r*b:(r+1)*b], send[r*b:(r+1)*b])
	if b >= alltoallPairwiseMinBytes {
		for i := 1; i < p; i++ {
			d, s := (r+i)%p, (r-i+p)%p
			if err := cl.sendrecv(d, send[d*b:(d+1)*b], s, recv[s*b:(s+1)*b]); err != nil {
				return err
			}
		}
		return nil
	}
	for i := 1; i < p; i++ {
		d := (r + i) % p
		if err := cl.send(d, send[d*b:(d+1)*b]); err != nil {
			return err
		}
	}
	for i := 1; i < p; i++ {
		s := (r - i + p) % p
		if err := cl.recv(s, recv[s*b:(s+1)*b]); err != nil {
			return err
		}
	}
	return nil
}

// Alltoallv is Alltoall with a size per pair (MPI_Alltoallv with packed
// blocks): rank i sends send[sum(sendCounts[:j]):][:sendCounts[j]] to rank
// j, which stores it at recv[sum(recvCounts[:i]):][:recvCounts[i]]. Rank
// j's recvCounts[i] must equal rank i's sendCounts[j]; a difference is
// reported as a mismatch naming both ranks. The exchange is pairwise
// (step k: send to r+k, receive from r-k), so at most one block per peer
// is in flight and each lands in place.
func Alltoallv[T comm.Number](ctx context.Context, c *comm.Comm, send []T, sendCounts []int, recv []T, recvCounts []int) error {
	cl, err := begin(ctx, c, desc{op: opAlltoallv, kind: kindOf[T](), root: -1, count: -1}, sizeOf[T]())
	if err != nil {
		return err
	}
	soffs, err := cl.offsets(sendCounts, len(send))
	if err != nil {
		return cl.finish(err)
	}
	roffs, err := cl.offsets(recvCounts, len(recv))
	if err != nil {
		return cl.finish(err)
	}
	es := sizeOf[T]()
	sb, rb := asBytes(send), asBytes(recv)
	p, r := cl.size, cl.rank
	if sendCounts[r] != recvCounts[r] {
		return cl.finish(cl.argError("sendCounts[%d] = %d but recvCounts[%d] = %d (a rank's block to itself)", r, sendCounts[r], r, recvCounts[r]))
	}
	copy(rb[roffs[r]*es:roffs[r+1]*es], sb[soffs[r]*es:soffs[r+1]*es])
	for k := 1; k < p; k++ {
		d, s := (r+k)%p, (r-k+p)%p
		if err := cl.sendrecv(d, sb[soffs[d]*es:soffs[d+1]*es], s, rb[roffs[s]*es:roffs[s+1]*es]); err != nil {
			return cl.finish(err)
		}
	}
	return cl.finish(nil)
}
