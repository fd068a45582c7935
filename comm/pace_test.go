package comm

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// A hot pacer polls hotBatch times between looks at the clock, a cold one
// looks (and yields) after every poll; both give up once spin is over.
func TestPacer(t *testing.T) {
	for _, tc := range []struct {
		name      string
		spin, hot time.Duration
		calls     int // next's calls up to and including the first false
	}{
		// The first look starts the clock; the next one, spin (negative:
		// already over) later, ends it.
		{"hot", -1, time.Hour, 2 * hotBatch},
		{"cold from the start (ranks outnumber cores)", -1, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPacer(tc.spin, tc.hot)
			calls := 0
			for calls < 10*hotBatch {
				calls++
				if !p.next() {
					break
				}
			}
			if calls != tc.calls {
				t.Errorf("next returned false at call %d, want %d", calls, tc.calls)
			}
		})
	}
}

// A hot pacer turns cold (yields to other processes at every poll) once
// hot is over, and keeps polling until spin is.
func TestPacerCools(t *testing.T) {
	p := newPacer(time.Hour, time.Nanosecond)
	for range 3 * hotBatch {
		if !p.next() {
			t.Fatal("gave up long before spin")
		}
	}
	if !p.cold {
		t.Fatal("still hot after hot was over")
	}
	n := p.n
	p.next()
	if p.n != n+1 || p.start.IsZero() {
		t.Fatal("cold pacer did not look at the clock")
	}
}

// TestShmPeerDiesDuringPoll: a receive polling a ring hot (back to back,
// as a rank with a core of its own does for up to its spin time) still
// learns at once that the writer died: the stream's pump, asleep on the
// connection, gets its end and fails the receive, even with one P, where
// only the poll's periodic yields to other goroutines let the pump run.
func TestShmPeerDiesDuringPoll(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("shared-memory streams are Linux-only")
	}
	for _, procs := range []int{1, 2} {
		t.Run(fmt.Sprintf("GOMAXPROCS=%d", procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			cs := local(t, 2)
			ctx := context.Background()
			if err := cs[0].Send(ctx, 1, 0, []byte("hi")); err != nil {
				t.Fatal(err)
			}
			if _, _, err := cs[1].RecvBytes(ctx, 0, 0); err != nil {
				t.Fatal(err)
			}
			// Poll hot for an hour: only the peer's death ends it.
			w := cs[1].w
			w.pollTimes()
			w.pollFor, w.hot = time.Hour, time.Hour
			errc := make(chan error, 1)
			go func() {
				_, err := cs[1].Recv(ctx, 0, 5, make([]byte, 8))
				errc <- err
			}()
			for w.polling.Load() == 0 { // the receive is polling
				runtime.Gosched()
			}
			killStream(cs, 0, 1) // what the kernel does when the process dies
			select {
			case err := <-errc:
				var re *RankError
				if !errors.As(err, &re) || re.Rank != 0 {
					t.Fatalf("receive from a writer that died while it polled: %v, want a RankError naming rank 0", err)
				}
			case <-time.After(60 * time.Second):
				t.Fatal("a receive polling the ring of a dead writer hangs")
			}
		})
	}
}
