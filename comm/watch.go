package comm

import (
	"sync"
	"sync/atomic"
	"time"
)

// The watching word of a ring (ringPolling in its mapping) tells the
// writer that the reader's process looks at the ring without being rung:
// while it is set the writer rings no doorbell. Receives that poll a ring
// set it and leave it set when they end, so a ping-pong's consecutive
// receives never write it: a write of a word the other core reads on
// every send was a cache-line transfer on each message's path (issue 16).
// The pump clears it when it parks and no receive polled the ring for one
// linger, and only then parks without a deadline. The rule that keeps
// every wake-up: while the word is set, a receive polls the ring or the
// pump's read of the bell has a deadline at most two lingers away, and the
// pump reads the ring each time it wakes. A message that arrives between
// receives is thus read by the next receive, or by the pump within two
// lingers (Iprobe, a revocation on a peer's ring this rank is not
// receiving from); the TCP connection still wakes the pump at once when
// the writer dies.
type watch struct {
	polls *pollers      // the stream's polling receives
	gen   atomic.Uint64 // receives that ended polling, ever
	mu    sync.Mutex    // orders setting the word and the bell's deadline
	seen  uint64        // under mu: gen when the pump last kept the word
}

// ringLinger is how long the watching word stays set after the last
// receive that polled the ring ended (up to twice that).
const ringLinger = time.Millisecond

// stick sets the watching word, if not set, and arms the pump's deadline;
// a receive calls it after counting itself in polls.
func (x *shmRx) stick() {
	if x.r.polling.Load() != 0 {
		return
	}
	x.watch.mu.Lock()
	defer x.watch.mu.Unlock()
	if x.r.polling.Load() == 0 {
		x.r.polling.Store(1)
		_ = x.c.SetReadDeadline(time.Now().Add(ringLinger))
	}
}

// unwatch clears the watching word for a receive that sleeps on the bell
// itself (shmRx.wait), without a deadline; it calls stick when it wakes.
func (x *shmRx) unwatch() {
	x.watch.mu.Lock()
	defer x.watch.mu.Unlock()
	x.r.polling.Store(0)
	_ = x.c.SetReadDeadline(time.Time{})
}

// park, in the pump just before it sleeps on the bell, keeps the word
// set for another linger if a receive polls or polled since the last
// look, and clears it otherwise, so the writer rings.
func (x *shmRx) park() {
	w := &x.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	if x.r.polling.Load() == 0 {
		_ = x.c.SetReadDeadline(time.Time{})
		return
	}
	if g := w.gen.Load(); (w.polls != nil && w.polls.Load() > 0) || g != w.seen {
		w.seen = g
		_ = x.c.SetReadDeadline(time.Now().Add(ringLinger))
		return
	}
	x.r.polling.Store(0)
	_ = x.c.SetReadDeadline(time.Time{})
}
