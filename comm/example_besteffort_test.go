package comm_test

import (
	"context"
	"fmt"

	"github.com/gorun-hpc/gorun/comm"
)

// A message whose loss changes nothing (a hint, a probe) goes under
// BestEffort: if the peer cannot be reached the caller gets the error, and
// the peer is not reported as failed.
func ExampleBestEffort() {
	ctx := context.Background()
	cs, err := comm.NewLocal(ctx, 2)
	if err != nil {
		panic(err)
	}
	defer cs[1].Close()
	defer cs[0].Close()
	if err := cs[0].Send(comm.BestEffort(ctx), 1, 7, []byte("hint")); err != nil {
		fmt.Println("hint not delivered:", err)
	}
	b, _, _ := cs[1].RecvBytes(ctx, 0, 7)
	fmt.Println(string(b))
	// Output: hint
}
