package comm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// A ring is one direction of a same-host stream: a single-producer,
// single-consumer byte ring in a shared mapping (shm.go), carrying the
// same frames a TCP stream carries. The writer publishes how far it wrote
// (head), the reader how far it read (tail); both counters only grow.
// Neither side makes a system call while the other is busy: a side that
// finds nothing to do spins for a while on the other's counter, then sets
// its sleeping word and blocks reading the pair's TCP connection, which
// the other side writes one byte to (the doorbell) only when it sees that
// word set. The TCP connection stays the lifeline: a peer that dies closes
// it, which wakes a blocked side, so a rank killed while holding a ring
// never hangs its peer.
//
// Layout of the mapping (little endian, one cache line per word that a
// side writes): magic u64 | size u64 at 0, head u64 at 64, tail u64 at 128,
// reader sleeping u32 at 192, writer sleeping u32 at 256, reader watching
// u32 at 320 (watch.go), data at 4096.
const (
	ringMagic   = 0x31686d736e757267 // "grunshm1"
	ringHeadOff = 64
	ringTailOff = 128
	ringRSleep  = 192
	ringWSleep  = 256
	ringPolling = 320
	ringDataOff = 4096
	// ringSize is the data area of one ring: it buffers about as much as
	// the TCP stream it replaces (streams.go asks for 4 MiB socket
	// buffers), so sends that completed before a matching receive was
	// posted still do. tmpfs gives a page memory only when first written.
	ringSize = 4 << 20
	// ringPublish: a large write publishes its progress every this many
	// bytes, so the reader copies out while the writer copies in.
	ringPublish = 64 << 10
	// defaultSpin is how long a side polls before it blocks. While the
	// host has a core for each of the job's ranks on it, it polls for
	// maxHot yielding only to its own goroutines; after that, or from the
	// start when ranks outnumber cores, it yields the CPU to other
	// processes between polls (sched_yield, as Open MPI does when
	// oversubscribed: the peer it waits for may need this core). See
	// world.hotSpin. A rank that blocks must be woken by a system call
	// and then wait for a core, which on a loaded host costs milliseconds:
	// a long, yielding poll keeps a ping-pong between busy ranks off that
	// path. The hot part is short: without CPU binding the peer may share
	// this core, and then only yielding lets it answer. In-process ranks
	// (NewLocal) poll for localSpin only: while goroutines of the process
	// poll, Go's scheduler does not look at the network, so a rank of the
	// same process asleep on its doorbell waits for them to stop.
	defaultSpin  = 10 * time.Millisecond
	maxHot       = 5 * time.Microsecond
	maxHotPinned = 1 * time.Millisecond
	minSpin      = 50 * time.Microsecond
	localSpin    = 50 * time.Microsecond
)

// shmRing is one side's view of a mapping.
type shmRing struct {
	mem        []byte
	data       []byte
	mask       uint64
	head, tail *atomic.Uint64
	rsleep     *atomic.Uint32
	wsleep     *atomic.Uint32
	polling    *atomic.Int32 // 1: the reader's process watches the ring, ring no doorbell (watch.go)
	pos        uint64        // the writer's head or the reader's tail, kept locally
	seen       uint64        // the writer's last look at the reader's tail
	spin       time.Duration // poll this long before blocking
	hot        time.Duration // of which this long without yielding the CPU
	bell       [1]byte
	scratch    [64]byte
	unmap      func([]byte) error
	unmapped   bool
}

// ringLen is the length of a mapping that holds a ring of size bytes.
func ringLen(size int) int { return ringDataOff + size }

// initRing writes a fresh ring's header into mem.
func initRing(mem []byte, size int) {
	binary.LittleEndian.PutUint64(mem[0:], ringMagic)
	binary.LittleEndian.PutUint64(mem[8:], uint64(size))
}

