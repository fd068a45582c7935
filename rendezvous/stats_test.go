package rendezvous

import (
	"bytes"
	"runtime"
	"testing"
)

// TestStats: each rank's statistics, in one part or many (a report larger
// than a message), reach Server.Stats whole before its goodbye is seen;
// a rank that sent none is absent.
func TestStats(t *testing.T) {
	s, conns := job(t, 3, false)
	small := []byte(`{"rank":0}`)
	big := bytes.Repeat([]byte("x"), 2*MaxPayload+123) // three parts
	if err := conns[0].Stats(small); err != nil {
		t.Fatal(err)
	}
	if err := conns[1].Stats(big); err != nil {
		t.Fatal(err)
	}
	for r := range 2 {
		if err := conns[r].Goodbye(nil, -1, ""); err != nil {
			t.Fatal(err)
		}
	}
	// Every part came before the connection's end.
	departed := map[int]bool{}
	for !departed[0] || !departed[1] {
		departed[event(t, s, EventDeparted).Rank] = true
	}
	got := s.Stats()
	if len(got) != 2 || !bytes.Equal(got[0], small) || !bytes.Equal(got[1], big) {
		t.Errorf("Stats: %d ranks, rank 0 %q, rank 1 %d bytes; want rank 0 %q and rank 1 %d bytes",
			len(got), got[0], len(got[1]), small, len(big))
	}
	if _, ok := got[2]; ok {
		t.Error("rank 2 sent no statistics but has some")
	}
	// The ranks' sockets stay open to the end (a collected one is closed
	// with the server's notices unread, and the reset loses data).
	runtime.KeepAlive(conns)
}
