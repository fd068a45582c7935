package comm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestNonblockingAndProbe(t *testing.T) {
	cs := local(t, 2)
	// A failure guard only: a broken test ends instead of hanging.
	ctx, cancelAll := context.WithTimeout(context.Background(), time.Minute)
	defer cancelAll()
	each(t, cs, func(c *Comm) error {
		peer := 1 - c.Rank()
		in := [][]byte{make([]byte, 5), make([]byte, 64<<10)}
		reqs := []*Request{
			c.Irecv(ctx, peer, 1, in[0]),
			c.Irecv(ctx, peer, 2, in[1]),
			c.Isend(ctx, peer, 2, pattern(64<<10, c.Rank())),
			c.Isend(ctx, peer, 1, []byte("hello")),
		}
		sts, err := WaitAll(ctx, reqs...)
		if err != nil {
			return err
		}
		if string(in[0]) != "hello" || !bytes.Equal(in[1], pattern(64<<10, peer)) || sts[1].Count != 64<<10 || sts[1].Source != peer {
			return fmt.Errorf("nonblocking exchange: %+v", sts)
		}
		// Probe sees a message without taking it; Iprobe does not wait.
		if _, ok, err := c.Iprobe(peer, 9); ok || err != nil {
			return fmt.Errorf("Iprobe of a tag nobody sends: %v %v", ok, err)
		}
		if err := c.Send(ctx, peer, 3, []byte("abc")); err != nil {
			return err
		}
		st, err := c.Probe(ctx, AnySource, 3)
		if err != nil || st.Count != 3 || st.Source != peer {
			return fmt.Errorf("Probe: %+v %v", st, err)
		}
		if _, ok, _ := c.Iprobe(peer, 3); !ok {
			return errors.New("Iprobe lost the probed message")
		}
		b, _, err := c.RecvBytes(ctx, peer, 3)
		if err != nil || string(b) != "abc" {
			return fmt.Errorf("after Probe: %q %v", b, err)
		}
		// Test on a receive with no sender stays false; its ctx ends it.
		rctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		r := c.Irecv(rctx, peer, 4, nil)
		if _, done, _ := r.Test(); done {
			return errors.New("Test reported a receive with no sender as done")
		}
		if _, err := r.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("Wait on an expired receive: %v", err)
		}
		return nil
	})
}

func TestBadArguments(t *testing.T) {
	cs := local(t, 2)
	ctx := context.Background()
	for _, err := range []error{
		cs[0].Send(ctx, 2, 0, nil),
		cs[0].Send(ctx, -1, 0, nil),
		cs[0].Send(ctx, 1, -5, nil),
		cs[0].Send(ctx, 1, maxTag, nil),
	} {
		if !errors.Is(err, ErrArgument) {
			t.Errorf("want ErrArgument, got %v", err)
		}
	}
	if _, err := cs[0].Recv(ctx, 7, 0, nil); !errors.Is(err, ErrArgument) {
		t.Errorf("recv from rank 7: %v", err)
	}
	cs[1].Close()
	if err := cs[1].Send(ctx, 0, 0, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("send after Close: %v", err)
	}
}
