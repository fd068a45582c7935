package collectives_test

import (
	"context"
	"fmt"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

// Gather collects equal-sized blocks on the root, in rank order; the other
// ranks may pass a nil recv.
func ExampleGather() {
	run(4, func(ctx context.Context, c *comm.Comm) string {
		r := int64(c.Rank())
		var all []int64
		if c.Rank() == 0 {
			all = make([]int64, 2*c.Size())
		}
		if err := collectives.Gather(ctx, c, []int64{r, r * r}, all, 0); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(all)
	})
	// Output: [0 0 1 1 2 4 3 9]
}

// GatherValue returns every rank's value on the root and nil elsewhere.
func ExampleGatherValue() {
	runAll(3, func(ctx context.Context, c *comm.Comm) string {
		host := fmt.Sprint("node", c.Rank()/2)
		hosts, err := collectives.GatherValue(ctx, c, host, 0)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintf("%q\n", hosts)
	})
	// Output:
	// rank 0: ["node0" "node0" "node1"]
	// rank 1: []
	// rank 2: []
}

// Gatherv gathers blocks of different lengths: rank r sends r+1 elements.
func ExampleGatherv() {
	run(3, func(ctx context.Context, c *comm.Comm) string {
		send := make([]int32, c.Rank()+1)
		for i := range send {
			send[i] = int32(c.Rank())
		}
		var counts []int
		var recv []int32
		if c.Rank() == 0 {
			counts = []int{1, 2, 3}
			recv = make([]int32, 6)
		}
		if err := collectives.Gatherv(ctx, c, send, recv, counts, 0); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(recv)
	})
	// Output: [0 1 1 2 2 2]
}

// Allgatherv is Gatherv with the result on every rank; all pass the counts.
func ExampleAllgatherv() {
	runAll(3, func(ctx context.Context, c *comm.Comm) string {
		counts := []int{2, 0, 1}
		send := make([]float32, counts[c.Rank()])
		for i := range send {
			send[i] = float32(c.Rank()) + float32(i)/10
		}
		recv := make([]float32, 3)
		if err := collectives.Allgatherv(ctx, c, send, recv, counts); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(recv)
	})
	// Output:
	// rank 0: [0 0.1 2]
	// rank 1: [0 0.1 2]
	// rank 2: [0 0.1 2]
}

// Scatter hands block i of the root's send to rank i.
func ExampleScatter() {
	runAll(3, func(ctx context.Context, c *comm.Comm) string {
		var rows []float64
		if c.Rank() == 0 {
			rows = []float64{1, 2, 3, 4, 5, 6}
		}
		mine := make([]float64, 2)
		if err := collectives.Scatter(ctx, c, rows, mine, 0); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(mine)
	})
	// Output:
	// rank 0: [1 2]
	// rank 1: [3 4]
	// rank 2: [5 6]
}

// ScatterValue hands vs[i] of the root to rank i: here a work item each.
func ExampleScatterValue() {
	runAll(3, func(ctx context.Context, c *comm.Comm) string {
		var tasks []string
		if c.Rank() == 0 {
			tasks = []string{"a.h5", "b.h5", "c.h5"}
		}
		mine, err := collectives.ScatterValue(ctx, c, tasks, 0)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintln(mine)
	})
	// Output:
	// rank 0: a.h5
	// rank 1: b.h5
	// rank 2: c.h5
}

// Scatterv hands out blocks of different lengths; each rank's recv must
// have its count's length.
func ExampleScatterv() {
	counts := []int{3, 1, 2}
	runAll(3, func(ctx context.Context, c *comm.Comm) string {
		var send []int16
		if c.Rank() == 0 {
			send = []int16{10, 11, 12, 20, 30, 31}
		}
		recv := make([]int16, counts[c.Rank()])
		if err := collectives.Scatterv(ctx, c, send, recv, counts, 0); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(recv)
	})
	// Output:
	// rank 0: [10 11 12]
	// rank 1: [20]
	// rank 2: [30 31]
}

// Alltoall sends block j of every rank's send to rank j: a transpose of
// the matrix whose row r is rank r's send.
func ExampleAlltoall() {
	runAll(3, func(ctx context.Context, c *comm.Comm) string {
		send := make([]int, c.Size())
		for j := range send {
			send[j] = 10*c.Rank() + j
		}
		recv := make([]int, c.Size())
		if err := collectives.Alltoall(ctx, c, send, recv); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(recv)
	})
	// Output:
	// rank 0: [0 10 20]
	// rank 1: [1 11 21]
	// rank 2: [2 12 22]
}

// Alltoallv sends blocks of any size: rank r sends j+1 copies of r to
// rank j, so rank j receives j+1 elements from every rank.
func ExampleAlltoallv() {
	runAll(3, func(ctx context.Context, c *comm.Comm) string {
		var send []int
		scounts, rcounts := make([]int, c.Size()), make([]int, c.Size())
		for j := range c.Size() {
			scounts[j], rcounts[j] = j+1, c.Rank()+1
			for range j + 1 {
				send = append(send, c.Rank())
			}
		}
		recv := make([]int, c.Size()*(c.Rank()+1))
		if err := collectives.Alltoallv(ctx, c, send, scounts, recv, rcounts); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(recv)
	})
	// Output:
	// rank 0: [0 1 2]
	// rank 1: [0 0 1 1 2 2]
	// rank 2: [0 0 0 1 1 1 2 2 2]
}

// AlltoallValue sends vs[j] to rank j and returns what each rank sent here.
func ExampleAlltoallValue() {
	runAll(3, func(ctx context.Context, c *comm.Comm) string {
		vs := make([]string, c.Size())
		for j := range vs {
			vs[j] = fmt.Sprintf("%d>%d", c.Rank(), j)
		}
		got, err := collectives.AlltoallValue(ctx, c, vs)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintln(got)
	})
	// Output:
	// rank 0: [0>0 1>0 2>0]
	// rank 1: [0>1 1>1 2>1]
	// rank 2: [0>2 1>2 2>2]
}
