package collectives

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/comm"
)

// TestSegmentChosen: on one host, Barrier and Allreduce (small, large,
// and in rounds larger than a segment's buffers) run through a host
// segment, flat and as a tree, on the world and on Dup and Split
// communicators (each its own segment), and give the message path's
// results; the segment's file is gone once set up; GORUN_TRANSPORT=tcp
// keeps every call on messages.
func TestSegmentChosen(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("host segments need Linux")
	}
	for _, p := range []int{2, 5, 12} { // 12: the tree
		t.Run(fmt.Sprintf("p=%d", p), func(t *testing.T) {
			cs := local(t, p)
			mustAll(t, cs, segRound)
			dups := dupAll(t, cs)
			mustAll(t, dups, segRound)
			var halves [16]*comm.Comm
			mustAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
				h, err := c.Split(ctx, c.Rank()%2, 0)
				halves[c.Rank()] = h
				return err
			})
			mustAll(t, halves[:p], segRound)
			for r := range p {
				for _, c := range []*comm.Comm{cs[r], dups[r], halves[r]} {
					if c.Size() > 1 && segOf(c) == nil {
						t.Fatalf("rank %d of a communicator of %d: no segment", r, c.Size())
					}
				}
				if segOf(cs[r]) == segOf(dups[r]) {
					t.Fatalf("rank %d: Dup shares the world's segment", r)
				}
			}
			st := segStateOf(cs[0])
			if _, err := os.Stat(cs[0].HostSegmentPath(st.creator, st.nonce)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("segment file still there after setup: %v", err)
			}
		})
	}
	t.Run("tcp", func(t *testing.T) {
		t.Setenv("GORUN_TRANSPORT", "tcp")
		cs := local(t, 3)
		mustAll(t, cs, segRound)
		for r, c := range cs {
			if segOf(c) != nil {
				t.Errorf("rank %d: a segment under GORUN_TRANSPORT=tcp", r)
			}
		}
	})
}

// segRound runs Barrier and Allreduces of several sizes and ops and checks
// their results.
func segRound(ctx context.Context, c *comm.Comm) error {
	p, r := c.Size(), c.Rank()
	for range 3 {
		if err := Barrier(ctx, c); err != nil {
			return err
		}
	}
	big := 3*(1<<20)/8 + 5 // elements: rounds of bigChunk, and a ragged end
	if raceEnabled {
		big = 70000
	}
	for _, n := range []int{1, 7, 512, 3000, big} {
		in := make([]float64, n)
		for i := range in {
			in[i] = float64(r*n + i)
		}
		out := make([]float64, n)
		if err := Allreduce(ctx, c, in, out, Sum[float64]()); err != nil {
			return err
		}
		for i, v := range out {
			want := float64(p*(p-1)/2*n + p*i)
			if v != want {
				return fmt.Errorf("Allreduce(%d) sum[%d] = %v, want %v", n, i, v, want)
			}
		}
		// A non-commutative op: combined in rank order.
		pairs := []int64{int64(n + r), int64(r)}
		got := make([]int64, 2)
		if err := Allreduce(ctx, c, pairs, got, MaxLoc[int64]()); err != nil {
			return err
		}
		if got[0] != int64(n+p-1) || got[1] != int64(p-1) {
			return fmt.Errorf("Allreduce MaxLoc = %v, want [%d %d]", got, n+p-1, p-1)
		}
	}
	return nil
}

// TestSegmentMismatch: ranks that meet in the segment see a peer in
// another call at the same sequence number, whether the peer is in the
// segment too (another op or count), waits for a message (Gather's root),
// or only sends and goes on (Bcast's root): every rank gets an error, one
// a *MismatchError naming both calls, and nobody hangs.
func TestSegmentMismatch(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("host segments need Linux")
	}
	const p = 4
	cases := []struct {
		name string
		odd  collFunc
		text string
	}{
		{"Allreduce", allreduceOf(2, Sum[int64]()), "Allreduce"},
		{"Allreduce/count", allreduceOf(3, Sum[int64]()), "Allreduce"},
		{"Gather", gatherAt(p - 1), "Gather(root=3)"},
		{"Bcast", func(ctx context.Context, c *comm.Comm) error { return Bcast(ctx, c, make([]int32, 2), p-1) }, "Bcast(root=3)"},
	}
	base := local(t, p)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cs := dupAll(t, base)
			errs := onAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
				if err := Barrier(ctx, c); err != nil {
					return fmt.Errorf("first barrier: %w", err)
				}
				if segOf(c) == nil {
					return fmt.Errorf("no segment")
				}
				f := allreduceOf(2, Sum[int64]())
				if tc.name != "Allreduce/count" {
					f = barrier
				}
				if c.Rank() == p-1 {
					f = tc.odd
				}
				if err := f(ctx, c); err != nil {
					return err
				}
				return Barrier(ctx, c)
			})
			seen := false
			for r, err := range errs {
				switch {
				case err == nil:
					t.Errorf("rank %d: no error", r)
				case errors.Is(err, ErrMismatch):
					if strings.Contains(err.Error(), tc.text) {
						seen = true
					}
				case errors.Is(err, comm.ErrRevoked):
				default:
					t.Errorf("rank %d: unexpected error %v", r, err)
				}
			}
			if !seen {
				t.Errorf("no mismatch naming %q: %v", tc.text, errs)
			}
		})
	}
}

