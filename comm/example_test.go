package comm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"

	"github.com/gorun-hpc/gorun/comm"
)

// ranks runs f on n ranks of one job inside this process (comm.NewLocal)
// and prints what each rank returned, in rank order.
func ranks(n int, f func(ctx context.Context, c *comm.Comm) string) {
	ctx := context.Background()
	cs, err := comm.NewLocal(ctx, n)
	if err != nil {
		fmt.Println(err)
		return
	}
	out := make([]string, n)
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Add(1)
		go func() { defer wg.Done(); out[c.Rank()] = f(ctx, c) }()
	}
	wg.Wait()
	for _, c := range cs {
		c.Close()
	}
	for r, s := range out {
		fmt.Printf("rank %d: %s\n", r, s)
	}
}

// The shape of every gorun program: Init, then defer Close. Under
// `gorun -n 4` each of the four processes gets its rank; under `go run`
// or `go test` Init gives a world of one rank.
func ExampleInit() {
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Printf("rank %d of %d\n", c.Rank(), c.Size())
}

// NewLocal starts the ranks of a job as goroutines, for tests: here rank 0
// sends bytes to rank 1 with Send and Recv.
func ExampleNewLocal() {
	ctx := context.Background()
	cs, err := comm.NewLocal(ctx, 2)
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	errc := make(chan error, 1)
	go func() { errc <- cs[0].Send(ctx, 1, 7, []byte("ping")) }()
	buf := make([]byte, 16)
	st, err := cs[1].Recv(ctx, 0, 7, buf)
	if err := errors.Join(err, <-errc); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q from rank %d, tag %d\n", buf[:st.Count], st.Source, st.Tag)
	// Output: "ping" from rank 0, tag 7
}

// SendSlice and RecvSlice move numbers with no encoding; the receiver's
// Status counts elements.
func ExampleSendSlice() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 0 {
			if err := comm.SendSlice(ctx, c, 1, 0, []float64{1.5, 2.5, 3.5}); err != nil {
				return err.Error()
			}
			return "sent"
		}
		buf := make([]float64, 8)
		st, err := comm.RecvSlice(ctx, c, 0, 0, buf)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprint(st.Count, " elements: ", buf[:st.Count])
	})
	// Output:
	// rank 0: sent
	// rank 1: 3 elements: [1.5 2.5 3.5]
}

// A slice received as another element type is an error, not reinterpreted
// bytes.
func ExampleRecvSlice() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 0 {
			if err := comm.SendSlice(ctx, c, 1, 0, []int32{1, 2}); err != nil {
				return err.Error()
			}
			return "sent int32"
		}
		_, err := comm.RecvSlice(ctx, c, 0, 0, make([]float32, 2))
		return fmt.Sprint(err)
	})
	// Output:
	// rank 0: sent int32
	// rank 1: comm: rank 0 sent int32 elements but RecvSlice wants float32: comm: bad argument
}

// AsBytes views numbers as their bytes without copying, for Send, Sendv
// and friends; changes to the slice show through.
func ExampleAsBytes() {
	xs := []int32{7, 8}
	b := comm.AsBytes(xs)
	xs[0] = -1
	fmt.Println(len(b), b[:4])
	// Output: 8 [255 255 255 255]
}

// SendValue and RecvValue carry any Go value, msgpack-encoded.
func ExampleComm_SendValue() {
	type result struct {
		Rank  int
		Norms map[string]float64
	}
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 1 {
			return fmt.Sprint(c.SendValue(ctx, 0, 3, result{Rank: 1, Norms: map[string]float64{"l2": 0.25}}))
		}
		var got result
		if _, err := c.RecvValue(ctx, comm.AnySource, 3, &got); err != nil {
			return err.Error()
		}
		return fmt.Sprintf("%+v", got)
	})
	// Output:
	// rank 0: {Rank:1 Norms:map[l2:0.25]}
	// rank 1: <nil>
}

