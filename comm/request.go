package comm

import "context"

// Request is a nonblocking operation in progress.
type Request struct {
	done chan struct{}
	st   Status
	err  error
}

func start(f func() (Status, error)) *Request {
	r := &Request{done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.st, r.err = f()
	}()
	return r
}

// Isend starts Send; buf must not change until the request completes.
func (c *Comm) Isend(ctx context.Context, dest, tag int, buf []byte) *Request {
	return start(func() (Status, error) { return Status{}, c.Send(ctx, dest, tag, buf) })
}

// Irecv starts Recv into buf; the ctx given here bounds the receive.
func (c *Comm) Irecv(ctx context.Context, src, tag int, buf []byte) *Request {
	return start(func() (Status, error) { return c.Recv(ctx, src, tag, buf) })
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

// WaitAll waits for every request; the first error is returned.
func WaitAll(ctx context.Context, reqs ...*Request) ([]Status, error) {
	sts := make([]Status, len(reqs))
	var first error
	for i, r := range reqs {
		st, err := r.Wait(ctx)
		sts[i] = st
		if err != nil && first == nil {
			first = err
		}
	}
	return sts, first
}
