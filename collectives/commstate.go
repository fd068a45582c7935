package collectives

import (
	"sync/atomic"

	"github.com/gorun-hpc/gorun/comm"
)

// commState is what this package keeps per communicator (comm.Attr):
// its host segments (shm_seg.go) and its nonblocking calls in flight
// (nonblocking.go). One value under one key, so a call finds all of it
// with one lookup in begin: three lookups per call (the segment in begin
// and again in the algorithm, the calls in flight in finish) were a
// twentieth of a two-rank Barrier through a segment.
type commState struct {
	// seg is the communicator's segment when all its ranks share a host;
	// hostSeg that of its ranks on this host when it spans hosts.
	seg, hostSeg segState
	inflight     atomic.Pointer[inflight] // nil until the first nonblocking call
	// hostsOne: 0 not known yet, 1 all ranks on one host, 2 not.
	hostsOne atomic.Uint32
}

// oneHost reports whether all of c's ranks share a host (c's host
// numbering, which never changes, looked at once).
func (st *commState) oneHost(c *comm.Comm) bool {
	switch st.hostsOne.Load() {
	case 1:
		return true
	case 2:
		return false
	}
	v := uint32(1)
	for _, h := range c.Hosts() {
		if h != 0 {
			v = 2
		}
	}
	st.hostsOne.Store(v)
	return v == 1
}

type commStateKey struct{}

func stateOf(c *comm.Comm) *commState {
	return c.Attr(commStateKey{}, func() any { return &commState{} }).(*commState)
}

// segment is the communicator's segment, if it has one already: the
// whole communicator's, or that of its ranks on this host.
func (st *commState) segment() *shmSeg {
	if s := st.seg.seg.Load(); s != nil {
		return s
	}
	return st.hostSeg.seg.Load()
}

// calls is the communicator's record of nonblocking calls in flight,
// made on first use.
func (st *commState) calls() *inflight {
	if f := st.inflight.Load(); f != nil {
		return f
	}
	st.inflight.CompareAndSwap(nil, &inflight{calls: map[uint64]*call{}})
	return st.inflight.Load()
}