// Isend and Irecv start transfers that WaitAll completes: an exchange
// with both neighbours of a ring, which blocking calls could deadlock.
func ExampleComm_Isend() {
	ranks(3, func(ctx context.Context, c *comm.Comm) string {
		n := c.Size()
		left, right := (c.Rank()+n-1)%n, (c.Rank()+1)%n
		fromLeft, fromRight := make([]byte, 1), make([]byte, 1)
		me := []byte{byte('a' + c.Rank())}
		_, err := comm.WaitAll(ctx,
			c.Irecv(ctx, left, 0, fromLeft),
			c.Irecv(ctx, right, 0, fromRight),
			c.Isend(ctx, left, 0, me),
			c.Isend(ctx, right, 0, me))
		if err != nil {
			return err.Error()
		}
		return string(fromLeft) + string(me) + string(fromRight)
	})
	// Output:
	// rank 0: cab
	// rank 1: abc
	// rank 2: bca
}

// Probe tells the size of a message before it is received; RecvBytes
// receives a message of any length.
func ExampleComm_Probe() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 0 {
			return fmt.Sprint(c.Send(ctx, 1, 5, []byte("a message of unknown length")))
		}
		st, err := c.Probe(ctx, 0, comm.AnyTag)
		if err != nil {
			return err.Error()
		}
		b, _, err := c.RecvBytes(ctx, st.Source, st.Tag)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintf("tag %d, %d bytes: %s", st.Tag, st.Count, b)
	})
	// Output:
	// rank 0: <nil>
	// rank 1: tag 5, 27 bytes: a message of unknown length
}

// Sendv sends a header and a payload as one message without copying them
// together; Recvv splits it again, here straight into an []int16.
func ExampleComm_Sendv() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 0 {
			return fmt.Sprint(c.Sendv(ctx, 1, 0, []byte{2}, comm.AsBytes([]int16{-1, 1})))
		}
		hdr, vals := make([]byte, 1), make([]int16, 2)
		st, err := c.Recvv(ctx, 0, 0, hdr, comm.AsBytes(vals))
		if err != nil {
			return err.Error()
		}
		return fmt.Sprint(st.Count, " bytes: header ", hdr, ", values ", vals)
	})
	// Output:
	// rank 0: <nil>
	// rank 1: 5 bytes: header [2], values [-1 1]
}

// Split makes sub-communicators: here the even and the odd ranks, each
// with ranks of its own.
func ExampleComm_Split() {
	ranks(5, func(ctx context.Context, c *comm.Comm) string {
		sub, err := c.Split(ctx, c.Rank()%2, c.Rank())
		if err != nil {
			return err.Error()
		}
		defer sub.Close()
		return fmt.Sprintf("color %d, rank %d of %d (world rank %d)", c.Rank()%2, sub.Rank(), sub.Size(), sub.WorldRank(sub.Rank()))
	})
	// Output:
	// rank 0: color 0, rank 0 of 3 (world rank 0)
	// rank 1: color 1, rank 0 of 2 (world rank 1)
	// rank 2: color 0, rank 1 of 3 (world rank 2)
	// rank 3: color 1, rank 1 of 2 (world rank 3)
	// rank 4: color 0, rank 2 of 3 (world rank 4)
}

// Dup gives a library its own communicator with the same ranks, so its
// messages never match the caller's.
func ExampleComm_Dup() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		lib, err := c.Dup(ctx)
		if err != nil {
			return err.Error()
		}
		defer lib.Close()
		return fmt.Sprint(lib.Rank(), lib.Size(), lib.ID() != c.ID())
	})
	// Output:
	// rank 0: 0 2 true
	// rank 1: 1 2 true
}

// Revoke breaks a communicator on every member: a rank that hits an error
// others cannot see turns their waits into errors.
func ExampleComm_Revoke() {
	ranks(3, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 2 {
			c.Revoke(errors.New("input file missing"))
			return "revoked"
		}
		_, _, err := c.RecvBytes(ctx, 2, 0) // rank 2 never sends
		return fmt.Sprint(errors.Is(err, comm.ErrRevoked), ": ", err)
	})
	// Output:
	// rank 0: true: comm: communicator revoked by rank 2: input file missing
	// rank 1: true: comm: communicator revoked by rank 2: input file missing
	// rank 2: revoked
}
