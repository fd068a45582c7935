// Package colltest holds the checks of every collective against a serial
// computation, shared by the in-process tests (over comm.NewLocal) and the
// program that gorun starts as real processes (colltest/cmd).
package colltest

import (
	"context"
	"fmt"
	"slices"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

// Check runs one collective (in a few variants) with n elements per
// contribution on one rank and compares the result with a serial
// computation.
type Check struct {
	Name string
	Big  bool // also run with the 4 MiB payload
	Run  func(ctx context.Context, c *comm.Comm, n int) error
}

// Big is the element count of the 4 MiB payload.
const Big = 4 << 20 / 8

// RunAll runs every check for every element count in counts, in the same
// order on every rank, and returns the first failure.
func RunAll(ctx context.Context, c *comm.Comm, counts []int) error {
	for _, n := range counts {
		for _, ch := range Checks {
			if n >= Big && !ch.Big {
				continue
			}
			if err := ch.Run(ctx, c, n); err != nil {
				return fmt.Errorf("%s with %d bytes on rank %d of %d: %w", ch.Name, 8*n, c.Rank(), c.Size(), err)
			}
		}
	}
	return nil
}

// Sizes are the rank counts the tests run.
var Sizes = []int{1, 2, 3, 4, 5, 7, 8, 16}

// Counts are elements (int64) per contribution: empty, one element,
// 64 KiB, and 320000 bytes (above every large-message threshold and not a
// multiple of most rank counts). 4 MiB runs only for a few sizes.
func Counts(p int, raceEnabled bool) []int {
	counts := []int{0, 1, 8192, 40000}
	if raceEnabled && p > 5 {
		counts = counts[:3]
	}
	if p == 3 || (p == 4 && !raceEnabled) {
		counts = append(counts, Big)
	}
	return counts
}

func data(r, n int) []int64 {
	s := make([]int64, n)
	for i := range s {
		s[i] = int64(r)*1_000_003 + int64(i)*7 + 1
	}
	return s
}

func concat(p int, f func(i int) []int64) []int64 {
	var out []int64
	for i := range p {
		out = append(out, f(i)...)
	}
	return out
}

func roots(p int) []int {
	rs := []int{0}
	if p > 1 {
		rs = append(rs, p-1)
	}
	if p > 2 {
		rs = append(rs, p/2)
	}
	return rs
}

func expect(what string, got, want []int64) error {
	if len(got) != len(want) {
		return fmt.Errorf("%s: got %d elements, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("%s: element %d of %d is %d, want %d", what, i, len(got), got[i], want[i])
		}
	}
	return nil
}

var (
	first = collectives.NewOp("first", false, func(a, b int64) int64 { return a })
	last  = collectives.NewOp("last", false, func(a, b int64) int64 { return b })
)

// Checks is every typed collective, run on all ranks with n elements
// and checked against a serial computation.
var Checks = []Check{
	{Name: "Barrier", Big: false, Run: func(ctx context.Context, c *comm.Comm, n int) error { return collectives.Barrier(ctx, c) }},
	{Name: "Bcast", Big: true, Run: func(ctx context.Context, c *comm.Comm, n int) error {
		for _, root := range roots(c.Size()) {
			buf := make([]int64, n)
			if c.Rank() == root {
				buf = data(root, n)
			}
			if err := collectives.Bcast(ctx, c, buf, root); err != nil {
				return err
			}
			if err := expect(fmt.Sprintf("Bcast root %d", root), buf, data(root, n)); err != nil {
				return err
			}
		}
		return nil
	}},
	{Name: "Gather", Big: true, Run: func(ctx context.Context, c *comm.Comm, n int) error {
		p := c.Size()
		n = perRank(n, p)
		for _, root := range roots(p) {
			var recv []int64
			if c.Rank() == root {
				recv = make([]int64, p*n)
			}
			if err := collectives.Gather(ctx, c, data(c.Rank(), n), recv, root); err != nil {
				return err
			}
			if c.Rank() == root {
				if err := expect(fmt.Sprintf("Gather root %d", root), recv, concat(p, func(i int) []int64 { return data(i, n) })); err != nil {
					return err
				}
			}
		}
		return nil
	}},
	{Name: "Gatherv", Big: false, Run: func(ctx context.Context, c *comm.Comm, n int) error {
		p := c.Size()
		counts := vcounts(p, n)
		for _, root := range roots(p) {
			want := concat(p, func(i int) []int64 { return data(i, counts[i]) })
			var recv []int64
			if c.Rank() == root {
				recv = make([]int64, len(want))
			}
			if err := collectives.Gatherv(ctx, c, data(c.Rank(), counts[c.Rank()]), recv, counts, root); err != nil {
				return err
			}
			if c.Rank() == root {
				if err := expect(fmt.Sprintf("Gatherv root %d", root), recv, want); err != nil {
					return err
				}
			}
		}
		return nil
	}},
	{Name: "Scatter", Big: true, Run: func(ctx context.Context, c *comm.Comm, n int) error {
		p := c.Size()
		n = perRank(n, p)
		for _, root := range roots(p) {
			var send []int64
			if c.Rank() == root {
				send = concat(p, func(i int) []int64 { return data(i, n) })
			}
			recv := make([]int64, n)
			if err := collectives.Scatter(ctx, c, send, recv, root); err != nil {
				return err
			}
			if err := expect(fmt.Sprintf("Scatter root %d", root), recv, data(c.Rank(), n)); err != nil {
				return err
			}
		}
		return nil
	}},
	{Name: "Scatterv", Big: false, Run: func(ctx context.Context, c *comm.Comm, n int) error {
		p := c.Size()
		counts := vcounts(p, n)
		for _, root := range roots(p) {
			var send []int64
			if c.Rank() == root {
				send = concat(p, func(i int) []int64 { return data(i, counts[i]) })
			}
			recv := make([]int64, counts[c.Rank()])
			if err := collectives.Scatterv(ctx, c, send, recv, counts, root); err != nil {
				return err
			}
			if err := expect(fmt.Sprintf("Scatterv root %d", root), recv, data(c.Rank(), counts[c.Rank()])); err != nil {
				return err
			}
		}
		return nil
	}},
	{Name: "Allgather", Big: true, Run: func(ctx context.Context, c *comm.Comm, n int) error {
		p := c.Size()
		n = perRank(n, p)
		recv := make([]int64, p*n)
		if err := collectives.Allgather(ctx, c, data(c.Rank(), n), recv); err != nil {
			return err
		}
		return expect("Allgather", recv, concat(p, func(i int) []int64 { return data(i, n) }))
	}},
	{Name: "Allgatherv", Big: false, Run: func(ctx context.Context, c *comm.Comm, n int) error {
		p := c.Size()
		counts := vcounts(p, n)
		want := concat(p, func(i int) []int64 { return data(i, counts[i]) })
		recv := make([]int64, len(want))
		if err := collectives.Allgatherv(ctx, c, data(c.Rank(), counts[c.Rank()]), recv, counts); err != nil {
			return err
		}
		return expect("Allgatherv", recv, want)
	}},
	{Name: "Alltoall", Big: false, Run: func(ctx context.Context, c *comm.Comm, n int) error {
		p, r := c.Size(), c.Rank()
		n = perRank(n, p)
		send := concat(p, func(j int) []int64 { return data(r*p+j, n) })
		recv := make([]int64, p*n)
		if err := collectives.Alltoall(ctx, c, send, recv); err != nil {
			return err
		}
		return expect("Alltoall", recv, concat(p, func(i int) []int64 { return data(i*p+r, n) }))
	}},
	{Name: "Reduce", Big: true, Run: func(ctx context.Context, c *comm.Comm, n int) error {
		p := c.Size()
		for _, root := range roots(p) {
			for _, op := range []collectives.Op[int64]{collectives.Sum[int64](), collectives.Max[int64](), first, last} {
				var recv []int64
				if c.Rank() == root {
					recv = make([]int64, n)
				}
				if err := collectives.Reduce(ctx, c, data(c.Rank(), n), recv, op, root); err != nil {
					return err
				}
				if c.Rank() == root {
					if err := expect(fmt.Sprintf("Reduce %s root %d", op.Name(), root), recv, serialReduce(p, n, op)); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}},
	{Name: "Allreduce", Big: true, Run: func(ctx context.Context, c *comm.Comm, n int) error {
		p := c.Size()
		for _, op := range []collectives.Op[int64]{collectives.Sum[int64](), collectives.Min[int64](), collectives.Prod[int64](), first, last} {
			recv := make([]int64, n)
			if err := collectives.Allreduce(ctx, c, data(c.Rank(), n), recv, op); err != nil {
				return err
			}
			if err := expect("Allreduce "+op.Name(), recv, serialReduce(p, n, op)); err != nil {
				return err
			}
		}
		// In place.
		buf := data(c.Rank(), n)
		if err := collectives.Allreduce(ctx, c, buf, buf, collectives.Sum[int64]()); err != nil {
			return err
		}
		return expect("Allreduce in place", buf, serialReduce(p, n, collectives.Sum[int64]()))
	}},
	{Name: "Scan", Big: false, Run: func(ctx context.Context, c *comm.Comm, n int) error {
		r := c.Rank()
		for _, op := range []collectives.Op[int64]{collectives.Sum[int64](), first, last} {
			recv := make([]int64, n)
			if err := collectives.Scan(ctx, c, data(r, n), recv, op); err != nil {
				return err
			}
			if err := expect("Scan "+op.Name(), recv, serialReduce(r+1, n, op)); err != nil {
				return err
			}
			recv = make([]int64, n)
			for i := range recv {
				recv[i] = -42
			}
			if err := collectives.Exscan(ctx, c, data(r, n), recv, op); err != nil {
				return err
			}
			want := serialReduce(r, n, op)
			if r == 0 {
				want = slices.Repeat([]int64{-42}, n)
			}
			if err := expect("Exscan "+op.Name(), recv, want); err != nil {
				return err
			}
		}
		return nil
	}},
}

func perRank(n, p int) int {
	if n >= Big {
		return n / p // keep 4 MiB cases at 4 MiB in total
	}
	return n
}

func vcounts(p, n int) []int {
	counts := make([]int, p)
	for i := range counts {
		counts[i] = max(0, n-i%3)
		if n == 0 {
			counts[i] = i % 2
		}
	}
	return counts
}

// serialReduce combines data(0..p-1, n) in rank order.
func serialReduce(p, n int, op collectives.Op[int64]) []int64 {
	if p == 0 {
		return make([]int64, n)
	}
	f := map[string]func(a, b int64) int64{
		"sum": func(a, b int64) int64 { return a + b }, "prod": func(a, b int64) int64 { return a * b },
		"min": func(a, b int64) int64 { return min(a, b) }, "max": func(a, b int64) int64 { return max(a, b) },
		"first": func(a, b int64) int64 { return a }, "last": func(a, b int64) int64 { return b },
	}[op.Name()]
	acc := data(0, n)
	for r := 1; r < p; r++ {
		x := data(r, n)
		for i := range acc {
			acc[i] = f(acc[i], x[i])
		}
	}
	return acc
}
