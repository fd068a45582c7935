package comm

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/rendezvous"
)

// failCtx bounds a test only when it is broken: a correct run never waits
// for it.
func failCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSendrecvRing(t *testing.T) {
	for _, n := range []int{1, 2, 3, 8} {
		for _, size := range []int{0, 1, isendInline + 1, 4 << 20} {
			if n == 8 && size > isendInline {
				size = 1 << 20
			}
			t.Run(fmt.Sprintf("n%d/%dB", n, size), func(t *testing.T) {
				cs := local(t, n)
				ctx := failCtx(t)
				each(t, cs, func(c *Comm) error {
					r, p := c.Rank(), c.Size()
					right, left := (r+1)%p, (r+p-1)%p
					got := make([]byte, size)
					st, err := c.Sendrecv(ctx, right, 7, pattern(size, r), left, 7, got)
					if err != nil {
						return err
					}
					if !bytes.Equal(got, pattern(size, left)) || st.Source != left || st.Count != size || st.Tag != 7 {
						return fmt.Errorf("Sendrecv from %d: status %+v, data equal %v", left, st, bytes.Equal(got, pattern(size, left)))
					}
					// The same swap in place, both directions at once.
					buf := pattern(size, r)
					if _, err := c.SendrecvReplace(ctx, left, 8, buf, right, 8); err != nil {
						return err
					}
					if !bytes.Equal(buf, pattern(size, right)) {
						return fmt.Errorf("SendrecvReplace: not rank %d's bytes", right)
					}
					f := make([]float64, size/8)
					for i := range f {
						f[i] = float64(r) + float64(i)/8
					}
					if _, err := SendrecvReplaceSlice(ctx, c, right, 9, f, left, 9); err != nil {
						return err
					}
					for i := range f {
						if f[i] != float64(left)+float64(i)/8 {
							return fmt.Errorf("SendrecvReplaceSlice: element %d is %v", i, f[i])
						}
					}
					return nil
				})
			})
		}
	}
}

// ProcNull is the missing neighbour at the ends of a line: its half of a
// Sendrecv is skipped.
func TestSendrecvProcNull(t *testing.T) {
	cs := local(t, 3)
	ctx := failCtx(t)
	each(t, cs, func(c *Comm) error {
		r, p := c.Rank(), c.Size()
		right, left := r+1, r-1
		if right == p {
			right = ProcNull
		}
		if left < 0 {
			left = ProcNull
		}
		got := []int32{-1}
		st, err := SendrecvSlice(ctx, c, right, 1, []int32{int32(r)}, left, 1, got)
		if err != nil {
			return err
		}
		if left == ProcNull {
			if got[0] != -1 || st.Source != ProcNull || st.Count != 0 {
				return fmt.Errorf("from ProcNull: %v %+v", got, st)
			}
			return nil
		}
		if got[0] != int32(left) || st.Count != 1 {
			return fmt.Errorf("got %v %+v", got, st)
		}
		return nil
	})
}

func TestSendrecvErrors(t *testing.T) {
	cs := local(t, 2)
	ctx := failCtx(t)
	if _, err := cs[0].Sendrecv(ctx, 5, 0, nil, 1, 0, nil); !errors.Is(err, ErrArgument) {
		t.Errorf("send to rank 5: %v", err)
	}
	// The receive posted before the failed send was withdrawn: a later
	// message from rank 1 goes to the next receive.
	if err := cs[1].Send(ctx, 0, 0, []byte("x")); err != nil {
		t.Fatal(err)
	}
	b, _, err := cs[0].RecvBytes(ctx, 1, 0)
	if err != nil || string(b) != "x" {
		t.Errorf("after a failed Sendrecv: %q %v", b, err)
	}
	if _, err := cs[0].Sendrecv(ctx, 1, 0, nil, 1, -7, nil); !errors.Is(err, ErrArgument) {
		t.Errorf("bad tag: %v", err)
	}
	// A message of another element type is refused, as by RecvSlice.
	each(t, cs, func(c *Comm) error {
		peer := 1 - c.Rank()
		var err error
		if c.Rank() == 0 {
			_, err = SendrecvSlice(ctx, c, peer, 3, []float64{1}, peer, 3, []float64{0})
		} else {
			_, err = SendrecvSlice(ctx, c, peer, 3, []int64{1}, peer, 3, []int64{0})
		}
		if !errors.Is(err, ErrArgument) {
			return fmt.Errorf("a message of the other element type: %v", err)
		}
		return nil
	})
}

