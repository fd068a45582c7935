package comm

import (
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"sync"
	"sync/atomic"
)

// AnySource and AnyTag match any sender or tag in a receive.
const (
	AnySource = -1
	AnyTag    = -1
	// Undefined as a Split color gives the caller no communicator.
	Undefined = -1
	// ProcNull as a peer is no peer (MPI_PROC_NULL): a send to it does
	// nothing, a receive from it completes at once with nothing and
	// Status{Source: ProcNull, Tag: AnyTag}. Cart.Shift returns it past
	// the edge of a non-periodic grid, so edge ranks need no special case.
	ProcNull = -2
	maxTag   = 1 << 30
)

// Status describes a received message.
type Status struct {
	Source int // rank in the communicator
	Tag    int
	Count  int // bytes (elements for RecvSlice) of the whole message
}

// Comm is a communicator: a group of ranks and a private context, so its
// messages never match another communicator's.
type Comm struct {
	w       *world
	id      uint64
	members []int // world rank of each member
	rank    int   // our rank among members
	seq     atomic.Uint64
	splits  atomic.Uint64
	collMu  sync.Mutex
	coll    *Comm
	isColl  bool
	isWorld bool
	hosts   func() []int // see Hosts
	isends  isendQueue   // Isends in flight, per destination (isend.go)
	attrs   sync.Map     // Attr's values (attr.go)

	// agrees counts Agree and Shrink calls on c (agree.go); agreeHook, if
	// set (tests), sees an agreement's steps on this rank: "propose" from,
	// "proposed" and "decide" to a rank of c.
	agrees    atomic.Uint64
	agreeHook func(step string, rank int)
}

// Rank is this process's rank in c, 0 <= Rank < Size.
func (c *Comm) Rank() int { return c.rank }

// Size is the number of ranks in c.
func (c *Comm) Size() int { return len(c.members) }

// ID is c's context id: the same on every member, unique in the job.
func (c *Comm) ID() uint64 { return c.id }

// WorldRank is the world rank of c's rank r.
func (c *Comm) WorldRank(r int) int { return c.members[r] }

// NextSeq numbers collective calls on c: 1, 2, 3, ...
func (c *Comm) NextSeq() uint64 { return c.seq.Add(1) }

// Collective is a view of c in a hidden context, for libraries such as
// collectives whose messages must never match user point-to-point traffic.
func (c *Comm) Collective() *Comm {
	if c.isColl {
		return c
	}
	c.collMu.Lock()
	defer c.collMu.Unlock()
	if c.coll == nil {
		c.coll = &Comm{w: c.w, id: deriveID(c.id, 0, "collective"), members: c.members, rank: c.rank, isColl: true, hosts: c.hostsFunc()}
	}
	return c.coll
}

// Close ends c. Closing the world communicator says goodbye to the peers
// and the launcher (MPI_Finalize); the process should exit soon after.
// A peer's receive from a rank that closed fails instead of waiting, and
// names the rank that left first when this one closes after failing
// because a peer left. A rank that exits without Close while others run is
// reported to them as failed (under gorun, as mpiexec does): defer Close
// right after Init. A Close that runs while the rank panics (deferred)
// tells the others that it panicked: it failed, it did not leave.
func (c *Comm) Close() error {
	if c.isWorld {
		c.w.close(panicking())
	}
	return nil
}

// Abort ends the whole job with code: the launcher stops every rank.
func (c *Comm) Abort(code int) {
	if c.w.ctl != nil {
		c.w.ctl.abort(code)
	}
	os.Exit(code)
}

// Revoke breaks c on every member: their pending and future operations on
// c return an error wrapping ErrRevoked with err's text and our rank.
func (c *Comm) Revoke(err error) {
	msg := []byte(err.Error())
	for _, ctx := range []uint64{c.id, c.Collective().id} {
		for _, wr := range c.members {
			if c.w.eng.deadErr(wr) != nil {
				continue // no dial to the dead (a recovering world)
			}
			_ = c.w.send(context.Background(), wr, frameHdr{kind: frameRevoke, ctx: ctx}, [][]byte{msg})
		}
	}
}

func deriveID(parent, n uint64, what string) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%d/%s", parent, n, what)
	return h.Sum64() | 1
}

func (c *Comm) checkPeer(r int, any bool, op string) error {
	if any && r == AnySource {
		return nil
	}
	if r < 0 || r >= len(c.members) {
		return fmt.Errorf("comm: %s: rank %d out of range [0,%d): %w", op, r, len(c.members), ErrArgument)
	}
	return nil
}

func checkTag(t int, any bool, op string) error {
	if (any && t == AnyTag) || (t >= 0 && t < maxTag) {
		return nil
	}
	return fmt.Errorf("comm: %s: tag %d outside 0..%d: %w", op, t, maxTag-1, ErrArgument)
}

func (c *Comm) sendFrame(ctx context.Context, dest, tag int, elem uint8, bufs [][]byte) error {
	if err := c.isends.waitFor(ctx, dest); err != nil {
		return err
	}
	return c.sendNow(ctx, dest, tag, elem, bufs)
}

