package collectives

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gorun-hpc/gorun/comm"
)

// Collectives through a host segment (ARCHITECTURE.md, decision 38): on a
// communicator whose ranks all share a host, Barrier and Allreduce meet in
// one shared mapping per communicator instead of exchanging messages. Each
// rank owns a slot of cache lines it alone writes: its arrival (a counter
// of synchronisations, the epoch, beside the call's sequence number), its
// release (for the tree), its bell (a futex word others bump to wake it)
// and its announcements (the description of each collective call it
// makes, blocking or not, segment or not, in a ring of 8). A rank waiting
// for a peer reads the peer's slot; seeing the peer announce a different
// call at its sequence number, or pass it, is a mismatch, reported as on
// the message path.
//
// Layout (little endian; every offset a multiple of 64):
//
//	0      magic u64 | ranks u32 | smallMax u32 | bigChunk u64 | size u64
//	64     broken u32: a rank failed a call; waiters stop and find out why
//	128    slot of rank r at 128 + r*segSlotSize:
//	         +0   arrive u64 (epoch<<32 | seq&0xffffffff)
//	         +64  release u64 (epoch)
//	         +128 bell u32 | sleeping u32
//	         +192 announcements: 8 x {seq, op|kind<<8|root<<32, count, check}
//	         +448 last announced seq u64
//	small  rank r's two small buffers (by epoch parity) of smallMax bytes
//	big    two sets (by round parity) of one bigChunk buffer per rank
//
// The arrival word has a cache line to itself: waiters poll it, and a
// word the owner writes for another reason (its announcements) beside it
// would take the line from them and back at every call.
const (
	segMagic     = 0x326c6c6f63757267 // "grucoll2"
	segBrokenOff = 64
	segSlotsOff  = 128
	segSlotSize  = 12 * 64
	slotRelease  = 64
	slotBell     = 128
	slotAnn      = 192
	slotLast     = 448
	segAnnounced = 8 // announcements kept per rank (a power of two)

	// segSmallMax is the largest Allreduce (bytes per rank) that goes
	// through the small buffers: every rank reads all p of them (flat)
	// or its children's (tree).
	segSmallMax = 4 << 10
	// segBigBudget bounds the big buffers of one segment (two sets of p);
	// segBigMax is the most one rank contributes per round, segBigMin the
	// least worth a reduce-scatter (below it the message path's tree wins
	// at large p). tmpfs gives memory only to pages that are written.
	segBigBudget = 32 << 20
	segBigMax    = 1 << 20
	segBigMin    = 64 << 10
	// segFlatMax: up to this many ranks every rank waits for every other
	// (one hop); above it a tree of segFanout children per rank gathers
	// arrivals to rank 0 and spreads its release (2 log_k p hops, k reads
	// each instead of p).
	segFlatMax = 8
	segFanout  = 8
	// segParkMax bounds one futex wait: revocation by a rank that was not
	// in a collective reaches a parked rank only through Broken.
	segParkMax = 250 * time.Millisecond
	// segBrokenGrace: a rank that finds the segment broken waits this long
	// for the breaker's revocation or failure notice to reach comm.
	segBrokenGrace = 2 * time.Second
)

// segLayout is the geometry of a segment of p ranks.
type segLayout struct {
	p                  int
	smallOff, bigOff   int
	smallMax, bigChunk int
	size               int
}

func layoutFor(p int) segLayout {
	l := segLayout{p: p, smallMax: segSmallMax}
	l.smallOff = segSlotsOff + p*segSlotSize
	l.bigOff = align(l.smallOff+2*p*l.smallMax, 4096)
	if c := segBigBudget / (2 * p) &^ 4095; c >= segBigMin {
		l.bigChunk = min(c, segBigMax)
	}
	l.size = l.bigOff + 2*p*l.bigChunk
	return l
}

func align(n, a int) int { return (n + a - 1) &^ (a - 1) }

// segSlot is one rank's slot, viewed as the atomic words it holds.
type segSlot struct {
	arrive, last *atomic.Uint64
	release      *atomic.Uint64
	bell, sleep  *atomic.Uint32
	ann          *[segAnnounced][4]atomic.Uint64
}

// shmSeg is one rank's view of its communicator's segment.
type shmSeg struct {
	segLayout
	mem    []byte
	rank   int   // this rank's index in the segment
	ranks  []int // the call's rank of each index; nil: the same
	broken *atomic.Uint32
	slots  []segSlot
	// epoch counts this rank's synchronisations through the segment;
	// round its big-buffer rounds (for the set's parity). Only the
	// blocking calls of one goroutine touch them.
	epoch uint32
	round uint64
	prev  uint64        // sequence number of this rank's previous call through the segment
	spin  time.Duration // poll this long before parking
	hot   time.Duration // of which this long without yielding the CPU
}

