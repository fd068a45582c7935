package rendezvous

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/internal/jobauth"
)

// job starts a server for n ranks on loopback and registers n ranks with
// it; every rank's Register returns the whole table.
func job(t *testing.T, n int, reportLoss bool) (*Server, []*Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	j := Job{ID: "test-" + t.Name(), Secret: bytes.Repeat([]byte{9}, 32), Size: n}
	s := NewServer(ln, j, slog.New(slog.DiscardHandler))
	s.ReportLoss = reportLoss
	served := make(chan struct{})
	go func() { defer close(served); _ = s.Serve(context.Background()) }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conns := make([]*Conn, n)
	tables := make([][]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for r := range n {
		wg.Go(func() {
			c, err := Dial(ctx, ln.Addr().String(), j, r, time.Second)
			if err != nil {
				errs[r] = err
				return
			}
			conns[r] = c
			tables[r], errs[r] = c.Register(ctx, fmt.Sprintf("rank%d:1", r))
		})
	}
	wg.Wait()
	t.Cleanup(func() {
		s.Close()
		<-served
	})
	want := make([]string, n)
	for r := range n {
		want[r] = fmt.Sprintf("rank%d:1", r)
	}
	for r := range n {
		if errs[r] != nil || !reflect.DeepEqual(tables[r], want) {
			t.Fatalf("rank %d: table %q, %v; want %q", r, tables[r], errs[r], want)
		}
	}
	return s, conns
}

// next reads c's next notice, bounded on the failure path.
func next(t *testing.T, c *Conn) Msg {
	t.Helper()
	_ = c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	defer c.c.SetReadDeadline(time.Time{})
	m, err := c.Next()
	if err != nil {
		t.Fatalf("no notice: %v", err)
	}
	return m
}

// event reads the server's next event of kind, skipping others.
func event(t *testing.T, s *Server, kind EventKind) Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-s.Events():
			if ev.Kind == kind {
				return ev
			}
		case <-timeout:
			t.Fatalf("no event of kind %d", kind)
		}
	}
}

func TestServerNotices(t *testing.T) {
	s, c := job(t, 3, false)

	// Abort: the launcher hears it, every rank is told.
	if err := c[1].Abort(7); err != nil {
		t.Fatal(err)
	}
	if ev := event(t, s, EventAbort); ev.Rank != 1 || ev.Code != 7 {
		t.Errorf("abort event %+v, want rank 1 code 7", ev)
	}
	for r := range 3 {
		if m := next(t, c[r]); m.Type != TypeAbort || m.Rank != 1 || m.Code != 7 {
			t.Errorf("rank %d: notice %+v, want rank 1's abort with 7", r, m)
		}
	}

	// A failure cause goes to the launcher only; one naming the rank
	// itself or no rank of the job is dropped.
	_ = c[0].Cause(0)
	_ = c[0].Cause(9)
	_ = c[0].Cause(2)
	if ev := event(t, s, EventCause); ev.Rank != 0 || ev.Code != 2 {
		t.Errorf("cause event %+v, want rank 0 fails because of rank 2", ev)
	}

	// NotifyFailed reaches every rank.
	s.NotifyFailed(2, "killed by signal 9")
	for r := range 3 {
		if m := next(t, c[r]); m.Type != TypeFailed || m.Rank != 2 || m.Text != "killed by signal 9" {
			t.Errorf("rank %d: notice %+v, want rank 2 failed", r, m)
		}
	}

	// NotifyExited marks a plain exit code (1-127) as perhaps a
	// follower's; any other is a plain failure notice.
	for _, tc := range []struct{ code, want int }{{1, 1}, {3, 3}, {127, 127}, {0, 0}, {137, 0}, {-1, 0}} {
		s.NotifyExited(0, tc.code, "exited")
		for r := range 3 {
			if m := next(t, c[r]); m.Type != TypeFailed || m.Rank != 0 || m.Code != tc.want {
				t.Errorf("NotifyExited(0, %d): rank %d's notice %+v, want code %d", tc.code, r, m, tc.want)
			}
		}
	}

	// A goodbye: the others learn who left, whom it told, and why.
	if reg, bye := s.Farewell(2); !reg || bye {
		t.Errorf("Farewell(2) before its goodbye = %v %v, want registered, no goodbye", reg, bye)
	}
	if err := c[2].Goodbye([]int{0}, 1, "exited with code 3"); err != nil {
		t.Fatal(err)
	}
	event(t, s, EventGoodbye)
	if ev := event(t, s, EventDeparted); ev.Rank != 2 {
		t.Errorf("departed %+v, want rank 2", ev)
	}
	if reg, bye := s.Farewell(2); !reg || !bye {
		t.Errorf("Farewell(2) after its goodbye = %v %v, want both", reg, bye)
	}
	// Rank 0 got the goodbye on rank 2's stream: no notice for it.
	want := Msg{Type: TypeLeft, Rank: 2, Ranks: []int{0}, Cause: 2, Text: "exited with code 3"}
	if m := next(t, c[1]); !reflect.DeepEqual(m, want) {
		t.Errorf("rank 1: notice %+v, want %+v", m, want)
	}

	// A panic: the launcher hears it, the others are told it failed.
	if err := c[1].Panicked(); err != nil {
		t.Fatal(err)
	}
	if ev := event(t, s, EventPanicked); ev.Rank != 1 {
		t.Errorf("panicked event %+v, want rank 1", ev)
	}
	if m := next(t, c[0]); m.Type != TypeFailed || m.Rank != 1 || m.Text != "panicked" {
		t.Errorf("rank 0: notice %+v, want rank 1 failed, panicked", m)
	}
	if reg, bye := s.Farewell(1); !reg || bye {
		t.Errorf("Farewell(1) after its panic = %v %v, want registered, no goodbye", reg, bye)
	}
}

