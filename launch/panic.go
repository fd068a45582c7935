package launch

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"
)

// A Go program that panics prints "panic: <value>" and its stacks on
// stderr and exits with code 2; one that hits a fatal runtime error
// (a deadlock, concurrent map writes) prints "fatal error: <what>" and
// exits 2 as well. "exited with code 2" says none of it: the launcher
// watches each rank's stderr for the first such line and says what
// happened, with that line, in its report and in the failure notice the
// other ranks get.

// crashWatch keeps the first line of one rank's stderr that starts a Go
// crash report, and tells when the stream has ended.
type crashWatch struct {
	mu    sync.Mutex
	line  string
	ended chan struct{} // closed when the rank's stderr reached its end
}

func newCrashWatch() *crashWatch { return &crashWatch{ended: make(chan struct{})} }

// see is called with every line of the rank's stderr, as read.
func (w *crashWatch) see(line []byte) {
	if !bytes.HasPrefix(line, []byte("panic: ")) && !bytes.HasPrefix(line, []byte("fatal error: ")) {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.line == "" {
		w.line = strings.TrimRight(string(line), "\r\n")
	}
}

// first waits, at most limit, for the stream to end (the crash report is
// written before the exit, but read by another goroutine), and returns
// the line seen, if any.
func (w *crashWatch) first(limit time.Duration) string {
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-w.ended:
	case <-t.C:
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.line
}

// goCrashCode is the exit status of a Go program that panicked or hit a
// fatal runtime error.
const goCrashCode = 2

// panicHow is how rank id ended, given its exit's description how and
// code: a panic or fatal error is said with its first line.
func (r *Running) panicHow(id, code int, how string) string {
	if code != goCrashCode || r.ranks[id].crash == nil {
		return how
	}
	line := r.ranks[id].crash.first(departWait)
	switch {
	case strings.HasPrefix(line, "panic: "):
		return fmt.Sprintf("panicked: %s (exit code 2; its stack trace is in its output)", strings.TrimPrefix(line, "panic: "))
	case strings.HasPrefix(line, "fatal error: "):
		return fmt.Sprintf("died of a Go fatal error: %s (exit code 2)", strings.TrimPrefix(line, "fatal error: "))
	case r.panicked[id]:
		return "panicked (exited with code 2)"
	}
	return how
}
