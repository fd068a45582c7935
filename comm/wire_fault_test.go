package comm

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"github.com/gorun-hpc/gorun/internal/jobauth"
	"github.com/gorun-hpc/gorun/rendezvous"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// logBuf is a slog sink the tests read: what a rank logs about a peer it
// dropped.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// localLogged is NewLocal with a logger the test reads.
func localLogged(t *testing.T, n int, log *logBuf) ([]*Comm, rendezvous.Job) {
	t.Helper()
	secret := make([]byte, 32)
	id := make([]byte, 8)
	_, _ = rand.Read(secret)
	_, _ = rand.Read(id)
	job := rendezvous.Job{ID: "wire-" + hex.EncodeToString(id), Secret: secret, Size: n}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	rv := rendezvous.NewServer(ln, job, cfg.Logger)
	go func() { _ = rv.Serve(context.Background()) }()
	cs := make([]*Comm, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { cs[i], errs[i] = join(context.Background(), cfg, job, i, ln.Addr().String()) })
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range cs {
			if c != nil {
				c.Close()
			}
		}
		rv.Close()
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", i, err)
		}
	}
	return cs, job
}

// dropped waits until the rank closes c (a read returns EOF or a reset),
// bounded on the failure path.
func dropped(t *testing.T, c net.Conn, what string) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(3 * jobauth.Timeout))
	buf := make([]byte, 4096)
	for {
		_, err := c.Read(buf)
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("%s: the rank kept the connection open", what)
		}
		return
	}
}

// pingPong proves rank 0 and 1 still talk.
func pingPong(t *testing.T, cs []*Comm) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- cs[1].Send(ctx, 0, 3, []byte("still here")) }()
	buf := make([]byte, 32)
	st, err := cs[0].Recv(ctx, 1, 3, buf)
	if err != nil || string(buf[:st.Count]) != "still here" {
		t.Fatalf("real peers after the attack: %q, %v", buf[:st.Count], err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// maxAttackAlloc bounds what one bad connection may make a rank allocate:
// one readChunk for a payload that never comes, and change.
const maxAttackAlloc = readChunk + 8<<20

// TestWireRefusesStrangers talks to a live rank's peer port with a raw TCP
// client that does not know the job secret: garbage, silence, a wrong
// secret, a half handshake, a frame instead of a handshake. Each
// connection is dropped without reading a frame, logged, with no large
// allocation, and the rank keeps serving its real peers.
func TestWireRefusesStrangers(t *testing.T) {
	log := &logBuf{}
	cs, job := localLogged(t, 2, log)
	addr := cs[0].w.addrs[0]
	junk := make([]byte, 300)
	_, _ = rand.Read(junk)
	var hb [frameHdrSize]byte
	(&frameHdr{kind: frameData, src: 1, len: 1 << 62}).put(hb[:])
	wrong := bytes.Repeat([]byte{1}, 32)
	cases := []struct {
		name string
		talk func(c net.Conn) error
	}{
		{"garbage", func(c net.Conn) error { _, err := c.Write(junk); return err }},
		{"http", func(c net.Conn) error {
			_, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + strings.Repeat("x", 64)))
			return err
		}},
		{"no handshake", func(c net.Conn) error { return nil }},
		{"frame instead of handshake", func(c net.Conn) error {
			_, err := c.Write(append(hb[:], junk...))
			return err
		}},
		{"half handshake", func(c net.Conn) error {
			_, err := c.Write([]byte(jobauth.Magic + "0123456789"))
			return err
		}},
		{"wrong secret", func(c net.Conn) error {
			if err := jobauth.Dial(c, wrong, job.ID, 1); !errors.Is(err, ErrAuth) {
				t.Errorf("wrong secret: handshake %v, want ErrAuth", err)
			}
			return nil
		}},
		{"wrong job id", func(c net.Conn) error {
			if err := jobauth.Dial(c, job.Secret, job.ID+"x", 1); !errors.Is(err, ErrAuth) {
				t.Errorf("wrong job id: handshake %v, want ErrAuth", err)
			}
			return nil
		}},
	}
	before := totalAlloc()
	var wg sync.WaitGroup
	for _, tc := range cases {
		wg.Go(func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			if err := tc.talk(c); err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			dropped(t, c, tc.name)
		})
	}
	wg.Wait()
	if a := totalAlloc() - before; a > maxAttackAlloc {
		t.Errorf("%d bad connections made the process allocate %d bytes", len(cases), a)
	}
	pingPong(t, cs)
	// The first refusal is logged, the others counted for a summary
	// (strangers.go).
	r := &cs[0].w.refused
	r.mu.Lock()
	counted := r.n
	r.mu.Unlock()
	if got := strings.Count(log.String(), "dropped a connection that failed the job-secret handshake"); got != 1 || got+counted != len(cases) {
		t.Errorf("%d of %d refused connections logged, %d counted, want 1 and the rest counted:\n%s", got, len(cases), counted, log.String())
	}
}

