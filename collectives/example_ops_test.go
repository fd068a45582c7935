package collectives_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

// Sum adds elementwise: here the cells of a global mesh and the mass in
// them, each rank holding its part.
func ExampleSum() {
	run(4, func(ctx context.Context, c *comm.Comm) string {
		cells := []int64{int64(100 * (c.Rank() + 1))}
		total := make([]int64, 1)
		if err := collectives.Allreduce(ctx, c, cells, total, collectives.Sum[int64]()); err != nil {
			return err.Error()
		}
		return fmt.Sprintln("cells:", total[0])
	})
	// Output: cells: 1000
}

// Prod multiplies elementwise: a probability that every rank's
// independent event happens.
func ExampleProd() {
	run(3, func(ctx context.Context, c *comm.Comm) string {
		p := []float64{[]float64{0.5, 0.5, 0.25}[c.Rank()]}
		all := make([]float64, 1)
		if err := collectives.Allreduce(ctx, c, p, all, collectives.Prod[float64]()); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(all[0])
	})
	// Output: 0.0625
}

// Min finds the smallest time step any rank can take (the CFL limit of
// an explicit solver): every rank then steps with it.
func ExampleMin() {
	runAll(3, func(ctx context.Context, c *comm.Comm) string {
		dt := []float64{[]float64{0.02, 0.005, 0.01}[c.Rank()]}
		global := make([]float64, 1)
		if err := collectives.Allreduce(ctx, c, dt, global, collectives.Min[float64]()); err != nil {
			return err.Error()
		}
		return fmt.Sprintln("dt", global[0])
	})
	// Output:
	// rank 0: dt 0.005
	// rank 1: dt 0.005
	// rank 2: dt 0.005
}

// Max finds the largest element of each position over the ranks: here
// the bounding box's upper corner of every rank's particles.
func ExampleMax() {
	run(3, func(ctx context.Context, c *comm.Comm) string {
		r := float64(c.Rank())
		upper := []float64{r, 10 - r, r * r} // x, y, z of this rank's corner
		box := make([]float64, 3)
		if err := collectives.Allreduce(ctx, c, upper, box, collectives.Max[float64]()); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(box)
	})
	// Output: [2 10 4]
}

// MinLoc finds the smallest value and where it is: each rank passes a
// (value, index) pair, here its best energy and its rank; equal values
// keep the lowest index.
func ExampleMinLoc() {
	run(4, func(ctx context.Context, c *comm.Comm) string {
		energy := []float64{-1.5, -3, -2, -3}[c.Rank()]
		out := make([]float64, 2)
		if err := collectives.Allreduce(ctx, c, []float64{energy, float64(c.Rank())}, out, collectives.MinLoc[float64]()); err != nil {
			return err.Error()
		}
		return fmt.Sprintf("lowest energy %v on rank %d\n", out[0], int(out[1]))
	})
	// Output: lowest energy -3 on rank 1
}

// BAnd keeps the bits set on every rank: the features every rank
// supports.
func ExampleBAnd() {
	run(3, func(ctx context.Context, c *comm.Comm) string {
		features := []uint8{[]uint8{0b1111, 0b1011, 0b0011}[c.Rank()]}
		common := make([]uint8, 1)
		if err := collectives.Allreduce(ctx, c, features, common, collectives.BAnd[uint8]()); err != nil {
			return err.Error()
		}
		return fmt.Sprintf("%04b\n", common[0])
	})
	// Output: 0011
}

// BXor makes a checksum of every rank's data that does not depend on
// the order of the ranks.
func ExampleBXor() {
	run(4, func(ctx context.Context, c *comm.Comm) string {
		h := []uint64{uint64(c.Rank()+1) * 0x9e3779b97f4a7c15}
		sum := make([]uint64, 1)
		if err := collectives.Allreduce(ctx, c, h, sum, collectives.BXor[uint64]()); err != nil {
			return err.Error()
		}
		var want uint64
		for r := range c.Size() {
			want ^= uint64(r+1) * 0x9e3779b97f4a7c15
		}
		return fmt.Sprintln(sum[0] == want)
	})
	// Output: true
}

