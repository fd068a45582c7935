package comm

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// lazyLocal is local(t, n) with stalled payloads kept in the socket for
// as long as wait: with an hour, only a receive or a release moves a
// stream on, so these tests prove the release paths, not the timer.
func lazyLocal(t *testing.T, n int, wait time.Duration) []*Comm {
	cs := local(t, n)
	for _, c := range cs {
		c.w.lazyWait.Store(int64(wait))
	}
	return cs
}

// untilQueued waits until a message from src with tag is queued at c (for
// a large one: its header read, its payload left in the socket).
func untilQueued(t *testing.T, c *Comm, src, tag int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		_, ok, err := c.Iprobe(src, tag)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message from %d tag %d within a minute", src, tag)
		}
		runtime.Gosched()
	}
}

func pendingAt(c *Comm, src, tag int) bool { return c.w.eng.pendingAt(src, tag) }

// pendingAt reports whether a message from src with tag is queued with its
// payload still in the socket.
func (e *engine) pendingAt(src, tag int) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range e.queue {
		if m.src == src && m.tag == tag && m.pr != nil {
			return true
		}
	}
	return false
}

func TestLazyPayload(t *testing.T) {
	const big = 1 << 20
	ctx := context.Background()
	cases := []struct {
		name string
		wait time.Duration
		// recv runs on rank 1 once rank 0's tag-1 message (big) and tag-2
		// message (8 B) were sent and tag 1 is queued.
		recv func(t *testing.T, c *Comm)
	}{
		{"taken by Recv", time.Hour, func(t *testing.T, c *Comm) {
			if !pendingAt(c, 0, 1) {
				t.Error("payload was read into memory, not left in the socket")
			}
			recvBig(t, c, 0, 1)
			recvSmall(t, c, 0, 2)
		}},
		{"Recv behind it releases it", time.Hour, func(t *testing.T, c *Comm) {
			recvSmall(t, c, 0, 2)
			recvBig(t, c, 0, 1)
		}},
		{"AnySource Recv behind it releases it", time.Hour, func(t *testing.T, c *Comm) {
			if _, err := c.Recv(ctx, AnySource, 2, make([]byte, 8)); err != nil {
				t.Fatal(err)
			}
			recvBig(t, c, 0, 1)
		}},
		{"Iprobe behind it releases it", time.Hour, func(t *testing.T, c *Comm) {
			untilQueued(t, c, 0, 2)
			recvSmall(t, c, 0, 2)
			recvBig(t, c, 0, 1)
		}},
		{"RecvBytes", time.Hour, func(t *testing.T, c *Comm) {
			b, st, err := c.RecvBytes(ctx, 0, 1)
			if err != nil || st.Count != big || !bytes.Equal(b, pattern(big, 1)) {
				t.Fatalf("RecvBytes: %d bytes, %+v, %v", len(b), st, err)
			}
			recvSmall(t, c, 0, 2)
		}},
		{"Recv into a short buffer", time.Hour, func(t *testing.T, c *Comm) {
			b := make([]byte, 1000)
			st, err := c.Recv(ctx, 0, 1, b)
			if !errors.Is(err, ErrTruncate) || st.Count != big || !bytes.Equal(b, pattern(big, 1)[:1000]) {
				t.Fatalf("short Recv: %+v, %v", st, err)
			}
			recvSmall(t, c, 0, 2)
		}},
		{"cancelled Recv keeps the message", time.Hour, func(t *testing.T, c *Comm) {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := c.Recv(cctx, 0, 1, make([]byte, big)); !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled Recv: %v", err)
			}
			recvBig(t, c, 0, 1)
			recvSmall(t, c, 0, 2)
		}},
		{"timer reads it into memory", time.Nanosecond, func(t *testing.T, c *Comm) {
			recvSmall(t, c, 0, 2)
			recvBig(t, c, 0, 1)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cs := lazyLocal(t, 2, tc.wait)
			if err := cs[0].Send(ctx, 1, 1, pattern(big, 1)); err != nil {
				t.Fatal(err)
			}
			if err := cs[0].Send(ctx, 1, 2, pattern(8, 2)); err != nil {
				t.Fatal(err)
			}
			untilQueued(t, cs[1], 0, 1)
			tc.recv(t, cs[1])
		})
	}
}

