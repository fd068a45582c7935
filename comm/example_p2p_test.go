package comm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/gorun-hpc/gorun/comm"
)

// InitConfig is Init with settings of the program's own: here a longer
// bootstrap for a job whose ranks start slowly, and warnings to a logger
// of its own. (Not run: under a launcher it would join that job.)
func ExampleInitConfig() {
	cfg := comm.DefaultConfig()
	cfg.BootstrapTimeout = 5 * time.Minute
	c, err := comm.InitConfig(context.Background(), cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Printf("rank %d of %d\n", c.Rank(), c.Size())
}

// DefaultConfig is what Init uses; change a field and pass it to
// InitConfig.
func ExampleDefaultConfig() {
	cfg := comm.DefaultConfig()
	fmt.Println(cfg.DialTimeout, cfg.BootstrapTimeout, cfg.Compress, cfg.TCPOnly, cfg.Recover)
	// Output: 10s 1m0s false false false
}

// Rank and Size place a rank in its communicator; WorldRank maps a rank
// of a sub-communicator back to the world, and ID is the same on every
// member.
func ExampleComm_Rank() {
	ranks(4, func(ctx context.Context, c *comm.Comm) string {
		sub, err := c.Split(ctx, c.Rank()/2, -c.Rank()) // pairs, in reverse order
		if err != nil {
			return err.Error()
		}
		ids, err := gatherIDs(ctx, c, sub.ID())
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintf("world %d/%d, pair rank %d/%d, pair rank 0 is world %d, same id as partner: %v",
			c.Rank(), c.Size(), sub.Rank(), sub.Size(), sub.WorldRank(0), ids[c.Rank()^1] == sub.ID())
	})
	// Output:
	// rank 0: world 0/4, pair rank 1/2, pair rank 0 is world 1, same id as partner: true
	// rank 1: world 1/4, pair rank 0/2, pair rank 0 is world 1, same id as partner: true
	// rank 2: world 2/4, pair rank 1/2, pair rank 0 is world 3, same id as partner: true
	// rank 3: world 3/4, pair rank 0/2, pair rank 0 is world 3, same id as partner: true
}

// gatherIDs gives every rank of c the value id of every rank, over
// point-to-point messages.
func gatherIDs(ctx context.Context, c *comm.Comm, id uint64) ([]uint64, error) {
	all := make([]uint64, c.Size())
	var reqs []*comm.Request
	for r := range c.Size() {
		reqs = append(reqs, comm.IsendSlice(ctx, c, r, 99, []uint64{id}), comm.IrecvSlice(ctx, c, r, 99, all[r:r+1]))
	}
	_, err := comm.WaitAll(ctx, reqs...)
	return all, err
}

// Send hands bytes to a rank; Recv receives them, and its Status says
// from whom, with which tag, and how many bytes. A message longer than
// the buffer is ErrTruncate.
func ExampleComm_Send() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 0 {
			if err := c.Send(ctx, 1, 1, []byte("short")); err != nil {
				return err.Error()
			}
			return fmt.Sprint(c.Send(ctx, 1, 2, []byte("much too long")))
		}
		buf := make([]byte, 8)
		st, err := c.Recv(ctx, 0, 1, buf)
		if err != nil {
			return err.Error()
		}
		_, err = c.Recv(ctx, 0, 2, make([]byte, 8))
		return fmt.Sprintf("%q from %d tag %d; %v", buf[:st.Count], st.Source, st.Tag, errors.Is(err, comm.ErrTruncate))
	})
	// Output:
	// rank 0: <nil>
	// rank 1: "short" from 0 tag 1; true
}

// Recv with AnySource and AnyTag takes messages in the order they come;
// messages of one sender and tag are never reordered.
func ExampleComm_Recv() {
	ranks(3, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() != 0 {
			for i := range 2 {
				if err := c.Send(ctx, 0, c.Rank(), []byte{byte(10*c.Rank() + i)}); err != nil {
					return err.Error()
				}
			}
			return "sent"
		}
		got := map[int][]byte{}
		buf := make([]byte, 1)
		for range 4 {
			st, err := c.Recv(ctx, comm.AnySource, comm.AnyTag, buf)
			if err != nil {
				return err.Error()
			}
			got[st.Source] = append(got[st.Source], buf[0])
		}
		return fmt.Sprint(got)
	})
	// Output:
	// rank 0: map[1:[10 11] 2:[20 21]]
	// rank 1: sent
	// rank 2: sent
}

