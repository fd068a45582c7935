package comm_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/gorun-hpc/gorun/comm"
)

// attrKey is the type of Attr's keys in these examples: an unexported
// type, so no other package's key can equal it.
type attrKey struct{}

// stepCounter is per-communicator state a library keeps with Attr.
type stepCounter struct{ n int }

// Attr caches a library's state on a communicator instead of in a
// package variable, so each communicator (and each in-process rank) has
// its own; mk runs once, on the first call.
func ExampleComm_Attr() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		counter := func(c *comm.Comm) *stepCounter {
			return c.Attr(attrKey{}, func() any { return &stepCounter{} }).(*stepCounter)
		}
		counter(c).n++
		counter(c).n++
		dup, err := c.Dup(ctx)
		if err != nil {
			return err.Error()
		}
		// A Dup starts empty; with mk nil, Attr only looks.
		return fmt.Sprintf("world %d, dup %d, look only: %v", counter(c).n, counter(dup).n, c.Attr(struct{ other int }{}, nil))
	})
	// Output:
	// rank 0: world 2, dup 0, look only: <nil>
	// rank 1: world 2, dup 0, look only: <nil>
}

// Collective is a view of a communicator whose messages never match the
// user's: a library's own traffic (here a sum over a ring) cannot take a
// message the program meant for itself, even with the same tag.
func ExampleComm_Collective() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		lib := c.Collective()
		peer := 1 - c.Rank()
		user := []int32{int32(100 + c.Rank())}
		mine := []int32{int32(c.Rank())}
		fromUser, fromLib := make([]int32, 1), make([]int32, 1)
		_, err := comm.WaitAll(ctx,
			comm.IsendSlice(ctx, c, peer, 0, user),
			comm.IsendSlice(ctx, lib, peer, 0, mine),
			comm.IrecvSlice(ctx, lib, peer, 0, fromLib),
			comm.IrecvSlice(ctx, c, peer, 0, fromUser))
		return fmt.Sprintf("user %v, library %v, %v, same ranks: %v", fromUser, fromLib, err, lib.Rank() == c.Rank())
	})
	// Output:
	// rank 0: user [101], library [1], <nil>, same ranks: true
	// rank 1: user [100], library [0], <nil>, same ranks: true
}

// NextSeq numbers the collective calls made on a communicator: every
// member counts the same calls, so the numbers agree, and a library
// puts them in its messages to tell one call from the next.
func ExampleComm_NextSeq() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		a, b := c.NextSeq(), c.NextSeq()
		sub, _ := c.Dup(ctx)
		return fmt.Sprint(a, b, sub.NextSeq())
	})
	// Output:
	// rank 0: 1 2 1
	// rank 1: 1 2 1
}

// Close ends a rank's part in the job: its peers learn that it left
// (Departures, Departed) rather than failed, and calls on the closed
// communicator fail.
func ExampleComm_Close() {
	ctx := context.Background()
	cs, err := comm.NewLocal(ctx, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cs[0].Close()
	if err := cs[1].Close(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cs[1].Close()) // closing twice is not an error
	err = cs[1].Send(ctx, 0, 0, []byte("late"))
	fmt.Println(errors.Is(err, comm.ErrClosed))
	// Output:
	// <nil>
	// true
}

// Departed is the error a receive from a rank that left gives; a rank
// waiting in shared memory, where no receive is pending, asks it
// instead. Departures counts the ranks that left.
func ExampleComm_Departed() {
	ctx := context.Background()
	cs, err := comm.NewLocal(ctx, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cs[0].Close()
	defer cs[1].Close()
	fmt.Println(cs[0].Departures(), cs[0].Departed(2))
	cs[2].Close()
	_, _, err = cs[0].RecvBytes(ctx, 2, 0) // rank 2 will never send
	fmt.Println(err != nil, cs[0].Departures(), cs[0].Departed(2) != nil, cs[0].Departed(1))
	// Output:
	// 0 <nil>
	// true 1 true <nil>
}

// Departures counts the world's ranks that closed cleanly: zero means no
// rank has left, the fast path of a wait in shared memory.
func ExampleComm_Departures() {
	ctx := context.Background()
	cs, err := comm.NewLocal(ctx, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cs[0].Close()
	cs[3].Close()
	cs[2].Close()
	cs[1].Close()
	for _, r := range []int{1, 2, 3} {
		cs[0].RecvBytes(ctx, r, 0) // returns once rank r's goodbye is in
	}
	fmt.Println(cs[0].Departures())
	// Output: 3
}

// Broken is nil while a communicator works and the error every call on
// it gets once it does not (here after a Revoke); FailureNotices gives
// channels to select on while waiting without a receive.
func ExampleComm_Broken() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		sub, err := c.Dup(ctx)
		if err != nil {
			return err.Error()
		}
		before := sub.Broken()
		if c.Rank() == 0 {
			sub.Revoke(errors.New("bad input"))
		} else {
			sub.RecvBytes(ctx, 0, 0) // ends with the revocation
		}
		return fmt.Sprintf("%v, then %v; world: %v", before, sub.Broken(), c.Broken())
	})
	// Output:
	// rank 0: <nil>, then comm: communicator revoked by rank 0: bad input; world: <nil>
	// rank 1: <nil>, then comm: communicator revoked by rank 0: bad input; world: <nil>
}

