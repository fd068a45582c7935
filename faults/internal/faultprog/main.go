// Command faultprog is the program the fault tests of package faults run
// through gorun and then hurt: killed, stopped or left hanging. Each mode
// prints lines the test parses (see the mode's function).
//
//	faultprog crash <file> <steps> <per-rank> [latest]   a parallel write loop that flushes every step (latest: the newer format family)
//	faultprog ops <seed> <file>                 random collectives, point-to-point and h5file calls until one fails
//	faultprog hang                              rank 1 waits for a message nobody sends (for --timeout)
//	faultprog leave                             the last rank closes and exits 0 while the others wait for it
//	faultprog segment                           Barriers and Allreduces through the host segment until one fails
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/gorun-hpc/gorun/comm"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: faultprog crash|ops|hang ...")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "faultprog:", err)
		os.Exit(2)
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "crash":
		err = crash(ctx, c, args)
	case "ops":
		err = ops(ctx, c, args)
	case "hang":
		err = hang(ctx, c)
	case "leave":
		err = leave(ctx, c)
	case "segment":
		err = segment(ctx, c)
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "faultprog: rank %d: %v\n", c.Rank(), err)
		os.Exit(1)
	}
	c.Close()
}

// report prints, on stdout, how this rank saw a failure: the wall clock
// (so the test can measure the delay from its kill), whether the error is
// a *comm.RankError and which rank it names.
func report(c *comm.Comm, op string, err error) {
	var re *comm.RankError
	dead := -1
	if errors.As(err, &re) {
		dead = re.Rank
	}
	fmt.Printf("ERR rank=%d t=%d op=%s dead=%d is=%v msg=%s\n", c.Rank(), time.Now().UnixNano(), op, dead,
		errors.Is(err, comm.ErrRankFailed), strconv.Quote(err.Error()))
}
