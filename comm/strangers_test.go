package comm

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/internal/jobauth"
)

// logLines is a slog handler's sink that counts lines and signals each.
type logLines struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines chan string
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	l.lines <- string(p)
	return len(p), nil
}

func captureRefusals(w *world, interval time.Duration) *logLines {
	l := &logLines{lines: make(chan string, 1000)}
	lg := slog.New(slog.NewTextHandler(l, nil))
	w.log = lg
	w.refused.mu.Lock()
	w.refused.log, w.refused.interval = lg, interval
	w.refused.mu.Unlock()
	return l
}

// refusedDial opens a connection to addr that fails the handshake and
// waits for the rank to drop it.
func refusedDial(t *testing.T, addr string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write(bytes.Repeat([]byte{0xff}, 64))
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.ReadAll(c); isTimeout(err) {
		t.Fatalf("refused connection was not closed: %v", err)
	}
}

// TestStrangerWarningsRateLimited: 40 strangers make one warning and one
// summary with their count, not 40 lines.
func TestStrangerWarningsRateLimited(t *testing.T) {
	cs := local(t, 2)
	logs := captureRefusals(cs[0].w, 300*time.Millisecond)
	const n = 40
	for range n {
		refusedDial(t, cs[0].w.addrs[0])
	}
	first := <-logs.lines
	if !strings.Contains(first, "failed the job-secret handshake") {
		t.Fatalf("first warning: %q", first)
	}
	var summary string
	select {
	case summary = <-logs.lines:
	case <-time.After(30 * time.Second):
		t.Fatal("no summary of the refusals after the first")
	}
	// All 40 may not have come in the first interval: the summaries of
	// the later refusals add up to n-1.
	total := 0
	for {
		var k int
		if _, err := fmtSscan(summary, &k); err != nil {
			t.Fatalf("summary %q: %v", summary, err)
		}
		if !strings.Contains(summary, "more refused connections from 127.0.0.1") {
			t.Fatalf("summary %q does not name the host", summary)
		}
		total += k
		if total >= n-1 {
			break
		}
		select {
		case summary = <-logs.lines:
		case <-time.After(30 * time.Second):
			t.Fatalf("summaries count %d refusals, want %d", total, n-1)
		}
	}
	if total != n-1 {
		t.Fatalf("summaries count %d refusals, want %d", total, n-1)
	}
	logs.mu.Lock()
	lines := strings.Count(logs.buf.String(), "\n")
	logs.mu.Unlock()
	if lines > 4 {
		t.Fatalf("%d warning lines for %d refused connections:\n%s", lines, n, logs.buf.String())
	}
}

// fmtSscan reads the count out of a summary line ("... msg=\"comm: 39 more ...").
func fmtSscan(line string, k *int) (int, error) {
	_, rest, _ := strings.Cut(line, "comm: ")
	return fmtSscanf(rest, k)
}

// TestSecondConnectionForLiveRankRefused: a connection that authenticates
// as rank 1 while rank 1 is connected is refused, and closing it does not
// fail the job or blame rank 1.
func TestSecondConnectionForLiveRankRefused(t *testing.T) {
	cs := local(t, 2)
	ctx := context.Background()
	if err := cs[1].Send(ctx, 0, 0, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cs[0].RecvBytes(ctx, 1, 0); err != nil {
		t.Fatal(err)
	}
	logs := captureRefusals(cs[0].w, time.Hour)
	c, err := net.Dial("tcp", cs[0].w.addrs[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := jobauth.Dial(c, cs[1].w.secret, cs[1].w.jobID, 1); err != nil {
		t.Fatal(err)
	}
	var hb [frameHdrSize]byte
	(&frameHdr{kind: frameData, src: 1, ctx: cs[0].id, len: 0}).put(hb[:])
	c.Write(hb[:]) // an impostor's message: must never be delivered
	c.Close()
	select {
	case line := <-logs.lines:
		if !strings.Contains(line, "already connected rank") {
			t.Fatalf("warning: %q", line)
		}
	case <-cs[0].w.eng.down:
		t.Fatalf("the job failed: %v", cs[0].w.eng.failure())
	case <-time.After(30 * time.Second):
		t.Fatal("the second connection for rank 1 was not refused")
	}
	// The job goes on between the real ranks.
	if err := cs[1].Send(ctx, 0, 0, []byte("still here")); err != nil {
		t.Fatal(err)
	}
	b, _, err := cs[0].RecvBytes(ctx, 1, 0)
	if err != nil || string(b) != "still here" {
		t.Fatalf("after the refusal: %q, %v (want the real rank 1's message)", b, err)
	}
	if err := cs[0].w.eng.failure(); err != nil {
		t.Fatalf("the job failed: %v", err)
	}
}

func fmtSscanf(s string, k *int) (int, error) { return fmt.Sscanf(s, "%d more", k) }
