package comm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Large messages nobody is receiving yet stay in the socket for a while
// (lazy reads): the reader waits for the receive to name its buffers and
// reads the payload straight into them, instead of into fresh memory that
// the receive then copies (on a VM the page faults of that fresh memory
// cost more than the copy). lazyMin is the smallest payload worth it;
// The world's lazyWait (defaultLazyWait) bounds how long one stream may stall before the payload is
// read into memory anyway, so a receive that never comes (or a revoke
// frame behind the payload) cannot hold the stream.
const (
	lazyMin         = 64 << 10
	defaultLazyWait = 2 * time.Millisecond
)

// pendingRead is a queued message whose payload is still in the socket.
// Exactly one value is sent on take, under the engine lock, by whoever
// removes the message from the queue: the receive that takes it (its
// buffers get the payload), or nil when the stream must move on (read it
// into memory and deliver it).
type pendingRead struct {
	take chan *waiter
}

// message is a received data frame waiting for a receive.
type message struct {
	ctx  uint64
	src  int // world rank
	tag  int
	elem uint8
	n    int          // length of the whole message
	data []byte       // nil when the payload went straight into a waiter's buffers
	pr   *pendingRead // non-nil while the payload is still in the socket
}

type result struct {
	m   message
	err error
}

type waiter struct {
	ctx  uint64
	src  int // world rank or AnySource
	tag  int
	peek bool      // Probe: see the message, leave it queued
	bufs [][]byte  // Recvv's buffers: a message that fits is read into them
	one  [1][]byte // bufs when there is one buffer
	room int       // total length of bufs
	elem int       // RecvSlice's element Kind, or -1: a message of another kind is not read into bufs
	ch   chan result
	// direct holds the result when the receive's own poll read the
	// message (poll.go: the poller is the waiting goroutine, so no channel
	// hand-off); res is valid while direct is set. Only that goroutine
	// touches them.
	direct bool
	res    result
	// reading is the TCP stream the receive reads itself while it waits
	// (tcpread.go): an answer from elsewhere must kick it out of its read.
	reading atomic.Pointer[inStream]

	// group is the world ranks of the receiving communicator: the death of
	// one of them wakes the receive (failed.go). nil: only its source's.
	group []int
}

// waiters are reused: a small receive's waiter and channel were most of
// its allocations, and the collections they caused showed in a
// ping-pong's mean latency. A waiter goes back (free) once nobody can
// send on its channel any more: its one result was taken, or it was
// withdrawn from the engine's list before anyone sent.
var waiterPool = sync.Pool{New: func() any { return &waiter{ch: make(chan result, 1)} }}

// newWaiter returns a waiter for a receive into bufs. The waiter keeps
// its own copy of the buffer list (the caller's need not outlive it).
func newWaiter(cctx uint64, group []int, src, tag int, peek bool, bufs [][]byte, elem int) *waiter {
	w := waiterPool.Get().(*waiter)
	w.ctx, w.src, w.tag, w.peek, w.elem, w.group = cctx, src, tag, peek, elem, group
	w.room = 0
	switch len(bufs) {
	case 0:
		w.bufs = nil
	case 1:
		w.one[0] = bufs[0]
		w.bufs = w.one[:]
	default:
		w.bufs = slices.Clone(bufs)
	}
	for _, b := range bufs {
		w.room += len(b)
	}
	return w
}

// free returns w for reuse; its channel must be empty and nobody may hold
// it to send on it.
func (w *waiter) free() {
	if len(w.ch) != 0 {
		return // never reuse a waiter with a result in it; let it go
	}
	w.one[0], w.bufs, w.group = nil, nil, nil
	w.direct, w.res = false, result{}
	waiterPool.Put(w)
}

// answered reports, in the receive's goroutine, that its result is in.
func (w *waiter) answered() bool { return w.direct || len(w.ch) > 0 }

func (w *waiter) matches(m *message) bool {
	return w.ctx == m.ctx && (w.src == AnySource || w.src == m.src) && (w.tag == AnyTag || w.tag == m.tag)
}

