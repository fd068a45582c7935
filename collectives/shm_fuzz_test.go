package collectives

import (
	"encoding/binary"
	"testing"
)

// FuzzSegmentAnnouncement: a peer's slot in a host segment is written by
// another process of the job (mode 0600, a job-secret name, but a buggy
// or differently built rank can write anything). Whatever the slot holds,
// reading the peer's announcement and describing the mismatch it shows
// must not panic.
func FuzzSegmentAnnouncement(f *testing.F) {
	l := layoutFor(2)
	mem := make([]byte, l.size)
	initSeg(mem, l)
	s := newShmSeg(mem, l, 0)
	slot := mem[segSlotsOff+segSlotSize : segSlotsOff+2*segSlotSize]

	// A real announcement of Bcast(root=1, 3 x int64) at seq 5.
	peer := newShmSeg(mem, l, 1)
	peer.announce(5, desc{op: opBcast, kind: kindOf[int64](), root: 1, count: 3})
	f.Add(uint64(5), append([]byte(nil), slot...))
	clear(slot)
	junk := make([]byte, segSlotSize)
	for i := range junk {
		junk[i] = byte(i * 37)
	}
	binary.LittleEndian.PutUint64(junk[slotAnn+2*32:], 2) // seq 2's entry claims seq 2
	f.Add(uint64(2), junk)
	mine := desc{op: opBarrier, root: -1, count: -1}
	f.Fuzz(func(t *testing.T, seq uint64, b []byte) {
		clear(slot)
		copy(slot, b)
		d, ok := s.announced(1, seq)
		if !ok {
			return
		}
		_ = mismatchDetail(mine, d)
		_ = d.call(seq).withArgs(true, true, true)
		err := &MismatchError{Rank: 0, Call: mine.call(seq), Peer: 1, PeerCall: d.call(seq), Detail: mismatchDetail(mine, d)}
		_ = err.Error()
	})
}
