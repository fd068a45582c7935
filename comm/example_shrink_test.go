package comm_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/gorun-hpc/gorun/comm"
)

// Every rank says whether its part of a step worked; all of them learn
// whether every part did, and which ranks are gone. Under gorun
// --enable-recovery the answer is the same on every survivor even when
// ranks die during the call.
func ExampleComm_Agree() {
	ranks(4, func(ctx context.Context, c *comm.Comm) string {
		ok := c.Rank() != 2 // rank 2's step failed
		all, failed, err := c.Agree(ctx, ok)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintf("all ok: %v, failed ranks: %v", all, failed)
	})
	// Output:
	// rank 0: all ok: false, failed ranks: []
	// rank 1: all ok: false, failed ranks: []
	// rank 2: all ok: false, failed ranks: []
	// rank 3: all ok: false, failed ranks: []
}

// After a rank is gone (here rank 3 leaves; a rank whose process dies is
// reported to the others by gorun --enable-recovery the same way), the
// others shrink the world to a communicator of the three that remain and
// go on with it.
func ExampleComm_Shrink() {
	ctx := context.Background()
	cs, err := comm.NewLocalRecover(ctx, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	cs[3].Close() // rank 3 is gone
	out := make([]string, 3)
	var wg sync.WaitGroup
	for _, c := range cs[:3] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nc, err := c.Shrink(ctx)
			if err != nil {
				out[c.Rank()] = err.Error()
				return
			}
			out[c.Rank()] = fmt.Sprintf("rank %d of %d", nc.Rank(), nc.Size())
		}()
	}
	wg.Wait()
	for _, c := range cs[:3] {
		c.Close()
	}
	for r, s := range out {
		fmt.Printf("world rank %d: %s\n", r, s)
	}
	// Output:
	// world rank 0: rank 0 of 3
	// world rank 1: rank 1 of 3
	// world rank 2: rank 2 of 3
}

// A job of in-process ranks that outlives its ranks, for tests of
// recovery code: here rank 2 leaves, and the others agree that it is
// gone.
func ExampleNewLocalRecover() {
	ctx := context.Background()
	cs, err := comm.NewLocalRecover(ctx, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	cs[2].Close()
	out := make([]string, 2)
	var wg sync.WaitGroup
	for i, c := range cs[:2] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, failed, err := c.Agree(ctx, true)
			out[i] = fmt.Sprint(failed, err)
		}()
	}
	wg.Wait()
	cs[0].Close()
	cs[1].Close()
	fmt.Println(out[0])
	fmt.Println(out[1])
	// Output:
	// [2] <nil>
	// [2] <nil>
}
