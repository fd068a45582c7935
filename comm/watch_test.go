package comm

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// TestShmWatchLingers: a receive leaves its ring's watching word set when
// it ends (the writer then rings no doorbell), so a message sent after it
// is seen only because the pump reads the ring when its linger deadline
// fires: an Iprobe loop, which does not poll rings, must still find every
// such message, both while the word is set and after the pump cleared it
// (doorbell path again), and the word must clear once no receive polls.
func TestShmWatchLingers(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("shared-memory streams are Linux-only")
	}
	cs := local(t, 2)
	ctx := context.Background()
	buf := make([]byte, 8)
	if err := cs[0].Send(ctx, 1, 0, buf); err != nil {
		t.Fatal(err)
	}
	if _, err := cs[1].Recv(ctx, 0, 0, buf); err != nil {
		t.Fatal(err)
	}
	st := streamOfIn(t, cs[1], 0)
	// Receives poll until their message comes (not for 50 µs only), so
	// the one in polled surely polls when its message is sent.
	w := cs[1].w
	w.pollTimes()
	w.pollFor, w.hot = time.Hour, time.Hour
	probe := func(what string, tag int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			_, ok, err := cs[1].Iprobe(0, tag)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: a message sent after the last receive is never seen (lost wake-up)", what)
			}
			runtime.Gosched()
		}
		if _, err := cs[1].Recv(ctx, 0, tag, buf); err != nil {
			t.Fatal(err)
		}
	}
	polled := func() {
		t.Helper()
		errc := make(chan error, 1)
		go func() {
			_, err := cs[1].Recv(ctx, 0, 3, make([]byte, 8))
			errc <- err
		}()
		for cs[1].w.polling.Load() == 0 { // the receive is polling
			runtime.Gosched()
		}
		if err := cs[0].Send(ctx, 1, 3, buf); err != nil {
			t.Fatal(err)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	for i := range 50 {
		// Right after a receive that polled: the word is most likely
		// still set.
		polled()
		if err := cs[0].Send(ctx, 1, 1, buf); err != nil {
			t.Fatal(err)
		}
		probe("watched ring", 1)
		if i%10 != 0 {
			continue
		}
		deadline := time.Now().Add(30 * time.Second)
		for st.shm.polling.Load() != 0 {
			if time.Now().After(deadline) {
				t.Fatal("the watching word stays set with no receive polling")
			}
			time.Sleep(time.Millisecond) // polling the word, not synchronising
		}
		if err := cs[0].Send(ctx, 1, 2, buf); err != nil {
			t.Fatal(err)
		}
		probe("unwatched ring", 2)
	}
}

// streamOfIn returns c's reading end of the ring from world rank src.
func streamOfIn(t *testing.T, c *Comm, src int) *inStream {
	t.Helper()
	w := c.w
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.shmIn[src]
	if st == nil {
		t.Fatal("no ring")
	}
	return st
}