// Irecvs of one source and tag match messages in the order they were
// posted (MPI's rule); before they were posted synchronously the
// goroutines of 300 Irecvs raced for the messages.
func TestIrecvPostOrder(t *testing.T) {
	const n = 300
	cs := local(t, 2)
	ctx := failCtx(t)
	each(t, cs, func(c *Comm) error {
		if c.Rank() == 0 {
			for i := range n {
				if err := SendSlice(ctx, c, 1, 4, []int32{int32(i)}); err != nil {
					return err
				}
			}
			return nil
		}
		got := make([][]int32, n)
		reqs := make([]*Request, n)
		for i := range n {
			got[i] = []int32{-1}
			if i%2 == 0 {
				reqs[i] = IrecvSlice(ctx, c, 0, 4, got[i])
			} else {
				reqs[i] = IrecvSlice(ctx, c, AnySource, AnyTag, got[i])
			}
		}
		if _, err := WaitAll(ctx, reqs...); err != nil {
			return err
		}
		for i := range n {
			if got[i][0] != int32(i) {
				return fmt.Errorf("Irecv %d got message %d", i, got[i][0])
			}
		}
		return nil
	})
}

// Isends to one destination leave in the order they were started, and a
// Send after them does not overtake them.
func TestIsendOrder(t *testing.T) {
	const n, size = 40, isendInline + 1000
	cs := local(t, 2)
	ctx := failCtx(t)
	each(t, cs, func(c *Comm) error {
		if c.Rank() == 0 {
			var reqs []*Request
			for i := range n {
				s := make([]int64, size/8)
				s[0] = int64(i)
				reqs = append(reqs, IsendSlice(ctx, c, 1, 2, s))
			}
			if err := SendSlice(ctx, c, 1, 2, []int64{n}); err != nil {
				return err
			}
			_, err := WaitAll(ctx, reqs...)
			return err
		}
		for i := range n + 1 {
			s := make([]int64, size/8)
			st, err := RecvSlice(ctx, c, 0, 2, s)
			if err != nil {
				return err
			}
			if s[0] != int64(i) {
				return fmt.Errorf("message %d is Isend number %d (%d elements)", i, s[0], st.Count)
			}
		}
		return nil
	})
}

func TestTypedNonblocking(t *testing.T) {
	type point struct{ X, Y int }
	cs := local(t, 2)
	ctx := failCtx(t)
	each(t, cs, func(c *Comm) error {
		peer := 1 - c.Rank()
		got := make([]float32, 3)
		var v point
		var null []byte
		reqs := []*Request{
			IrecvSlice(ctx, c, peer, 1, got),
			c.IrecvValue(ctx, peer, 2, &v),
			c.Irecv(ctx, ProcNull, 3, null),
			IsendSlice(ctx, c, peer, 1, []float32{1, 2, float32(c.Rank())}),
			c.IsendValue(ctx, peer, 2, point{c.Rank(), 7}),
			c.Isend(ctx, ProcNull, 3, []byte("dropped")),
		}
		sts, err := WaitAll(ctx, reqs...)
		if err != nil {
			return err
		}
		if !slices.Equal(got, []float32{1, 2, float32(peer)}) || sts[0].Count != 3 || v != (point{peer, 7}) || sts[2].Source != ProcNull {
			return fmt.Errorf("got %v %v, statuses %+v", got, v, sts)
		}
		// Of another element type: an error, not reinterpreted bytes.
		if c.Rank() == 0 {
			_, err := IrecvSlice(ctx, c, peer, 4, make([]int32, 1)).Wait(ctx)
			if !errors.Is(err, ErrArgument) {
				return fmt.Errorf("float32 into int32: %v", err)
			}
			return nil
		}
		_, err = IsendSlice(ctx, c, peer, 4, []float32{1}).Wait(ctx)
		return err
	})
}

