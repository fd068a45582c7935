package collectives

import (
	"context"
	"fmt"
	"sync"

	"github.com/gorun-hpc/gorun/comm"
)

// Nonblocking collectives (MPI-3's Ibarrier, Ibcast, ...) return a
// *comm.Request at once and run the blocking algorithm in a goroutine of
// their own, so they progress while the caller computes, with no progress
// calls. The caller's buffers belong to the call until the request
// completes.
//
// Ordering: MPI requires every rank to issue its collectives on a
// communicator, blocking or not, in the same order. A nonblocking call
// takes its sequence number when it is issued (in the caller's goroutine),
// so the n-th collective call is the same call on every rank. Its messages
// travel on a tag of its own derived from that number (nbTag), never on
// tagData: a blocking collective issued after it, or a second nonblocking
// one, cannot take its messages, and two ranks that issue different
// nonblocking calls as their n-th still exchange headers on one tag and
// see the mismatch. A rank whose n-th call is blocking while a peer's is
// nonblocking is caught by the watchdog's probes, which look up the calls
// still in flight on this rank (inflight) before answering that a call is
// finished.

// nbTagBase is the first tag of nonblocking calls on the Collective view
// (below it: tagData, tagProbe). Tags wrap after 2^30-16 calls, far more
// than can be in flight at once.
const (
	nbTagBase = 16
	nbTagSpan = 1<<30 - nbTagBase
)

func nbTag(seq uint64) int { return nbTagBase + int(seq%nbTagSpan) }

// inflight is one rank's nonblocking calls on one communicator that have
// not finished, by sequence number, and its last finished calls (for
// leftovers); stored on the communicator (comm.Attr) when the rank first
// issues a nonblocking call on it.
type inflight struct {
	mu     sync.Mutex
	calls  map[uint64]*call
	recent [leftoverWindow]finished // by seq % leftoverWindow
}

type finished struct {
	seq uint64
	d   desc
}

// leftoverWindow is how many of its last calls a rank checks for
// leftovers when a call finishes.
const leftoverWindow = 8

func inflightOf(c *comm.Comm) *inflight { return stateOf(c).calls() }

// lookup returns this rank's unfinished nonblocking call seq on cl's
// communicator, or nil.
func (cl *call) lookup(seq uint64) *call {
	f := cl.st.inflight.Load()
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[seq]
}

// leftovers finds messages of a mismatch that no receive will ever take.
// In a correct program a peer sends this rank a message of call n only if
// this rank's call n receives it; so a message on the tag of a call this
// rank has finished was sent by a peer whose n-th call is a different
// one. With blocking calls only, the next receive from that peer finds it
// on tagData; a nonblocking call's tag is its own, so when the calls on
// both sides only send (the roots of Ibcasts with different roots), only
// this check sees it. It runs as each call finishes, on communicators on
// which this rank has issued nonblocking calls, over the last
// leftoverWindow calls: the peer's stray message was sent before anything
// the peer sent this rank later, so it is queued by the time a later call
// has received from that peer.
func (cl *call) leftovers() error {
	f := cl.st.inflight.Load()
	if f == nil {
		return nil
	}
	f.mu.Lock()
	f.recent[cl.seq%leftoverWindow] = finished{cl.seq, cl.d}
	var done []finished
	for _, r := range f.recent {
		if r.seq != 0 && r.seq <= cl.seq && f.calls[r.seq] == nil {
			done = append(done, r)
		}
	}
	f.mu.Unlock()
	for _, r := range done {
		st, ok := cl.c.Queued(comm.AnySource, nbTag(r.seq))
		if !ok {
			continue
		}
		msg, _, err := cl.c.RecvBytes(cl.ctx, st.Source, nbTag(r.seq))
		if err != nil {
			continue
		}
		h, herr := decodeHeader(msg[:min(len(msg), hdrSize)])
		if herr != nil {
			continue
		}
		err = &MismatchError{Rank: cl.rank, Call: r.d.call(r.seq), Peer: st.Source, PeerCall: h.desc.call(h.seq),
			Detail: "rank " + fmt.Sprint(st.Source) + " sent a message for that call, which this rank finished without receiving from it"}
		if cl.failed.CompareAndSwap(nil, &err) {
			cl.segBreak()
			cl.user.Revoke(err)
		}
		return *cl.failed.Load()
	}
	return nil
}

// istart begins a nonblocking call in the caller's goroutine (taking its
// sequence number) and runs it in another; run does the argument checks
// and the algorithm.
func istart(ctx context.Context, c *comm.Comm, d desc, elemSize int, run func(cl *call) error) *comm.Request {
	cl, err := begin(ctx, c, d, elemSize)
	if err != nil {
		return comm.Completed(comm.Status{}, err)
	}
	cl.tag = nbTag(cl.seq)
	f := inflightOf(c)
	f.mu.Lock()
	f.calls[cl.seq] = cl
	f.mu.Unlock()
	return comm.Start(func() (comm.Status, error) {
		err := run(cl)
		f.mu.Lock()
		delete(f.calls, cl.seq)
		f.mu.Unlock()
		return comm.Status{}, cl.finish(err)
	})
}

