package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// ops runs a random sequence (the same on every rank, from the seed) of
// collectives, a point-to-point ring, h5file calls and pauses without
// communication (so a failure also meets a rank's next call, not only
// pending ones) until one fails or
// the context ends. After Init and Create it prints "ready <rank> <pid>";
// the test then kills one rank. The first error is printed by report and
// the rank exits 1.
func ops(ctx context.Context, c *comm.Comm, args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("ops <seed> <file>")
	}
	seed, _ := strconv.ParseUint(args[0], 10, 64)
	n, r := c.Size(), c.Rank()
	f, err := h5file.Create(args[1], "w", h5file.WithComm(c), h5file.WithContext(ctx))
	if err != nil {
		report(c, "Create", err)
		return err
	}
	fmt.Printf("ready %d %d\n", r, os.Getpid())
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := 0; ctx.Err() == nil; i++ {
		k := 1 + rng.IntN(64)
		root := rng.IntN(n)
		var op string
		switch rng.IntN(10) {
		case 0:
			op, err = "Barrier", collectives.Barrier(ctx, c)
		case 1:
			op, err = "Bcast", collectives.Bcast(ctx, c, make([]int64, k), root)
		case 2:
			op, err = "Allreduce", collectives.Allreduce(ctx, c, make([]float64, k), make([]float64, k), collectives.Sum[float64]())
		case 3:
			op, err = "Allgather", collectives.Allgather(ctx, c, make([]int32, k), make([]int32, k*n))
		case 4:
			op, err = "Gather", collectives.Gather(ctx, c, make([]int32, k), make([]int32, k*n), root)
		case 5:
			op, err = "Alltoall", collectives.Alltoall(ctx, c, make([]int16, k*n), make([]int16, k*n))
		case 6:
			op, err = "Reduce", collectives.Reduce(ctx, c, make([]int64, k), make([]int64, k), collectives.Max[int64](), root)
		case 7:
			op = "Sendrecv"
			if err = c.Send(ctx, (r+1)%n, 5, make([]byte, k)); err == nil {
				_, err = c.Recv(ctx, (r+n-1)%n, 5, make([]byte, k))
			}
		case 8:
			op = "h5file"
			var d *h5file.Dataset
			if i%2 == 0 {
				d, err = h5file.CreateDatasetOf[int32](f, fmt.Sprintf("d%d", i), []uint64{uint64(n * k)})
				if err == nil {
					err = d.WriteSel(h5file.S(h5file.Range(int64(r*k), int64(r*k+k))), make([]int32, k))
				}
			} else {
				// Column blocks, written collectively: short runs, so
				// the ranks exchange data (two-phase) before writing.
				d, err = h5file.CreateDatasetOf[int32](f, fmt.Sprintf("d%d", i), []uint64{8, uint64(n * k)})
				if err == nil {
					err = d.Collective().WriteSel(h5file.S(h5file.All, h5file.Range(int64(r*k), int64(r*k+k))), make([]int32, 8*k))
				}
			}
			if err == nil {
				err = f.Flush()
			}
		case 9:
			// Computing, not communicating: a failure meanwhile must
			// fail the next operation.
			time.Sleep(time.Duration(k) * 50 * time.Microsecond)
			continue
		}
		if err != nil {
			report(c, op, err)
			return err
		}
	}
	return ctx.Err()
}

// hang: rank 1 waits for a message nobody sends, the others wait in a
// Barrier for rank 1: a job only --timeout ends, with every rank's stacks.
func hang(ctx context.Context, c *comm.Comm) error {
	fmt.Printf("ready %d %d\n", c.Rank(), os.Getpid())
	if c.Rank() == 1 {
		_, err := c.Recv(ctx, 0, 99, make([]byte, 1))
		return err
	}
	return collectives.Barrier(ctx, c)
}

// leave: the last rank closes its communicator and exits 0 while the
// others wait for it in a Barrier; they must fail naming it, not wait
// forever.
func leave(ctx context.Context, c *comm.Comm) error {
	fmt.Printf("ready %d %d\n", c.Rank(), os.Getpid())
	// Two rounds first, so every rank has connections to every other
	// (in a dissemination barrier each rank sends to several).
	for range 2 {
		if err := collectives.Allreduce(ctx, c, []int32{1}, make([]int32, 1), collectives.Sum[int32]()); err != nil {
			report(c, "Allreduce", err)
			return err
		}
	}
	if c.Rank() == c.Size()-1 {
		return nil // main closes the communicator (a goodbye) and exits 0
	}
	if err := collectives.Barrier(ctx, c); err != nil {
		report(c, "Barrier", err)
		return err
	}
	return nil
}