func TestWaitAnyTestAny(t *testing.T) {
	cs := local(t, 2)
	ctx := failCtx(t)
	each(t, cs, func(c *Comm) error {
		peer := 1 - c.Rank()
		if c.Rank() == 0 {
			// Send tags 3, 1, 2, each after rank 1 saw the one before.
			for _, tag := range []int{3, 1, 2} {
				if err := c.Send(ctx, peer, tag, []byte{byte(tag)}); err != nil {
					return err
				}
				if _, _, err := c.RecvBytes(ctx, peer, 9); err != nil {
					return err
				}
			}
			return nil
		}
		bufs := [][]byte{{0}, {0}, {0}}
		reqs := []*Request{c.Irecv(ctx, peer, 1, bufs[0]), c.Irecv(ctx, peer, 2, bufs[1]), c.Irecv(ctx, peer, 3, bufs[2])}
		if _, _, ok, _ := TestAny(reqs); ok {
			return errors.New("TestAny: a request completed before anything was sent")
		}
		if _, ok, _ := TestAll(reqs...); ok {
			return errors.New("TestAll: complete before anything was sent")
		}
		all := slices.Clone(reqs)
		for _, want := range []int{2, 0, 1} {
			i, st, err := WaitAny(ctx, reqs)
			if err != nil {
				return err
			}
			if i != want || st.Tag != want+1 || bufs[i][0] != byte(want+1) || reqs[i] != nil {
				return fmt.Errorf("WaitAny = %d (status %+v), want %d", i, st, want)
			}
			if err := c.Send(ctx, peer, 9, nil); err != nil {
				return err
			}
		}
		if i, _, err := WaitAny(ctx, reqs); i != Undefined || err != nil {
			return fmt.Errorf("WaitAny over nil requests: %d %v", i, err)
		}
		if i, _, ok, _ := TestAny(reqs); i != Undefined || !ok {
			return fmt.Errorf("TestAny over nil requests: %d %v", i, ok)
		}
		sts, ok, err := TestAll(all...)
		if !ok || err != nil || sts[1].Tag != 2 {
			return fmt.Errorf("TestAll after completion: %v %v %+v", ok, err, sts)
		}
		// A WaitAny that nothing completes ends with its context.
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		pend := []*Request{c.Irecv(ctx, peer, 11, nil)}
		if _, _, err := WaitAny(short, pend); !errors.Is(err, context.DeadlineExceeded) || pend[0] == nil {
			return fmt.Errorf("WaitAny past its deadline: %v", err)
		}
		idx, _, err := WaitSome(ctx, []*Request{nil, Completed(Status{Tag: 4}, nil), Completed(Status{}, nil)})
		if err != nil || !slices.Equal(idx, []int{1, 2}) {
			return fmt.Errorf("WaitSome: %v %v", idx, err)
		}
		return nil
	})
}