// sendNow is sendFrame without waiting for earlier Isends (an Isend's own
// send).
func (c *Comm) sendNow(ctx context.Context, dest, tag int, elem uint8, bufs [][]byte) error {
	if dest == ProcNull {
		return nil
	}
	if err := c.checkPeer(dest, false, "send"); err != nil {
		return err
	}
	if err := checkTag(tag, false, "send"); err != nil {
		return err
	}
	if err := c.brokenErr(); err != nil {
		return err
	}
	return c.w.send(ctx, c.members[dest], frameHdr{kind: frameData, elem: elem, tag: int32(tag), ctx: c.id}, bufs)
}

func (c *Comm) brokenErr() error { return c.w.eng.brokenIn(c.id, c.members) }

func (c *Comm) recvMsg(ctx context.Context, src, tag int, peek bool, bufs [][]byte) (message, Status, error) {
	return c.recvMsgElem(ctx, src, tag, peek, bufs, -1)
}

// recvMsgElem is recvMsg for a receive of one element kind (elem >= 0):
// only a message of that kind is read straight into bufs.
func (c *Comm) recvMsgElem(ctx context.Context, src, tag int, peek bool, bufs [][]byte, elem int) (message, Status, error) {
	if src == ProcNull {
		return message{}, Status{Source: ProcNull, Tag: AnyTag}, nil
	}
	if err := c.checkPeer(src, true, "recv"); err != nil {
		return message{}, Status{}, err
	}
	if err := checkTag(tag, true, "recv"); err != nil {
		return message{}, Status{}, err
	}
	wsrc := AnySource
	if src != AnySource {
		wsrc = c.members[src]
	}
	m, err := c.w.eng.recv(ctx, c.id, c.members, wsrc, tag, peek, bufs, elem)
	if err != nil {
		if re, ok := c.w.eng.leftErr(err); ok {
			// This rank is likely to fail because re.Rank left early:
			// the launcher then names it to the others, not this rank,
			// and so does this rank's goodbye to its peers.
			c.w.noteLeft(re)
		}
		return m, Status{}, err
	}
	return m, Status{Source: c.localRank(m.src), Tag: m.tag, Count: m.n}, nil
}

func (c *Comm) localRank(world int) int {
	for i, w := range c.members {
		if w == world {
			return i
		}
	}
	return -1
}

// Send sends buf to dest with tag; it returns once buf is handed to the
// kernel, so buf may be reused.
func (c *Comm) Send(ctx context.Context, dest, tag int, buf []byte) error {
	return c.sendFrame(ctx, dest, tag, 0, [][]byte{buf})
}

// Sendv sends the concatenation of bufs as one message, without copying.
func (c *Comm) Sendv(ctx context.Context, dest, tag int, bufs ...[]byte) error {
	return c.sendFrame(ctx, dest, tag, 0, bufs)
}

// Recv receives one message into buf; see Recvv for truncation.
func (c *Comm) Recv(ctx context.Context, src, tag int, buf []byte) (Status, error) {
	return c.Recvv(ctx, src, tag, buf)
}

// Recvv receives one message, scattering it over bufs in order. A message
// longer than the buffers fills them with its prefix and returns an error
// wrapping ErrTruncate; Status.Count is always the whole length.
func (c *Comm) Recvv(ctx context.Context, src, tag int, bufs ...[]byte) (Status, error) {
	m, st, err := c.recvMsg(ctx, src, tag, false, bufs)
	if err != nil || m.data == nil { // nil data: read straight into bufs
		return st, err
	}
	data := m.data
	for _, b := range bufs {
		n := copy(b, data)
		data = data[n:]
	}
	if len(data) > 0 {
		return st, fmt.Errorf("comm: message of %d bytes from rank %d tag %d is longer than the receive buffer: %w", st.Count, st.Source, st.Tag, ErrTruncate)
	}
	return st, nil
}

// RecvBytes receives one message of any length into a new slice.
func (c *Comm) RecvBytes(ctx context.Context, src, tag int) ([]byte, Status, error) {
	m, st, err := c.recvMsg(ctx, src, tag, false, nil)
	return m.data, st, err
}

// Probe waits for a matching message and describes it without receiving it.
func (c *Comm) Probe(ctx context.Context, src, tag int) (Status, error) {
	_, st, err := c.recvMsg(ctx, src, tag, true, nil)
	return st, err
}

// Iprobe is Probe without waiting.
func (c *Comm) Iprobe(src, tag int) (Status, bool, error) {
	if src == ProcNull {
		return Status{Source: ProcNull, Tag: AnyTag}, true, nil
	}
	if err := c.checkPeer(src, true, "iprobe"); err != nil {
		return Status{}, false, err
	}
	wsrc := AnySource
	if src != AnySource {
		wsrc = c.members[src]
	}
	m, ok, err := c.w.eng.iprobe(c.id, c.members, wsrc, tag)
	if !ok && err == nil {
		c.w.watchTCP(wsrc) // frames left in a socket nobody reads: read them now
	}
	if !ok || err != nil {
		return Status{}, false, err
	}
	return Status{Source: c.localRank(m.src), Tag: m.tag, Count: m.n}, true, nil
}
