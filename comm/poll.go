package comm

import (
	"context"
	"sync/atomic"
	"time"
)

// Receives that poll: a receive from a peer whose stream is a
// shared-memory ring reads the ring itself for a while before it blocks,
// so a message that arrives meanwhile is taken without waking another
// goroutine (the stream's pump) and handing the message over. Whoever
// reads a stream's frames holds its token (inStream.mu); the pump reads
// whenever no receive does, so unexpected messages, revocations and
// goodbyes are handled as on TCP. While a receive polls, and for a linger
// after, the writer rings no doorbell (the ring's watching word,
// watch.go); a receive that stops polling with bytes still unread wakes
// the pump itself.

// pollers counts the receives polling one stream (Go memory: the pump
// skips its own spinning while any do).
type pollers = atomic.Int32

// pump reads the ring's frames whenever it holds the token and there are
// any, and sleeps on the doorbell otherwise, until the stream ends.
func (st *inStream) pump() {
	x := st.rx
	for {
		st.mu.Lock()
		if st.ended {
			st.mu.Unlock()
			return
		}
		for x.ready() {
			if !st.step() {
				st.end()
				st.mu.Unlock()
				return
			}
		}
		st.mu.Unlock()
		x.bellMu.Lock()
		// Spin only when no receive polls and the writer rings: while
		// the watching word is set, the pump wakes at its deadline.
		err := x.sleep(st.polls.Load() == 0 && x.r.polling.Load() == 0, false)
		x.bellMu.Unlock()
		if err == nil {
			continue
		}
		// The writer closed its connection (or died): read what it wrote
		// before, then the stream is over.
		st.mu.Lock()
		for !st.ended && x.ready() {
			if !st.step() {
				st.end()
			}
		}
		if !st.ended {
			st.w.lost(st.src, err)
			st.end()
		}
		st.mu.Unlock()
		return
	}
}

// end marks the stream over; the caller holds mu. Its ring stays mapped
// until the world closes (releaseRings), so a polling receive may still
// look at its counters.
func (st *inStream) end() {
	if st.ended {
		return
	}
	st.ended = true
	st.c.Close() // wakes the pump if a receive ended the stream
}

// releaseRings unmaps the rings of the streams from peers once the readers
// are done (close waited for them) and no receive polls any more.
func (w *world) releaseRings() {
	deadline := time.Now().Add(10 * time.Second)
	for w.polling.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // receives woken by close leave at once
	}
	if w.polling.Load() > 0 {
		return // leave them mapped rather than pull memory from under a poll
	}
	w.mu.Lock()
	rings := w.rings
	w.rings = nil
	w.mu.Unlock()
	for _, r := range rings {
		r.release()
	}
}

// pollRecv polls the rings of src (every ring for AnySource) until wt is
// answered, ctx ends, or the world's spin time is up; the caller then
// waits on wt.ch as usual.
func (w *world) pollRecv(ctx context.Context, src int, wt *waiter) {
	var one [1]*inStream
	var sts []*inStream
	w.mu.Lock()
	if src == AnySource {
		for _, st := range w.shmIn {
			sts = append(sts, st)
		}
	} else if st := w.shmIn[src]; st != nil {
		one[0] = st
		sts = one[:]
	}
	w.mu.Unlock()
	if len(sts) == 0 || w.closed.Load() {
		return
	}
	// Counted in w.polling, so close keeps the rings mapped until we leave.
	w.polling.Add(1)
	defer w.polling.Add(-1)
	if w.closed.Load() {
		return
	}
	for _, st := range sts {
		st.polls.Add(1)
		st.rx.stick() // left set when we end (watch.go)
	}
	defer func() {
		for _, st := range sts {
			r := st.shm
			st.rx.watch.gen.Add(1) // first: the pump reads gen, then polls
			st.polls.Add(-1)
			// Bytes nobody reads now: wake the pump if it sleeps (the
			// writer rings no doorbell while the ring is watched).
			if st.rx.ready() && r.rsleep.Load() != 0 && r.rsleep.CompareAndSwap(1, 0) {
				_ = st.c.SetReadDeadline(time.Now())
			}
		}
	}()
	p := newPacer(w.pollTimes())
	for {
		for _, st := range sts {
			// Look before taking the token: an empty ring costs two
			// loads, so an arrival is seen within a few nanoseconds.
			if !st.rx.ready() || !st.mu.TryLock() {
				continue
			}
			st.rx.polled = true
			st.self = wt
			for !st.ended && !wt.answered() && st.rx.ready() {
				if !st.step() {
					st.end()
				}
			}
			st.self = nil
			st.rx.polled = false
			st.mu.Unlock()
		}
		if wt.answered() {
			return
		}
		if p.n%16 == 0 && ctx.Err() != nil {
			return
		}
		if !p.next() {
			return
		}
	}
}
