package comm_test

import (
	"context"
	"fmt"

	"github.com/gorun-hpc/gorun/comm"
)

// Sendrecv passes a token around a ring: every rank sends right and
// receives from the left in one call, with no deadlock at any size.
func ExampleComm_Sendrecv() {
	ranks(3, func(ctx context.Context, c *comm.Comm) string {
		r, p := c.Rank(), c.Size()
		got := make([]byte, 6)
		st, err := c.Sendrecv(ctx, (r+1)%p, 0, []byte(fmt.Sprintf("from %d", r)), (r+p-1)%p, 0, got)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintf("%q (rank %d)", got, st.Source)
	})
	// Output:
	// rank 0: "from 2" (rank 2)
	// rank 1: "from 0" (rank 0)
	// rank 2: "from 1" (rank 1)
}

// SendrecvReplaceSlice swaps halos in place; at the ends of a line the
// missing neighbour is comm.ProcNull, whose half is skipped.
func ExampleSendrecvReplaceSlice() {
	ranks(3, func(ctx context.Context, c *comm.Comm) string {
		r, p := c.Rank(), c.Size()
		left, right := r-1, r+1
		if left < 0 {
			left = comm.ProcNull
		}
		if right == p {
			right = comm.ProcNull
		}
		halo := []float64{float64(r) * 10}
		if _, err := comm.SendrecvReplaceSlice(ctx, c, right, 0, halo, left, 0); err != nil {
			return err.Error()
		}
		return fmt.Sprint(halo)
	})
	// Output:
	// rank 0: [0]
	// rank 1: [0]
	// rank 2: [10]
}

// The typed I-calls return Requests; WaitAny hands them back as they
// complete (setting each to nil), here as rank 0 receives from everyone.
func ExampleWaitAny() {
	ranks(3, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() != 0 {
			_, err := comm.IsendSlice(ctx, c, 0, 0, []int32{int32(c.Rank()) * 100}).Wait(ctx)
			return fmt.Sprint(err)
		}
		got := [][]int32{{0}, {0}}
		reqs := []*comm.Request{
			comm.IrecvSlice(ctx, c, 1, 0, got[0]),
			comm.IrecvSlice(ctx, c, 2, 0, got[1]),
		}
		sum := int32(0)
		for {
			i, _, err := comm.WaitAny(ctx, reqs)
			if err != nil {
				return err.Error()
			}
			if i == comm.Undefined {
				break
			}
			sum += got[i][0]
		}
		return fmt.Sprint("sum ", sum)
	})
	// Output:
	// rank 0: sum 300
	// rank 1: <nil>
	// rank 2: <nil>
}

// IsendValue and IrecvValue move any Go value, msgpack-encoded.
func ExampleComm_IrecvValue() {
	type task struct {
		Name  string
		Steps int
	}
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 0 {
			_, err := c.IsendValue(ctx, 1, 0, task{"relax", 40}).Wait(ctx)
			return fmt.Sprint(err)
		}
		var t task
		if _, err := c.IrecvValue(ctx, 0, 0, &t).Wait(ctx); err != nil {
			return err.Error()
		}
		return fmt.Sprintf("%+v", t)
	})
	// Output:
	// rank 0: <nil>
	// rank 1: {Name:relax Steps:40}
}

// SplitShared groups the ranks of each host (MPI_Comm_split_type with
// MPI_COMM_TYPE_SHARED); NewLocal's ranks all run on this host.
func ExampleComm_SplitShared() {
	ranks(3, func(ctx context.Context, c *comm.Comm) string {
		node, err := c.SplitShared(ctx)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintf("rank %d of %d on this host", node.Rank(), node.Size())
	})
	// Output:
	// rank 0: rank 0 of 3 on this host
	// rank 1: rank 1 of 3 on this host
	// rank 2: rank 2 of 3 on this host
}
