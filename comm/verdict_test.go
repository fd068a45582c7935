package comm

import (
	"context"
	"errors"
	"github.com/gorun-hpc/gorun/rendezvous"
	"testing"
	"time"
)

// TestLostPeerVerdict: rank 1 vanishes (its connections end without a
// goodbye or a failure notice) while rank 0 waits for it. A peer that fails
// because another rank died does just that, so rank 0 must not name rank 1
// at once: the launcher's notice of the rank that failed first, arriving
// meanwhile, is the verdict. Without any better notice, rank 1 is named
// after the bounded wait. The hook makes the order of events certain; no
// test timing decides the outcome.
func TestLostPeerVerdict(t *testing.T) {
	type notice struct {
		rank int
		code int // a plain exit code: the notice may be a follower's
		how  string
	}
	for _, tc := range []struct {
		name    string
		wait    time.Duration
		notices []notice // sent one by one, each when rank 0 starts waiting
		want    int
	}{
		{"launcher names the first failure", time.Minute, []notice{{2, 0, "killed by signal 9 (SIGKILL)"}}, 2},
		{"a plain exit notice waits too", time.Minute, []notice{{1, 1, "exited with code 1"}, {2, 0, "killed by signal 9 (SIGKILL)"}}, 2},
		{"nobody knows more", 20 * time.Millisecond, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cs, rv, err := newLocal(ctx, 3)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				for _, c := range cs {
					c.Close()
				}
			}()
			w0 := cs[0].w
			w0.lostWait.Store(int64(tc.wait))
			waiting := make(chan int, 4)
			hook := func(rank int) { waiting <- rank }
			w0.suspectHook.Store(&hook)

			// Rank 1 dials rank 0 (a connection rank 0 reads).
			if err := cs[1].Send(ctx, 0, 1, []byte("hi")); err != nil {
				t.Fatal(err)
			}
			if _, err := cs[0].Recv(ctx, 1, 1, make([]byte, 2)); err != nil {
				t.Fatal(err)
			}
			got := make(chan error, 1)
			go func() {
				_, err := cs[0].Recv(ctx, 1, 2, make([]byte, 1))
				got <- err
			}()
			// Rank 1 vanishes: its streams end, nothing said.
			for _, oc := range cs[1].w.outConns() {
				oc.mu.Lock()
				oc.c.Close()
				oc.err = ErrClosed
				oc.mu.Unlock()
			}
			for _, n := range tc.notices {
				select {
				case r := <-waiting:
					if r != 1 {
						t.Fatalf("rank 0 waits for a verdict on rank %d, want 1", r)
					}
				case err := <-got:
					t.Fatalf("rank 0's receive ended before the launcher's notice: %v", err)
				}
				rv.NotifyExited(n.rank, n.code, n.how)
			}
			err = <-got
			var re *RankError
			if !errors.As(err, &re) || re.Rank != tc.want {
				t.Fatalf("rank 0's receive from the vanished rank 1: %v, want a *RankError naming rank %d", err, tc.want)
			}
			t.Logf("rank 0: %v", err)
		})
	}
}

// TestLeftRankReported: a receive that fails because its source closed its
// communicator early tells the launcher which rank this one fails because
// of (once), so the launcher's notice to the others names the rank that
// left, not this follower (faults TestRankLeavesEarly).
func TestLeftRankReported(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs, rv, err := newLocal(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	// Rank 2 dials rank 0, so its goodbye reaches rank 0.
	if err := cs[2].Send(ctx, 0, 1, []byte{1}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs[0].Recv(ctx, 2, 1, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	cs[2].Close()
	for range 2 { // the second failed receive reports nothing more
		_, err := cs[0].Recv(ctx, 2, 2, make([]byte, 1))
		var re *RankError
		if !errors.As(err, &re) || re.Rank != 2 {
			t.Fatalf("receive from the rank that left: %v, want a *RankError naming rank 2", err)
		}
	}
	var causes []rendezvous.Event
	for ev := range rv.Events() {
		if ev.Kind == rendezvous.EventCause {
			causes = append(causes, ev)
		}
		if ev.Kind == rendezvous.EventGoodbye && ev.Rank == 0 {
			break
		}
		if ev.Kind == rendezvous.EventGoodbye && ev.Rank == 2 {
			cs[0].Close() // its goodbye ends the loop after its reports
		}
	}
	if len(causes) != 1 || causes[0].Rank != 0 || causes[0].Code != 2 {
		t.Errorf("cause reports %+v, want one: rank 0 fails because of rank 2", causes)
	}
}

// TestPanickingClose: a Close that runs while its rank panics (deferred,
// as the panic unwinds) tells the peers that the rank panicked, both one
// that has a stream from it and one that has not, instead of saying
// goodbye: their receives fail naming the rank as failed, not as one that
// closed its communicator.
func TestPanickingClose(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs, rv, err := newLocal(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	// Rank 1 dials rank 0 (a stream rank 0 reads); rank 2 has none from it.
	if err := cs[1].Send(ctx, 0, 1, []byte{1}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs[0].Recv(ctx, 1, 1, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() { _ = recover() }() // the test goes on; a program would crash here
		defer cs[1].Close()
		panic("boom")
	}()
	for _, r := range []int{0, 2} {
		_, err := cs[r].Recv(ctx, 1, 2, make([]byte, 1))
		var re *RankError
		if !errors.As(err, &re) || re.Rank != 1 || re.How != panickedHow {
			t.Errorf("rank %d's receive from the rank that panicked: %v, want a *RankError naming rank 1, %q", r, err, panickedHow)
		}
	}
	for ev := range rv.Events() {
		if ev.Kind == rendezvous.EventGoodbye && ev.Rank == 1 {
			t.Fatal("the rank that panicked said goodbye")
		}
		if ev.Kind == rendezvous.EventPanicked {
			if ev.Rank != 1 {
				t.Errorf("panicked event for rank %d, want 1", ev.Rank)
			}
			break
		}
	}
	// A Close outside a panic is a goodbye, as ever.
	if panicking() {
		t.Error("panicking() outside a panic")
	}
}
