package collectives

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/gorun-hpc/gorun/comm"
)

// sendrecvInline is the largest message a sendrecv sends before posting its
// receive, without a helper goroutine: comm sends small messages eagerly (the
// peer's connection reader takes them even if no receive is posted), so both
// partners can send first. Larger sends run beside the receive so the
// receive is posted early and the data lands in the caller's buffer instead
// of an unexpected-message copy.
const sendrecvInline = 16 << 10

// call is the state of one collective call on one rank: its agreed
// description, its sequence number, the header it sends, and the watchdog
// that probes a peer it waits for too long.
type call struct {
	ctx      context.Context
	user     *comm.Comm // revoked on failure
	c        *comm.Comm // user.Collective(): all traffic goes here
	st       *commState // user's state in this package
	rank     int
	size     int
	seq      uint64
	d        desc
	elemSize int
	hdr      [hdrSize]byte
	// tag carries the call's messages: tagData for blocking calls, a tag
	// of its own for a nonblocking one (nonblocking.go).
	tag int

	// waiting is gen<<32 | (src+1) while the call blocks in a receive
	// from src, 0 otherwise; read by the watchdog.
	waiting atomic.Uint64
	gen     uint32

	// began, wprev, wnext, inList: the call's place in the watchlist
	// (watchlist.go), guarded by its lock; watching says it joined.
	began        uint64 // the watchlist's tick when the call joined
	wprev, wnext *call
	inList       bool
	watching     bool
	mu           sync.Mutex
	finished     bool
	prober       *prober
	failed       atomic.Pointer[error] // mismatch found by the watchdog

	stats callStats // I/O statistics (iostats.go); zero when off

	// segPending: this call, the communicator's first that wants a host
	// segment, sets it up (of the ranks segGroup, nil: all) as it
	// finishes (shm_seg.go).
	segPending *segState
	segGroup   []int

	// reusable: finish found nothing else holding the call (end).
	reusable bool
}

// callPool keeps calls that ended for the next begin: a call is a few
// hundred bytes, and allocating one per call was a twentieth of a
// two-rank Barrier through a host segment, with the collections it
// caused on top.
var callPool sync.Pool

// end is finish for a blocking call whose caller keeps nothing of cl
// afterwards: it also gives cl back to callPool when finish found
// nothing else holding it (its watchdog never started).
func (cl *call) end(err error) error {
	err = cl.finish(err)
	if cl.reusable && cl.tag == tagData {
		*cl = call{}
		callPool.Put(cl)
	}
	return err
}

// begin starts a collective call on c. Every public function calls it first
// and finish last, on every rank, so sequence numbers stay in step.
func begin(ctx context.Context, c *comm.Comm, d desc, elemSize int) (*call, error) {
	if c == nil {
		return nil, fmt.Errorf("collectives: %s on a nil communicator: pass the *comm.Comm from comm.Init: %w", d.op, ErrArgument)
	}
	cl, _ := callPool.Get().(*call)
	if cl == nil {
		cl = new(call)
	}
	*cl = call{ctx: ctx, user: c, c: c.Collective(), st: stateOf(c), rank: c.Rank(), size: c.Size(), d: d, elemSize: elemSize, tag: tagData}
	cl.seq = c.NextSeq()
	h := header{desc: d, sender: int32(cl.rank), commID: c.ID(), seq: cl.seq}
	h.encode(&cl.hdr)
	if rec := c.Stats(); rec != nil {
		cl.startStats(rec, c)
	}
	if cl.size > 1 {
		watched.add(cl)
		cl.watching = true
		if s := cl.st.segment(); s != nil {
			s.announce(cl.seq, d) // peers waiting in the segment compare it
		}
	}
	return cl, nil
}

// finish stops the watchdog. It returns err unchanged, or the mismatch the
// watchdog found, which explains err better than ErrRevoked does.
func (cl *call) finish(err error) error {
	if err == nil && cl.segPending != nil {
		err = cl.setupPending()
	}
	if cl.stats.comm != nil {
		cl.endStats()
	}
	cl.reusable = !cl.watching
	if cl.watching {
		// A call the scanner took may still be reached by its prober's
		// goroutine: never reused.
		cl.reusable = watched.remove(cl)
		cl.mu.Lock()
		cl.finished = true
		p := cl.prober
		cl.mu.Unlock()
		if p != nil {
			p.stop()
			cl.reusable = false
		}
	}
	if f := cl.failed.Load(); f != nil && err != nil {
		return *f
	}
	if err == nil {
		err = cl.leftovers()
	}
	return err
}