func newShmSeg(mem []byte, l segLayout, rank int) *shmSeg {
	s := &shmSeg{segLayout: l, mem: mem, rank: rank}
	p := unsafe.Pointer(unsafe.SliceData(mem))
	s.broken = (*atomic.Uint32)(unsafe.Add(p, segBrokenOff))
	s.slots = make([]segSlot, l.p)
	for r := range s.slots {
		b := unsafe.Add(p, segSlotsOff+r*segSlotSize)
		s.slots[r] = segSlot{
			arrive:  (*atomic.Uint64)(b),
			last:    (*atomic.Uint64)(unsafe.Add(b, slotLast)),
			release: (*atomic.Uint64)(unsafe.Add(b, slotRelease)),
			bell:    (*atomic.Uint32)(unsafe.Add(b, slotBell)),
			sleep:   (*atomic.Uint32)(unsafe.Add(b, slotBell+4)),
			ann:     (*[segAnnounced][4]atomic.Uint64)(unsafe.Add(b, slotAnn)),
		}
	}
	return s
}

// peer is the call's rank of the segment's index q.
func (s *shmSeg) peer(q int) int {
	if s.ranks == nil {
		return q
	}
	return s.ranks[q]
}

// initSeg writes a fresh segment's header.
func initSeg(mem []byte, l segLayout) {
	binary.LittleEndian.PutUint64(mem[0:], segMagic)
	binary.LittleEndian.PutUint32(mem[8:], uint32(l.p))
	binary.LittleEndian.PutUint32(mem[12:], uint32(l.smallMax))
	binary.LittleEndian.PutUint64(mem[16:], uint64(l.bigChunk))
	binary.LittleEndian.PutUint64(mem[24:], uint64(l.size))
}

// checkSeg verifies that mem holds the header initSeg wrote for l.
func checkSeg(mem []byte, l segLayout) error {
	if len(mem) != l.size || binary.LittleEndian.Uint64(mem) != segMagic ||
		binary.LittleEndian.Uint32(mem[8:]) != uint32(l.p) || binary.LittleEndian.Uint32(mem[12:]) != uint32(l.smallMax) ||
		binary.LittleEndian.Uint64(mem[16:]) != uint64(l.bigChunk) || binary.LittleEndian.Uint64(mem[24:]) != uint64(l.size) {
		return fmt.Errorf("collectives: host segment of %d bytes does not hold the layout for %d ranks: every rank must run the same gorun version", len(mem), l.p)
	}
	return nil
}

// small is rank r's small buffer for epoch e.
func (s *shmSeg) small(r int, e uint32) []byte {
	off := s.smallOff + (2*r+int(e&1))*s.smallMax
	return s.mem[off : off+s.smallMax : off+s.smallMax]
}

// big is rank r's big buffer of set k.
func (s *shmSeg) big(k uint64, r int) []byte {
	off := s.bigOff + (int(k&1)*s.p+r)*s.bigChunk
	return s.mem[off : off+s.bigChunk : off+s.bigChunk]
}

// announce publishes this rank's call seq with description d.
func (s *shmSeg) announce(seq uint64, d desc) {
	sl := s.slots[s.rank]
	a := &sl.ann[seq%segAnnounced]
	a[0].Store(0) // a reader that sees the old seq in between sees none
	a[1].Store(uint64(d.op) | uint64(d.kind)<<8 | uint64(uint32(d.root))<<32)
	a[2].Store(uint64(d.count))
	a[3].Store(d.check)
	a[0].Store(seq)
	sl.last.Store(seq)
}

// announced is rank r's announcement for seq, if it still holds it.
func (s *shmSeg) announced(r int, seq uint64) (desc, bool) {
	a := &s.slots[r].ann[seq%segAnnounced]
	if a[0].Load() != seq {
		return desc{}, false
	}
	w1, count, check := a[1].Load(), a[2].Load(), a[3].Load()
	if a[0].Load() != seq {
		return desc{}, false
	}
	return desc{op: opCode(w1), kind: uint8(w1 >> 8), root: int32(uint32(w1 >> 32)), count: int64(count), check: check}, true
}

// segState is a communicator's segment on this rank (comm.Attr): set up by
// the first call that wants it, then used by every call, or nil if the
// members could not all map one.
type segState struct {
	mu    sync.Mutex
	tried bool
	seg   atomic.Pointer[shmSeg]
	// nonce and creator name the segment (tests look for its file).
	nonce   []byte
	creator int
}

func segStateOf(c *comm.Comm) *segState { return &stateOf(c).seg }

// segOf is c's segment, if it has one already: the whole communicator's,
// or that of its ranks on this host.
func segOf(c *comm.Comm) *shmSeg { return stateOf(c).segment() }

// segWanted reports whether cl's communicator should meet in a host
// segment: a blocking call (nonblocking ones run beside the caller, who
// may meet in the segment meanwhile), more than one rank, all on this
// host, and shared memory allowed.
func (cl *call) segWanted() bool {
	if cl.tag != tagData || cl.size < 2 || !cl.user.SharedMemory() {
		return false
	}
	return cl.st.oneHost(cl.c)
}

