package comm_test

import (
	"context"
	"fmt"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
)

// Three in-process ranks on two pretend hosts: ranks 0 and 1 share host 0
// (and a shared-memory ring), rank 2 is alone on host 1 (TCP). Collectives
// on such a communicator go through one leader per host.
func ExampleNewLocalHosts() {
	ctx := context.Background()
	cs, err := comm.NewLocalHosts(ctx, []int{0, 0, 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	fmt.Println(cs[2].Hosts())
	sums := make([][]int, len(cs))
	done := make(chan error, len(cs))
	for i, c := range cs {
		go func() {
			sums[i] = []int{0}
			done <- collectives.Allreduce(ctx, c, []int{c.Rank() + 1}, sums[i], collectives.Sum[int]())
		}()
	}
	for range cs {
		if err := <-done; err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println(sums)
	// Output:
	// [0 0 1]
	// [[6] [6] [6]]
}

// Hosts tells which ranks share a host, e.g. to pick one rank per host.
func ExampleComm_Hosts() {
	cs, err := comm.NewLocal(context.Background(), 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cs[0].Close()
	defer cs[1].Close()
	fmt.Println(cs[0].Hosts()) // in-process ranks share this host
	// Output: [0 0]
}