// newLocalHosts is NewLocal with rank i listening on hosts[i] (addresses
// of the loopback network, 127.0.0.0/8), so the address table shows ranks
// on different hosts.
func newLocalHosts(t *testing.T, hosts []string) []*Comm {
	t.Helper()
	ctx := failCtx(t)
	secret, id := make([]byte, 32), make([]byte, 8)
	_, _ = rand.Read(secret)
	_, _ = rand.Read(id)
	job := rendezvous.Job{ID: "hosts-" + hex.EncodeToString(id), Secret: secret, Size: len(hosts)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rv := rendezvous.NewServer(ln, job, DefaultConfig().Logger)
	go func() { _ = rv.Serve(context.Background()) }()
	cs := make([]*Comm, len(hosts))
	errs := make([]error, len(hosts))
	done := make(chan struct{})
	for i := range hosts {
		go func() {
			cfg := DefaultConfig()
			cfg.BindAddr = hosts[i]
			cs[i], errs[i] = join(ctx, cfg, job, i, ln.Addr().String())
			done <- struct{}{}
		}()
	}
	for range hosts {
		<-done
	}
	t.Cleanup(func() {
		for _, c := range cs {
			if c != nil {
				c.w.lostWait.Store(0)
				c.Close()
			}
		}
		rv.Close()
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("rank %d on %s: %v", i, hosts[i], err)
		}
	}
	for _, c := range cs {
		c.w.lostWait.Store(0)
	}
	return cs
}

func TestSplitShared(t *testing.T) {
	hosts := []string{"127.0.0.1", "127.0.0.2", "127.0.0.1", "127.0.0.3", "127.0.0.2", "127.0.0.1"}
	cs := newLocalHosts(t, hosts)
	ctx := failCtx(t)
	each(t, cs, func(c *Comm) error {
		node, err := c.SplitShared(ctx)
		if err != nil {
			return err
		}
		var want []int // world ranks on this host, in order
		for r, h := range hosts {
			if h == hosts[c.Rank()] {
				want = append(want, r)
			}
		}
		if node.Size() != len(want) || want[node.Rank()] != c.Rank() || c.hostOfMember(c.Rank()) != hosts[c.Rank()] {
			return fmt.Errorf("node communicator: rank %d of %d, want %v", node.Rank(), node.Size(), want)
		}
		for r := range node.Size() {
			if node.WorldRank(r) != want[r] {
				return fmt.Errorf("node rank %d is world rank %d, want %d", r, node.WorldRank(r), want[r])
			}
		}
		// The new context works and is its own: a ring inside the node.
		p, r := node.Size(), node.Rank()
		got := []int64{-1}
		if _, err := SendrecvSlice(ctx, node, (r+1)%p, 0, []int64{int64(c.Rank())}, (r+p-1)%p, 0, got); err != nil {
			return err
		}
		if got[0] != int64(want[(r+p-1)%p]) {
			return fmt.Errorf("ring on the node: got %d", got[0])
		}
		return nil
	})
	// One host (NewLocal): everyone.
	one := local(t, 3)
	each(t, one, func(c *Comm) error {
		node, err := c.SplitShared(ctx)
		if err != nil || node.Size() != 3 || node.Rank() != c.Rank() {
			return fmt.Errorf("one host: %v %v", node, err)
		}
		return nil
	})
}

// Every send to ProcNull does nothing and every receive from it completes
// at once, empty.
func TestProcNullEverywhere(t *testing.T) {
	c := local(t, 1)[0]
	ctx := failCtx(t)
	var v struct{ X int }
	for name, err := range map[string]error{
		"Send":      c.Send(ctx, ProcNull, 0, []byte("x")),
		"SendSlice": SendSlice(ctx, c, ProcNull, 0, []int64{1}),
		"SendValue": c.SendValue(ctx, ProcNull, 0, 5),
	} {
		if err != nil {
			t.Errorf("%s to ProcNull: %v", name, err)
		}
	}
	buf := []byte{9}
	st, err := c.Recv(ctx, ProcNull, 0, buf)
	if err != nil || st.Source != ProcNull || st.Count != 0 || buf[0] != 9 {
		t.Errorf("Recv from ProcNull: %+v %v %v", st, err, buf)
	}
	if st, err := RecvSlice(ctx, c, ProcNull, 0, []float64{1}); err != nil || st.Source != ProcNull {
		t.Errorf("RecvSlice from ProcNull: %+v %v", st, err)
	}
	if st, err := c.RecvValue(ctx, ProcNull, 0, &v); err != nil || st.Source != ProcNull {
		t.Errorf("RecvValue from ProcNull: %+v %v", st, err)
	}
	if st, ok, err := c.Iprobe(ProcNull, 0); !ok || err != nil || st.Source != ProcNull {
		t.Errorf("Iprobe of ProcNull: %+v %v %v", st, ok, err)
	}
	if st, err := c.Probe(ctx, ProcNull, 0); err != nil || st.Source != ProcNull {
		t.Errorf("Probe of ProcNull: %+v %v", st, err)
	}
}

// Queued sees a queued message as Iprobe does, including one whose large
// payload still waits in the socket, and, unlike an Iprobe that finds
// nothing, leaves that payload there: the receive that comes later reads
// it straight into its buffer.
func TestQueued(t *testing.T) {
	cs := local(t, 2)
	ctx := failCtx(t)
	cs[1].w.lazyWait.Store(int64(time.Minute)) // the payload stays in the socket
	big := pattern(1<<20, 3)
	if _, ok := cs[1].Queued(0, 5); ok {
		t.Fatal("Queued before anything was sent")
	}
	if err := cs[0].Send(ctx, 1, 5, big); err != nil {
		t.Fatal(err)
	}
	var st Status
	for ok := false; !ok; {
		st, ok = cs[1].Queued(AnySource, 5)
		if err := ctx.Err(); err != nil {
			t.Fatal("the message never showed up in the queue")
		}
		if !ok {
			time.Sleep(time.Millisecond) // polling the queue, no ordering between ranks
		}
	}
	if st.Source != 0 || st.Count != len(big) || st.Tag != 5 {
		t.Fatalf("Queued: %+v", st)
	}
	// A look for another tag finds nothing; Iprobe would now move the
	// stalled payload into memory.
	if _, ok := cs[1].Queued(AnySource, 6); ok {
		t.Fatal("Queued found a message of tag 6")
	}
	cs[1].w.eng.mu.Lock()
	stalled := len(cs[1].w.eng.queue) == 1 && cs[1].w.eng.queue[0].pr != nil
	cs[1].w.eng.mu.Unlock()
	if !stalled {
		t.Error("Queued moved the payload out of the socket")
	}
	got := make([]byte, len(big))
	if _, err := cs[1].Recv(ctx, 0, 5, got); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("Recv after Queued: %v", err)
	}
	if _, ok := cs[1].Queued(7, 5); ok {
		t.Error("Queued of a rank out of range")
	}
}
