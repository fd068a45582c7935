// Command nodeprog checks comm's SplitShared on a real multi-host job: each
// rank compares its node communicator with the host names (GORUN_HOST)
// every rank reports, prints "rank R on HOST: node rank I of N", and exits
// 1 if the node communicator holds a rank of another host or misses one of
// its own.
package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "nodeprog:", err)
		os.Exit(1)
	}
	if err := run(ctx, c); err != nil {
		fmt.Fprintf(os.Stderr, "nodeprog: rank %d: %v\n", c.Rank(), err)
		os.Exit(1)
	}
	c.Close()
}

func run(ctx context.Context, c *comm.Comm) error {
	host := os.Getenv("GORUN_HOST")
	hosts, err := collectives.AllgatherValue(ctx, c, host)
	if err != nil {
		return err
	}
	node, err := c.SplitShared(ctx)
	if err != nil {
		return err
	}
	var want []int
	for r, h := range hosts {
		if h == host {
			want = append(want, r)
		}
	}
	var got []int
	for i := range node.Size() {
		got = append(got, node.WorldRank(i))
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("node communicator on %s holds world ranks %v, want %v", host, got, want)
	}
	// The node communicator works: a sum over it.
	sum := make([]int64, 1)
	if err := collectives.Allreduce(ctx, node, []int64{int64(c.Rank())}, sum, collectives.Sum[int64]()); err != nil {
		return err
	}
	var wantSum int64
	for _, r := range want {
		wantSum += int64(r)
	}
	if sum[0] != wantSum {
		return fmt.Errorf("sum over the node: %d, want %d", sum[0], wantSum)
	}
	fmt.Printf("rank %d on %s: node rank %d of %d\n", c.Rank(), host, node.Rank(), node.Size())
	return nil
}