func (cl *call) name() string {
	return cl.d.call(cl.seq).withArgs(true, false, false)
}

// argError reports a bad argument of this rank's call and revokes the
// communicator: the other members are already in the collective and would
// wait for this rank forever.
func (cl *call) argError(format string, a ...any) error {
	err := fmt.Errorf("collectives: rank %d, %s: %s: %w", cl.rank, cl.name(), fmt.Sprintf(format, a...), ErrArgument)
	cl.segBreak()
	cl.user.Revoke(err)
	return err
}

// fail turns a transport error into the call's error. Errors that already
// end the communicator everywhere (revoked, rank failed, closed, aborted)
// are wrapped; any other local failure (a cancelled context) revokes the
// communicator so no peer waits for this rank.
func (cl *call) fail(err error) error {
	if f := cl.failed.Load(); f != nil {
		return *f
	}
	werr := fmt.Errorf("collectives: rank %d, %s: %w", cl.rank, cl.name(), err)
	cl.segBreak() // peers waiting in the segment must not wait for this rank
	if !errors.Is(err, comm.ErrRevoked) && !errors.Is(err, comm.ErrRankFailed) &&
		!errors.Is(err, comm.ErrClosed) && !errors.Is(err, comm.ErrAborted) {
		cl.user.Revoke(werr)
	}
	return werr
}

// mismatch records and reports a difference between this call and a peer's
// header; the first one found wins.
func (cl *call) mismatch(peer int, h header, detail string) error {
	err := error(&MismatchError{Rank: cl.rank, Call: cl.d.call(cl.seq), Peer: peer, PeerCall: h.desc.call(h.seq), Detail: detail})
	if cl.failed.CompareAndSwap(nil, &err) {
		cl.segBreak()
		cl.user.Revoke(err)
	}
	return *cl.failed.Load()
}

// mismatchAt reports that this rank's call seq, described by mine (an
// earlier call than cl's, which the segment path compares afterwards),
// differs from peer's, theirs; the first mismatch found wins, as in
// mismatch.
func (cl *call) mismatchAt(peer int, seq uint64, mine, theirs desc) error {
	err := error(&MismatchError{Rank: cl.rank, Call: mine.call(seq), Peer: peer, PeerCall: theirs.call(seq), Detail: mismatchDetail(mine, theirs)})
	if cl.failed.CompareAndSwap(nil, &err) {
		cl.segBreak()
		cl.user.Revoke(err)
	}
	return *cl.failed.Load()
}

// check compares a received header with this call.
func (cl *call) check(src int, h header) error {
	if h.commID != cl.user.ID() {
		return cl.fail(fmt.Errorf("message from rank %d carries communicator id %#x, want %#x", src, h.commID, cl.user.ID()))
	}
	if h.seq == cl.seq && h.desc == cl.d {
		return nil
	}
	detail := ""
	if h.seq == cl.seq {
		detail = mismatchDetail(cl.d, h.desc)
	}
	return cl.mismatch(src, h, detail)
}

// mismatchDetail explains how a peer's call d differs from this rank's
// call mine, at the same sequence number, when the Calls of an error do
// not show it.
func mismatchDetail(mine, d desc) string {
	if d.op != mine.op || d.root != mine.root || d.kind != mine.kind || d.count != mine.count {
		return ""
	}
	switch mine.op {
	case opAllgatherv:
		return "the counts vectors differ"
	case opReduce, opAllreduce, opScan, opExscan, opIreduce, opIallreduce, opReduceScatterBlock:
		return "the reduction ops differ"
	}
	return "the arguments differ"
}

func (cl *call) setWaiting(src int) {
	cl.gen++
	cl.waiting.Store(uint64(cl.gen)<<32 | uint64(uint32(src+1)))
}

func (cl *call) clearWaiting() { cl.waiting.Store(0) }