// engine matches incoming messages with receives, in arrival order, which
// with one ordered stream per sender gives MPI's non-overtaking rule.
type engine struct {
	mu      sync.Mutex
	queue   []message
	waiters []*waiter
	revoked map[uint64]error
	failed  error         // set once: a rank failed or the job aborted
	down    chan struct{} // closed when failed is set
	// gone holds the ranks that said goodbye (closed their world
	// communicator): every frame they sent is already queued, so a receive
	// from one of them that the queue cannot satisfy never will be.
	gone map[int]error
	// poll, if set, lets a receive read its peers' shared-memory rings
	// itself before it blocks (poll.go).
	poll func(ctx context.Context, src int, w *waiter)
	// dead holds the ranks declared dead in a world that recovers from
	// failures (failed.go): they break the communicators they are in,
	// not the engine; deaths is closed and replaced at each new one.
	dead   map[int]*RankError
	deaths chan struct{}
	ends   streamEnds // failed.go: when a dead rank's last frame is in
	// recovers: the world outlives its ranks' deaths (Config.Recover).
	recovers bool
	// broken is set (under mu) once failed, revoked or dead holds
	// anything: while it is clear, a send or receive needs no lock to
	// know that nothing is broken (noneBroken), which keeps the engine's
	// lock off a small message's path.
	broken atomic.Bool
	// departures counts the ranks that said goodbye (leave), so a
	// rank waiting in shared memory learns without the lock that
	// nobody has left (Comm.Departures).
	departures atomic.Uint32
}

// noneBroken reports, without the lock, that nothing failed, was revoked
// or died yet. False means look under the lock.
func (e *engine) noneBroken() bool { return !e.broken.Load() }

func newEngine() *engine {
	return &engine{revoked: map[uint64]error{}, gone: map[int]error{}, down: make(chan struct{}),
		dead: map[int]*RankError{}, deaths: make(chan struct{})}
}

// leftErr reports whether err is the error of a receive from a rank that
// closed its communicator (see leave), and returns it: its Rank is the
// rank that left, or the rank whose leaving made that one fail.
func (e *engine) leftErr(err error) (*RankError, bool) {
	var re *RankError
	if !errors.As(err, &re) {
		return nil, false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, g := range e.gone {
		if g == error(re) {
			return re, true
		}
	}
	return nil, false
}

// goneErr is the error of receives from src if src said goodbye, else nil.
func (e *engine) goneErr(src int) *RankError {
	e.mu.Lock()
	defer e.mu.Unlock()
	re, _ := e.gone[src].(*RankError)
	return re
}

// leave records that src closed cleanly and fails the receives waiting
// for it alone. A non-nil cause is the error src failed with before it
// closed (its goodbye carried it): the receives then name cause's rank, the
// one that left first, not src, a follower that closed after failing.
// followerNote marks the error of a receive from a rank that closed after
// failing because another left first.
const followerNote = "failed because of it and closed its communicator while this rank waits for a message from it"

func (e *engine) leave(src int, cause *RankError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	err := &RankError{Rank: src, Op: "recv", How: "closed its communicator (Close, or exit after Close) while this rank waits for a message from it", left: true}
	if cause != nil {
		how := cause.How
		if !strings.Contains(how, followerNote) { // name the first follower only: chains grow with the ranks
			how = fmt.Sprintf("%s; rank %d %s", how, src, followerNote)
		}
		err = &RankError{Rank: cause.Rank, Op: "recv", How: how}
	}
	e.gone[src] = err
	e.departures.Add(1)
	e.pokeLocked() // Agree counts it out
	e.wakeLocked(func(w *waiter) bool { return w.src == src }, err)
}

func (e *engine) deliver(m message) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := 0; i < len(e.waiters); i++ {
		w := e.waiters[i]
		if !w.matches(&m) {
			continue
		}
		e.waiters = append(e.waiters[:i], e.waiters[i+1:]...)
		peek := w.peek // w is its receive's (and reused) once sent to
		w.ch <- result{m: m}
		if !peek {
			return
		}
		i--
	}
	e.queue = append(e.queue, m)
}

// brokenLocked is the error every operation on context cctx gets now
// (the engine failed, or the context was revoked), or nil; brokenIn
// (failed.go) adds a dead member.
func (e *engine) brokenLocked(cctx uint64) error {
	if e.failed != nil {
		return e.failed
	}
	return e.revoked[cctx]
}