// FailureNotices returns channels for a rank that waits on shared memory
// rather than on a receive: down closes when the job fails, news at each
// death or departure in a world that recovers.
func ExampleComm_FailureNotices() {
	ctx := context.Background()
	cs, err := comm.NewLocalRecover(ctx, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cs[0].Close()
	down, news := cs[0].FailureNotices()
	cs[1].Close() // rank 1 leaves
	select {
	case <-news:
		fmt.Println("news: departures", cs[0].Departures())
	case <-down:
		fmt.Println("the job failed")
	}
	// Output: news: departures 1
}

// PollTimes says how long a rank waiting on shared memory should poll
// before it blocks (spin), and how much of that without yielding the CPU
// (hot): no longer than spin, and zero when the ranks of this host
// outnumber its cores.
func ExampleComm_PollTimes() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		spin, hot := c.PollTimes()
		return fmt.Sprint(spin > 0, hot <= spin)
	})
	// Output:
	// rank 0: true true
	// rank 1: true true
}

// SharedMemory tells whether a communicator's ranks on one host can
// share memory (Linux, TCP not forced): code that uses host segments
// checks it and falls back to messages, with the same result.
func ExampleComm_SharedMemory() {
	ranks(2, func(ctx context.Context, c *comm.Comm) string {
		peer := 1 - c.Rank()
		if !c.SharedMemory() {
			b := []byte{byte(c.Rank() + 1)}
			if _, err := c.SendrecvReplace(ctx, peer, 0, b, peer, 0); err != nil {
				return err.Error()
			}
			return fmt.Sprint("peer wrote ", b[0])
		}
		nonce := []byte("example shared")
		var mem []byte
		var err error
		if c.Rank() == 0 {
			mem, err = c.CreateHostSegment(nonce, 4096)
		}
		if err := c.Send(ctx, peer, 0, nil); err != nil { // "made" / "ready"
			return err.Error()
		}
		if _, _, err := c.RecvBytes(ctx, peer, 0); err != nil {
			return err.Error()
		}
		if c.Rank() == 1 {
			mem, err = c.OpenHostSegment(0, nonce, 4096)
		}
		if err != nil {
			return err.Error()
		}
		defer comm.UnmapHostSegment(mem)
		mem[c.Rank()] = byte(c.Rank() + 1)
		if _, err := c.SendrecvReplace(ctx, peer, 1, []byte{0}, peer, 1); err != nil { // both wrote
			return err.Error()
		}
		if c.Rank() == 0 {
			c.UnlinkHostSegment(0, nonce)
		}
		return fmt.Sprint("peer wrote ", mem[peer])
	})
	// Output:
	// rank 0: peer wrote 2
	// rank 1: peer wrote 1
}

// HostSegmentPath is where a segment lives while it has a name: under
// /dev/shm on Linux, named for the job, the creator and the nonce.
// UnlinkHostSegment removes the name once every rank has mapped it;
// the memory stays until each unmaps it (UnmapHostSegment).
func ExampleComm_HostSegmentPath() {
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
		fmt.Println("true\nfalse\n7") // no segments without shared memory
		return
	}
	nonce := []byte("n1")
	mem, err := cs[0].CreateHostSegment(nonce, 64)
	if err != nil {
		fmt.Println(err)
		return
	}
	peer, err := cs[1].OpenHostSegment(0, nonce, 64)
	if err != nil {
		fmt.Println(err)
		return
	}
	path := cs[1].HostSegmentPath(0, nonce)
	_, statErr := os.Stat(path)
	fmt.Println(statErr == nil && path == cs[0].HostSegmentPath(0, nonce))
	cs[0].UnlinkHostSegment(0, nonce)
	_, statErr = os.Stat(path)
	fmt.Println(statErr == nil)
	mem[0] = 7
	fmt.Println(peer[0]) // still shared after the unlink
	comm.UnmapHostSegment(peer)
	comm.UnmapHostSegment(mem)
	// Output:
	// true
	// false
	// 7
}

