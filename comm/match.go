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
	data []byte
}

type result struct {
	m   message
	err error
}

type waiter struct {
	ctx  uint64
	src  int // world rank or AnySource
	tag  int
	peek bool // Probe: see the message, leave it queued
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
func (e *engine) recv(ctx context.Context, cctx uint64, src, tag int, peek bool) (message, error) {
	w := &waiter{ctx: cctx, src: src, tag: tag, peek: peek, ch: make(chan result, 1)}
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
		r := <-w.ch
		if r.err == nil && !peek {
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
