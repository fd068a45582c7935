package comm

import (
	"context"
	"testing"
)

// BenchmarkShmPath: one goroutine sends 8 B to a peer over its ring and
// receives it as that peer (its receive finds it at once): the software
// cost of a small message's send and receive, without the cache-line
// transfers between cores.
func BenchmarkShmPath(b *testing.B) {
	cs := local(b, 2)
	ctx := context.Background()
	buf := make([]byte, 8)
	if err := cs[0].Send(ctx, 1, 0, buf); err != nil {
		b.Fatal(err)
	}
	if _, err := cs[1].Recv(ctx, 0, 0, buf); err != nil {
		b.Fatal(err)
	}
	w := cs[1].w
	w.mu.Lock()
	st := w.shmIn[0]
	w.mu.Unlock()
	if st == nil {
		b.Skip("no ring")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := cs[0].Send(ctx, 1, 0, buf); err != nil {
			b.Fatal(err)
		}
		if _, err := cs[1].Recv(ctx, 0, 0, buf); err != nil {
			b.Fatal(err)
		}
	}
}
