package launch

import (
	"fmt"
	"io"
	"os"
	"sync"
)

// Rank 0's stdin reaches a remote rank 0 as mpiexec does it: the launcher
// reads its own stdin and sends it down the ssh session that also carries
// the agent's control records, as "stdin N\n" followed by N bytes, and
// "stdin-eof\n" at the end; the agent writes the bytes into the rank's
// stdin pipe. The other ranks, here or remote, read /dev/null.

// stdinChunk is the largest stdin record, in bytes.
const stdinChunk = 32 << 10

// sendStdin copies src to the remote rank in stdin records until src ends
// (then it sends stdin-eof) or the session is gone. Like copyStdin it may
// block reading a terminal until the launcher exits.
func (m *remoteRank) sendStdin(src io.Reader) {
	buf := make([]byte, stdinChunk)
	for {
		n, err := src.Read(buf)
		if n > 0 && !m.record(fmt.Appendf(nil, "stdin %d\n", n), buf[:n]) {
			return
		}
		if err != nil {
			m.record([]byte("stdin-eof\n"))
			return
		}
	}
}

// record writes parts to the session as one record, never interleaved
// with a signal; false when the session is gone.
func (m *remoteRank) record(parts ...[]byte) bool { return m.node.record(parts...) }

// stdinFeed is the agent's side: it queues what the launcher sent and
// writes it into the rank's stdin pipe from its own goroutine, so the
// control records that follow (a signal, above all) are read at once even
// when the rank does not read its stdin. What the rank has not read yet
// is held in memory, as mpiexec's proxies hold it.
type stdinFeed struct {
	mu   sync.Mutex
	wake *sync.Cond
	bufs [][]byte
	done bool // stdin-eof, the session's end, or the rank stopped reading
	w    *os.File
}

// newStdinFeed starts the goroutine that writes to w; it ends, closing w,
// after end is called and the queue is written, or when a write fails
// (the rank closed its stdin or exited).
func newStdinFeed(w *os.File) *stdinFeed {
	f := &stdinFeed{w: w}
	f.wake = sync.NewCond(&f.mu)
	go f.run()
	return f
}

func (f *stdinFeed) run() {
	defer f.w.Close()
	for {
		f.mu.Lock()
		for len(f.bufs) == 0 && !f.done {
			f.wake.Wait()
		}
		if len(f.bufs) == 0 {
			f.mu.Unlock()
			return
		}
		b := f.bufs[0]
		f.bufs[0] = nil
		f.bufs = f.bufs[1:]
		f.mu.Unlock()
		if _, err := f.w.Write(b); err != nil {
			f.mu.Lock()
			f.done, f.bufs = true, nil
			f.mu.Unlock()
			return
		}
	}
}

// put queues b for the rank; dropped once the feed has ended. A nil feed
// (a rank without stdin) drops everything.
func (f *stdinFeed) put(b []byte) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.done {
		f.bufs = append(f.bufs, b)
		f.wake.Signal()
	}
}

// end lets the feed close the rank's stdin once the queue is written.
func (f *stdinFeed) end() {
	if f == nil {
		return
	}
	f.mu.Lock()
	f.done = true
	f.wake.Signal()
	f.mu.Unlock()
}
