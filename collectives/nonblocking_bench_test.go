package collectives

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/comm"
)

// BenchmarkIallreduce compares Allreduce with Iallreduce + Wait (the cost
// of the goroutine, the registry and the leftover look), alternating in
// one run, in-process ranks over loopback TCP.
func BenchmarkIallreduce(b *testing.B) {
	for _, p := range []int{2, 4} {
		for _, nb := range []int{8, 1 << 20} {
			for _, kind := range []string{"blocking", "nonblocking"} {
				b.Run(fmt.Sprintf("ranks=%d/bytes=%d/%s", p, nb, kind), func(b *testing.B) {
					cs := local(b, p)
					b.SetBytes(int64(nb))
					benchOnAll(b, cs, func(ctx context.Context, c *comm.Comm) error {
						send, recv := make([]float64, nb/8), make([]float64, nb/8)
						if kind == "blocking" {
							return Allreduce(ctx, c, send, recv, Sum[float64]())
						}
						_, err := Iallreduce(ctx, c, send, recv, Sum[float64]()).Wait(ctx)
						return err
					})
				})
			}
		}
	}
}

// BenchmarkOverlap: a 1 MiB Allreduce and 2 ms of work per rank, one
// after the other or overlapped with Iallreduce. The work sleeps (it
// stands for time spent elsewhere, e.g. waiting on a device) so the
// numbers do not depend on how loaded the shared cores are.
func BenchmarkOverlap(b *testing.B) {
	const work = 2 * time.Millisecond
	for _, kind := range []string{"sequential", "overlapped"} {
		b.Run(kind, func(b *testing.B) {
			cs := local(b, 4)
			send, recv := make([][]float64, 4), make([][]float64, 4)
			for i := range send {
				send[i], recv[i] = make([]float64, 1<<17), make([]float64, 1<<17)
			}
			benchOnAll(b, cs, func(ctx context.Context, c *comm.Comm) error {
				s, r := send[c.Rank()], recv[c.Rank()]
				if kind == "sequential" {
					if err := Allreduce(ctx, c, s, r, Sum[float64]()); err != nil {
						return err
					}
					time.Sleep(work)
					return nil
				}
				req := Iallreduce(ctx, c, s, r, Sum[float64]())
				time.Sleep(work)
				_, err := req.Wait(ctx)
				return err
			})
		})
	}
}
