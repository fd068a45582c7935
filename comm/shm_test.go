package comm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// streamOf returns rank from's dialed stream to rank to.
func streamOf(cs []*Comm, from, to int) *outConn {
	w := cs[from].w
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out[to]
}

// killStream closes rank from's stream to rank to as the kernel does when
// from's process dies.
func killStream(cs []*Comm, from, to int) {
	oc := streamOf(cs, from, to)
	oc.mu.Lock()
	oc.c.Close()
	oc.err = ErrClosed
	oc.mu.Unlock()
}

// ringMappings lists this process' mappings of gorun rings (from
// /proc/self/maps), each with its "(deleted)" mark if unlinked.
func ringMappings(t *testing.T) []string {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if i := strings.Index(l, shmDirForTest+"gorun-"); i >= 0 {
			out = append(out, l[i:])
		}
	}
	return out
}

const shmDirForTest = "/dev/shm/"

// TestShmStreams: ranks of one host talk through shared-memory rings:
// messages of every size, including ones larger than a ring and ones that
// wrap around it, arrive intact and in order; every ring's segment is
// unlinked once both ends mapped it.
func TestShmStreams(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("shared-memory streams are Linux-only; elsewhere TCP carries them (tested everywhere else)")
	}
	cs := local(t, 3)
	ctx := context.Background()
	sizes := []int{0, 1, 8, 4093, 64 << 10, 1<<20 + 3, ringSize - frameHdrSize, ringSize + 17, 3*ringSize + 5}
	each(t, cs, func(c *Comm) error {
		next, prev := (c.Rank()+1)%3, (c.Rank()+2)%3
		for i, n := range sizes {
			if err := c.Send(ctx, next, i, pattern(n, c.Rank()+i)); err != nil {
				return err
			}
			got := make([]byte, n)
			st, err := c.Recv(ctx, prev, i, got)
			if err != nil {
				return err
			}
			if st.Count != n || !bytes.Equal(got, pattern(n, prev+i)) {
				return fmt.Errorf("size %d from rank %d: got %d bytes, wrong content", n, prev, st.Count)
			}
		}
		return nil
	})
	for r := range 3 {
		if oc := streamOf(cs, r, (r+1)%3); oc == nil || oc.shm == nil {
			t.Errorf("rank %d's stream to rank %d is not shared memory", r, (r+1)%3)
		}
	}
	maps := ringMappings(t)
	if len(maps) < 6 { // 3 streams, mapped by both ends
		t.Errorf("%d ring mappings, want at least 6: %q", len(maps), maps)
	}
	for _, m := range maps {
		if !strings.HasSuffix(m, "(deleted)") {
			t.Errorf("ring %s still has a name in /dev/shm after both ends mapped it", m)
		}
	}
}

// TestShmTCPOnly: TCPOnly (GORUN_TRANSPORT=tcp) keeps same-host streams on
// TCP.
func TestShmTCPOnly(t *testing.T) {
	cs := local(t, 2)
	for _, c := range cs {
		c.w.tcpOnly = true
	}
	ctx := context.Background()
	if err := cs[0].Send(ctx, 1, 0, []byte("tcp")); err != nil {
		t.Fatal(err)
	}
	if b, _, err := cs[1].RecvBytes(ctx, 0, 0); err != nil || string(b) != "tcp" {
		t.Fatalf("%q, %v", b, err)
	}
	if oc := streamOf(cs, 0, 1); oc.shm != nil {
		t.Fatal("TCPOnly world made a shared-memory stream")
	}
	for _, tc := range []struct {
		v       string
		tcp, ok bool
	}{{"", false, true}, {"auto", false, true}, {"tcp", true, true}, {"shm", false, false}, {"TCP ", false, false}} {
		tcp, err := tcpOnlyEnv(tc.v)
		if tcp != tc.tcp || (err == nil) != tc.ok {
			t.Errorf("GORUN_TRANSPORT=%q: tcp %v, err %v", tc.v, tcp, err)
		}
	}
}

// TestShmWriterDies: a writer that vanishes in the middle of a message
// (its process killed: the kernel closes its connection, the ring keeps
// half a frame) fails the reader's receive naming it, never hangs it.
func TestShmWriterDies(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("shared-memory streams are Linux-only")
	}
	cs := local(t, 2)
	ctx := context.Background()
	if err := cs[0].Send(ctx, 1, 0, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cs[1].RecvBytes(ctx, 0, 0); err != nil {
		t.Fatal(err)
	}
	oc := streamOf(cs, 0, 1)
	oc.mu.Lock()
	if oc.shm == nil {
		oc.mu.Unlock()
		t.Fatal("no shared-memory stream")
	}
	var hb [frameHdrSize]byte
	(&frameHdr{kind: frameData, src: 0, tag: 5, ctx: cs[0].id, len: 1 << 20}).put(hb[:])
	if err := oc.shm.write(time.Time{}, hb[:], [][]byte{make([]byte, 1000)}); err != nil {
		t.Fatal(err)
	}
	oc.c.Close() // what the kernel does when the process dies
	oc.err = ErrClosed
	oc.mu.Unlock()
	rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	_, err := cs[1].Recv(rctx, 0, 5, make([]byte, 1<<20))
	var re *RankError
	if !errors.As(err, &re) || re.Rank != 0 || !errors.Is(err, ErrRankFailed) {
		t.Fatalf("receive from a writer that died mid-message: %v, want a RankError naming rank 0", err)
	}
}

