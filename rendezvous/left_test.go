package rendezvous

import (
	"testing"
	"time"
)

// TestLeftBatched: the goodbye notices of ranks that leave together reach
// a rank that stays in one write (one read on its side), in the order the
// goodbyes came, without the notices of ranks that told it on a stream;
// and a failure notice sent after them comes after them, though it is
// sent at once.
func TestLeftBatched(t *testing.T) {
	s, c := job(t, 6, false)
	for _, r := range []int{5, 4, 3, 2} {
		dialed := []int{1}
		if r == 3 {
			dialed = []int{0, 1} // rank 0 learns on rank 3's stream
		}
		if err := c[r].Goodbye(dialed, -1, ""); err != nil {
			t.Fatal(err)
		}
		event(t, s, EventGoodbye)
	}
	s.NotifyFailed(1, "killed by signal 9")
	// Every goodbye came before the flush (leftDelay), unless the machine
	// is very slow: then the notices come in more than one batch, and
	// only their order is checked.
	var got []int
	for len(got) < 3 {
		m := next(t, c[0])
		if m.Type != TypeLeft {
			t.Fatalf("rank 0: %+v before the goodbye notices of ranks 5, 4, 2", m)
		}
		got = append(got, m.Rank)
		if len(got) == 1 && c[0].r.Buffered() == 0 {
			t.Logf("the notices came in more than one read (a slow machine?)")
		}
	}
	if got[0] != 5 || got[1] != 4 || got[2] != 2 {
		t.Errorf("rank 0 got goodbye notices of ranks %v, want 5 4 2 (3 told it on its stream)", got)
	}
	if m := next(t, c[0]); m.Type != TypeFailed || m.Rank != 1 {
		t.Errorf("rank 0: %+v after the goodbye notices, want rank 1's failure", m)
	}
	// Rank 1 got every goodbye on a stream: only the failure notice.
	if m := next(t, c[1]); m.Type != TypeFailed || m.Rank != 1 {
		t.Errorf("rank 1: %+v, want its own failure notice, no goodbye notices", m)
	}
}

// TestLeftFlushed: a lone goodbye notice is not held for a failure to
// push it out: it comes within leftDelay and the time it takes to send.
func TestLeftFlushed(t *testing.T) {
	_, c := job(t, 2, false)
	t0 := time.Now()
	if err := c[1].Goodbye(nil, -1, ""); err != nil {
		t.Fatal(err)
	}
	if m := next(t, c[0]); m.Type != TypeLeft || m.Rank != 1 {
		t.Fatalf("rank 0: %+v, want rank 1's goodbye notice", m)
	}
	if d := time.Since(t0); d < leftDelay {
		t.Errorf("the notice came after %v, before the batch delay %v: not batched", d, leftDelay)
	}
}
