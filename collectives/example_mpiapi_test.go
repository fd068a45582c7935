package collectives_test

import (
	"context"
	"fmt"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

// A nonblocking Allreduce overlaps a global sum with local work; the
// request completes without further calls (it progresses on its own).
func ExampleIallreduce() {
	run(4, func(ctx context.Context, c *comm.Comm) string {
		local := []float64{float64(c.Rank())}
		total := make([]float64, 1)
		req := collectives.Iallreduce(ctx, c, local, total, collectives.Sum[float64]())
		// ... compute on other data here ...
		if _, err := req.Wait(ctx); err != nil {
			return err.Error()
		}
		return fmt.Sprintln("sum of ranks:", total[0])
	})
	// Output: sum of ranks: 6
}

// Ibarrier tells when every rank has reached a point, while this one goes
// on; Test polls it.
func ExampleIbarrier() {
	run(3, func(ctx context.Context, c *comm.Comm) string {
		req := collectives.Ibarrier(ctx, c)
		if _, err := req.Wait(ctx); err != nil {
			return err.Error()
		}
		_, done, _ := req.Test()
		return fmt.Sprintln("all arrived:", done)
	})
	// Output: all arrived: true
}

// Nonblocking collectives mix with WaitAny like point-to-point requests.
func ExampleIbcast() {
	run(3, func(ctx context.Context, c *comm.Comm) string {
		params := make([]int32, 2)
		if c.Rank() == 0 {
			params = []int32{64, 3}
		}
		names := make([]int64, c.Size())
		reqs := []*comm.Request{
			collectives.Ibcast(ctx, c, params, 0),
			collectives.Iallgather(ctx, c, []int64{int64(c.Rank() * 10)}, names),
		}
		if _, err := comm.WaitAll(ctx, reqs...); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(params, names)
	})
	// Output: [64 3] [0 10 20]
}

// Ireduce, Igather, Iscatter and Ialltoall follow the same pattern.
func ExampleIalltoall() {
	runAll(2, func(ctx context.Context, c *comm.Comm) string {
		send := []int32{int32(c.Rank()*10 + 0), int32(c.Rank()*10 + 1)}
		recv := make([]int32, 2)
		if _, err := collectives.Ialltoall(ctx, c, send, recv).Wait(ctx); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(recv)
	})
	// Output:
	// rank 0: [0 10]
	// rank 1: [1 11]
}

// MaxLoc finds the largest value and the rank holding it: each rank passes
// a (value, index) pair.
func ExampleMaxLoc() {
	run(4, func(ctx context.Context, c *comm.Comm) string {
		residual := []float64{0.5, 2.5, 2.5, 1}[c.Rank()]
		out := make([]float64, 2)
		if err := collectives.Allreduce(ctx, c, []float64{residual, float64(c.Rank())}, out, collectives.MaxLoc[float64]()); err != nil {
			return err.Error()
		}
		return fmt.Sprintf("largest residual %v on rank %d\n", out[0], int(out[1]))
	})
	// Output: largest residual 2.5 on rank 1
}

// The bitwise and logical operators reduce flags: which ranks saw an
// error, and whether every rank converged.
func ExampleBOr() {
	run(4, func(ctx context.Context, c *comm.Comm) string {
		seen := []uint32{1 << c.Rank() & 0b0110} // ranks 1 and 2 saw something
		converged := []int8{1}
		all, ok := make([]uint32, 1), make([]int8, 1)
		if err := collectives.Allreduce(ctx, c, seen, all, collectives.BOr[uint32]()); err != nil {
			return err.Error()
		}
		if err := collectives.Allreduce(ctx, c, converged, ok, collectives.LAnd[int8]()); err != nil {
			return err.Error()
		}
		return fmt.Sprintf("ranks with errors: %04b, all converged: %d\n", all[0], ok[0])
	})
	// Output: ranks with errors: 0110, all converged: 1
}

// ReduceScatterBlock sums a vector over all ranks and leaves each rank its
// block of the result.
func ExampleReduceScatterBlock() {
	runAll(3, func(ctx context.Context, c *comm.Comm) string {
		send := []int64{1, 2, 3, 4, 5, 6} // the same on every rank
		recv := make([]int64, 2)
		if err := collectives.ReduceScatterBlock(ctx, c, send, recv, collectives.Sum[int64]()); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(recv)
	})
	// Output:
	// rank 0: [3 6]
	// rank 1: [9 12]
	// rank 2: [15 18]
}

// ReduceScatter gives each rank a block of its own size.
func ExampleReduceScatter() {
	runAll(2, func(ctx context.Context, c *comm.Comm) string {
		counts := []int{1, 3}
		recv := make([]int64, counts[c.Rank()])
		if err := collectives.ReduceScatter(ctx, c, []int64{1, 2, 3, 4}, recv, counts, collectives.Sum[int64]()); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(recv)
	})
	// Output:
	// rank 0: [2]
	// rank 1: [4 6 8]
}

// DimsCreate picks a balanced grid for a number of ranks.
func ExampleDimsCreate() {
	for _, n := range []int{6, 12, 64, 72} {
		dims, _ := collectives.DimsCreate(n, []int{0, 0})
		fmt.Println(n, dims)
	}
	d3, _ := collectives.DimsCreate(24, []int{0, 0, 0})
	fmt.Println(24, d3)
	// Output:
	// 6 [3 2]
	// 12 [4 3]
	// 64 [8 8]
	// 72 [9 8]
	// 24 [4 3 2]
}

// A stencil code on a 2-D grid: NewCart places the ranks, Shift finds the
// neighbours (comm.ProcNull past a non-periodic edge), NeighborAlltoall
// swaps one halo value with each.
func ExampleNeighborAlltoall() {
	runAll(4, func(ctx context.Context, c *comm.Comm) string {
		dims, _ := collectives.DimsCreate(c.Size(), []int{0, 0})
		g, err := collectives.NewCart(ctx, c, dims, []bool{false, true})
		if err != nil {
			return err.Error()
		}
		// Blocks: to the -1 and +1 neighbour along dimension 0, then 1.
		me := float64(g.Rank())
		send := []float64{me, me, me, me}
		halo := []float64{-1, -1, -1, -1}
		if err := collectives.NeighborAlltoall(ctx, g, send, halo); err != nil {
			return err.Error()
		}
		up, down, _ := g.Shift(0, 1)
		return fmt.Sprintf("at %v, dim 0 neighbours %d %d, halo %v\n", g.Coords(), up, down, halo)
	})
	// Output:
	// rank 0: at [0 0], dim 0 neighbours -2 2, halo [-1 2 1 1]
	// rank 1: at [0 1], dim 0 neighbours -2 3, halo [-1 3 0 0]
	// rank 2: at [1 0], dim 0 neighbours 0 -2, halo [0 -1 3 3]
	// rank 3: at [1 1], dim 0 neighbours 1 -2, halo [1 -1 2 2]
}

// Sub splits a grid into its rows; each row is a communicator.
func ExampleCart_Sub() {
	runAll(6, func(ctx context.Context, c *comm.Comm) string {
		g, err := collectives.NewCart(ctx, c, []int{2, 3}, []bool{false, false})
		if err != nil {
			return err.Error()
		}
		row, err := g.Sub(ctx, []bool{false, true})
		if err != nil {
			return err.Error()
		}
		sum := make([]int64, 1)
		if err := collectives.Allreduce(ctx, row.Comm, []int64{int64(g.Rank())}, sum, collectives.Sum[int64]()); err != nil {
			return err.Error()
		}
		return fmt.Sprintf("row %d, rank %d of %d, row sum %d\n", g.Coords()[0], row.Rank(), row.Size(), sum[0])
	})
	// Output:
	// rank 0: row 0, rank 0 of 3, row sum 3
	// rank 1: row 0, rank 1 of 3, row sum 3
	// rank 2: row 0, rank 2 of 3, row sum 3
	// rank 3: row 1, rank 0 of 3, row sum 12
	// rank 4: row 1, rank 1 of 3, row sum 12
	// rank 5: row 1, rank 2 of 3, row sum 12
}
