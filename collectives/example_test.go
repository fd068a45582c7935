package collectives_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

// run starts n in-process ranks and runs f on each, as `gorun -n n` would
// run a program; it prints rank 0's output only.
func run(n int, f func(ctx context.Context, c *comm.Comm) string) {
	if out := outputs(n, f); out != nil {
		fmt.Print(out[0])
	}
}

// runAll is run, but prints every rank's output, in rank order.
func runAll(n int, f func(ctx context.Context, c *comm.Comm) string) {
	for r, s := range outputs(n, f) {
		fmt.Printf("rank %d: %s", r, s)
	}
}

// outputs runs f on n in-process ranks and returns what each returned.
func outputs(n int, f func(ctx context.Context, c *comm.Comm) string) []string {
	ctx := context.Background()
	cs, err := comm.NewLocal(ctx, n)
	if err != nil {
		fmt.Println(err)
		return nil
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
	return out
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

// No rank leaves Barrier before every rank has entered it.
func ExampleBarrier() {
	var arrived atomic.Int32
	runAll(3, func(ctx context.Context, c *comm.Comm) string {
		arrived.Add(1)
		if err := collectives.Barrier(ctx, c); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(arrived.Load(), "arrived")
	})
	// Output:
	// rank 0: 3 arrived
	// rank 1: 3 arrived
	// rank 2: 3 arrived
}

// BcastValue sends any Go value (here a struct) from the root to every rank.
func ExampleBcastValue() {
	type config struct {
		Steps int
		Dt    float64
		Out   string
	}
	runAll(3, func(ctx context.Context, c *comm.Comm) string {
		var cfg config
		if c.Rank() == 0 {
			cfg = config{Steps: 100, Dt: 0.01, Out: "run.h5"}
		}
		if err := collectives.BcastValue(ctx, c, &cfg, 0); err != nil {
			return err.Error()
		}
		return fmt.Sprintf("%+v\n", cfg)
	})
	// Output:
	// rank 0: {Steps:100 Dt:0.01 Out:run.h5}
	// rank 1: {Steps:100 Dt:0.01 Out:run.h5}
	// rank 2: {Steps:100 Dt:0.01 Out:run.h5}
}

// AllreduceValue folds any values with a Go function: here MPI's MAXLOC,
// the largest value and the rank that holds it.
func ExampleAllreduceValue() {
	type loc struct {
		Val  float64
		Rank int
	}
	runAll(4, func(ctx context.Context, c *comm.Comm) string {
		v := loc{Val: []float64{0.5, 2.5, 1, 2.5}[c.Rank()], Rank: c.Rank()}
		best, err := collectives.AllreduceValue(ctx, c, v, func(a, b loc) loc {
			if b.Val > a.Val {
				return b
			}
			return a // ties keep the lower rank
		})
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintf("max %v on rank %d\n", best.Val, best.Rank)
	})
	// Output:
	// rank 0: max 2.5 on rank 1
	// rank 1: max 2.5 on rank 1
	// rank 2: max 2.5 on rank 1
	// rank 3: max 2.5 on rank 1
}

// Reduce combines every rank's values elementwise on the root only.
func ExampleReduce() {
	run(4, func(ctx context.Context, c *comm.Comm) string {
		temp := []float64{20 + float64(c.Rank()), 25 - float64(c.Rank())}
		var lo, hi []float64
		if c.Rank() == 0 {
			lo, hi = make([]float64, 2), make([]float64, 2)
		}
		if err := collectives.Reduce(ctx, c, temp, lo, collectives.Min[float64](), 0); err != nil {
			return err.Error()
		}
		if err := collectives.Reduce(ctx, c, temp, hi, collectives.Max[float64](), 0); err != nil {
			return err.Error()
		}
		return fmt.Sprintln("min", lo, "max", hi)
	})
	// Output: min [20 22] max [23 25]
}

// Scan gives rank r the reduction of the values of ranks 0..r.
func ExampleScan() {
	runAll(4, func(ctx context.Context, c *comm.Comm) string {
		prefix := make([]int64, 1)
		if err := collectives.Scan(ctx, c, []int64{int64(c.Rank() + 1)}, prefix, collectives.Sum[int64]()); err != nil {
			return err.Error()
		}
		return fmt.Sprintln(prefix[0])
	})
	// Output:
	// rank 0: 1
	// rank 1: 3
	// rank 2: 6
	// rank 3: 10
}
