package comm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/gorun-hpc/gorun/internal/jobauth"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func local(t testing.TB, n int) []*Comm {
	t.Helper()
	cs, err := NewLocal(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, c := range cs {
			c.Close()
		}
	})
	return cs
}

// each runs f on every rank at once and fails on any error.
func each(t *testing.T, cs []*Comm, f func(c *Comm) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, len(cs))
	for i, c := range cs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f(c) }()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("rank %d: %v", i, err)
		}
	}
}

func pattern(n, seed int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + seed)
	}
	return b
}

func TestRingSizes(t *testing.T) {
	for _, n := range []int{1, 2, 3, 8} {
		for _, size := range []int{0, 1, 64 << 10, 4 << 20} {
			t.Run(fmt.Sprintf("n%d/%dB", n, size), func(t *testing.T) {
				cs := local(t, n)
				ctx := context.Background()
				each(t, cs, func(c *Comm) error {
					r, p := c.Rank(), c.Size()
					if err := c.Send(ctx, (r+1)%p, 5, pattern(size, r)); err != nil {
						return err
					}
					buf := make([]byte, size)
					st, err := c.Recv(ctx, (r+p-1)%p, 5, buf)
					if err != nil {
						return err
					}
					if st.Count != size || st.Source != (r+p-1)%p || !bytes.Equal(buf, pattern(size, (r+p-1)%p)) {
						return fmt.Errorf("got %+v, wrong data", st)
					}
					return nil
				})
			})
		}
	}
}

func TestOrderAnySourceTags(t *testing.T) {
	cs := local(t, 3)
	ctx := context.Background()
	each(t, cs, func(c *Comm) error {
		if c.Rank() != 0 {
			for i := range 100 {
				if err := c.Send(ctx, 0, i%3, []byte{byte(c.Rank()), byte(i)}); err != nil {
					return err
				}
			}
			return nil
		}
		next := map[int]int{1: 0, 2: 0}
		for range 200 {
			b := make([]byte, 2)
			st, err := c.Recv(ctx, AnySource, AnyTag, b)
			if err != nil {
				return err
			}
			if int(b[0]) != st.Source || int(b[1]) != next[st.Source] || st.Tag != int(b[1])%3 {
				return fmt.Errorf("out of order: %v %+v want %d", b, st, next[st.Source])
			}
			next[st.Source]++
		}
		return nil
	})
}

func TestTruncateTypedValue(t *testing.T) {
	cs := local(t, 2)
	ctx := context.Background()
	each(t, cs, func(c *Comm) error {
		if c.Rank() == 0 {
			if err := c.Send(ctx, 1, 0, make([]byte, 10)); err != nil {
				return err
			}
			if err := SendSlice(ctx, c, 1, 1, []float64{1.5, 2.5}); err != nil {
				return err
			}
			if err := SendSlice(ctx, c, 1, 2, []int32{7}); err != nil {
				return err
			}
			return c.SendValue(ctx, 1, 3, map[string]int{"a": 1})
		}
		st, err := c.Recv(ctx, 0, 0, make([]byte, 4))
		if !errors.Is(err, ErrTruncate) || st.Count != 10 {
			return fmt.Errorf("truncation: %v %+v", err, st)
		}
		f := make([]float64, 2)
		if st, err := RecvSlice(ctx, c, 0, 1, f); err != nil || st.Count != 2 || f[1] != 2.5 {
			return fmt.Errorf("typed: %v %v", err, f)
		}
		if _, err := RecvSlice(ctx, c, 0, 2, make([]float32, 1)); !errors.Is(err, ErrArgument) {
			return fmt.Errorf("type mismatch not reported: %v", err)
		}
		var m map[string]int
		if _, err := c.RecvValue(ctx, 0, 3, &m); err != nil || m["a"] != 1 {
			return fmt.Errorf("value: %v %v", err, m)
		}
		return nil
	})
}

