package comm

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// ring passes a token once around cs (ranks in cs's order) and checks it.
func ring(ctx context.Context, c *Comm) error {
	n := c.Size()
	if n == 1 {
		return nil
	}
	next, prev := (c.Rank()+1)%n, (c.Rank()+n-1)%n
	if c.Rank() == 0 {
		if err := c.SendValue(ctx, next, 7, 1); err != nil {
			return err
		}
		var v int
		if _, err := c.RecvValue(ctx, prev, 7, &v); err != nil {
			return err
		}
		if v != n {
			return errors.New("token came back wrong")
		}
		return nil
	}
	var v int
	if _, err := c.RecvValue(ctx, prev, 7, &v); err != nil {
		return err
	}
	return c.SendValue(ctx, next, 7, v+1)
}

// onLive runs f on every comm of cs that is not nil, at once.
func onLive(t *testing.T, cs []*Comm, f func(i int, c *Comm) error) []error {
	t.Helper()
	errs := make([]error, len(cs))
	var wg sync.WaitGroup
	for i, c := range cs {
		if c == nil {
			continue
		}
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f(i, c) }()
	}
	wg.Wait()
	return errs
}

// TestShrink: four ranks; rank 1 dies while the others wait in a ring on
// the world. Every survivor's pending receive fails with rank 1's error
// (none hangs), Shrink gives three ranks that work; then rank 3 (rank 2 of
// the shrunk communicator) dies too, and a second Shrink gives two.
func TestShrink(t *testing.T) {
	cs := recoverLocal(t, 4)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// Every rank but 1 waits in a ring that needs rank 1.
	started := make(chan struct{}, 4)
	comms := []*Comm{cs[0], nil, cs[2], cs[3]}
	done := make(chan []error, 1)
	go func() {
		done <- onLive(t, comms, func(i int, c *Comm) error {
			started <- struct{}{}
			if i == 0 {
				var v int
				_, err := c.RecvValue(ctx, 3, 7, &v) // rank 1 would start the token
				return err
			}
			var v int
			_, err := c.RecvValue(ctx, i-1, 7, &v)
			return err
		})
	}()
	for range 3 {
		<-started
	}
	crash(cs[1])
	for i, err := range <-done {
		if i == 1 {
			continue
		}
		var re *RankError
		if !errors.As(err, &re) || re.Rank != 1 || !strings.Contains(err.Error(), "Shrink") {
			t.Fatalf("rank %d's receive: %v, want rank 1's RankError saying to Shrink", i, err)
		}
	}
	// Operations on the broken world fail at once, even between survivors.
	if err := cs[0].Send(ctx, 2, 0, []byte("x")); !errors.Is(err, ErrRankFailed) {
		t.Fatalf("send on the broken world: %v", err)
	}

	shrunk := make([]*Comm, 4)
	errs := onLive(t, comms, func(i int, c *Comm) error {
		nc, err := c.Shrink(ctx)
		shrunk[i] = nc
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: Shrink: %v", i, err)
		}
	}
	for i, want := range map[int]int{0: 0, 2: 1, 3: 2} {
		if nc := shrunk[i]; nc.Size() != 3 || nc.Rank() != want || nc.WorldRank(want) != i {
			t.Fatalf("world rank %d: shrunk to size %d rank %d, want size 3 rank %d", i, nc.Size(), nc.Rank(), want)
		}
	}
	for i, err := range onLive(t, shrunk, func(_ int, c *Comm) error { return ring(ctx, c) }) {
		if err != nil {
			t.Fatalf("rank %d: ring on the shrunk communicator: %v", i, err)
		}
	}

	// A second failure: world rank 3 dies; the shrunk communicator breaks
	// and shrinks again.
	crash(cs[3])
	shrunk[3] = nil
	// Rank 0 waits for the dead rank and must fail; world rank 2's send to
	// it may still reach the kernel before its death is known.
	for i, err := range onLive(t, shrunk, func(_ int, c *Comm) error { return ring(ctx, c) }) {
		if (i == 0 || err != nil) && !errors.Is(err, ErrRankFailed) {
			t.Fatalf("rank %d: ring after the second death: %v, want ErrRankFailed", i, err)
		}
	}
	again := make([]*Comm, 4)
	for i, err := range onLive(t, shrunk, func(i int, c *Comm) error {
		nc, err := c.Shrink(ctx)
		again[i] = nc
		return err
	}) {
		if err != nil {
			t.Fatalf("rank %d: second Shrink: %v", i, err)
		}
	}
	if again[0].Size() != 2 || again[2].Rank() != 1 {
		t.Fatalf("second shrink: size %d, world rank 2 is rank %d", again[0].Size(), again[2].Rank())
	}
	for i, err := range onLive(t, again, func(_ int, c *Comm) error { return ring(ctx, c) }) {
		if err != nil {
			t.Fatalf("rank %d: ring after the second shrink: %v", i, err)
		}
	}
	if ctx.Err() != nil {
		t.Fatal("deadline reached")
	}
}

// TestShrinkWhole: with nobody missing, Shrink is a Dup: same group, a
// new context whose messages do not meet the old one's.
func TestShrinkWhole(t *testing.T) {
	cs := recoverLocal(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	nc := make([]*Comm, 3)
	for i, err := range onLive(t, cs, func(i int, c *Comm) error {
		var err error
		nc[i], err = c.Shrink(ctx)
		return err
	}) {
		if err != nil {
			t.Fatalf("rank %d: %v", i, err)
		}
	}
	for i := range 3 {
		if nc[i].Size() != 3 || nc[i].Rank() != i || nc[i].ID() == cs[i].ID() {
			t.Fatalf("rank %d: size %d rank %d, same context %v", i, nc[i].Size(), nc[i].Rank(), nc[i].ID() == cs[i].ID())
		}
	}
	if err := cs[0].Send(ctx, 1, 3, []byte("old")); err != nil {
		t.Fatal(err)
	}
	if err := nc[0].Send(ctx, 1, 3, []byte("new")); err != nil {
		t.Fatal(err)
	}
	b, _, err := nc[1].RecvBytes(ctx, 0, 3)
	if err != nil || string(b) != "new" {
		t.Fatalf("shrunk communicator got %q, %v", b, err)
	}
}

// TestShrinkNotRecovering: a world that does not recover ends at the
// death, and Shrink reports it.
func TestShrinkNotRecovering(t *testing.T) {
	cs := local(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := cs[1].Send(ctx, 0, 0, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cs[0].RecvBytes(ctx, 1, 0); err != nil {
		t.Fatal(err)
	}
	crash(cs[1])
	if _, err := cs[0].Shrink(ctx); !errors.Is(err, ErrRankFailed) {
		t.Fatalf("Shrink: %v, want ErrRankFailed", err)
	}
}
