package colltest

import (
	"context"
	"fmt"
	"slices"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

// The calls of the rest of MPI's API (issue 16): Reduce_scatter, the
// nonblocking collectives mixed with blocking ones, MINLOC, and a
// Cartesian halo exchange, checked like the others in-process and as
// real processes under gorun.
func init() { Checks = append(Checks, mpiChecks...) }

var mpiChecks = []Check{
	{Name: "PointToPoint", Run: func(ctx context.Context, c *comm.Comm, n int) error {
		p, r := c.Size(), c.Rank()
		right, left := (r+1)%p, (r+p-1)%p
		got := make([]int64, n)
		if _, err := comm.SendrecvSlice(ctx, c, right, 1, data(r, n), left, 1, got); err != nil {
			return err
		}
		if err := expect("SendrecvSlice", got, data(left, n)); err != nil {
			return err
		}
		// Typed Isend/Irecv both ways around the ring, completed by WaitAny.
		fromL, fromR := make([]int64, n), make([]int64, n)
		reqs := []*comm.Request{
			comm.IrecvSlice(ctx, c, left, 2, fromL),
			comm.IrecvSlice(ctx, c, right, 3, fromR),
			comm.IsendSlice(ctx, c, right, 2, data(r, n)),
			comm.IsendSlice(ctx, c, left, 3, data(r, n)),
		}
		for {
			i, _, err := comm.WaitAny(ctx, reqs)
			if err != nil {
				return err
			}
			if i == comm.Undefined {
				break
			}
		}
		if err := expect("IrecvSlice from the left", fromL, data(left, n)); err != nil {
			return err
		}
		if err := expect("IrecvSlice from the right", fromR, data(right, n)); err != nil {
			return err
		}
		node, err := c.SplitShared(ctx)
		if err != nil {
			return err
		}
		// gorun -n N starts every rank on this host.
		if node.Size() != p || node.Rank() != r {
			return fmt.Errorf("SplitShared: rank %d of %d, want %d of %d", node.Rank(), node.Size(), r, p)
		}
		return nil
	}},
	{Name: "ReduceScatterBlock", Run: func(ctx context.Context, c *comm.Comm, n int) error {
		p, r := c.Size(), c.Rank()
		got := make([]int64, n)
		if err := collectives.ReduceScatterBlock(ctx, c, data(r, p*n), got, collectives.Sum[int64]()); err != nil {
			return err
		}
		want := make([]int64, n)
		for q := range p {
			for i, v := range data(q, p*n)[r*n : (r+1)*n] {
				want[i] += v
			}
		}
		return expect("ReduceScatterBlock", got, want)
	}},
	{Name: "Nonblocking", Run: func(ctx context.Context, c *comm.Comm, n int) error {
		p, r := c.Size(), c.Rank()
		sum, ag, blocking := make([]int64, n), make([]int64, p*n), make([]int64, n)
		bc := make([]int64, n)
		if r == p-1 {
			bc = data(p-1, n)
		}
		reqs := []*comm.Request{
			collectives.Ibarrier(ctx, c),
			collectives.Iallreduce(ctx, c, data(r, n), sum, collectives.Sum[int64]()),
			collectives.Ibcast(ctx, c, bc, p-1),
			collectives.Iallgather(ctx, c, data(r, n), ag),
		}
		// A blocking collective while they run.
		if err := collectives.Allreduce(ctx, c, data(r, n), blocking, collectives.Sum[int64]()); err != nil {
			return err
		}
		for {
			i, _, err := comm.WaitAny(ctx, reqs)
			if err != nil {
				return err
			}
			if i == comm.Undefined {
				break
			}
		}
		want := make([]int64, n)
		for q := range p {
			for i, v := range data(q, n) {
				want[i] += v
			}
		}
		if err := expect("Iallreduce", sum, want); err != nil {
			return err
		}
		if err := expect("Allreduce beside Iallreduce", blocking, want); err != nil {
			return err
		}
		if err := expect("Ibcast", bc, data(p-1, n)); err != nil {
			return err
		}
		return expect("Iallgather", ag, concat(p, func(i int) []int64 { return data(i, n) }))
	}},
	{Name: "MaxLoc", Run: func(ctx context.Context, c *comm.Comm, n int) error {
		p, r := c.Size(), c.Rank()
		// Pair i: value (i*7+r)%p, index r: the maximum p-1 sits on one rank.
		in := make([]int64, 2*n)
		for i := range n {
			in[2*i], in[2*i+1] = int64((i*7+r)%p), int64(r)
		}
		out := make([]int64, 2*n)
		if err := collectives.Allreduce(ctx, c, in, out, collectives.MaxLoc[int64]()); err != nil {
			return err
		}
		for i := range n {
			at := ((p-1-i*7)%p + p) % p
			if out[2*i] != int64(p-1) || out[2*i+1] != int64(at) {
				return fmt.Errorf("MaxLoc pair %d: (%d, %d), want (%d, %d)", i, out[2*i], out[2*i+1], p-1, at)
			}
		}
		return nil
	}},
	{Name: "CartHalo", Run: func(ctx context.Context, c *comm.Comm, n int) error {
		dims, err := collectives.DimsCreate(c.Size(), []int{0, 0})
		if err != nil {
			return err
		}
		g, err := collectives.NewCart(ctx, c, dims, []bool{true, false})
		if err != nil {
			return err
		}
		b := max(n/4, 1)
		send := make([]int64, 4*b)
		for blk := range 4 {
			for i := range b {
				send[blk*b+i] = int64(g.Rank()*10+blk)*1_000_000 + int64(i)
			}
		}
		recv := slices.Repeat([]int64{-1}, 4*b)
		if err := collectives.NeighborAlltoall(ctx, g, send, recv); err != nil {
			return err
		}
		for d := range 2 {
			lo, hi, err := g.Shift(d, 1)
			if err != nil {
				return err
			}
			for _, s := range []struct{ blk, from, theirs int }{{2 * d, lo, 2*d + 1}, {2*d + 1, hi, 2 * d}} {
				for i := range b {
					want := int64(-1)
					if s.from != comm.ProcNull {
						want = int64(s.from*10+s.theirs)*1_000_000 + int64(i)
					}
					if recv[s.blk*b+i] != want {
						return fmt.Errorf("halo block %d element %d on grid rank %d: %d, want %d", s.blk, i, g.Rank(), recv[s.blk*b+i], want)
					}
				}
			}
		}
		return nil
	}},
}