// TestServerReportsLoss: a self-hosted server (no launcher watches the
// processes) reports a rank whose connection ended without a goodbye, and
// AllGone closes once every rank left or was lost.
func TestServerReportsLoss(t *testing.T) {
	s, c := job(t, 3, true)
	_ = c[2].Close()
	for _, r := range []int{0, 1} {
		if m := next(t, c[r]); m.Type != TypeFailed || m.Rank != 2 || m.Text != LostHow || m.Code != lostCode {
			t.Errorf("rank %d: notice %+v, want rank 2 lost", r, m)
		}
	}
	_ = c[0].Goodbye(nil, -1, "")
	select {
	case <-s.AllGone():
		t.Fatal("AllGone before every rank left")
	default:
	}
	_ = c[1].Goodbye(nil, -1, "")
	select {
	case <-s.AllGone():
	case <-time.After(10 * time.Second):
		t.Fatal("AllGone not closed after every rank left")
	}
}

// TestServerRefuses: a connection without the job secret, or that sends
// anything but a registration first, is dropped and never registers.
func TestServerRefuses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	j := Job{ID: "refuse", Secret: bytes.Repeat([]byte{1}, 32), Size: 2}
	var log strings.Builder
	var mu sync.Mutex
	s := NewServer(ln, j, slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return log.Write(p)
	}), nil)))
	go func() { _ = s.Serve(context.Background()) }()
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	if _, err := Dial(ctx, ln.Addr().String(), Job{ID: "refuse", Secret: bytes.Repeat([]byte{2}, 32), Size: 2}, 0, time.Second); !errors.Is(err, jobauth.ErrAuth) {
		t.Errorf("dial with another secret: %v, want ErrAuth", err)
	}
	c, err := Dial(ctx, ln.Addr().String(), j, 1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Abort(3); err != nil { // not a registration
		t.Fatal(err)
	}
	_ = c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var ne net.Error
	if _, err := c.Next(); err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Errorf("the server kept a connection that did not register first: %v", err)
	}
	if reg, _ := s.Farewell(1); reg {
		t.Error("rank 1 counts as registered")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []string{"failed the job-secret handshake", "bad registration"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
