package comm

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"
)

// Receives reuse their waiters (match.go's waiterPool): many receives in
// flight at once, some cancelled, some probing, each still gets its own
// message, and a cancelled one leaves its message for the next receive.
// Under -race this also checks that nobody touches a waiter after handing
// it its result (deliver once read peek after sending).
func TestWaiterReuse(t *testing.T) {
	cs := local(t, 2)
	ctx, cancelAll := context.WithTimeout(context.Background(), time.Minute) // a failure guard only
	defer cancelAll()
	const rounds, tags = 30, 8
	msg := func(round, tag int) []byte {
		b := make([]byte, 16)
		binary.LittleEndian.PutUint64(b, uint64(round))
		binary.LittleEndian.PutUint64(b[8:], uint64(tag))
		return b
	}
	each(t, cs, func(c *Comm) error {
		if c.Rank() == 0 {
			for r := range rounds {
				// Sent in reverse tag order, so receives posted in tag
				// order wait while later ones are answered first.
				for tag := tags - 1; tag >= 0; tag-- {
					if err := c.Send(ctx, 1, tag, msg(r, tag)); err != nil {
						return err
					}
				}
				// One that only a probe, most likely waiting for it
				// already, and a later receive look at.
				if _, err := c.Recv(ctx, 1, 101, nil); err != nil {
					return err
				}
				if err := c.Send(ctx, 1, tags, msg(r, tags)); err != nil {
					return err
				}
				// In step with the receiver, so each round's messages
				// meet that round's receives.
				if _, err := c.Recv(ctx, 1, 100, nil); err != nil {
					return err
				}
			}
			return nil
		}
		for r := range rounds {
			bufs := make([][]byte, tags)
			reqs := make([]*Request, tags)
			for tag := range tags {
				bufs[tag] = make([]byte, 16)
				reqs[tag] = c.Irecv(ctx, 0, tag, bufs[tag])
			}
			// A receive cancelled before it waits (for a tag nobody
			// sends): its waiter goes back to the pool at once.
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := c.Recv(cctx, 0, tags+1, make([]byte, 16)); !errors.Is(err, context.Canceled) {
				return fmt.Errorf("round %d: cancelled receive: %v", r, err)
			}
			if err := c.Send(ctx, 0, 101, nil); err != nil {
				return err
			}
			if st, err := c.Probe(ctx, 0, tags); err != nil || st.Count != 16 {
				return fmt.Errorf("round %d: probe: %+v %v", r, st, err)
			}
			sts, err := WaitAll(ctx, reqs...)
			if err != nil {
				return fmt.Errorf("round %d: %v", r, err)
			}
			for tag, b := range bufs {
				if string(b) != string(msg(r, tag)) || sts[tag].Tag != tag {
					return fmt.Errorf("round %d tag %d: got message %x (status %+v)", r, tag, b, sts[tag])
				}
			}
			b := make([]byte, 16)
			if _, err := c.Recv(ctx, 0, tags, b); err != nil || string(b) != string(msg(r, tags)) {
				return fmt.Errorf("round %d: probed message %x, %v", r, b, err)
			}
			if err := c.Send(ctx, 0, 100, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// A waiter still holding a result is never reused.
func TestWaiterFreeKeepsFull(t *testing.T) {
	w := newWaiter(1, nil, 0, 0, false, [][]byte{make([]byte, 4)}, -1)
	w.ch <- result{}
	w.free()
	for range 100 {
		if waiterPool.Get().(*waiter) == w {
			t.Fatal("a waiter with a result in its channel went back to the pool")
		}
	}
}
