package comm

import (
	"fmt"
	"time"
)

// Host segments: a shared mapping among the ranks of one communicator on
// one host, for libraries (collectives) that synchronise through memory
// rather than messages. The name comes from the job secret, the creating
// rank and a nonce the creator chooses, exactly as for the streams' rings
// (shm.go): nobody outside the job can name it, it is created 0600 with
// O_EXCL, an opener checks owner, mode and size, and the creator unlinks
// it as soon as every member mapped it (the caller's job: it knows when).
// Failure notices and revocation reach a rank waiting in such a segment
// through Broken and FailureNotices, since no receive of it is pending.

// hostSegDst marks a host segment's name apart from any stream's (whose
// destination is a rank).
const hostSegDst = -1

// SharedMemory reports whether c's ranks on one host may share memory:
// the system has shared-memory segments (Linux) and TCP is not forced
// (GORUN_TRANSPORT=tcp, Config.TCPOnly).
func (c *Comm) SharedMemory() bool { return shmSupported && !c.w.tcpOnly }

// hostSegName is the name of the segment rank creator (of c) made with
// nonce; c's context id is part of it, so two communicators never share one.
func (c *Comm) hostSegName(creator int, nonce []byte) string {
	var id [8]byte
	for i := range id {
		id[i] = byte(c.id >> (8 * i))
	}
	n := append([]byte("gorun/hostseg/v1\x00"), id[:]...)
	return shmName(c.w.secret, c.w.jobID, c.members[creator], hostSegDst, append(n, nonce...))
}

// CreateHostSegment creates and maps a zeroed host segment of size bytes
// named by this rank and nonce (which the caller sends its peers, with
// whom it may then open it). The caller unlinks it with
// UnlinkHostSegment once they all mapped it, or gave up.
func (c *Comm) CreateHostSegment(nonce []byte, size int) ([]byte, error) {
	if !c.SharedMemory() {
		return nil, fmt.Errorf("comm: host segment: shared memory is off (not Linux, or GORUN_TRANSPORT=tcp)")
	}
	return createShm(c.hostSegName(c.rank, nonce), size)
}

// OpenHostSegment maps the host segment rank creator of c made with nonce,
// after checking that it is this user's, mode 0600, of size bytes.
func (c *Comm) OpenHostSegment(creator int, nonce []byte, size int) ([]byte, error) {
	if err := c.checkPeer(creator, false, "OpenHostSegment"); err != nil {
		return nil, err
	}
	if !c.SharedMemory() {
		return nil, fmt.Errorf("comm: host segment: shared memory is off (not Linux, or GORUN_TRANSPORT=tcp)")
	}
	return openShm(c.hostSegName(creator, nonce), size)
}

// UnlinkHostSegment removes the name of the segment rank creator made with
// nonce; mappings stay valid. Any member that knows the nonce may: a
// setup that fails because the creator died is cleaned up by the others.
func (c *Comm) UnlinkHostSegment(creator int, nonce []byte) {
	if c.checkPeer(creator, false, "UnlinkHostSegment") == nil {
		unlinkShm(c.hostSegName(creator, nonce))
	}
}

// HostSegmentPath is where the segment of rank creator with nonce lives
// while it has a name (for tests: it must be gone once set up).
func (c *Comm) HostSegmentPath(creator int, nonce []byte) string {
	return shmDir + c.hostSegName(creator, nonce)
}

// UnmapHostSegment unmaps a segment from CreateHostSegment or
// OpenHostSegment; mem must not be used after.
func UnmapHostSegment(mem []byte) error { return unmapShm(mem) }

// PollTimes is how long a rank waiting on memory shared with its peers
// should poll before it blocks, and how long of that without yielding the
// CPU to other processes: the policy of the streams' rings (shm.go,
// pollPolicy), which polls without yielding only while the job's ranks on
// this host are no more than its cores, and polls briefly, yielding, when
// they outnumber them.
func (c *Comm) PollTimes() (spin, hot time.Duration) { return c.w.pollTimes() }

// Broken is the error every operation on c gets now: the job failed or
// is aborting, a member of c died, or c was revoked; nil while c works.
func (c *Comm) Broken() error { return c.brokenErr() }

// FailureNotices returns two channels for a rank that waits without a
// pending receive: down is closed when the world fails (a rank died
// without recovery, an Abort, the launcher gone), news at the next death
// or departure of a rank, or stream event, in a world that recovers; news
// is replaced after it fires, so ask again. Neither says revocation: poll
// Broken for that.
func (c *Comm) FailureNotices() (down, news <-chan struct{}) {
	return c.w.eng.down, c.w.eng.deathWait()
}

// Departures counts the ranks of the world that closed their
// communicators (a clean goodbye) so far. Zero means Departed is nil for
// every member; a rank waiting in shared memory reads it without a lock
// before it asks Departed.
func (c *Comm) Departures() uint32 { return c.w.eng.departures.Load() }

// Departed returns the error a receive from member r gives once r has
// closed its communicator (Close, or an exit after Close), or nil while r
// has not. A rank waiting in shared memory for r's arrival uses it: r
// will not come, and the error names it as a receive's would.
func (c *Comm) Departed(r int) error {
	if r < 0 || r >= len(c.members) {
		return nil
	}
	if re := c.w.eng.goneErr(c.members[r]); re != nil {
		return re
	}
	return nil
}