// send sends payload to dest behind the call's header.
func (cl *call) send(dest int, payload []byte) error {
	if cl.stats.comm != nil {
		cl.stats.bytes.Add(int64(len(payload)))
	}
	if err := cl.c.Sendv(cl.ctx, dest, cl.tag, cl.hdr[:], payload); err != nil {
		return cl.fail(cl.waited("sending to", dest, err))
	}
	return nil
}

// recv receives exactly len(payload) bytes from src into payload.
func (cl *call) recv(src int, payload []byte) error {
	n, err := cl.recvUpTo(src, payload)
	if err != nil {
		return err
	}
	if n != len(payload) {
		return cl.lengthMismatch(src, n, len(payload))
	}
	return nil
}

// recvUpTo receives from src into payload and returns the payload length
// the sender sent (which may exceed len(payload) only in error).
func (cl *call) recvUpTo(src int, payload []byte) (int, error) {
	var hb [hdrSize]byte
	cl.setWaiting(src)
	t := cl.waitStart()
	st, err := cl.c.Recvv(cl.ctx, src, cl.tag, hb[:], payload)
	cl.waitEnd(t, st.Count-hdrSize)
	cl.clearWaiting()
	if err != nil && !errors.Is(err, comm.ErrTruncate) {
		return 0, cl.fail(cl.waited("waiting for", src, err))
	}
	h, herr := decodeHeader(hb[:min(st.Count, hdrSize)])
	if herr != nil {
		return 0, cl.fail(herr)
	}
	if cerr := cl.check(src, h); cerr != nil {
		return 0, cerr
	}
	n := st.Count - hdrSize
	if err != nil { // truncated, yet the header matches
		return n, cl.lengthMismatch(src, n, len(payload))
	}
	return n, nil
}

// recvAlloc receives a message of any length from src (any-value forms).
func (cl *call) recvAlloc(src int) ([]byte, error) {
	cl.setWaiting(src)
	t := cl.waitStart()
	msg, st, err := cl.c.RecvBytes(cl.ctx, src, cl.tag)
	cl.waitEnd(t, st.Count-hdrSize)
	cl.clearWaiting()
	if err != nil {
		return nil, cl.fail(cl.waited("waiting for", src, err))
	}
	h, herr := decodeHeader(msg[:min(st.Count, len(msg), hdrSize)])
	if herr != nil {
		return nil, cl.fail(herr)
	}
	if cerr := cl.check(src, h); cerr != nil {
		return nil, cerr
	}
	return msg[hdrSize:], nil
}

// waited names the peer a send or receive was blocked on when the caller's
// context ended: a rank that is alive but never arrives (busy, blocked, in
// another part of the program) is otherwise invisible in the error. Other
// errors are returned unchanged; errors.Is still finds the context's error.
func (cl *call) waited(what string, peer int, err error) error {
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("%s rank %d (rank %d has not reached %s, or is stuck before it: look at what it is doing, e.g. gorun --timeout dumps every rank's goroutines): %w",
		what, peer, peer, cl.name(), err)
}

func (cl *call) lengthMismatch(src, got, want int) error {
	unit, g, w := "bytes", got, want
	if cl.elemSize > 1 && got%cl.elemSize == 0 && want%cl.elemSize == 0 {
		unit, g, w = cl.d.call(0).Kind+"s", got/cl.elemSize, want/cl.elemSize
	}
	h := header{desc: cl.d, seq: cl.seq}
	return cl.mismatch(src, h, fmt.Sprintf("rank %d sent %d %s where rank %d expects %d", src, g, unit, cl.rank, w))
}

// sendrecv sends sbuf to dest and receives exactly len(rbuf) bytes from src,
// at the same time, as MPI_Sendrecv does.
func (cl *call) sendrecv(dest int, sbuf []byte, src int, rbuf []byte) error {
	if len(sbuf) <= sendrecvInline {
		if err := cl.send(dest, sbuf); err != nil {
			return err
		}
		return cl.recv(src, rbuf)
	}
	serr := make(chan error, 1)
	go func() { serr <- cl.send(dest, sbuf) }()
	rerr := cl.recv(src, rbuf)
	if rerr != nil {
		// The send cannot hang once the communicator is revoked.
		<-serr
		return rerr
	}
	return <-serr
}

func isTruncate(err error) bool { return errors.Is(err, comm.ErrTruncate) }