// TestWireBadPeer: a connection that passes the handshake (it knows the
// secret: a buggy or corrupted peer) and then sends a malformed stream is
// dropped with no panic and no large allocation, and the rank's pending
// receive fails with a *RankError naming the peer instead of hanging.
func TestWireBadPeer(t *testing.T) {
	hdr := func(h frameHdr) []byte {
		var b [frameHdrSize]byte
		h.src = 1
		h.put(b[:])
		return b[:]
	}
	junk := make([]byte, 100)
	_, _ = rand.Read(junk)
	cases := []struct {
		name   string
		stream []byte
	}{
		{"garbage", junk},
		{"truncated header", hdr(frameHdr{kind: frameData, len: 10})[:20]},
		{"truncated payload", append(hdr(frameHdr{kind: frameData, tag: 3, len: 1000}), junk...)},
		{"absurd length 1<<62", append(hdr(frameHdr{kind: frameData, len: 1 << 62}), junk...)},
		{"absurd length 1<<35", append(hdr(frameHdr{kind: frameData, tag: 3, len: 1 << 35}), junk...)},
		{"absurd revoke length", append(hdr(frameHdr{kind: frameRevoke, len: 1 << 35}), junk...)},
		{"unknown kind", hdr(frameHdr{kind: 9})},
		{"unknown flags", hdr(frameHdr{kind: frameData, flags: 0x80})},
		{"bad compressed payload", append(hdr(frameHdr{kind: frameData, flags: flagZstd, tag: 3, len: 1 << 30}), junk...)},
		{"other rank's frames", func() []byte {
			var b [frameHdrSize]byte
			(&frameHdr{kind: frameData, src: 0, len: 1}).put(b[:])
			return append(b[:], 1)
		}()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			log := &logBuf{}
			cs, job := localLogged(t, 2, log)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			req := cs[0].Irecv(ctx, 1, 3, make([]byte, 64))
			before := totalAlloc()
			c, err := net.Dial("tcp", cs[0].w.addrs[0])
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := jobauth.Dial(c, job.Secret, job.ID, 1); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Write(tc.stream); err != nil {
				t.Fatal(err)
			}
			_ = c.(*net.TCPConn).CloseWrite()
			dropped(t, c, tc.name)
			_, err = req.Wait(ctx)
			var re *RankError
			if !errors.As(err, &re) || re.Rank != 1 {
				t.Errorf("pending receive: %v, want a *RankError naming rank 1", err)
			}
			if a := totalAlloc() - before; a > maxAttackAlloc {
				t.Errorf("the bad stream made the process allocate %d bytes", a)
			}
		})
	}
}

// TestWireTwoJobs runs two jobs on one host: a rank of one job cannot
// connect to a rank of the other (the handshake fails both ways), and both
// jobs keep working.
func TestWireTwoJobs(t *testing.T) {
	la, lb := &logBuf{}, &logBuf{}
	a, ja := localLogged(t, 2, la)
	b, jb := localLogged(t, 2, lb)
	for _, tc := range []struct {
		from rendezvous.Job
		to   string
	}{{ja, b[0].w.addrs[1]}, {jb, a[0].w.addrs[0]}} {
		c, err := net.Dial("tcp", tc.to)
		if err != nil {
			t.Fatal(err)
		}
		if err := jobauth.Dial(c, tc.from.Secret, tc.from.ID, 0); !errors.Is(err, ErrAuth) {
			t.Errorf("job %s got into the other job: %v", tc.from.ID, err)
		}
		c.Close()
	}
	pingPong(t, a)
	pingPong(t, b)
	// And a full exchange in both at once, same tags: nothing crosses.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for j, cs := range [][]*Comm{a, b} {
		wg.Go(func() {
			want := []byte{byte(j), 42}
			go func() { _ = cs[1].Send(ctx, 0, 7, want) }()
			got, _, err := cs[0].RecvBytes(ctx, 1, 7)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("job %d got %v, %v; want %v", j, got, err, want)
			}
		})
	}
	wg.Wait()
	for _, l := range []*logBuf{la, lb} {
		if !strings.Contains(l.String(), "failed the job-secret handshake") {
			t.Errorf("the refused connection was not logged:\n%s", l.String())
		}
	}
}
