package comm

import (
	"context"
	"sync"
)

// message is a received data frame waiting for a receive.
type message struct {
	ctx  uint64
	src  int // world rank
	tag  int
	elem uint8
	n    int    // length of the whole message
	data []byte // nil when the payload went straight into a waiter's buffers
}

type result struct {
	m   message
	err error
}

type waiter struct {
	ctx  uint64
	src  int // world rank or AnySource
	tag  int
	peek bool     // Probe: see the message, leave it queued
	bufs [][]byte // Recvv's buffers: a message that fits is read into them
	room int      // total length of bufs
	ch   chan result
}

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
	failed  error // set once: a rank failed or the job aborted
}

func newEngine() *engine { return &engine{revoked: map[uint64]error{}} }

func (e *engine) deliver(m message) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := 0; i < len(e.waiters); i++ {
		w := e.waiters[i]
		if !w.matches(&m) {
			continue
		}
		e.waiters = append(e.waiters[:i], e.waiters[i+1:]...)
		w.ch <- result{m: m}
		if !w.peek {
			return
		}
		i--
	}
	e.queue = append(e.queue, m)
}

func (e *engine) errFor(ctx uint64) error {
	if e.failed != nil {
		return e.failed
	}
	return e.revoked[ctx]
}

// recv takes (or with peek, sees) the first matching message, waiting for
// one until ctx ends or the communicator breaks.
func (e *engine) recv(ctx context.Context, cctx uint64, src, tag int, peek bool, bufs [][]byte) (message, error) {
	w := &waiter{ctx: cctx, src: src, tag: tag, peek: peek, bufs: bufs, ch: make(chan result, 1)}
	for _, b := range bufs {
		w.room += len(b)
	}
	e.mu.Lock()
	if err := e.errFor(cctx); err != nil {
		e.mu.Unlock()
		return message{}, err
	}
	for i := range e.queue {
		if w.matches(&e.queue[i]) {
			m := e.queue[i]
			if !peek {
				e.queue = append(e.queue[:i], e.queue[i+1:]...)
			}
			e.mu.Unlock()
			return m, nil
		}
	}
	e.waiters = append(e.waiters, w)
	e.mu.Unlock()
	select {
	case r := <-w.ch:
		return r.m, r.err
	case <-ctx.Done():
		e.mu.Lock()
		defer e.mu.Unlock()
		for i, x := range e.waiters {
			if x == w {
				e.waiters = append(e.waiters[:i], e.waiters[i+1:]...)
				return message{}, ctx.Err()
			}
		}
		// Delivered while we gave up: keep the message for the next receive.
		e.mu.Unlock()
		r := <-w.ch // a claimed direct read finishes first
		e.mu.Lock()
		if r.err == nil && !peek {
			if r.m.data == nil {
				r.m.data = gather(w.bufs, r.m.n)
			}
			e.queue = append([]message{r.m}, e.queue...)
		}
		return message{}, ctx.Err()
	}
}

// iprobe reports a matching queued message without waiting.
func (e *engine) iprobe(cctx uint64, src, tag int) (message, bool, error) {
	w := &waiter{ctx: cctx, src: src, tag: tag}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.errFor(cctx); err != nil {
		return message{}, false, err
	}
	for i := range e.queue {
		if w.matches(&e.queue[i]) {
			return e.queue[i], true, nil
		}
	}
	return message{}, false, nil
}

// revoke breaks one context: its waiters and future receives get err.
func (e *engine) revoke(cctx uint64, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.revoked[cctx]; ok || e.failed != nil {
		return
	}
	e.revoked[cctx] = err
	e.wakeLocked(func(w *waiter) bool { return w.ctx == cctx }, err)
}

// fail breaks every context: a rank died or the job is aborting.
func (e *engine) fail(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.failed != nil {
		return
	}
	e.failed = err
	e.wakeLocked(func(*waiter) bool { return true }, err)
}

func (e *engine) wakeLocked(which func(*waiter) bool, err error) {
	kept := e.waiters[:0]
	for _, w := range e.waiters {
		if which(w) {
			w.ch <- result{err: err}
		} else {
			kept = append(kept, w)
		}
	}
	e.waiters = kept
}

// claim hands the first waiter matching an arriving message to the reader
// when it has buffers the payload fits in, so the payload is read straight
// into them (no copy); it returns nil when the message must be queued.
func (e *engine) claim(cctx uint64, src, tag, n int) *waiter {
	m := message{ctx: cctx, src: src, tag: tag}
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, w := range e.waiters {
		if !w.matches(&m) {
			continue
		}
		if w.peek || w.bufs == nil || w.room < n {
			return nil
		}
		e.waiters = append(e.waiters[:i], e.waiters[i+1:]...)
		return w
	}
	return nil
}

// gather copies the first n bytes spread over bufs into one slice.
func gather(bufs [][]byte, n int) []byte {
	out := make([]byte, 0, n)
	for _, b := range bufs {
		out = append(out, b[:min(len(b), n-len(out))]...)
	}
	return out
}
