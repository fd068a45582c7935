package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

// withComm: comm is there, so examples/hello is built and tested.
const withComm = true

// blockedPrefix starts the line a rank prints when its blocked Recv fails,
// followed by the error; the tests look for the failed rank in it.
const blockedPrefix = "blocked Recv failed:"

// commHelperMain runs the modes that need a communicator: one rank fails
// while the others wait in Recv for a message from it.
func commHelperMain(mode string, args []string) int {
	arg := func(i int) int {
		if i >= len(args) {
			return -1
		}
		v, _ := strconv.Atoi(args[i])
		return v
	}
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "comm.Init: %v\n", err)
		return 10
	}
	defer c.Close()
	switch mode {
	case "exit": // exit RANK CODE: that rank exits with CODE
		if c.Rank() == arg(0) {
			os.Exit(arg(1))
		}
	case "kill": // kill RANK: that rank kills itself with SIGKILL
		if c.Rank() == arg(0) {
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				_ = p.Kill() // SIGKILL on Unix, TerminateProcess on Windows
			}
			select {}
		}
	case "abort": // abort RANK CODE: that rank calls Abort(CODE)
		if c.Rank() == arg(0) {
			c.Abort(arg(1))
			select {}
		}
	case "barrier": // a barrier, then "hello from rank R of N" and Close
		if err := collectives.Barrier(ctx, c); err != nil {
			fmt.Fprintf(os.Stderr, "barrier: %v\n", err)
			return 1
		}
		fmt.Printf("hello from rank %d of %d\n", c.Rank(), c.Size())
		return 0
	case "block": // every rank waits for its right neighbour, forever
		return blockOn(ctx, c, (c.Rank()+1)%c.Size())
	case "panic": // panic RANK: that rank panics (its deferred Close runs)
		if c.Rank() == arg(0) {
			panic(fmt.Sprintf("boom from rank %d", c.Rank()))
		}
	case "quit": // quit RANK: that rank exits 0 without Close; the others print their error and end cleanly
		if c.Rank() == arg(0) {
			os.Exit(0)
		}
		_, err := c.Recv(ctx, arg(0), 0, make([]byte, 8))
		fmt.Fprintf(os.Stderr, "%s %v\n", blockedPrefix, err)
		return 0
	default:
		fmt.Fprintf(os.Stderr, "unknown helper mode %q\n", mode)
		return 99
	}
	return blockOn(ctx, c, arg(0))
}

// blockOn waits in Recv for a message from rank src that never comes, and
// reports the error that ends the wait.
func blockOn(ctx context.Context, c *comm.Comm, src int) int {
	buf := make([]byte, 8)
	_, err := c.Recv(ctx, src, 0, buf)
	fmt.Fprintf(os.Stderr, "%s %v\n", blockedPrefix, err)
	return 1
}