// TestSegmentCancel: a rank whose context ends while it waits in the
// segment for a peer that never comes gets the context's error naming the
// call, and the peers that were waiting with it are woken (the segment is
// broken, the communicator revoked) instead of waiting for the absent
// rank: with parking (p above the cores) too.
func TestSegmentCancel(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("host segments need Linux")
	}
	p := max(3, 2*runtime.NumCPU()+1)
	cs := local(t, p)
	mustAll(t, cs, barrier) // set up
	var late atomic.Bool
	errs := onAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
		if c.Rank() == p-1 {
			return nil // never comes
		}
		if c.Rank() == 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, 300*time.Millisecond)
			defer cancel()
		}
		err := Barrier(ctx, c)
		if c.Rank() != 0 && ctx.Err() != nil {
			late.Store(true)
		}
		return err
	})
	if !errors.Is(errs[0], context.DeadlineExceeded) || !strings.Contains(errs[0].Error(), "Barrier #2") {
		t.Errorf("rank 0: %v, want the deadline naming Barrier #2", errs[0])
	}
	for r := 1; r < p-1; r++ {
		if !errors.Is(errs[r], comm.ErrRevoked) {
			t.Errorf("rank %d: %v, want ErrRevoked", r, errs[r])
		}
	}
	if late.Load() {
		t.Error("a waiting rank was not woken before the test's deadline")
	}
}

// TestSegmentBarrierAllocs: a Barrier or a small Allreduce through the
// segment allocates nothing once set up (a call is reused from callPool;
// an allocation per call, and the collections it brought, were a large
// share of a two-rank Barrier's mean time).
func TestSegmentBarrierAllocs(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("host segments need Linux")
	}
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	cs := local(t, 2)
	const n = 2000
	in, out := [2][]float64{{1}, {2}}, [2][]float64{{0}, {0}}
	loop := func(ctx context.Context, c *comm.Comm) error {
		for range n {
			if err := Barrier(ctx, c); err != nil {
				return err
			}
			if err := Allreduce(ctx, c, in[c.Rank()], out[c.Rank()], Sum[float64]()); err != nil {
				return err
			}
		}
		return nil
	}
	mustAll(t, cs, loop) // sets the segment up, fills the pool
	for _, c := range cs {
		// Never park: parking (past the poll time, which a loaded
		// machine makes happen now and then) allocates a channel and a
		// goroutine, and is not what this test is about.
		s := segOf(c)
		s.spin, s.hot = time.Hour, time.Hour
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	mustAll(t, cs, loop)
	runtime.ReadMemStats(&after)
	perCall := float64(after.Mallocs-before.Mallocs) / (2 * 2 * n)
	if perCall > 0.1 {
		t.Errorf("%.2f allocations per call and rank through the segment, want almost none", perCall)
	}
	if out[0][0] != 3 || out[1][0] != 3 {
		t.Errorf("Allreduce gave %v and %v, want 3", out[0], out[1])
	}
}

// TestSegmentAllreduceRankOrder: a large Allreduce through the segment
// (rounds of the big buffers, a ragged end) combines every element in
// rank order, whichever rank combines it: floating-point sums whose value
// depends on the order match a left-to-right fold bit for bit, on every
// rank, with recv apart from send, the same slice, or overlapping it.
func TestSegmentAllreduceRankOrder(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("host segments need Linux")
	}
	for _, p := range []int{2, 4, 5} {
		t.Run(fmt.Sprintf("p=%d", p), func(t *testing.T) {
			n := 2*(1<<20)/8 + 13
			if raceEnabled {
				n = 70001
			}
			operand := func(r, i int) float64 {
				// Large and small magnitudes by rank and element, so that
				// another order rounds differently.
				return float64((i*7+r*13)%11-5) * []float64{1e16, 1, 3.3, 1e-3, -1e16}[(r+i)%5]
			}
			want := make([]float64, n)
			for i := range want {
				v := operand(0, i)
				for r := 1; r < p; r++ {
					v += operand(r, i)
				}
				want[i] = v
			}
			cs := local(t, p)
			mustAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
				if err := Barrier(ctx, c); err != nil { // sets the segment up
					return err
				}
				// Apart, in place (send is recv), and overlapping (recv
				// starts one element into send): the segment reads send
				// directly, so recv must be written only after.
				for _, shift := range []int{-1, 0, 1} {
					buf := make([]float64, n+1)
					in := buf[:n]
					out := buf[max(shift, 0) : max(shift, 0)+n]
					if shift < 0 {
						out = make([]float64, n)
					}
					for i := range in {
						in[i] = operand(c.Rank(), i)
					}
					if err := Allreduce(ctx, c, in, out, Sum[float64]()); err != nil {
						return err
					}
					if segOf(c) == nil {
						return fmt.Errorf("no segment")
					}
					for i := range out {
						if math.Float64bits(out[i]) != math.Float64bits(want[i]) {
							return fmt.Errorf("recv at %d past send: element %d = %v, want %v (the rank-order sum)", shift, i, out[i], want[i])
						}
					}
				}
				return nil
			})
		})
	}
}
