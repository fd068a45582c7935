package comm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// tcpLocal starts n in-process ranks, each on a loopback address of its
// own (127.0.0.2, ...), so every stream is TCP between "hosts": the
// streams that receives read themselves (tcpread.go).
func tcpLocal(t *testing.T, n int) []*Comm {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("needs loopback addresses beyond 127.0.0.1 (Linux)")
	}
	cs, _, err := newLocalJob(context.Background(), n, false, func(i int) string { return fmt.Sprintf("127.0.0.%d", 2+i) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, c := range cs {
			c.Close()
		}
	})
	return cs
}

// direct returns src's stream at c once receives may read it (after its
// first frame), failing the test if it never becomes so.
func direct(t *testing.T, c *Comm, src int) *inStream {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if st := c.w.directIn(src); st != nil {
			return st
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("rank %d: the TCP stream from rank %d never became readable by receives", c.Rank(), src)
	return nil
}

// tcpPingPong runs n round trips of an 8-byte message between ranks 0 and 1.
func tcpPingPong(t *testing.T, cs []*Comm, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	each(t, cs[:2], func(c *Comm) error {
		buf := make([]byte, 8)
		for i := range n {
			want := []byte(fmt.Sprintf("%08d", i))
			if c.Rank() == 0 {
				if err := c.Send(ctx, 1, 3, want); err != nil {
					return err
				}
			}
			if _, err := c.Recv(ctx, 1-c.Rank(), 3, buf); err != nil {
				return err
			}
			if !bytes.Equal(buf, want) {
				return fmt.Errorf("round %d: got %q, want %q", i, buf, want)
			}
			if c.Rank() == 1 {
				if err := c.Send(ctx, 0, 3, buf); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// TestTCPReceiveReadsItsStream: in a ping-pong between ranks on different
// hosts, the receives read their peer's stream themselves (they hold its
// token), rather than waiting for the reader goroutine to hand them the
// message.
func TestTCPReceiveReadsItsStream(t *testing.T) {
	cs := tcpLocal(t, 2)
	tcpPingPong(t, cs, 1) // the first frame makes the streams direct
	st0, st1 := direct(t, cs[0], 1), direct(t, cs[1], 0)
	u0, u1 := st0.used.Load(), st1.used.Load()
	tcpPingPong(t, cs, 200)
	// Nearly every receive takes the stream; a few may be answered by the
	// reader goroutine if it held the stream when the message came.
	if d0, d1 := st0.used.Load()-u0, st1.used.Load()-u1; d0 < 100 || d1 < 100 {
		t.Fatalf("receives read their own stream %d and %d times in 200 round trips, want most", d0, d1)
	}
}

// TestTCPReceiveKicksReader: a receive that comes when the reader
// goroutine has taken the stream back (after tcpLinger idle) gets it from
// the reader, at a frame boundary, and reads its message itself.
func TestTCPReceiveKicksReader(t *testing.T) {
	cs := tcpLocal(t, 2)
	tcpPingPong(t, cs, 1)
	st := direct(t, cs[1], 0)
	for range 3 {
		deadline := time.Now().Add(10 * time.Second)
		for !st.reading.Load() { // the reader holds the stream, in a read
			if time.Now().After(deadline) {
				t.Fatal("the reader goroutine never took the idle stream back")
			}
			time.Sleep(tcpLinger / 4)
		}
		u := st.used.Load()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		errc := make(chan error, 1)
		go func() {
			_, err := cs[1].Recv(ctx, 0, 9, make([]byte, 4))
			errc <- err
		}()
		for st.used.Load() == u { // the receive took the stream over
			if time.Now().After(deadline) {
				t.Fatal("a receive never took the stream from the reader goroutine")
			}
			time.Sleep(100 * time.Microsecond)
		}
		if err := cs[0].Send(ctx, 1, 9, []byte("kick")); err != nil {
			t.Fatal(err)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		cancel()
	}
}

// TestTCPReceiveEnds: a receive reading its stream leaves the read when
// its context ends, when its communicator is revoked, and when the peer's
// connection is lost, and the stream keeps working for the next receive
// after the first two.
func TestTCPReceiveEnds(t *testing.T) {
	cs := tcpLocal(t, 2)
	tcpPingPong(t, cs, 1)
	st := direct(t, cs[1], 0)
	bg := context.Background()
	waitTaken := func(u uint32) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for st.used.Load() == u {
			if time.Now().After(deadline) {
				t.Fatal("the receive never read the stream itself")
			}
			time.Sleep(100 * time.Microsecond)
		}
	}

	// Context: cancelled while it sits in the socket's read.
	ctx, cancel := context.WithCancel(bg)
	errc := make(chan error, 1)
	u := st.used.Load()
	go func() {
		_, err := cs[1].Recv(ctx, 0, 5, make([]byte, 8))
		errc <- err
	}()
	waitTaken(u)
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled receive: %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a receive reading its stream ignores its context")
	}
	tcpPingPong(t, cs, 3)

	// Revocation: the engine answers the waiter and kicks it out of the read.
	subs := make([]*Comm, 2)
	each(t, cs, func(c *Comm) error {
		s, err := c.Dup(bg)
		subs[c.Rank()] = s
		return err
	})
	sub := subs[1]
	u = st.used.Load()
	go func() {
		_, err := sub.Recv(bg, 0, 5, make([]byte, 8))
		errc <- err
	}()
	waitTaken(u)
	sub.Revoke(errors.New("test revokes"))
	select {
	case err := <-errc:
		if !errors.Is(err, ErrRevoked) {
			t.Fatalf("revoked receive: %v, want ErrRevoked", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a receive reading its stream ignores a revocation")
	}
	tcpPingPong(t, cs, 3)

	// The peer's end: its connection closes under the receive's read.
	u = st.used.Load()
	go func() {
		_, err := cs[1].Recv(bg, 0, 5, make([]byte, 8))
		errc <- err
	}()
	waitTaken(u)
	killStream(cs, 0, 1) // what the kernel does when the process dies
	select {
	case err := <-errc:
		var re *RankError
		if !errors.As(err, &re) || re.Rank != 0 {
			t.Fatalf("receive from a peer whose connection closed: %v, want a RankError naming rank 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a receive reading the stream of a dead peer hangs")
	}
}

// TestTCPReceivesShareStream: receives from one peer in several
// goroutines, for messages that arrive in the opposite order: whichever
// holds the stream reads every frame and answers the others.
func TestTCPReceivesShareStream(t *testing.T) {
	cs := tcpLocal(t, 2)
	tcpPingPong(t, cs, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const k = 8
	for round := range 20 {
		errc := make(chan error, k)
		for tag := range k {
			go func() {
				buf := make([]byte, 16)
				n, err := cs[1].Recv(ctx, 0, tag, buf)
				if err == nil && string(buf[:n.Count]) != fmt.Sprintf("r%d t%d", round, tag) {
					err = fmt.Errorf("tag %d got %q", tag, buf[:n.Count])
				}
				errc <- err
			}()
		}
		for tag := k - 1; tag >= 0; tag-- {
			if err := cs[0].Send(ctx, 1, tag, []byte(fmt.Sprintf("r%d t%d", round, tag))); err != nil {
				t.Fatal(err)
			}
		}
		for range k {
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestTCPFramesLeftBuffered: a frame for nobody yet behind a received one,
// buffered or still in the socket: a receive from any source and a probe
// find it at once (the reader is woken for it; it is not left until
// tcpLinger).
func TestTCPFramesLeftBuffered(t *testing.T) {
	// The reader goroutine would take an idle stream back only after a
	// minute: whoever wants the frame must wake it.
	defer func(d time.Duration) { tcpLinger = d }(tcpLinger)
	tcpLinger = time.Minute
	cs := tcpLocal(t, 2)
	tcpPingPong(t, cs, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for round := range 30 {
		// Round 0, 3, ...: both frames sent before the first receive (they
		// come in one read, the second stays buffered); else the second is
		// sent after it (it waits in the socket). Rounds 1, 4, ... probe
		// for it, the others receive from any source.
		mode := round % 3
		if err := cs[0].Send(ctx, 1, 1, []byte("first")); err != nil {
			t.Fatal(err)
		}
		if mode == 0 {
			if err := cs[0].Send(ctx, 1, 2, []byte("second")); err != nil {
				t.Fatal(err)
			}
		}
		b, _, err := cs[1].RecvBytes(ctx, 0, 1)
		if err != nil || string(b) != "first" {
			t.Fatalf("%q, %v", b, err)
		}
		if mode != 0 {
			if err := cs[0].Send(ctx, 1, 2, []byte("second")); err != nil {
				t.Fatal(err)
			}
		}
		if mode != 1 {
			b, st, err := cs[1].RecvBytes(ctx, AnySource, AnyTag)
			if err != nil || string(b) != "second" || st.Tag != 2 {
				t.Fatalf("any-source receive: %q tag %d, %v", b, st.Tag, err)
			}
			continue
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, ok, err := cs[1].Iprobe(0, 2)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("Iprobe never saw the second frame")
			}
			runtime.Gosched()
		}
		if b, _, err := cs[1].RecvBytes(ctx, 0, 2); err != nil || string(b) != "second" {
			t.Fatalf("%q, %v", b, err)
		}
	}
}

// TestTCPLargeMessagesDirect: messages larger than a raw read (rawMax) and
// than the socket's buffers go through the receive's own reads intact,
// both ways, with small ones between them.
func TestTCPLargeMessagesDirect(t *testing.T) {
	cs := tcpLocal(t, 2)
	tcpPingPong(t, cs, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sizes := []int{rawMax - frameHdrSize, rawMax - frameHdrSize + 1, rawMax + 1, 3 << 20, 1}
	each(t, cs, func(c *Comm) error {
		peer := 1 - c.Rank()
		for i, n := range sizes {
			out := make([]byte, n)
			for j := range out {
				out[j] = byte(j*7 + i + c.Rank())
			}
			in := make([]byte, n)
			if c.Rank() == 0 {
				if err := c.Send(ctx, peer, i, out); err != nil {
					return err
				}
			}
			if _, err := c.Recv(ctx, peer, i, in); err != nil {
				return err
			}
			if c.Rank() == 1 {
				if err := c.Send(ctx, peer, i, out); err != nil {
					return err
				}
			}
			for j := range in {
				if in[j] != byte(j*7+i+peer) {
					return fmt.Errorf("%d bytes: byte %d is %d, want %d", n, j, in[j], byte(j*7+i+peer))
				}
			}
		}
		return nil
	})
}

// TestTCPPingPongAllocates: a small message's round trip over TCP
// allocates nothing on either rank once the streams are set up (the frame
// header lived on the heap, one allocation per message; the GC cycles of
// such garbage show in a ping-pong's tail). The race detector's own
// bookkeeping allocates, so it gets an allowance.
func TestTCPPingPongAllocates(t *testing.T) {
	cs := tcpLocal(t, 2)
	tcpPingPong(t, cs, 10)
	// A context that can end costs the receive a context.AfterFunc
	// (readRecv); the benchmark's does not.
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 8)
		for {
			if _, err := cs[1].Recv(context.Background(), 0, 3, buf); err != nil || buf[0] == 'q' {
				return
			}
			if err := cs[1].Send(context.Background(), 0, 3, buf); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 8)
	var failed error
	a := testing.AllocsPerRun(2000, func() {
		if err := cs[0].Send(ctx, 1, 3, buf); err != nil && failed == nil {
			failed = err
		}
		if _, err := cs[0].Recv(ctx, 1, 3, buf); err != nil && failed == nil {
			failed = err
		}
	})
	if err := cs[0].Send(ctx, 1, 3, []byte("quit....")); err != nil {
		t.Fatal(err)
	}
	<-done
	if failed != nil {
		t.Fatal(failed)
	}
	limit := 0.1
	if raceEnabled {
		limit = 4
	}
	if a > limit {
		t.Fatalf("%.2f allocations per 8-byte round trip over TCP, want at most %.1f", a, limit)
	}
}
