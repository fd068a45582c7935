package collectives_test

import (
	"context"
	"fmt"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

// NewCart places ranks on a grid (MPI_Cart_create): rank r at row-major
// coordinates. Ranks beyond the grid get nil and sit the grid's calls
// out.
func ExampleNewCart() {
	runAll(5, func(ctx context.Context, c *comm.Comm) string {
		g, err := collectives.NewCart(ctx, c, []int{2, 2}, []bool{false, false})
		if err != nil {
			return err.Error()
		}
		if g == nil {
			return "not on the grid\n"
		}
		return fmt.Sprintln(g.Coords(), g.Rank(), g.Size())
	})
	// Output:
	// rank 0: [0 0] 0 4
	// rank 1: [0 1] 1 4
	// rank 2: [1 0] 2 4
	// rank 3: [1 1] 3 4
	// rank 4: not on the grid
}

// Dims and Periods give back the grid's shape and which dimensions wrap.
func ExampleCart_Dims() {
	run(6, func(ctx context.Context, c *comm.Comm) string {
		dims, _ := collectives.DimsCreate(c.Size(), []int{0, 0})
		g, err := collectives.NewCart(ctx, c, dims, []bool{true, false})
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintln(g.Dims(), g.Periods())
	})
	// Output: [3 2] [true false]
}

// Periods says which dimensions are periodic (a torus): there the
// neighbour past the edge is the rank on the other side.
func ExampleCart_Periods() {
	run(3, func(ctx context.Context, c *comm.Comm) string {
		ring, err := collectives.NewCart(ctx, c, []int{3}, []bool{true})
		if err != nil {
			return err.Error()
		}
		line, err := collectives.NewCart(ctx, c, []int{3}, []bool{false})
		if err != nil {
			return err.Error()
		}
		a, _, _ := ring.Shift(0, 1) // rank 0 receives from the left
		b, _, _ := line.Shift(0, 1)
		return fmt.Sprintln(ring.Periods(), a, line.Periods(), b == comm.ProcNull)
	})
	// Output: [true] 2 [false] true
}

// Coords is this rank's place on the grid: here, which block of a
// global 4x6 array each of the 2x3 ranks owns.
func ExampleCart_Coords() {
	runAll(6, func(ctx context.Context, c *comm.Comm) string {
		g, err := collectives.NewCart(ctx, c, []int{2, 3}, []bool{false, false})
		if err != nil {
			return err.Error()
		}
		at := g.Coords()
		rows, cols := 4/g.Dims()[0], 6/g.Dims()[1]
		return fmt.Sprintf("rows %d:%d, columns %d:%d\n", at[0]*rows, (at[0]+1)*rows, at[1]*cols, (at[1]+1)*cols)
	})
	// Output:
	// rank 0: rows 0:2, columns 0:2
	// rank 1: rows 0:2, columns 2:4
	// rank 2: rows 0:2, columns 4:6
	// rank 3: rows 2:4, columns 0:2
	// rank 4: rows 2:4, columns 2:4
	// rank 5: rows 2:4, columns 4:6
}

// CoordsOf gives any rank's coordinates; RankOf is its inverse, and
// finds diagonal neighbours (ProcNull past a non-periodic edge).
func ExampleCart_CoordsOf() {
	run(6, func(ctx context.Context, c *comm.Comm) string {
		g, err := collectives.NewCart(ctx, c, []int{2, 3}, []bool{false, false})
		if err != nil {
			return err.Error()
		}
		s := ""
		for r := range g.Size() {
			s += fmt.Sprint(g.CoordsOf(r), " ")
		}
		return s + fmt.Sprintln(g.CoordsOf(6) == nil)
	})
	// Output: [0 0] [0 1] [0 2] [1 0] [1 1] [1 2] true
}

// RankOf finds the rank at given coordinates: here the diagonal
// neighbours a 9-point stencil needs, which Shift does not give.
func ExampleCart_RankOf() {
	runAll(4, func(ctx context.Context, c *comm.Comm) string {
		g, err := collectives.NewCart(ctx, c, []int{2, 2}, []bool{false, true})
		if err != nil {
			return err.Error()
		}
		at := g.Coords()
		ne, _ := g.RankOf([]int{at[0] - 1, at[1] + 1}) // up and right
		se, _ := g.RankOf([]int{at[0] + 1, at[1] + 1}) // down and right
		return fmt.Sprintln(ne, se)
	})
	// Output:
	// rank 0: -2 3
	// rank 1: -2 2
	// rank 2: 1 -2
	// rank 3: 0 -2
}

// Shift gives the ranks to receive from and send to along a dimension;
// with SendrecvSlice it moves data one step along the grid, edges included
// (ProcNull, -2 here, is skipped).
func ExampleCart_Shift() {
	runAll(3, func(ctx context.Context, c *comm.Comm) string {
		g, err := collectives.NewCart(ctx, c, []int{3}, []bool{false})
		if err != nil {
			return err.Error()
		}
		src, dst, _ := g.Shift(0, 1)
		mine := []int32{int32(100 + g.Rank())}
		halo := []int32{-1}
		if _, err := comm.SendrecvSlice(ctx, g.Comm, dst, 0, mine, src, 0, halo); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(src, dst, halo)
	})
	// Output:
	// rank 0: -2 1 [-1]
	// rank 1: 0 2 [100]
	// rank 2: 1 -2 [101]
}

// NeighborAllgather sends one block to every neighbour and gathers
// theirs, in the order -1 then +1 of each dimension; a missing neighbour
// leaves its block as it was.
func ExampleNeighborAllgather() {
	runAll(3, func(ctx context.Context, c *comm.Comm) string {
		g, err := collectives.NewCart(ctx, c, []int{3}, []bool{false})
		if err != nil {
			return err.Error()
		}
		boundary := []float64{float64(10 * g.Rank())}
		recv := []float64{-1, -1}
		if err := collectives.NeighborAllgather(ctx, g, boundary, recv); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(recv)
	})
	// Output:
	// rank 0: [-1 10]
	// rank 1: [0 20]
	// rank 2: [10 -1]
}

// Ireduce starts a Reduce and returns at once: the rank computes while
// the reduction proceeds, then waits for it.
func ExampleIreduce() {
	run(4, func(ctx context.Context, c *comm.Comm) string {
		local := []int64{int64(c.Rank()), 1}
		var total []int64
		if c.Rank() == 0 {
			total = make([]int64, 2)
		}
		req := collectives.Ireduce(ctx, c, local, total, collectives.Sum[int64](), 0)
		// ... other work ...
		if _, err := req.Wait(ctx); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(total)
	})
	// Output: [6 4]
}

// Igather collects every rank's block on the root without blocking the
// callers.
func ExampleIgather() {
	run(3, func(ctx context.Context, c *comm.Comm) string {
		var all []float32
		if c.Rank() == 0 {
			all = make([]float32, 2*c.Size())
		}
		mine := []float32{float32(c.Rank()), float32(c.Rank()) + 0.5}
		if _, err := collectives.Igather(ctx, c, mine, all, 0).Wait(ctx); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(all)
	})
	// Output: [0 0.5 1 1.5 2 2.5]
}

// Iscatter hands each rank its block of the root's data; Test polls for
// completion.
func ExampleIscatter() {
	runAll(3, func(ctx context.Context, c *comm.Comm) string {
		var work []int32
		if c.Rank() == 0 {
			work = []int32{1, 2, 3, 4, 5, 6}
		}
		mine := make([]int32, 2)
		req := collectives.Iscatter(ctx, c, work, mine, 0)
		if _, err := req.Wait(ctx); err != nil {
			return err.Error()
		}
		_, done, _ := req.Test()
		return fmt.Sprintln(mine, done)
	})
	// Output:
	// rank 0: [1 2] true
	// rank 1: [3 4] true
	// rank 2: [5 6] true
}

// Iallgather gives every rank every rank's block, here each rank's
// particle count, without blocking the callers.
func ExampleIallgather() {
	runAll(3, func(ctx context.Context, c *comm.Comm) string {
		counts := make([]int64, c.Size())
		req := collectives.Iallgather(ctx, c, []int64{int64(100 + c.Rank())}, counts)
		if _, err := req.Wait(ctx); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(counts)
	})
	// Output:
	// rank 0: [100 101 102]
	// rank 1: [100 101 102]
	// rank 2: [100 101 102]
}
