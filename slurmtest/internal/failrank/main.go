// Command failrank is slurmtest's faulty program: rank FAIL_RANK exits with
// code 3 right after Init; every other rank waits in a Barrier and prints
// the error it gets.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

func main() {
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "failrank: init:", err)
		os.Exit(2)
	}
	fmt.Printf("rank %d of %d started\n", c.Rank(), c.Size())
	if fail, err := strconv.Atoi(os.Getenv("FAIL_RANK")); err == nil && fail == c.Rank() {
		os.Exit(3)
	}
	if err := collectives.Barrier(ctx, c); err != nil {
		fmt.Printf("rank %d: %v\n", c.Rank(), err)
		os.Exit(1)
	}
	c.Close()
}