func TestSplitDupIsolation(t *testing.T) {
	cs := local(t, 4)
	ctx := context.Background()
	each(t, cs, func(c *Comm) error {
		sub, err := c.Split(ctx, c.Rank()%2, -c.Rank())
		if err != nil {
			return err
		}
		dup, err := c.Dup(ctx)
		if err != nil {
			return err
		}
		if sub.Size() != 2 || sub.Rank() != 1-c.Rank()/2 {
			return fmt.Errorf("split gave rank %d of %d", sub.Rank(), sub.Size())
		}
		peer := 1 - sub.Rank()
		// Same tag on three communicators: each receive must see its own.
		if err := c.Send(ctx, c.Rank()^1, 9, []byte("world")); err != nil {
			return err
		}
		if err := dup.Send(ctx, c.Rank()^1, 9, []byte("dup")); err != nil {
			return err
		}
		if err := sub.Send(ctx, peer, 9, []byte("sub")); err != nil {
			return err
		}
		for _, x := range []struct {
			c    *Comm
			src  int
			want string
		}{{sub, peer, "sub"}, {dup, c.Rank() ^ 1, "dup"}, {c, c.Rank() ^ 1, "world"}} {
			b, _, err := x.c.RecvBytes(ctx, x.src, 9)
			if err != nil || string(b) != x.want {
				return fmt.Errorf("got %q, %v; want %q", b, err, x.want)
			}
		}
		return nil
	})
}

func TestRevoke(t *testing.T) {
	cs := local(t, 3)
	ctx := context.Background()
	each(t, cs, func(c *Comm) error {
		if c.Rank() == 2 {
			c.Revoke(errors.New("rank 2 saw a mismatch"))
		}
		_, _, err := c.RecvBytes(ctx, AnySource, 0)
		if !errors.Is(err, ErrRevoked) {
			return fmt.Errorf("want ErrRevoked, got %v", err)
		}
		return nil
	})
}

func TestDeadPeer(t *testing.T) {
	cs, err := NewLocal(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	defer cs[0].Close()
	defer cs[2].Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Rank 1's connections to rank 0 exist; then rank 1 vanishes without goodbye.
	if err := cs[1].Send(ctx, 0, 0, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cs[0].RecvBytes(ctx, 1, 0); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { _, _, err := cs[0].RecvBytes(ctx, 1, 0); done <- err }()
	cs[1].w.mu.Lock()
	for _, oc := range cs[1].w.out {
		oc.c.Close()
	}
	cs[1].w.mu.Unlock()
	err = <-done
	var re *RankError
	if !errors.As(err, &re) || re.Rank != 1 || !errors.Is(err, ErrRankFailed) {
		t.Fatalf("want RankError for rank 1, got %v", err)
	}
}

func TestRefusesWrongSecretAndGarbage(t *testing.T) {
	cs := local(t, 2)
	addr := cs[0].w.addrs[0]
	// No handshake at all: a raw client writing a frame header is dropped.
	for _, payload := range [][]byte{
		bytes.Repeat([]byte{0xff}, 200),
		append([]byte(jobauth.Magic), make([]byte, jobauth.NonceSize+4+jobauth.MACSize)...), // wrong MAC
	} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write(payload)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		io.ReadFull(c, make([]byte, len(jobauth.Magic)+jobauth.NonceSize))
		_, err = io.ReadAll(c)
		if isTimeout(err) {
			t.Fatalf("connection was not closed by the server: %v", err)
		}
		c.Close()
	}
	// An authenticated peer sending an absurd length is dropped, not obeyed.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := jobauth.Dial(c, cs[1].w.secret, cs[1].w.jobID, 1); err != nil {
		t.Fatal(err)
	}
	var hb [frameHdrSize]byte
	h := frameHdr{kind: frameData, src: 1, ctx: 1, len: 1 << 62}
	h.put(hb[:])
	c.Write(hb[:])
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(c); isTimeout(err) {
		t.Fatalf("absurd frame: connection not closed: %v", err)
	}
	c.Close()
	// The job still works between its real members? rank 0 now counts
	// rank 1 as failed (its identity sent garbage), which is the safe answer.
	_, _, err = cs[0].RecvBytes(context.Background(), 1, 0)
	if !errors.Is(err, ErrRankFailed) {
		t.Fatalf("want ErrRankFailed after garbage from rank 1's identity, got %v", err)
	}
}