// recv takes (or with peek, sees) the first matching message, waiting for
// one until ctx ends or the communicator breaks.
func (e *engine) recv(ctx context.Context, cctx uint64, group []int, src, tag int, peek bool, bufs [][]byte, elem int) (message, error) {
	w, m, done, err := e.postRecv(cctx, group, src, tag, peek, bufs, elem)
	if done || err != nil {
		return m, err
	}
	return e.waitRecv(ctx, w)
}

// postRecv starts a receive: it takes a matching queued message (done), or
// registers the receive so the next matching message goes to it. Posting
// at once, in the caller's goroutine, is what makes receives match in the
// order they were posted, as MPI requires of Irecv; waitRecv completes it.
func (e *engine) postRecv(cctx uint64, group []int, src, tag int, peek bool, bufs [][]byte, elem int) (w *waiter, m message, done bool, err error) {
	w = newWaiter(cctx, group, src, tag, peek, bufs, elem)
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.brokenInLocked(cctx, group); err != nil {
		w.free()
		return nil, message{}, true, err
	}
	for i := range e.queue {
		if w.matches(&e.queue[i]) {
			m := e.queue[i]
			if !peek {
				e.queue = append(e.queue[:i], e.queue[i+1:]...)
			}
			if m.pr == nil || peek {
				w.free()
				return nil, m, true, nil
			}
			// The payload is still in the socket: its reader reads it
			// into our buffers and answers on w.ch.
			m.pr.take <- w
			return w, message{}, false, nil
		}
	}
	if err := e.gone[src]; err != nil && src != AnySource {
		w.free()
		return nil, message{}, true, err
	}
	e.waiters = append(e.waiters, w)
	e.releaseLocked(src)
	return w, message{}, false, nil
}

// waitRecv completes a receive that postRecv registered. A context that
// has ended wins over a message that arrived meanwhile (which stays queued
// for the next receive), so cancelling before waiting always cancels.
func (e *engine) waitRecv(ctx context.Context, w *waiter) (message, error) {
	if e.poll != nil {
		e.poll(ctx, w.src, w)
	}
	if ctx.Err() != nil {
		return e.cancelRecv(ctx, w)
	}
	var r result
	if w.direct { // the poll read it for us (poll.go)
		r = w.res
		w.direct, w.res = false, result{}
	} else if len(w.ch) > 0 { // the poll took it: no select needed
		r = <-w.ch
	} else {
		select {
		case r = <-w.ch:
		case <-ctx.Done():
			return e.cancelRecv(ctx, w)
		}
	}
	w.free()
	return r.m, r.err
}

// cancelRecv withdraws w, whose ctx ended; a message delivered to it
// meanwhile goes back to the head of the queue.
func (e *engine) cancelRecv(ctx context.Context, w *waiter) (message, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, x := range e.waiters {
		if x == w {
			e.waiters = append(e.waiters[:i], e.waiters[i+1:]...)
			w.free()
			return message{}, ctx.Err()
		}
	}
	// Delivered while we gave up: keep the message for the next receive.
	var r result
	if w.direct {
		r = w.res
		w.direct, w.res = false, result{}
	} else {
		e.mu.Unlock()
		r = <-w.ch // a claimed direct read finishes first
		e.mu.Lock()
	}
	if r.err == nil && !w.peek {
		if r.m.data == nil {
			r.m.data = gather(w.bufs, r.m.n)
		}
		e.queue = append([]message{r.m}, e.queue...)
	}
	w.free()
	return message{}, ctx.Err()
}

// iprobe reports a matching queued message without waiting.
func (e *engine) iprobe(cctx uint64, group []int, src, tag int) (message, bool, error) {
	w := &waiter{ctx: cctx, src: src, tag: tag}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.brokenInLocked(cctx, group); err != nil {
		return message{}, false, err
	}
	for i := range e.queue {
		if w.matches(&e.queue[i]) {
			return e.queue[i], true, nil
		}
	}
	// A message behind a stalled payload can only show up once the
	// stream moves on; an Iprobe loop must make progress.
	e.releaseLocked(src)
	return message{}, false, nil
}

