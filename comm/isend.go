package comm

import (
	"context"
	"sync"
	"sync/atomic"
)

// isendInline is the largest Isend sent at once in the caller's goroutine
// when nothing to its destination is in flight: a peer's connection reader
// takes small frames whether or not a receive is posted, so the send
// cannot wait for the peer, and the Request is complete on return with no
// goroutine started. Larger sends run in a goroutine so the caller can
// overlap them with work.
const isendInline = 64 << 10

// isendQueue keeps a communicator's Isends to one destination in the
// order they were started: MPI's non-overtaking rule says two messages
// from one rank to another that match the same receive arrive in the
// order they were sent, and goroutines started in order do not run in
// order. Each Isend waits for the one before it to the same destination,
// and a blocking Send waits for all of them.
type isendQueue struct {
	mu      sync.Mutex
	pending atomic.Int64          // Isends in flight: Send skips the lock when 0
	tail    map[int]chan struct{} // per destination: closed when its last Isend ends
}

// waitFor waits until the Isends to dest started before now have been sent.
func (q *isendQueue) waitFor(ctx context.Context, dest int) error {
	if q.pending.Load() == 0 {
		return nil
	}
	q.mu.Lock()
	ch := q.tail[dest]
	q.mu.Unlock()
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// isend starts send (which must call sendNow) as an Isend of n bytes to dest.
func (c *Comm) isend(ctx context.Context, dest, n int, send func(context.Context) error) *Request {
	if dest == ProcNull {
		return Completed(Status{Source: ProcNull, Tag: AnyTag}, nil)
	}
	q := &c.isends
	q.mu.Lock()
	prev := q.tail[dest]
	if prev == nil && n <= isendInline {
		q.mu.Unlock()
		return Completed(Status{}, send(ctx))
	}
	done := make(chan struct{})
	if q.tail == nil {
		q.tail = map[int]chan struct{}{}
	}
	q.tail[dest] = done
	q.pending.Add(1)
	q.mu.Unlock()
	return start(func() (Status, error) {
		defer func() {
			q.mu.Lock()
			if q.tail[dest] == done {
				delete(q.tail, dest)
			}
			q.pending.Add(-1)
			close(done)
			q.mu.Unlock()
		}()
		if prev != nil {
			select {
			case <-prev:
			case <-ctx.Done():
				return Status{}, ctx.Err()
			}
		}
		return Status{}, send(ctx)
	})
}