// Recvv scatters one message over several buffers in order: a fixed
// header, then the payload into a typed slice.
func ExampleComm_Recvv() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 0 {
			hdr := []byte{'v', 1}
			return fmt.Sprint(c.Sendv(ctx, 1, 0, hdr, comm.AsBytes([]float32{0.5, 1.5})))
		}
		hdr, vals := make([]byte, 2), make([]float32, 2)
		st, err := c.Recvv(ctx, 0, 0, hdr, comm.AsBytes(vals))
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintf("%c%d %v (%d bytes)", hdr[0], hdr[1], vals, st.Count)
	})
	// Output:
	// rank 0: <nil>
	// rank 1: v1 [0.5 1.5] (10 bytes)
}

// RecvBytes receives a message whatever its length, into a new slice.
func ExampleComm_RecvBytes() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 0 {
			return fmt.Sprint(c.Send(ctx, 1, 0, []byte("a line of unknown length\n")))
		}
		b, st, err := c.RecvBytes(ctx, 0, 0)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintf("%d bytes: %q", st.Count, b)
	})
	// Output:
	// rank 0: <nil>
	// rank 1: 25 bytes: "a line of unknown length\n"
}

// RecvValue receives any Go value sent with SendValue into a pointer.
func ExampleComm_RecvValue() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 1 {
			return fmt.Sprint(c.SendValue(ctx, 0, 0, map[string][]int{"bad cells": {3, 17}}))
		}
		var report map[string][]int
		st, err := c.RecvValue(ctx, 1, 0, &report)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprint(report, " from rank ", st.Source)
	})
	// Output:
	// rank 0: map[bad cells:[3 17]] from rank 1
	// rank 1: <nil>
}

// Irecv posts a receive and returns at once; Wait completes it. Posted
// receives match messages in the order they were posted.
func ExampleComm_Irecv() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 0 {
			c.Send(ctx, 1, 0, []byte("first"))
			return fmt.Sprint(c.Send(ctx, 1, 0, []byte("second")))
		}
		a, b := make([]byte, 8), make([]byte, 8)
		ra := c.Irecv(ctx, 0, 0, a)
		rb := c.Irecv(ctx, 0, 0, b)
		sb, err := rb.Wait(ctx)
		if err != nil {
			return err.Error()
		}
		sa, err := ra.Wait(ctx)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintf("%s %s", a[:sa.Count], b[:sb.Count])
	})
	// Output:
	// rank 0: <nil>
	// rank 1: first second
}

// IsendValue starts sending any Go value: it is encoded before the call
// returns, so the value may change at once.
func ExampleComm_IsendValue() {
	type step struct {
		N    int
		Done bool
	}
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 0 {
			s := step{N: 1}
			req := c.IsendValue(ctx, 1, 0, s)
			s.N = 99 // does not change what is sent
			_, err := req.Wait(ctx)
			return fmt.Sprint(err)
		}
		var s step
		if _, err := c.RecvValue(ctx, 0, 0, &s); err != nil {
			return err.Error()
		}
		return fmt.Sprintf("%+v", s)
	})
	// Output:
	// rank 0: <nil>
	// rank 1: {N:1 Done:false}
}

// Wait blocks until a request completes (or ctx ends) and returns its
// Status: for a receive, who sent and how much.
func ExampleRequest_Wait() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 1 {
			_, err := comm.IsendSlice(ctx, c, 0, 4, []int64{1, 2, 3}).Wait(ctx)
			return fmt.Sprint(err)
		}
		buf := make([]int64, 10)
		req := comm.IrecvSlice(ctx, c, comm.AnySource, comm.AnyTag, buf)
		st, err := req.Wait(ctx)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintf("%v from %d tag %d", buf[:st.Count], st.Source, st.Tag)
	})
	// Output:
	// rank 0: [1 2 3] from 1 tag 4
	// rank 1: <nil>
}