// seg returns the segment cl's call runs in, setting it up with the peers
// on the communicator's first call that wants one, or nil: the message
// path. Every member decides alike: from the call, which they agree on,
// and the setup's outcome, which they all learn.
func (cl *call) seg() (*shmSeg, error) {
	if !cl.segWanted() {
		return nil, nil
	}
	return cl.segFor(&cl.st.seg, nil)
}

// hostSeg is seg for the ranks of cl's communicator on this host, local
// (sorted, as nodes.local is with no root): nil when shared memory is
// off, the host has this rank alone, or the call is nonblocking.
func (cl *call) hostSeg(local []int) (*shmSeg, error) {
	if cl.tag != tagData || len(local) < 2 || !cl.user.SharedMemory() {
		return nil, nil
	}
	return cl.segFor(&cl.st.hostSeg, local)
}

// segFor returns st's segment, setting it up with the ranks of group (all
// of the communicator's when nil) on the first call.
func (cl *call) segFor(st *segState, group []int) (*shmSeg, error) {
	if s := st.seg.Load(); s != nil {
		return s, nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.tried {
		// This first call runs on messages; once it succeeded, when every
		// member is known to be here and in this call, finish sets the
		// segment up (setupPending), so the setup never waits for a rank
		// that is late or in another call (errors name that rank as
		// before, from the call's own algorithm).
		st.tried = true
		cl.segPending, cl.segGroup = st, group
	}
	return st.seg.Load(), nil
}

// setupPending sets up the segment the call's segFor left pending, after
// the call succeeded on messages.
func (cl *call) setupPending() error {
	st, group := cl.segPending, cl.segGroup
	cl.segPending = nil
	s, err := cl.setupSeg(st, group)
	if err != nil || s == nil {
		return err
	}
	st.seg.Store(s)
	c := cl.user
	runtime.AddCleanup(c, func(mem []byte) { _ = comm.UnmapHostSegment(mem) }, s.mem)
	return nil
}

// Setup: rank 0 creates a segment and broadcasts (ok, nonce); every rank
// maps it; a reduction (min) tells rank 0 whether all did, and rank 0,
// having unlinked it, broadcasts the verdict: all use it or none. Trees
// (binomial, as the message path's Bcast and Reduce), so a rank talks to
// log p peers, not rank 0 to all; the messages carry the call's header,
// so a peer in another collective sees a mismatch as with any message.
const segNonceSize = 16

func (cl *call) setupSeg(st *segState, group []int) (*shmSeg, error) {
	all := group
	if all == nil {
		all = make([]int, cl.size)
		for r := range all {
			all[r] = r
		}
	}
	l := layoutFor(len(all))
	creator, me := all[0], pos(all, cl.rank)
	offer := make([]byte, 1+segNonceSize)
	var mem []byte
	if me == 0 {
		_, _ = rand.Read(offer[1:])
		var err error
		if mem, err = cl.user.CreateHostSegment(offer[1:], l.size); err == nil {
			initSeg(mem, l)
			offer[0] = 1
		}
	}
	if err := cl.bcastGroup(all, 0, offer); err != nil {
		return nil, cl.abandonSeg(creator, offer, mem, err)
	}
	if offer[0] != 1 {
		return nil, nil
	}
	st.nonce, st.creator = offer[1:], creator
	mapped := []uint8{1}
	if me != 0 {
		var err error
		if mem, err = cl.user.OpenHostSegment(creator, st.nonce, l.size); err == nil {
			if err = checkSeg(mem, l); err != nil {
				_ = comm.UnmapHostSegment(mem)
			}
		}
		if err != nil {
			mem, mapped[0] = nil, 0
		}
	}
	if err := reduceGroup(cl, all, 0, mapped, Min[uint8]()); err != nil {
		return nil, cl.abandonSeg(creator, offer, mem, err)
	}
	if me == 0 {
		cl.user.UnlinkHostSegment(creator, st.nonce) // mapped by all, or abandoned
	}
	verdict := mapped[:1]
	if err := cl.bcastGroup(all, 0, verdict); err != nil || verdict[0] != 1 {
		return nil, cl.abandonSeg(creator, offer, mem, err)
	}
	s := cl.newSeg(mem, l, me)
	if group != nil {
		s.ranks = group
	}
	return s, nil
}

// abandonSeg unmaps this rank's mapping of a segment the setup gave up,
// unlinks it if this rank knows its name (the offer came: the creator may
// have died before unlinking it), and returns err.
func (cl *call) abandonSeg(creator int, offer, mem []byte, err error) error {
	if offer[0] == 1 {
		cl.user.UnlinkHostSegment(creator, offer[1:])
	}
	if mem != nil {
		_ = comm.UnmapHostSegment(mem)
	}
	return err
}

func (cl *call) newSeg(mem []byte, l segLayout, me int) *shmSeg {
	s := newShmSeg(mem, l, me)
	s.spin, s.hot = cl.user.PollTimes()
	return s
}
