package comm

import (
	"context"
	"sync"
)

// Request is a nonblocking operation in progress. Wait, Test and the
// functions over many requests (WaitAll, WaitAny, TestAny, TestAll) may be
// called from any goroutine, any number of times: a completed request keeps
// its Status and error.
type Request struct {
	done chan struct{}
	st   Status
	err  error

	mu       sync.Mutex
	finished bool
	watchers map[chan struct{}]struct{} // WaitAny callers to wake
}

func newRequest() *Request { return &Request{done: make(chan struct{})} }

// complete records the outcome and wakes Wait and WaitAny callers.
func (r *Request) complete(st Status, err error) {
	r.st, r.err = st, err
	close(r.done)
	r.mu.Lock()
	r.finished = true
	for ch := range r.watchers {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	r.watchers = nil
	r.mu.Unlock()
}

// watch arranges for ch (buffered) to get a value when r completes, at once
// if it already has.
func (r *Request) watch(ch chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished {
		select {
		case ch <- struct{}{}:
		default:
		}
		return
	}
	if r.watchers == nil {
		r.watchers = map[chan struct{}]struct{}{}
	}
	r.watchers[ch] = struct{}{}
}

func (r *Request) unwatch(ch chan struct{}) {
	r.mu.Lock()
	delete(r.watchers, ch)
	r.mu.Unlock()
}

func start(f func() (Status, error)) *Request {
	r := newRequest()
	go func() { r.complete(f()) }()
	return r
}

// Start runs f in a goroutine of its own and returns the Request that
// completes with f's result. It is how layers above comm (collectives'
// nonblocking calls) hand out Requests that WaitAny and WaitAll mix with
// point-to-point ones; f must end when its context does.
func Start(f func() (Status, error)) *Request { return start(f) }

// Completed is a Request that is already complete with st and err.
func Completed(st Status, err error) *Request {
	r := newRequest()
	r.complete(st, err)
	return r
}

// Isend starts Send; buf must not change until the request completes.
// Isends from one rank to one destination leave in the order they were
// started, and a Send waits for the Isends to its destination started
// before it, so MPI's non-overtaking rule holds (see isend.go).
func (c *Comm) Isend(ctx context.Context, dest, tag int, buf []byte) *Request {
	return c.isend(ctx, dest, len(buf), func(ctx context.Context) error {
		return c.sendFrame(ctx, dest, tag, 0, [][]byte{buf})
	})
}

// Irecv starts Recv into buf; the ctx given here bounds the receive. The
// receive is posted before Irecv returns, so Irecvs match messages in the
// order they were started, as MPI requires.
func (c *Comm) Irecv(ctx context.Context, src, tag int, buf []byte) *Request {
	p, err := c.post(src, tag, [][]byte{buf}, -1)
	if err != nil || p.done {
		return Completed(p.bytesResult(err))
	}
	return start(func() (Status, error) { return p.bytesResult(p.wait(ctx)) })
}

// Wait blocks until the request completes or ctx ends.
func (r *Request) Wait(ctx context.Context) (Status, error) {
	select {
	case <-r.done:
		return r.st, r.err
	case <-ctx.Done():
		return Status{}, ctx.Err()
	}
}

// Test reports whether the request completed, without blocking.
func (r *Request) Test() (Status, bool, error) {
	select {
	case <-r.done:
		return r.st, true, r.err
	default:
		return Status{}, false, nil
	}
}

// WaitAll waits for every request; the first error is returned. Nil
// requests (those WaitAny already returned) are skipped.
func WaitAll(ctx context.Context, reqs ...*Request) ([]Status, error) {
	sts := make([]Status, len(reqs))
	var first error
	for i, r := range reqs {
		if r == nil {
			continue
		}
		st, err := r.Wait(ctx)
		sts[i] = st
		if err != nil && first == nil {
			first = err
		}
	}
	return sts, first
}