func TestTwoJobsDoNotCrossTalk(t *testing.T) {
	a, b := local(t, 2), local(t, 2)
	// Point job A's rank 0 at job B's rank 1 address: the handshake fails.
	a[0].w.addrs[1] = b[1].w.addrs[1]
	err := a[0].Send(context.Background(), 1, 0, []byte("x"))
	if !errors.Is(err, ErrRankFailed) {
		t.Fatalf("cross-job send: want a refusal, got %v", err)
	}
}

func TestSingleton(t *testing.T) {
	t.Setenv("GORUN_RANK", "")
	t.Setenv("SLURM_NTASKS", "")
	c, err := Init(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Size() != 1 || c.Rank() != 0 {
		t.Fatalf("singleton %d/%d", c.Rank(), c.Size())
	}
	if err := c.Send(context.Background(), 0, 1, []byte("me")); err != nil {
		t.Fatal(err)
	}
	b, _, err := c.RecvBytes(context.Background(), 0, 1)
	if err != nil || string(b) != "me" {
		t.Fatal(b, err)
	}
	t.Setenv("SLURM_NTASKS", "4")
	if _, err := Init(context.Background()); !errors.Is(err, ErrBootstrap) {
		t.Fatalf("srun without gorun must fail clearly, got %v", err)
	}
}

func TestCancelledRecvLeavesMessage(t *testing.T) {
	cs := local(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := cs[0].RecvBytes(ctx, AnySource, 0); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if err := cs[1].Send(context.Background(), 0, 0, []byte("kept")); err != nil {
		t.Fatal(err)
	}
	b, _, err := cs[0].RecvBytes(context.Background(), 1, 0)
	if err != nil || string(b) != "kept" {
		t.Fatal(b, err)
	}
}

func FuzzParseFrameHdr(f *testing.F) {
	var hb [frameHdrSize]byte
	h := frameHdr{kind: frameData, len: 10}
	h.put(hb[:])
	f.Add(hb[:])
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseFrameHdr(b)
		if err == nil && h.len > maxFrame {
			t.Fatal("accepted an absurd length")
		}
	})
}