// queued is iprobe without releasing stalled payloads: for a look at the
// queue by a caller that will not wait for the message (collectives'
// leftover check), which must not cost the lazy reads of others.
func (e *engine) queued(cctx uint64, src, tag int) (message, bool) {
	w := &waiter{ctx: cctx, src: src, tag: tag}
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range e.queue {
		if w.matches(&e.queue[i]) {
			return e.queue[i], true
		}
	}
	return message{}, false
}

// releaseLocked sends every stalled payload from src (any source for
// AnySource) to be read into memory: a receive that does not match it is
// waiting for something behind it on the same stream.
func (e *engine) releaseLocked(src int) {
	kept := e.queue[:0]
	for _, m := range e.queue {
		if m.pr != nil && (src == AnySource || src == m.src) {
			m.pr.take <- nil
			continue
		}
		kept = append(kept, m)
	}
	clear(e.queue[len(kept):])
	e.queue = kept
}

// blocksLocked reports whether a posted receive would wait behind a
// payload from src left in the socket.
func (e *engine) blocksLocked(src int) bool {
	for _, w := range e.waiters {
		if w.src == AnySource || w.src == src {
			return true
		}
	}
	return false
}

// revoke breaks one context: its waiters and future receives get err.
func (e *engine) revoke(cctx uint64, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.revoked[cctx]; ok || e.failed != nil {
		return
	}
	e.revoked[cctx] = err
	e.broken.Store(true)
	e.wakeLocked(func(w *waiter) bool { return w.ctx == cctx }, err)
}

// fail breaks every context: a rank died or the job is aborting.
func (e *engine) fail(err error) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.failed != nil {
		return false
	}
	e.failed = err
	e.broken.Store(true)
	close(e.down)
	e.wakeLocked(func(*waiter) bool { return true }, err)
	return true
}

// failure returns the error the engine failed with, or nil.
func (e *engine) failure() error {
	if e.noneBroken() {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.failed
}

func (e *engine) wakeLocked(which func(*waiter) bool, err error) {
	kept := e.waiters[:0]
	for _, w := range e.waiters {
		if which(w) {
			w.ch <- result{err: err}
			if st := w.reading.Load(); st != nil {
				st.kick()
			}
		} else {
			kept = append(kept, w)
		}
	}
	e.waiters = kept
}

// arrive decides where an arriving data frame's payload goes. It returns
// the first matching waiter when the payload fits its buffers (the reader
// reads straight into them); else, for a large payload that no posted
// receive is waiting behind, it queues the message with the payload left
// in the socket and returns its pendingRead; else neither (read the
// payload into memory and deliver it).
func (e *engine) arrive(m message, lazy bool) (*waiter, *pendingRead) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, w := range e.waiters {
		if !w.matches(&m) {
			continue
		}
		if w.peek || w.bufs == nil || w.room < m.n || (w.elem >= 0 && uint8(w.elem) != m.elem) {
			return nil, nil
		}
		e.waiters = append(e.waiters[:i], e.waiters[i+1:]...)
		return w, nil
	}
	if !lazy || e.failed != nil || e.blocksLocked(m.src) {
		return nil, nil
	}
	m.pr = &pendingRead{take: make(chan *waiter, 1)}
	e.queue = append(e.queue, m)
	return nil, m.pr
}

// expire takes a stalled payload back when nobody came for it in time;
// it returns the waiter that did take it meanwhile, or nil.
func (e *engine) expire(pr *pendingRead) *waiter {
	e.mu.Lock()
	for i := range e.queue {
		if e.queue[i].pr == pr {
			e.queue = append(e.queue[:i], e.queue[i+1:]...)
			e.mu.Unlock()
			return nil
		}
	}
	e.mu.Unlock()
	return <-pr.take // removed by someone else, who sent on take
}

// gather copies the first n bytes spread over bufs into one slice.
func gather(bufs [][]byte, n int) []byte {
	out := make([]byte, 0, n)
	for _, b := range bufs {
		out = append(out, b[:min(len(b), n-len(out))]...)
	}
	return out
}