// TestLazyCloseWhileStalled closes both ends while a payload waits in the
// socket: Close returns and nothing hangs.
func TestLazyCloseWhileStalled(t *testing.T) {
	cs := lazyLocal(t, 2, time.Hour)
	if err := cs[0].Send(context.Background(), 1, 1, pattern(1<<20, 1)); err != nil {
		t.Fatal(err)
	}
	untilQueued(t, cs[1], 0, 1)
	for _, c := range cs {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLazyTwoSources leaves payloads from two ranks in their sockets and
// takes them with AnySource receives.
func TestLazyTwoSources(t *testing.T) {
	const big = 256 << 10
	ctx := context.Background()
	cs := lazyLocal(t, 3, time.Hour)
	for _, r := range []int{0, 2} {
		if err := cs[r].Send(ctx, 1, 7, pattern(big, r)); err != nil {
			t.Fatal(err)
		}
	}
	untilQueued(t, cs[1], 0, 7)
	untilQueued(t, cs[1], 2, 7)
	seen := map[int]bool{}
	for range 2 {
		b := make([]byte, big)
		st, err := cs[1].Recv(ctx, AnySource, 7, b)
		if err != nil || !bytes.Equal(b, pattern(big, st.Source)) {
			t.Fatalf("AnySource Recv: %+v %v", st, err)
		}
		seen[st.Source] = true
	}
	if !seen[0] || !seen[2] {
		t.Fatalf("sources %v", seen)
	}
}

func recvBig(t *testing.T, c *Comm, src, tag int) {
	t.Helper()
	b := make([]byte, 1<<20)
	if st, err := c.Recv(context.Background(), src, tag, b); err != nil || !bytes.Equal(b, pattern(1<<20, 1)) {
		t.Fatalf("big Recv: %+v %v", st, err)
	}
}

func recvSmall(t *testing.T, c *Comm, src, tag int) {
	t.Helper()
	b := make([]byte, 8)
	if st, err := c.Recv(context.Background(), src, tag, b); err != nil || !bytes.Equal(b, pattern(8, 2)) {
		t.Fatalf("small Recv: %+v %v", st, err)
	}
}

// TestRecvSliceDirect: a typed receive takes a large message straight into
// its slice, and one of another element kind is refused without touching
// the slice.
func TestRecvSliceDirect(t *testing.T) {
	ctx := context.Background()
	cs := lazyLocal(t, 2, time.Hour)
	src := make([]float64, 1<<17)
	for i := range src {
		src[i] = float64(i)
	}
	for range 2 {
		if err := SendSlice(ctx, cs[0], 1, 3, src); err != nil {
			t.Fatal(err)
		}
	}
	untilQueued(t, cs[1], 0, 3)
	wrong := make([]int64, len(src))
	if _, err := RecvSlice(ctx, cs[1], 0, 3, wrong); !errors.Is(err, ErrArgument) {
		t.Fatalf("RecvSlice of the wrong kind: %v", err)
	}
	for _, v := range wrong {
		if v != 0 {
			t.Fatal("RecvSlice of the wrong kind wrote into the slice")
		}
	}
	untilQueued(t, cs[1], 0, 3)
	if !pendingAt(cs[1], 0, 3) {
		t.Error("second message was not left in the socket")
	}
	got := make([]float64, len(src))
	st, err := RecvSlice(ctx, cs[1], 0, 3, got)
	if err != nil || st.Count != len(src) || got[len(got)-1] != src[len(src)-1] {
		t.Fatalf("RecvSlice: %+v %v", st, err)
	}
}

// TestRecvFromClosedRank: a receive from a rank that has closed (said
// goodbye) fails instead of waiting forever, whether it was posted before
// or after the goodbye; messages sent before the goodbye still arrive.
func TestRecvFromClosedRank(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs := local(t, 3)
	if err := cs[1].Send(ctx, 0, 5, pattern(8, 2)); err != nil {
		t.Fatal(err)
	}
	posted := make(chan error, 1)
	go func() {
		_, err := cs[2].Recv(ctx, 1, 9, make([]byte, 8))
		posted <- err
	}()
	untilQueued(t, cs[0], 1, 5)
	if err := cs[1].Send(ctx, 2, 1, pattern(8, 2)); err != nil { // dial rank 2 so it hears the goodbye
		t.Fatal(err)
	}
	if _, err := cs[2].Recv(ctx, 1, 1, make([]byte, 8)); err != nil {
		t.Fatal(err)
	}
	if err := cs[1].Close(); err != nil {
		t.Fatal(err)
	}
	recvSmall(t, cs[0], 1, 5) // sent before the goodbye
	var re *RankError
	if _, err := cs[0].Recv(ctx, 1, 5, make([]byte, 8)); !errors.As(err, &re) || re.Rank != 1 {
		t.Fatalf("Recv after the goodbye: %v", err)
	}
	if err := <-posted; !errors.As(err, &re) || re.Rank != 1 {
		t.Fatalf("Recv posted before the goodbye: %v", err)
	}
}
