// Command hello is the smallest gorun program: every rank says who it is.
//
//	go run ./cmd/gorun -n 4 ./examples/hello
//
// Run without gorun (go run ./examples/hello) it is a job of one rank.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/gorun-hpc/gorun/comm"
)

func main() {
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "hello: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("hello from rank %d of %d\n", c.Rank(), c.Size())
	if err := c.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "hello: rank %d: %v\n", c.Rank(), err)
		os.Exit(1)
	}
}