func BenchmarkPingPong(b *testing.B) {
	for _, size := range []int{8, 64 << 10, 1 << 20} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			cs, err := NewLocal(context.Background(), 2)
			if err != nil {
				b.Fatal(err)
			}
			defer cs[0].Close()
			defer cs[1].Close()
			if os.Getenv("GORUN_TRANSPORT") == "tcp" {
				cs[0].w.tcpOnly, cs[1].w.tcpOnly = true, true
			}
			ctx := context.Background()
			buf0, buf1 := make([]byte, size), make([]byte, size)
			done := make(chan struct{})
			go func() {
				defer close(done)
				for range b.N {
					cs[1].Recv(ctx, 0, 0, buf1)
					cs[1].Send(ctx, 0, 0, buf1)
				}
			}()
			b.SetBytes(int64(2 * size))
			b.ResetTimer()
			for range b.N {
				cs[0].Send(ctx, 1, 0, buf0)
				cs[0].Recv(ctx, 1, 0, buf0)
			}
			<-done
		})
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestFirstHost(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"node1", "node1"}, {"node[03-05,9],gpu1", "node03"}, {"a,b", "a"},
		{"rack[2-3]-n[1-4]", "rack2-n[1-4]"}, {"127.0.0.1", "127.0.0.1"},
	} {
		got, err := firstHost(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("firstHost(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := firstHost("node[1-"); !errors.Is(err, ErrBootstrap) {
		t.Errorf("malformed list: %v", err)
	}
}

// TestSlurmRendezvous starts three tasks the way srun does (SLURM_*
// variables only): rank 0 serves the rendezvous; a task that dies without
// a goodbye is reported to the others.
func TestSlurmRendezvous(t *testing.T) {
	env := func(rank int) func(string) string {
		vars := map[string]string{"SLURM_NTASKS": "3", "SLURM_PROCID": fmt.Sprint(rank),
			"SLURM_JOB_ID": fmt.Sprint(4000 + os.Getpid()%1000), "SLURM_STEP_ID": "0", "SLURM_STEP_NODELIST": "127.0.0.1"}
		return func(k string) string { return vars[k] }
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cs := make([]*Comm, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for r := 2; r >= 0; r-- { // rank 0 last: the others must wait for it
		rank, size, job, rv, ok, err := slurmJob(env(r))
		if err != nil || !ok || rank != r || size != 3 {
			t.Fatalf("slurmJob: %d %d %v %v", rank, size, ok, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cs[r], errs[r] = initSlurm(ctx, Config{DialTimeout: time.Second, BootstrapTimeout: 30 * time.Second, Logger: DefaultConfig().Logger}, r, job, rv)
		}()
	}
	wg.Wait()
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	each(t, cs, func(c *Comm) error {
		if err := c.Send(ctx, (c.Rank()+1)%3, 0, []byte{byte(c.Rank())}); err != nil {
			return err
		}
		b, _, err := c.RecvBytes(ctx, (c.Rank()+2)%3, 0)
		if err != nil || b[0] != byte((c.Rank()+2)%3) {
			return fmt.Errorf("ring: %v %v", b, err)
		}
		return nil
	})
	// Rank 2 vanishes: its control connection drops without a goodbye.
	cs[2].w.ctl.conn.Close()
	_, _, err := cs[1].RecvBytes(ctx, 0, 7)
	var re *RankError
	if !errors.As(err, &re) || re.Rank != 2 {
		t.Fatalf("want RankError for rank 2, got %v", err)
	}
	cs[2].w.closed.Store(true)
	cs[1].Close()
	cs[0].Close()
}

func TestSlurmLocalTasks(t *testing.T) {
	for _, tc := range []struct {
		perNode, node string
		want          int
	}{
		{"4", "0", 4}, {"2(x3),1", "0", 2}, {"2(x3),1", "2", 2}, {"2(x3),1", "3", 1},
		{"", "0", 0}, {"x", "0", 0}, {"3,5", "1", 5}, {"3,5", "7", 0},
	} {
		env := map[string]string{"SLURM_STEP_TASKS_PER_NODE": tc.perNode, "SLURM_NODEID": tc.node}
		if got := slurmLocalTasks(func(k string) string { return env[k] }); got != tc.want {
			t.Errorf("tasks per node %q on node %s: %d, want %d", tc.perNode, tc.node, got, tc.want)
		}
	}
}

// TestGoodbyeCarriesCause: rank 1 closes early, rank 0 fails receiving
// from it and closes too; rank 2, waiting on rank 0, must name rank 1 (the
// rank that left first), not rank 0, a follower.
func TestGoodbyeCarriesCause(t *testing.T) {
	cs, err := NewLocal(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	defer cs[2].Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Open the connections the goodbyes travel on: 1 -> 0 and 0 -> 2.
	if err := cs[1].Send(ctx, 0, 0, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := cs[0].Send(ctx, 2, 0, []byte("x")); err != nil {
		t.Fatal(err)
	}
	for _, p := range [][2]int{{0, 1}, {2, 0}} {
		if _, _, err := cs[p[0]].RecvBytes(ctx, p[1], 0); err != nil {
			t.Fatal(err)
		}
	}
	cs[1].Close()
	_, _, err = cs[0].RecvBytes(ctx, 1, 0)
	var re *RankError
	if !errors.As(err, &re) || re.Rank != 1 {
		t.Fatalf("rank 0: want an error naming rank 1, got %v", err)
	}
	cs[0].Close()
	_, _, err = cs[2].RecvBytes(ctx, 0, 0)
	if !errors.As(err, &re) || re.Rank != 1 || !strings.Contains(err.Error(), "rank 0 failed because of it") {
		t.Fatalf("rank 2: want an error naming rank 1 through rank 0, got %v", err)
	}
	// A plain goodbye (rank 0 had no failure) still names the leaver.
	cs2 := local(t, 2)
	if err := cs2[1].Send(ctx, 0, 0, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cs2[0].RecvBytes(ctx, 1, 0); err != nil {
		t.Fatal(err)
	}
	cs2[1].Close()
	if _, _, err := cs2[0].RecvBytes(ctx, 1, 0); !errors.As(err, &re) || re.Rank != 1 {
		t.Fatalf("want an error naming rank 1, got %v", err)
	}
}
