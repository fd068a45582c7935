package collectives_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

// run starts n in-process ranks and runs f on each, as `gorun -n n` would
// run a program; it prints rank 0's output only.
func run(n int, f func(ctx context.Context, c *comm.Comm) string) {
	ctx := context.Background()
	cs, err := comm.NewLocal(ctx, n)
	if err != nil {
		fmt.Println(err)
		return
	}
	out := make([]string, n)
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Add(1)
		go func() { defer wg.Done(); out[c.Rank()] = f(ctx, c) }()
	}
	wg.Wait()
	for _, c := range cs {
		c.Close()
	}
	fmt.Print(out[0])
}

func ExampleAllreduce() {
	run(4, func(ctx context.Context, c *comm.Comm) string {
		local := []float64{float64(c.Rank()), 1}
		total := make([]float64, 2)
		if err := collectives.Allreduce(ctx, c, local, total, collectives.Sum[float64]()); err != nil {
			return err.Error()
		}
		return fmt.Sprintln("sum of ranks:", total[0], "ranks:", total[1])
	})
	// Output: sum of ranks: 6 ranks: 4
}

func ExampleBcast() {
	run(3, func(ctx context.Context, c *comm.Comm) string {
		shape := make([]int64, 2)
		if c.Rank() == 0 {
			shape = []int64{1024, 768}
		}
		if err := collectives.Bcast(ctx, c, shape, 0); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(shape)
	})
	// Output: [1024 768]
}

func ExampleAllgather() {
	run(3, func(ctx context.Context, c *comm.Comm) string {
		counts := make([]int32, c.Size())
		if err := collectives.Allgather(ctx, c, []int32{int32(10 * c.Rank())}, counts); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(counts)
	})
	// Output: [0 10 20]
}

func ExampleExscan() {
	// Each rank owns some rows; Exscan gives the offset of its first row.
	run(4, func(ctx context.Context, c *comm.Comm) string {
		rows := []int64{int64(c.Rank() + 1)}
		offset := []int64{0}
		if err := collectives.Exscan(ctx, c, rows, offset, collectives.Sum[int64]()); err != nil {
			return err.Error()
		}
		all := make([]int64, c.Size())
		if err := collectives.Gather(ctx, c, offset, all, 0); err != nil {
			return err.Error()
		}
		return fmt.Sprintln("offsets:", all)
	})
	// Output: offsets: [0 1 3 6]
}

func ExampleAllgatherValue() {
	type info struct {
		Host string
		GPUs int
	}
	run(2, func(ctx context.Context, c *comm.Comm) string {
		all, err := collectives.AllgatherValue(ctx, c, info{Host: fmt.Sprint("node", c.Rank()), GPUs: c.Rank() * 2})
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintln(all)
	})
	// Output: [{node0 0} {node1 2}]
}

func ExampleNewOp() {
	// Keep the value with the largest magnitude, sign included.
	absMax := collectives.NewOp("absmax", true, func(a, b float64) float64 {
		if max(a, -a) >= max(b, -b) {
			return a
		}
		return b
	})
	run(3, func(ctx context.Context, c *comm.Comm) string {
		v := []float64{[]float64{2, -7, 5}[c.Rank()]}
		out := make([]float64, 1)
		if err := collectives.Allreduce(ctx, c, v, out, absMax); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(out[0])
	})
	// Output: -7
}