// newRing checks mem's header and returns a view of it.
func newRing(mem []byte, unmap func([]byte) error) (*shmRing, error) {
	if len(mem) < ringDataOff {
		return nil, fmt.Errorf("comm: shared-memory ring of %d bytes is too short", len(mem))
	}
	size := binary.LittleEndian.Uint64(mem[8:])
	if m := binary.LittleEndian.Uint64(mem); m != ringMagic || size == 0 || size&(size-1) != 0 || uint64(len(mem)) != ringDataOff+size {
		return nil, fmt.Errorf("comm: not a gorun shared-memory ring (magic %#x, size %d, mapping %d)", m, size, len(mem))
	}
	p := unsafe.Pointer(unsafe.SliceData(mem))
	return &shmRing{
		mem: mem, data: mem[ringDataOff:], mask: size - 1,
		head:    (*atomic.Uint64)(unsafe.Add(p, ringHeadOff)),
		tail:    (*atomic.Uint64)(unsafe.Add(p, ringTailOff)),
		rsleep:  (*atomic.Uint32)(unsafe.Add(p, ringRSleep)),
		wsleep:  (*atomic.Uint32)(unsafe.Add(p, ringWSleep)),
		polling: (*atomic.Int32)(unsafe.Add(p, ringPolling)),
		spin:    defaultSpin,
		hot:     defaultSpin,
		unmap:   unmap,
	}, nil
}

// release unmaps the ring; it must not be used after.
func (r *shmRing) release() {
	if !r.unmapped && r.unmap != nil {
		r.unmapped = true
		_ = r.unmap(r.mem)
	}
}

// spinUntil polls until ready or the spin time is up, yielding to this
// process' other goroutines, and after r.hot to other processes too.
func (r *shmRing) spinUntil(ready func() bool) bool {
	p := newPacer(r.spin, r.hot)
	for {
		if ready() {
			return true
		}
		if !p.next() {
			return false
		}
	}
}

// shmTx is the writing side of a ring; c is the pair's TCP connection
// (its doorbell and lifeline), written and read only under outConn.mu.
type shmTx struct {
	r *shmRing
	c net.Conn
}

// write copies first, then bufs, into the ring, waiting for room as the
// reader drains it; a zero deadline waits as long as the peer lives.
// (first is separate so a frame's header and payload need no slice made
// to hold both.)
func (t *shmTx) write(deadline time.Time, first []byte, bufs [][]byte) error {
	r := t.r
	published := r.pos
	if err := t.put(deadline, first, &published); err != nil {
		return err
	}
	for _, b := range bufs {
		if err := t.put(deadline, b, &published); err != nil {
			return err
		}
	}
	return t.publish()
}

// put copies b into the ring, publishing every ringPublish bytes.
func (t *shmTx) put(deadline time.Time, b []byte, published *uint64) error {
	r := t.r
	size := uint64(len(r.data))
	for len(b) > 0 {
		// The reader's tail is a cache line it writes: look at it only
		// when the room seen last time is not enough.
		free := size - (r.pos - r.seen)
		if free < uint64(len(b)) {
			r.seen = r.tail.Load()
			free = size - (r.pos - r.seen)
		}
		if free == 0 {
			if err := t.publish(); err != nil {
				return err
			}
			*published = r.pos
			if err := t.waitRoom(deadline); err != nil {
				return err
			}
			continue
		}
		n := min(uint64(len(b)), free, ringPublish)
		off := r.pos & r.mask
		k := copy(r.data[off:], b[:n])
		if uint64(k) < n {
			copy(r.data, b[k:n])
		}
		r.pos += n
		b = b[n:]
		if r.pos-*published >= ringPublish {
			if err := t.publish(); err != nil {
				return err
			}
			*published = r.pos
		}
	}
	return nil
}

// publish makes the written bytes visible and rings the reader's doorbell
// if its reader sleeps and its process does not watch the ring.
func (t *shmTx) publish() error {
	r := t.r
	r.head.Store(r.pos)
	if r.polling.Load() == 0 && r.rsleep.Load() != 0 && r.rsleep.CompareAndSwap(1, 0) {
		if _, err := t.c.Write(r.bell[:]); err != nil {
			return err
		}
	}
	return nil
}