// Test polls a request without blocking: a rank goes on computing until
// its message is there.
func ExampleRequest_Test() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 0 {
			buf := make([]byte, 4)
			req := c.Irecv(ctx, 1, 0, buf)
			_, done, _ := req.Test()
			before := done // rank 1 has not sent yet: it waits for our go
			if err := c.Send(ctx, 1, 1, []byte("go")); err != nil {
				return err.Error()
			}
			for !done {
				_, done, _ = req.Test() // ... a step of local work between polls ...
			}
			return fmt.Sprintf("done before: %v, got %q", before, buf)
		}
		if _, _, err := c.RecvBytes(ctx, 0, 1); err != nil {
			return err.Error()
		}
		return fmt.Sprint(c.Send(ctx, 0, 0, []byte("data")))
	})
	// Output:
	// rank 0: done before: false, got "data"
	// rank 1: <nil>
}

// WaitAll completes every request and returns their Statuses in order;
// nil requests are skipped.
func ExampleWaitAll() {
	ranks(3, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() != 0 {
			return fmt.Sprint(comm.SendSlice(ctx, c, 0, 0, []int32{int32(c.Rank()), int32(c.Rank())}))
		}
		a, b := make([]int32, 2), make([]int32, 2)
		sts, err := comm.WaitAll(ctx, comm.IrecvSlice(ctx, c, 1, 0, a), nil, comm.IrecvSlice(ctx, c, 2, 0, b))
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintf("%v %v counts %d %d", a, b, sts[0].Count, sts[2].Count)
	})
	// Output:
	// rank 0: [1 1] [2 2] counts 2 2
	// rank 1: <nil>
	// rank 2: <nil>
}

// WaitSome returns every request that has completed once at least one
// has (setting each to nil): a server handles its messages in batches.
func ExampleWaitSome() {
	ranks(4, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() != 0 {
			return fmt.Sprint(comm.SendSlice(ctx, c, 0, 0, []int32{int32(c.Rank()) * 10}))
		}
		got := make([]int32, 3)
		reqs := []*comm.Request{
			comm.IrecvSlice(ctx, c, 1, 0, got[0:1]),
			comm.IrecvSlice(ctx, c, 2, 0, got[1:2]),
			comm.IrecvSlice(ctx, c, 3, 0, got[2:3]),
		}
		var seen []int
		for {
			idx, _, err := comm.WaitSome(ctx, reqs)
			if err != nil {
				return err.Error()
			}
			if idx == nil { // every request done
				break
			}
			seen = append(seen, idx...)
		}
		slices.Sort(seen)
		return fmt.Sprintf("%v %v", seen, got)
	})
	// Output:
	// rank 0: [0 1 2] [10 20 30]
	// rank 1: <nil>
	// rank 2: <nil>
	// rank 3: <nil>
}

// TestAny reports a request that has completed, without blocking, and
// sets it to nil; ok is false while none has.
func ExampleTestAny() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 1 {
			if _, _, err := c.RecvBytes(ctx, 0, 1); err != nil { // wait for the go
				return err.Error()
			}
			return fmt.Sprint(c.Send(ctx, 0, 0, []byte{42}))
		}
		buf := make([]byte, 1)
		reqs := []*comm.Request{c.Irecv(ctx, 1, 0, buf)}
		_, _, ok, _ := comm.TestAny(reqs)
		before := ok
		c.Send(ctx, 1, 1, nil)
		i := comm.Undefined
		for !ok {
			i, _, ok, _ = comm.TestAny(reqs)
		}
		return fmt.Sprintf("%v %d %d %v", before, i, buf[0], reqs[0] == nil)
	})
	// Output:
	// rank 0: false 0 42 true
	// rank 1: <nil>
}

// TestAll reports whether every request has completed, without blocking.
func ExampleTestAll() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 1 {
			if _, _, err := c.RecvBytes(ctx, 0, 1); err != nil {
				return err.Error()
			}
			return fmt.Sprint(comm.SendSlice(ctx, c, 0, 0, []int16{1, 2}))
		}
		buf := make([]int16, 2)
		reqs := []*comm.Request{comm.IrecvSlice(ctx, c, 1, 0, buf), comm.Completed(comm.Status{}, nil)}
		_, all, _ := comm.TestAll(reqs...)
		before := all
		c.Send(ctx, 1, 1, nil)
		var sts []comm.Status
		for !all {
			sts, all, _ = comm.TestAll(reqs...)
		}
		return fmt.Sprintf("%v %v %d", before, buf, sts[0].Count)
	})
	// Output:
	// rank 0: false [1 2] 2
	// rank 1: <nil>
}

