package main

import (
	"context"
	"fmt"
	"os"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

// segment runs Barriers and small Allreduces back to back (on one host
// they meet in the communicator's shared-memory segment) after printing
// "ready <rank> <pid>" once the segment is set up, until one fails; the
// test kills a rank meanwhile. The error is printed by report.
func segment(ctx context.Context, c *comm.Comm) error {
	if err := collectives.Barrier(ctx, c); err != nil {
		report(c, "Barrier", err)
		return err
	}
	fmt.Printf("ready %d %d\n", c.Rank(), os.Getpid())
	v := make([]float64, 1)
	for i := 0; ; i++ {
		op, err := "Barrier", collectives.Barrier(ctx, c)
		if err == nil && i%2 == 1 {
			op, err = "Allreduce", collectives.Allreduce(ctx, c, v, v, collectives.Sum[float64]())
		}
		if err != nil {
			report(c, op, err)
			return err
		}
	}
}
