package comm

import (
	"context"
	"errors"
	"net"
	"testing"
)

// TestBestEffort: a send under BestEffort to a rank whose listener is gone
// returns an error and leaves the world working; the same send without it
// fails the world (the peer is reported lost), which is what a watchdog
// probe to a rank that already finished must not do.
func TestBestEffort(t *testing.T) {
	ctx := context.Background()
	cs := local(t, 3)
	// A port nobody listens on: dials to rank 1 are refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := ln.Addr().String()
	ln.Close()
	cs[0].w.addrs[1] = gone

	if err := cs[0].Send(BestEffort(ctx), 1, 5, []byte("probe")); err == nil {
		t.Fatal("a best-effort send to a refused address succeeded")
	}
	if err := cs[0].w.eng.failure(); err != nil {
		t.Fatalf("a best-effort send failed the world: %v", err)
	}
	// Rank 0 still talks to rank 2.
	if err := cs[0].Send(ctx, 2, 5, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if _, err := cs[2].Recv(ctx, 0, 5, make([]byte, 5)); err != nil {
		t.Fatal(err)
	}

	err = cs[0].Send(ctx, 1, 5, []byte("data"))
	if !errors.Is(err, ErrRankFailed) {
		t.Fatalf("a plain send to a refused address: %v, want ErrRankFailed", err)
	}
}