// IsendSlice starts sending numbers; the slice must not change until
// the request completes.
func ExampleIsendSlice() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 0 {
			data := []float64{1, 2, 3}
			req := comm.IsendSlice(ctx, c, 1, 0, data)
			// ... work that does not touch data ...
			_, err := req.Wait(ctx)
			return fmt.Sprint(err)
		}
		buf := make([]float64, 3)
		_, err := comm.RecvSlice(ctx, c, 0, 0, buf)
		return fmt.Sprintf("%v %v", buf, err)
	})
	// Output:
	// rank 0: <nil>
	// rank 1: [1 2 3] <nil>
}

// IrecvSlice posts a typed receive; a message of another element type
// completes it with an error.
func ExampleIrecvSlice() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 0 {
			comm.SendSlice(ctx, c, 1, 0, []uint16{7, 8})
			return fmt.Sprint(comm.SendSlice(ctx, c, 1, 1, []float32{7, 8}))
		}
		good, bad := make([]uint16, 2), make([]uint16, 2)
		r1 := comm.IrecvSlice(ctx, c, 0, 0, good)
		r2 := comm.IrecvSlice(ctx, c, 0, 1, bad)
		_, err1 := r1.Wait(ctx)
		_, err2 := r2.Wait(ctx)
		return fmt.Sprintf("%v %v %v", good, err1, errors.Is(err2, comm.ErrArgument))
	})
	// Output:
	// rank 0: <nil>
	// rank 1: [7 8] <nil> true
}

// SendrecvSlice sends numbers one way and receives the other in one
// call: here a shift along a ring.
func ExampleSendrecvSlice() {
	ranks(3, func(ctx context.Context, c *comm.Comm) string {
		r, n := c.Rank(), c.Size()
		send := []int64{int64(r * 100)}
		recv := make([]int64, 1)
		st, err := comm.SendrecvSlice(ctx, c, (r+1)%n, 0, send, (r+n-1)%n, 0, recv)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprint(recv, " from ", st.Source)
	})
	// Output:
	// rank 0: [200] from 2
	// rank 1: [0] from 0
	// rank 2: [100] from 1
}

// SendrecvReplace sends a buffer and receives into the same buffer: here
// the bytes rotate one step along a ring.
func ExampleComm_SendrecvReplace() {
	ranks(3, func(ctx context.Context, c *comm.Comm) string {
		r, n := c.Rank(), c.Size()
		buf := []byte{byte('A' + r)}
		if _, err := c.SendrecvReplace(ctx, (r+1)%n, 0, buf, (r+n-1)%n, 0); err != nil {
			return err.Error()
		}
		return string(buf)
	})
	// Output:
	// rank 0: C
	// rank 1: A
	// rank 2: B
}

// Iprobe looks for a message without waiting; a rank polls it between
// pieces of work, then receives what it found.
func ExampleComm_Iprobe() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 1 {
			if _, _, err := c.RecvBytes(ctx, 0, 1); err != nil {
				return err.Error()
			}
			return fmt.Sprint(c.Send(ctx, 0, 7, []byte("status report")))
		}
		_, found, err := c.Iprobe(1, comm.AnyTag)
		if err != nil {
			return err.Error()
		}
		before := found
		c.Send(ctx, 1, 1, nil)
		var st comm.Status
		for !found {
			st, found, err = c.Iprobe(1, comm.AnyTag)
			if err != nil {
				return err.Error()
			}
		}
		b, _, err := c.RecvBytes(ctx, st.Source, st.Tag)
		return fmt.Sprintf("%v, then tag %d, %d bytes: %s %v", before, st.Tag, st.Count, b, err)
	})
	// Output:
	// rank 0: false, then tag 7, 13 bytes: status report <nil>
	// rank 1: <nil>
}

// Queued is Iprobe for libraries that look for a message they will not
// wait for: it reports only what has arrived, and moves nothing.
func ExampleComm_Queued() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		if c.Rank() == 1 {
			if err := c.Send(ctx, 0, 3, []byte("x")); err != nil {
				return err.Error()
			}
			return fmt.Sprint(c.Send(ctx, 0, 4, nil)) // "sent" marker, on another tag
		}
		if _, _, err := c.RecvBytes(ctx, 1, 4); err != nil {
			return err.Error()
		}
		// Messages of one sender arrive in order: tag 3 is there.
		st, ok := c.Queued(1, 3)
		_, other := c.Queued(1, 5)
		b, _, _ := c.RecvBytes(ctx, 1, 3)
		return fmt.Sprintf("%v %d %v %s", ok, st.Count, other, b)
	})
	// Output:
	// rank 0: true 1 false x
	// rank 1: <nil>
}

