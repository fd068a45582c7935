package collectives

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
)

var benchRanks = []int{2, 4, 8}
var benchBytes = []int{8, 64 << 10, 1 << 20}

// benchOnAll runs f b.N times on every rank concurrently; the time is the
// slowest rank's, as OSU's benchmarks report.
func benchOnAll(b *testing.B, cs []*comm.Comm, f func(ctx context.Context, c *comm.Comm) error) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, len(cs))
	b.ResetTimer()
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range b.N {
				if err := f(ctx, c); err != nil {
					errs[i] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	for r, err := range errs {
		if err != nil {
			b.Fatalf("rank %d: %v", r, err)
		}
	}
}

func BenchmarkBarrier(b *testing.B) {
	for _, p := range benchRanks {
		b.Run(fmt.Sprintf("ranks=%d", p), func(b *testing.B) {
			cs := local(b, p)
			benchOnAll(b, cs, func(ctx context.Context, c *comm.Comm) error { return Barrier(ctx, c) })
		})
	}
}

func benchSizes(b *testing.B, f func(n int) func(ctx context.Context, c *comm.Comm) error) {
	for _, p := range benchRanks {
		for _, nb := range benchBytes {
			b.Run(fmt.Sprintf("ranks=%d/bytes=%d", p, nb), func(b *testing.B) {
				cs := local(b, p)
				b.SetBytes(int64(nb))
				benchOnAll(b, cs, f(nb/8))
			})
		}
	}
}

// perRankBuf hands each rank its own buffer, allocated once, so the
// benchmarks measure communication rather than the allocator.
func perRankBuf(n int) func(c *comm.Comm) []float64 {
	var mu sync.Mutex
	bufs := map[*comm.Comm][]float64{}
	return func(c *comm.Comm) []float64 {
		mu.Lock()
		defer mu.Unlock()
		if bufs[c] == nil {
			bufs[c] = make([]float64, n)
		}
		return bufs[c]
	}
}

func BenchmarkBcast(b *testing.B) {
	benchSizes(b, func(n int) func(ctx context.Context, c *comm.Comm) error {
		buf := perRankBuf(n)
		return func(ctx context.Context, c *comm.Comm) error {
			return Bcast(ctx, c, buf(c), 0)
		}
	})
}

// BenchmarkAllgather: bytes is each rank's contribution (as in OSU).
func BenchmarkAllgather(b *testing.B) {
	benchSizes(b, func(n int) func(ctx context.Context, c *comm.Comm) error {
		send := perRankBuf(n)
		recv := perRankBuf(n * 16)
		return func(ctx context.Context, c *comm.Comm) error {
			return Allgather(ctx, c, send(c), recv(c)[:n*c.Size()])
		}
	})
}

func BenchmarkAllreduce(b *testing.B) {
	benchSizes(b, func(n int) func(ctx context.Context, c *comm.Comm) error {
		buf := perRankBuf(n)
		return func(ctx context.Context, c *comm.Comm) error {
			return Allreduce(ctx, c, buf(c), buf(c), Sum[float64]())
		}
	})
}