// waitRoom waits until the reader freed some of the ring.
func (t *shmTx) waitRoom(deadline time.Time) error {
	r := t.r
	size := uint64(len(r.data))
	room := func() bool {
		r.seen = r.tail.Load()
		return r.pos-r.seen < size
	}
	for {
		if r.spinUntil(room) {
			return nil
		}
		r.wsleep.Store(1)
		if room() {
			r.wsleep.Store(0)
			return nil
		}
		_ = t.c.SetReadDeadline(deadline)
		_, err := t.c.Read(r.scratch[:])
		r.wsleep.Store(0)
		if err != nil {
			if room() {
				return nil
			}
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
}

// shmRx is the reading side of a ring, an io.Reader for the frame reader
// (streams.go). bell is the buffered reader of the pair's TCP connection,
// which after the switch to the ring carries only doorbell bytes; c is
// that connection, for the writer's doorbell. Read runs under the
// stream's token (inStream.mu); the bell is read under bellMu by one
// goroutine at a time.
type shmRx struct {
	r      *shmRing
	bell   io.Reader
	c      net.Conn
	bellMu sync.Mutex
	eof    atomic.Pointer[error] // the connection's end, once seen
	// polled: the token holder is a polling receive (under the token), so
	// it stops counting as polling while it sleeps on the bell.
	polled bool
	watch  watch // who keeps the ring's watching word set (watch.go)
}

// ready reports whether the writer published bytes not read yet.
func (x *shmRx) ready() bool { return x.r.head.Load() != x.r.tail.Load() }

func (x *shmRx) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r := x.r
	for {
		avail := r.head.Load() - r.pos
		if avail > 0 {
			n := min(uint64(len(p)), avail)
			off := r.pos & r.mask
			k := copy(p[:n], r.data[off:])
			if uint64(k) < n {
				copy(p[k:n], r.data)
			}
			r.pos += n
			r.tail.Store(r.pos)
			if r.wsleep.Load() != 0 && r.wsleep.CompareAndSwap(1, 0) {
				_, _ = x.c.Write(r.bell[:]) // a dead writer: its connection tells
			}
			return int(n), nil
		}
		if err := x.wait(); err != nil {
			if r.head.Load() != r.pos { // written before the writer closed
				continue
			}
			return 0, err
		}
	}
}

// wait returns once the writer published more, or with the connection's
// error (io.EOF when the writer closed it or died). When another goroutine
// sleeps on the bell (the stream's pump), it polls instead: the writer
// rings no bell while a receive polls, and the pump records the
// connection's end in eof.
func (x *shmRx) wait() error {
	p := newPacer(forever, x.r.hot)
	for {
		if x.bellMu.TryLock() { // nobody sleeps on the bell (any more)
			defer x.bellMu.Unlock()
			return x.sleep(true, x.polled)
		}
		if x.ready() {
			return nil
		}
		if e := x.eof.Load(); e != nil {
			return *e
		}
		p.next()
	}
}

// sleep, under bellMu, returns once the writer published more (spinning
// first if spin), or with the connection's error; or, for the pump, when
// the watching word's linger is up (see watch.go: it then decides again).
// A polling receive (unpoll) clears the watching word while it sleeps, or
// the writer would never ring, and sets it again after.
func (x *shmRx) sleep(spin, unpoll bool) error {
	if e := x.eof.Load(); e != nil {
		return *e
	}
	r := x.r
	if spin && r.spinUntil(x.ready) {
		return nil
	}
	if unpoll {
		x.unwatch()
		defer x.stick()
	} else {
		x.park()
	}
	r.rsleep.Store(1)
	if x.ready() {
		r.rsleep.Store(0)
		return nil
	}
	_, err := x.bell.Read(r.scratch[:])
	r.rsleep.Store(0)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The linger is up, or a receive that stopped polling woke us
		// (poll.go); the next park sets the deadline again.
		return nil
	}
	if err != nil {
		x.eof.Store(&err)
	}
	return err
}