// Ibarrier starts a Barrier: the request completes once every member has
// called Ibarrier (e.g. to tell that all ranks reached a point while
// computing on).
func Ibarrier(ctx context.Context, c *comm.Comm) *comm.Request {
	return istart(ctx, c, desc{op: opIbarrier, root: -1, count: -1}, 0, func(cl *call) error { return cl.barrier() })
}

// Ibcast starts a Bcast of root's buf into every rank's buf.
func Ibcast[T comm.Number](ctx context.Context, c *comm.Comm, buf []T, root int) *comm.Request {
	d := desc{op: opIbcast, kind: kindOf[T](), root: int32(root), count: int64(len(buf))}
	return istart(ctx, c, d, sizeOf[T](), func(cl *call) error {
		if err := cl.checkRoot(root); err != nil {
			return err
		}
		return cl.bcast(asBytes(buf), root)
	})
}

// Ireduce starts a Reduce of every rank's send into root's recv.
func Ireduce[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T, op Op[T], root int) *comm.Request {
	return istart(ctx, c, reduceDesc(opIreduce, len(send), root, op), sizeOf[T](), func(cl *call) error {
		if err := cl.checkRoot(root); err != nil {
			return err
		}
		if err := op.valid(cl); err != nil {
			return err
		}
		if cl.rank == root && len(recv) != len(send) {
			return cl.argError("len(recv) = %d, want len(send) = %d", len(recv), len(send))
		}
		return reduceBinomial(cl, send, recv, op, root)
	})
}

// Iallreduce starts an Allreduce; every rank gets bit-identical results,
// as from Allreduce.
func Iallreduce[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T, op Op[T]) *comm.Request {
	return istart(ctx, c, reduceDesc(opIallreduce, len(send), -1, op), sizeOf[T](), func(cl *call) error {
		if err := op.valid(cl); err != nil {
			return err
		}
		if len(recv) != len(send) {
			return cl.argError("len(recv) = %d, want len(send) = %d", len(recv), len(send))
		}
		copy(recv, send)
		if cl.size == 1 {
			return nil
		}
		if op.commutative && len(recv)*cl.elemSize >= allreduceRingMinBytes && len(recv) >= cl.size {
			if cl.size&(cl.size-1) == 0 {
				return allreduceRabenseifner(cl, recv, op)
			}
			return allreduceRing(cl, recv, op)
		}
		return allreduceRecursiveDoubling(cl, recv, op)
	})
}

// Igather starts a Gather of every rank's send into root's recv.
func Igather[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T, root int) *comm.Request {
	d := desc{op: opIgather, kind: kindOf[T](), root: int32(root), count: int64(len(send))}
	return istart(ctx, c, d, sizeOf[T](), func(cl *call) error {
		if err := cl.checkRoot(root); err != nil {
			return err
		}
		if cl.rank == root && len(recv) != cl.size*len(send) {
			return cl.argError("recv holds %d elements, want Size()*len(send) = %d", len(recv), cl.size*len(send))
		}
		return cl.gather(asBytes(send), asBytes(recv), root)
	})
}

// Iscatter starts a Scatter of root's send to every rank's recv.
func Iscatter[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T, root int) *comm.Request {
	d := desc{op: opIscatter, kind: kindOf[T](), root: int32(root), count: int64(len(recv))}
	return istart(ctx, c, d, sizeOf[T](), func(cl *call) error {
		if err := cl.checkRoot(root); err != nil {
			return err
		}
		if cl.rank == root && len(send) != cl.size*len(recv) {
			return cl.argError("send holds %d elements, want Size()*len(recv) = %d", len(send), cl.size*len(recv))
		}
		return cl.scatter(asBytes(send), asBytes(recv), root)
	})
}

// Iallgather starts an Allgather of every rank's send into every rank's
// recv.
func Iallgather[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T) *comm.Request {
	d := desc{op: opIallgather, kind: kindOf[T](), root: -1, count: int64(len(send))}
	return istart(ctx, c, d, sizeOf[T](), func(cl *call) error {
		if len(recv) != cl.size*len(send) {
			return cl.argError("recv holds %d elements, want Size()*len(send) = %d", len(recv), cl.size*len(send))
		}
		return cl.allgather(asBytes(send), asBytes(recv))
	})
}

// Ialltoall starts an Alltoall.
func Ialltoall[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T) *comm.Request {
	d := desc{op: opIalltoall, kind: kindOf[T](), root: -1, count: int64(len(send))}
	return istart(ctx, c, d, sizeOf[T](), func(cl *call) error {
		if len(send)%cl.size != 0 || len(recv) != len(send) {
			return cl.argError("len(send) = %d and len(recv) = %d must be equal multiples of Size() = %d", len(send), len(recv), cl.size)
		}
		return cl.alltoall(asBytes(send), asBytes(recv))
	})
}