// OpenHostSegment maps a segment another rank of the host created; a
// wrong size or a nonce nobody used is an error, not a fresh segment.
func ExampleComm_OpenHostSegment() {
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
		fmt.Println("[1 2 3]\ntrue\ntrue")
		return
	}
	nonce := []byte("table")
	mem, err := cs[0].CreateHostSegment(nonce, 4096)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cs[0].UnlinkHostSegment(0, nonce)
	defer comm.UnmapHostSegment(mem)
	copy(mem, []byte{1, 2, 3})
	view, err := cs[1].OpenHostSegment(0, nonce, 4096)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer comm.UnmapHostSegment(view)
	fmt.Println(view[:3])
	_, err = cs[1].OpenHostSegment(0, []byte("never made"), 4096)
	fmt.Println(err != nil)
	_, err = cs[1].OpenHostSegment(0, nonce, 8192)
	fmt.Println(err != nil)
	// Output:
	// [1 2 3]
	// true
	// true
}

// UnlinkHostSegment removes a segment's name so nothing stays behind in
// /dev/shm, even if a rank dies later: call it once every rank has the
// segment mapped.
func ExampleComm_UnlinkHostSegment() {
	cs, err := comm.NewLocal(context.Background(), 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cs[0].Close()
	if !cs[0].SharedMemory() {
		fmt.Println("false")
		return
	}
	nonce := []byte("scratch")
	mem, err := cs[0].CreateHostSegment(nonce, 4096)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer comm.UnmapHostSegment(mem)
	cs[0].UnlinkHostSegment(0, nonce)
	_, err = os.Stat(cs[0].HostSegmentPath(0, nonce))
	fmt.Println(err == nil)
	// Output: false
}

// UnmapHostSegment releases a rank's mapping of a segment; the memory
// goes when the last rank unmaps it and its name is unlinked.
func ExampleUnmapHostSegment() {
	cs, err := comm.NewLocal(context.Background(), 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cs[0].Close()
	if !cs[0].SharedMemory() {
		fmt.Println("<nil>")
		return
	}
	nonce := []byte("once")
	mem, err := cs[0].CreateHostSegment(nonce, 4096)
	if err != nil {
		fmt.Println(err)
		return
	}
	cs[0].UnlinkHostSegment(0, nonce)
	fmt.Println(comm.UnmapHostSegment(mem))
	// Output: <nil>
}

// A *RankError says which rank failed and how; errors.Is matches it to
// ErrRankFailed. Here rank 1 of a job that recovers leaves, and rank 0's
// receive from it fails.
func ExampleRankError_Is() {
	ctx := context.Background()
	cs, err := comm.NewLocalRecover(ctx, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cs[0].Close()
	cs[1].Close()
	_, _, err = cs[0].RecvBytes(ctx, 1, 0)
	var re *comm.RankError
	fmt.Println(errors.Is(err, comm.ErrRankFailed), errors.As(err, &re) && re.Rank == 1)
	// Output: true true
}

// Error names the rank, the operation that noticed and what happened,
// and says what to do.
func ExampleRankError_Error() {
	ctx := context.Background()
	cs, err := comm.NewLocal(ctx, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cs[0].Close()
	cs[1].Close()
	_, _, err = cs[0].RecvBytes(ctx, 1, 0)
	fmt.Println(err)
	// Output: recv: rank 1 closed its communicator (Close, or exit after Close) while this rank waits for a message from it: no message will come from it (did it finish early, or do the ranks disagree on who sends what?)
}

// Abort ends the whole job at once, every rank with the code given, when
// a rank meets an error the others cannot get past (here an input file
// missing on one rank). Not run: it exits the process.
func ExampleComm_Abort() {
	ctx := context.Background()
	c, err := comm.Init(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer c.Close()
	if _, err := os.Stat(fmt.Sprintf("input.%d", c.Rank())); err != nil {
		fmt.Fprintln(os.Stderr, "rank", c.Rank(), err)
		c.Abort(2) // the launcher stops every rank; gorun exits with 2
	}
}