// Start turns any function into a Request that WaitAll and WaitAny mix
// with message requests; Completed is one that is already done.
func ExampleStart() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		peer := 1 - c.Rank()
		var sum int
		compute := comm.Start(func() (comm.Status, error) {
			for i := range 1000 {
				sum += i
			}
			return comm.Status{}, nil
		})
		buf := make([]byte, 1)
		_, err := comm.WaitAll(ctx,
			compute,
			c.Isend(ctx, peer, 0, []byte{byte(c.Rank())}),
			c.Irecv(ctx, peer, 0, buf),
			comm.Completed(comm.Status{}, nil))
		return fmt.Sprintf("%d %v %v", sum, buf, err)
	})
	// Output:
	// rank 0: 499500 [1] <nil>
	// rank 1: 499500 [0] <nil>
}

// Completed is a Request that is already done, with a given result: a
// function that returns Requests uses it when there is nothing to wait
// for (a message to ProcNull, an error found before starting).
func ExampleCompleted() {
	ctx := context.Background()
	ok := comm.Completed(comm.Status{Source: comm.ProcNull}, nil)
	bad := comm.Completed(comm.Status{}, errors.New("no such peer"))
	st, err := ok.Wait(ctx)
	_, done, err2 := bad.Test()
	fmt.Println(st.Source == comm.ProcNull, err, done, err2)
	// Output: true <nil> true no such peer
}

// ElemKind names the element type a typed send carries, which a typed
// receive checks: every Go type its own kind (int is not int64, even
// where they have the same size).
func ExampleElemKind() {
	fmt.Println(comm.ElemKind[float64](), comm.ElemKind[int32](), comm.ElemKind[uint8]())
	fmt.Println(comm.ElemKind[int64]() == comm.ElemKind[int](), comm.ElemKind[uint8]() == comm.ElemKind[byte]())
	// Output:
	// float64 int32 uint8
	// false true
}

// Kind's String is the Go name of the element type, as errors show it.
func ExampleKind_String() {
	k := comm.ElemKind[uint16]()
	fmt.Println(k.String())
	// Output: uint16
}

// WorldRank maps a rank of a sub-communicator to its world rank: what a
// message about a rank (an error, a log line) should name.
func ExampleComm_WorldRank() {
	ranks(4, func(ctx context.Context, c *comm.Comm) string {
		odd, err := c.Split(ctx, c.Rank()%2, 0)
		if err != nil {
			return err.Error()
		}
		var world []int
		for r := range odd.Size() {
			world = append(world, odd.WorldRank(r))
		}
		return fmt.Sprintf("color %d: world ranks %v", c.Rank()%2, world)
	})
	// Output:
	// rank 0: color 0: world ranks [0 2]
	// rank 1: color 1: world ranks [1 3]
	// rank 2: color 0: world ranks [0 2]
	// rank 3: color 1: world ranks [1 3]
}

// ID is a communicator's context id: the same on every member, another
// for each Dup or Split, so messages of one never match another's.
func ExampleComm_ID() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		dup, err := c.Dup(ctx)
		if err != nil {
			return err.Error()
		}
		ids, err := gatherIDs(ctx, c, dup.ID())
		if err != nil {
			return err.Error()
		}
		return fmt.Sprint(ids[0] == ids[1], dup.ID() != c.ID())
	})
	// Output:
	// rank 0: true true
	// rank 1: true true
}

// Size is the number of ranks of a communicator: the world's, or a
// sub-communicator's.
func ExampleComm_Size() {
	ranks(5, func(ctx context.Context, c *comm.Comm) string {
		first3, err := c.Split(ctx, min(c.Rank()/3, 1), 0)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprint(c.Size(), " ", first3.Size())
	})
	// Output:
	// rank 0: 5 3
	// rank 1: 5 3
	// rank 2: 5 3
	// rank 3: 5 2
	// rank 4: 5 2
}