// TestShmReaderDies: a writer blocked on a full ring whose reader's
// process dies gets an error, never hangs.
func TestShmReaderDies(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("shared-memory streams are Linux-only")
	}
	cs := local(t, 2)
	ctx := context.Background()
	if err := cs[0].Send(ctx, 1, 0, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cs[1].RecvBytes(ctx, 0, 0); err != nil {
		t.Fatal(err)
	}
	// Rank 1 stops reading: its reader stalls on a large payload nobody
	// receives (lazy reads, no timer), then its connection dies.
	cs[1].w.lazyWait.Store(int64(time.Hour))
	errc := make(chan error, 1)
	go func() { errc <- cs[0].Send(ctx, 1, 1, make([]byte, 3*ringSize)) }()
	untilQueued(t, cs[1], 0, 1)
	cs[1].w.mu.Lock()
	for _, c := range cs[1].w.accepted {
		c.Close()
	}
	cs[1].w.mu.Unlock()
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("send into a ring whose reader died succeeded")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("send into a full ring whose reader died hangs")
	}
}

// TestShmRefusesForeignSegment: a segment another user could have made or
// opened (mode not 0600), of the wrong size, or a symlink, is never mapped.
func TestShmRefusesForeignSegment(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("shared-memory streams are Linux-only")
	}
	n := ringLen(ringSize)
	base := fmt.Sprintf("gorun-test-%d-", os.Getpid())
	open0644 := base + "0644"
	if err := os.WriteFile(shmDirForTest+open0644, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(shmDirForTest+open0644, 0o644)
	os.Truncate(shmDirForTest+open0644, int64(n))
	defer os.Remove(shmDirForTest + open0644)
	short := base + "short"
	os.WriteFile(shmDirForTest+short, []byte("x"), 0o600)
	defer os.Remove(shmDirForTest + short)
	link := base + "link"
	os.Symlink(shmDirForTest+short, shmDirForTest+link)
	defer os.Remove(shmDirForTest + link)
	for _, name := range []string{open0644, short, link, base + "missing"} {
		if mem, err := openShm(name, n); err == nil {
			unmapShm(mem)
			t.Errorf("openShm(%s) mapped it", name)
		}
	}
	// And createShm never takes over an existing name.
	if mem, err := createShm(short, n); err == nil {
		unmapShm(mem)
		t.Error("createShm reused an existing file")
	}
}

func TestPollPolicy(t *testing.T) {
	for _, tc := range []struct {
		local, online int
		pinned        bool
		poll, hot     time.Duration
	}{
		{2, 2, true, defaultSpin, maxHotPinned},
		{2, 2, false, defaultSpin, maxHot},
		{2, 8, false, defaultSpin, maxHot},
		{8, 2, false, defaultSpin / 4, 0},
		{8, 2, true, defaultSpin / 4, 0}, // pinned, but sharing cores
		{1024, 2, false, minSpin, 0},
	} {
		poll, hot := pollPolicy(defaultSpin, tc.local, tc.online, tc.pinned)
		if poll != tc.poll || hot != tc.hot {
			t.Errorf("%d ranks on %d cores, pinned %v: poll %v hot %v, want %v %v", tc.local, tc.online, tc.pinned, poll, hot, tc.poll, tc.hot)
		}
	}
	if online, _ := cpuLayout(); online < 1 {
		t.Errorf("cpuLayout: %d online CPUs", online)
	}
}

// TestShmOnlyWithinHost: ranks on one host get a ring, ranks on another
// host (another address in the table) stay on TCP.
func TestShmOnlyWithinHost(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("pretend hosts and rings are Linux-only")
	}
	cs, err := NewLocalHosts(context.Background(), []int{0, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, c := range cs {
			c.Close()
		}
	})
	ctx := context.Background()
	for _, to := range []int{1, 2} {
		if err := cs[0].Send(ctx, to, 0, []byte("x")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := cs[to].RecvBytes(ctx, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	if streamOf(cs, 0, 1).shm == nil {
		t.Error("ranks 0 and 1 share a host but talk over TCP")
	}
	if streamOf(cs, 0, 2).shm != nil {
		t.Error("rank 0 talks to rank 2 on another host through shared memory")
	}
}