// LAnd is 1 where every rank's element is nonzero: have all ranks
// converged?
func ExampleLAnd() {
	run(3, func(ctx context.Context, c *comm.Comm) string {
		converged := []int8{1, int8(c.Rank() % 2)} // step 1: all; step 2: rank 1 only
		all := make([]int8, 2)
		if err := collectives.Allreduce(ctx, c, converged, all, collectives.LAnd[int8]()); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(all)
	})
	// Output: [1 0]
}

// LOr is 1 where some rank's element is nonzero: did any rank ask to
// stop?
func ExampleLOr() {
	run(4, func(ctx context.Context, c *comm.Comm) string {
		stop := []int32{0}
		if c.Rank() == 2 {
			stop[0] = 1
		}
		anyStop := make([]int32, 1)
		if err := collectives.Allreduce(ctx, c, stop, anyStop, collectives.LOr[int32]()); err != nil {
			return err.Error()
		}
		return fmt.Sprintln("stop:", anyStop[0] == 1)
	})
	// Output: stop: true
}

// LXor is 1 where an odd number of ranks' elements are nonzero: a parity
// over the ranks.
func ExampleLXor() {
	run(3, func(ctx context.Context, c *comm.Comm) string {
		flags := []uint8{1, uint8(c.Rank() % 2)} // three ones; one one
		parity := make([]uint8, 2)
		if err := collectives.Allreduce(ctx, c, flags, parity, collectives.LXor[uint8]()); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(parity)
	})
	// Output: [1 1]
}

// Name and Commutative describe an operator: the name travels with each
// message, so ranks that pass different operators get an error.
func ExampleOp_Name() {
	fmt.Println(collectives.Sum[float64]().Name(), collectives.Sum[float64]().Commutative())
	fmt.Println(collectives.MinLoc[float64]().Name(), collectives.MinLoc[float64]().Commutative())
	concat := collectives.NewOp("first-nonzero", false, func(a, b int32) int32 {
		if a != 0 {
			return a
		}
		return b
	})
	fmt.Println(concat.Name(), concat.Commutative())
	// Output:
	// sum true
	// minloc false
	// first-nonzero false
}

// Commutative says whether an operator may combine operands in any
// order, which lets large reductions use faster algorithms; a
// non-commutative one is applied in rank order.
func ExampleOp_Commutative() {
	// "Keep the lower rank's nonzero value" depends on the order.
	first := collectives.NewOp("first-nonzero", false, func(a, b int32) int32 {
		if a != 0 {
			return a
		}
		return b
	})
	run(4, func(ctx context.Context, c *comm.Comm) string {
		v := []int32{[]int32{0, 7, 0, 9}[c.Rank()]}
		out := make([]int32, 1)
		if err := collectives.Allreduce(ctx, c, v, out, first); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(first.Commutative(), out[0])
	})
	// Output: false 7
}

// Ranks that call different collectives (or the same one with another
// root, type or count) get a *MismatchError, which errors.Is matches to
// ErrMismatch, instead of a hang or wrong data. Here rank 1 expects
// three elements from a broadcast of two.
func ExampleMismatchError_Is() {
	runAll(2, func(ctx context.Context, c *comm.Comm) string {
		buf := make([]float64, 2+c.Rank())
		err := collectives.Bcast(ctx, c, buf, 0)
		var me *collectives.MismatchError
		if errors.As(err, &me) {
			return fmt.Sprintln(errors.Is(err, collectives.ErrMismatch), me.Rank, me.Peer, me.Call.Count, me.PeerCall.Count)
		}
		return fmt.Sprintln(err)
	})
	// Output:
	// rank 0: <nil>
	// rank 1: true 1 0 3 2
}

// Error says which ranks disagree, in which calls, and what the rule
// is.
func ExampleMismatchError_Error() {
	run(2, func(ctx context.Context, c *comm.Comm) string {
		send := []int32{1}
		recv := make([]int32, 1)
		var err error
		if c.Rank() == 0 {
			err = collectives.Allreduce(ctx, c, send, recv, collectives.Sum[int32]())
		} else {
			err = collectives.Allreduce(ctx, c, send, recv, collectives.Max[int32]())
		}
		return fmt.Sprintln(err)
	})
	// Output: collectives: rank 0 is in Allreduce #1 but rank 1 is in Allreduce #1: the reduction ops differ (every rank must make the same collective calls in the same order with the same root, type and counts)
}
