// Command ringprog passes a token around the ring of ranks forever (or for
// -rounds rounds), printing "round N" on rank 0 every 10 rounds, and exits
// 1 with comm's error when a peer fails: the multihost tests' job that
// must notice a host dropping off the network.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/gorun-hpc/gorun/comm"
)

func main() {
	rounds := flag.Int("rounds", 0, "rounds to run; 0 = until a failure")
	exitRank := flag.Int("exit-rank", -1, "this rank exits with -exit-code after round 20")
	exitCode := flag.Int("exit-code", 3, "")
	abortRank := flag.Int("abort-rank", -1, "this rank calls Abort(-exit-code) after round 20")
	flag.Parse()
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ringprog:", err)
		os.Exit(1)
	}
	r, n := c.Rank(), c.Size()
	host, _ := os.Hostname()
	buf := make([]byte, 8)
	for i := 1; *rounds == 0 || i <= *rounds; i++ {
		// One token per round, from rank 0 around the ring and back.
		if r == 0 {
			err = c.Send(ctx, 1%n, 0, buf)
			if err == nil {
				_, err = c.Recv(ctx, n-1, 0, buf)
			}
		} else {
			_, err = c.Recv(ctx, r-1, 0, buf)
			if err == nil {
				err = c.Send(ctx, (r+1)%n, 0, buf)
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "ringprog: rank %d (%s): %v\n", r, os.Getenv("GORUN_HOST"), err)
			os.Exit(1)
		}
		if i == 20 && r == *exitRank {
			os.Exit(*exitCode)
		}
		if i == 20 && r == *abortRank {
			c.Abort(*exitCode)
		}
		if r == 0 && i%10 == 0 {
			fmt.Printf("round %d\n", i)
		}
		if *rounds == 0 {
			time.Sleep(20 * time.Millisecond) // pace: the test watches, not a benchmark
		}
	}
	fmt.Printf("rank %d of %d on %s (%s) done\n", r, n, os.Getenv("GORUN_HOST"), host)
	c.Close()
}
