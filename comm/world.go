package comm

import (
	"log/slog"
	"maps"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorun-hpc/gorun/rendezvous"
)

// world is one rank's transport: its listener, the connections it dialed
// for its own sends (directed: a dialed connection only carries our frames,
// an accepted one only the peer's, so no dial race needs resolving), and
// the matching engine its readers feed.
type world struct {
	rank, size int
	jobID      string
	secret     []byte
	addrs      []string
	ln         net.Listener
	eng        *engine
	log        *slog.Logger
	dialTO     time.Duration
	ctl        *ctlClient         // nil without a rendezvous (NewLocal keeps one too)
	svc        *rendezvous.Server // the rendezvous this rank serves (rank 0 under srun)
	stats      *statsState        // I/O statistics (iostats.go); nil when off

	mu       sync.Mutex
	out      map[int]*outConn
	outTab   atomic.Pointer[[]atomic.Pointer[outConn]] // out by rank, read without mu (outFor)
	accepted []net.Conn
	shmIn    map[int]*inStream // peers' streams that are rings, by world rank (poll.go)
	rings    []*shmRing        // the rings of peers' streams, unmapped by close
	polling  atomic.Int32      // receives polling rings now (poll.go)
	// directTab holds the TCP streams that receives read themselves, by
	// world rank, read without mu; directs counts them (tcpread.go).
	directTab atomic.Pointer[[]atomic.Pointer[inStream]]
	directs   atomic.Int32
	from      map[int]bool          // ranks with an accepted connection: a second claim is refused
	refused   refusals              // rate-limited warnings about refused connections
	bye       map[int]bool          // peers that said goodbye
	byeCh     map[int]chan struct{} // closed when that peer's goodbye arrives (see byeWait)
	closed    atomic.Bool
	done      chan struct{} // closed by close: stalled readers stop waiting
	lazyWait  atomic.Int64  // time.Duration; see defaultLazyWait
	lostWait  atomic.Int64  // time.Duration; see defaultLostWait
	// causeSent: this rank told the launcher which rank it fails because of.
	causeSent atomic.Bool
	// leftCause is the first receive error this rank got because a peer
	// left (closed its communicator); its goodbye carries it, so a peer
	// waiting on this rank names the rank that left first.
	leftCause atomic.Pointer[RankError]
	// suspectHook, if set (tests), is called when a lost peer's verdict
	// starts waiting for a better-informed one.
	suspectHook atomic.Pointer[func(rank int)]
	compress    bool          // Config.Compress: zstd for large frames to other hosts
	tcpOnly     bool          // Config.TCPOnly: no shared-memory streams (shm.go)
	spin        time.Duration // how long a ring side spins before it blocks (ring.go)
	hot         time.Duration // of which without yielding the CPU; see hotSpin
	hotOnce     sync.Once
	pollFor     time.Duration // spin, less when ranks outnumber cores; see pollTimes
	// compressAll compresses to every peer, same host or not (tests).
	compressAll atomic.Bool
	wg          sync.WaitGroup
}

type outConn struct {
	mu  sync.Mutex
	c   net.Conn
	shm *shmTx             // non-nil: frames go through this ring, c is its doorbell
	raw *rawIO             // small frames' raw writes on TCP (rawio_linux.go), or nil
	hdr [frameHdrSize]byte // the frame header being written (under mu)
	err error
}

// writeFrame writes one whole frame b on the stream (the caller holds
// oc.mu), within d.
func (oc *outConn) writeFrame(b []byte, d time.Duration) error {
	if oc.shm != nil {
		_ = oc.c.SetDeadline(time.Now().Add(d))
		defer oc.c.SetDeadline(time.Time{})
		return oc.shm.write(time.Now().Add(d), b, nil)
	}
	_ = oc.c.SetWriteDeadline(time.Now().Add(d))
	defer oc.c.SetWriteDeadline(time.Time{})
	_, err := oc.c.Write(b)
	return err
}

// shut closes the stream; the caller holds oc.mu.
func (oc *outConn) shut() {
	oc.c.Close()
	if oc.shm != nil {
		oc.shm.r.release()
		oc.shm = nil
	}
}

// outConns is a snapshot of the connections this rank dialed.
func (w *world) outConns() []*outConn {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Collect(maps.Values(w.out))
}
