package collectives

import (
	"errors"
	"strings"
	"testing"
)

func TestHeaderRoundTrip(t *testing.T) {
	for _, h := range []header{
		{desc: desc{op: opBarrier, root: -1, count: -1}, seq: 1, commID: 7},
		{desc: desc{op: opAllgatherv, kind: kindOf[float32](), root: -1, count: 1 << 40, check: hashInts([]int{1, 2})}, flags: flagProbe, sender: 15, seq: 1<<63 + 5, commID: ^uint64(0)},
		{desc: desc{op: opBcastValue, kind: kindValue, root: 3, count: -1}, flags: flagReply, sender: 2, seq: 9},
	} {
		var b [hdrSize]byte
		h.encode(&b)
		got, err := decodeHeader(b[:])
		if err != nil || got != h {
			t.Errorf("round trip of %+v: got %+v, %v", h, got, err)
		}
	}
}

func FuzzDecodeHeader(f *testing.F) {
	var b [hdrSize]byte
	(&header{desc: desc{op: opBcast, kind: kindOf[int64](), count: 3}, seq: 4}).encode(&b)
	f.Add(b[:])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		h, err := decodeHeader(in)
		if err != nil {
			return
		}
		var out [hdrSize]byte
		h.encode(&out)
		h2, err := decodeHeader(out[:])
		if err != nil || h2 != h {
			t.Fatalf("re-encoding %+v gave %+v, %v", h, h2, err)
		}
		_ = h.desc.call(h.seq).withArgs(true, true, true) // must not panic
	})
}

func TestMismatchErrorText(t *testing.T) {
	bar := desc{op: opBarrier, root: -1, count: -1}
	bc := desc{op: opBcast, kind: kindOf[int64](), root: 0, count: 3}
	for _, tc := range []struct {
		a, b desc
		want string
	}{
		{bar, bc, "rank 1 is in Barrier #17 but rank 0 is in Bcast(root=0) #17"},
		{bc, desc{op: opBcast, kind: kindOf[int64](), root: 2, count: 3}, "rank 1 is in Bcast(root=0) #17 but rank 0 is in Bcast(root=2) #17"},
		{bc, desc{op: opBcast, kind: kindOf[float32](), root: 0, count: 3}, "rank 1 is in Bcast(root=0, 3 x int64) #17 but rank 0 is in Bcast(root=0, 3 x float32) #17"},
		{desc{op: opAllgather, kind: kindOf[int8](), root: -1, count: 4}, desc{op: opAllgather, kind: kindOf[int8](), root: -1, count: 5}, "rank 1 is in Allgather(4 x int8) #17 but rank 0 is in Allgather(5 x int8) #17"},
	} {
		err := error(&MismatchError{Rank: 1, Call: tc.a.call(17), Peer: 0, PeerCall: tc.b.call(17)})
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %q, want it to contain %q", err, tc.want)
		}
		if !errors.Is(err, ErrMismatch) {
			t.Errorf("%v is not ErrMismatch", err)
		}
	}
}
