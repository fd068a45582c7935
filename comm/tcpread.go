package comm

import (
	"context"
	"errors"
	"net"
	"os"
	"sync/atomic"
	"time"
)

// Receives that read their own socket (issue 16, decision 46): a receive
// waiting for one peer on a TCP stream reads that stream itself, so the
// goroutine the netpoller wakes when the message comes is the receive's,
// not the stream's reader goroutine, which then had to wake the receive
// (a channel send, and on a multi-P process a futex wake of another
// thread to run it: 5-6 µs of a 17 µs one-way Go ping-pong between hosts,
// more on a loaded machine).
//
// Whoever reads a stream's frames holds its token (inStream.mu), as on a
// ring (poll.go). The reader goroutine (readDirect) holds it when no
// receive does and reads as before; a receive that wants the stream
// while the reader sits in a read kicks it out of the read with a read
// deadline in the past (kickReader), at a frame boundary only. A receive
// that got its message lets go of the token without waking the reader:
// the reader takes the stream back only after tcpLinger with no receive
// using it, so back-to-back receives (a ping-pong, an exchange loop) pass
// the stream from one to the next with no goroutine switch at all. Until
// the reader takes it back, frames nobody waits for stay in the socket;
// whoever needs them read at once (a receive from any source, Iprobe, a
// receive that ends with frames still buffered, the end of the stream)
// wakes the reader (watchTCP).

// tcpLinger is how long a stream stays with nobody reading it after the
// last receive let go of it before its reader goroutine takes it back.
// A message for nobody (an unexpected one, a revocation, a goodbye, a
// dead peer's end of stream) is seen at most this late when no receive,
// probe or any-source receive asks for it first.
// (A variable for tests.)
var tcpLinger = 2 * time.Millisecond

// errYield ends a kicked read at a frame boundary: the token's holder
// lets go of the stream (see kickReader).
var errYield = errors.New("comm: stream handed over")

// kickReader is the reader under a TCP stream's buffered reader. A read
// deadline in the past is a kick: it wakes whoever sits in the read. At a
// frame boundary (kickable) it ends the read with errYield when the
// holder should let go (st.yield); mid-frame, or for a kick meant for an
// earlier holder, it clears the deadline and reads on, so no frame is
// ever cut.
type kickReader struct {
	c        net.Conn
	raw      *rawIO // nil: net.Conn's own reads (rawio_linux.go)
	st       *inStream
	kickable bool // set by the holder around its wait for a frame's first byte
}

func (k *kickReader) Read(p []byte) (int, error) {
	for {
		var n int
		var err error
		direct := k.st.direct // set before receives may read; never changes after
		if direct && k.raw != nil && len(p) > 0 && len(p) <= rawMax {
			n, err = k.raw.read(p)
		} else {
			n, err = k.c.Read(p)
		}
		if err == nil || !direct || !errors.Is(err, os.ErrDeadlineExceeded) {
			return n, err // a ring's doorbell (ring.go) keeps its deadlines
		}
		_ = k.c.SetReadDeadline(time.Time{}) // before the look at yield: see kick
		if n > 0 {
			return n, nil
		}
		if k.kickable && k.st.yield() {
			return 0, errYield
		}
	}
}

// kick wakes the token's holder if it sits in a read. The caller set what
// the holder's yield looks at first; the deadline stays in the past until
// a read sees it, so no kick is lost.
func (st *inStream) kick() { _ = st.c.SetReadDeadline(time.Unix(1, 0)) }

// yield reports, in the token's holder, whether to let go of the stream at
// the next frame boundary: for the reader goroutine, when a receive wants
// it; for a receive, when it was answered another way or its context
// ended.
func (st *inStream) yield() bool {
	if wt := st.self; wt != nil {
		return wt.answered() || (st.selfCtx != nil && st.selfCtx.Err() != nil)
	}
	return st.wants.Load() > 0
}

// waitFrame waits, at a frame boundary, for the next frame's first byte;
// false means the holder should let go (kicked) and err is nil, or the
// stream failed with err.
func (st *inStream) waitFrame() (bool, error) {
	if st.br.Buffered() > 0 {
		return true, nil
	}
	st.kr.kickable = true
	_, err := st.br.Peek(1)
	st.kr.kickable = false
	if errors.Is(err, errYield) {
		return false, nil
	}
	return err == nil, err
}

// readDirect is the reader goroutine of a TCP stream that receives read
// too: it reads whenever it holds the token and no receive wants it, and
// lingers otherwise.
func (st *inStream) readDirect() {
	st.mu.Lock()
	for {
		st.reading.Store(true)
		for !st.ended && st.wants.Load() == 0 {
			ok, err := st.waitFrame()
			if err != nil {
				st.w.lost(st.src, err)
				st.end()
			} else if ok && !st.step() {
				st.end()
			}
		}
		st.reading.Store(false)
		if st.ended {
			st.mu.Unlock()
			return
		}
		st.release()
		st.linger()
	}
}

// release lets go of the token (held by the caller) and hands it to a
// receive that waits for it.
func (st *inStream) release() {
	st.mu.Unlock()
	if st.wants.Load() > 0 {
		select {
		case st.freed <- struct{}{}:
		default:
		}
	}
}

// linger waits until the stream has gone tcpLinger without a receive
// reading it, or someone asks for it to be read (st.wake), or the world
// closes, and returns holding the token.
func (st *inStream) linger() {
	st.lingering.Store(true)
	defer st.lingering.Store(false)
	t := time.NewTimer(tcpLinger)
	defer t.Stop()
	for {
		used := st.used.Load()
		select {
		case <-st.wake:
		case <-t.C:
			if st.used.Load() != used || st.wants.Load() > 0 {
				t.Reset(tcpLinger)
				continue
			}
		case <-st.w.done:
			st.mu.Lock() // the closed connection ends every read
			return
		}
		if st.wants.Load() == 0 && st.mu.TryLock() {
			return
		}
		// A receive holds the stream and reads it, or is about to.
		t.Reset(tcpLinger)
	}
}

// watch asks the reader goroutine to take the stream back now if nobody
// reads it.
func (st *inStream) watch() {
	if st.lingering.Load() {
		select {
		case st.wake <- struct{}{}:
		default:
		}
	}
}

// directIn returns src's stream if receives may read it (a TCP stream,
// not a ring), without the world's lock.
func (w *world) directIn(src int) *inStream {
	if t := w.directTab.Load(); t != nil && src >= 0 && src < len(*t) {
		return (*t)[src].Load()
	}
	return nil
}

// setDirect publishes src's stream for receives to read (nil: no more).
func (w *world) setDirect(src int, st *inStream) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := w.directTab.Load()
	if t == nil {
		tab := make([]atomic.Pointer[inStream], w.size)
		t = &tab
		w.directTab.Store(t)
	}
	(*t)[src].Store(st)
	if st != nil {
		w.directs.Add(1)
	} else {
		w.directs.Add(-1)
	}
}

// watchTCP wakes the lingering reader of src's stream, or of every TCP
// stream for AnySource, so that frames nobody reads are read now: for a
// receive that will wait on its channel, and for probes.
func (w *world) watchTCP(src int) {
	if w.directs.Load() == 0 {
		return
	}
	if src != AnySource {
		if st := w.directIn(src); st != nil {
			st.watch()
		}
		return
	}
	t := w.directTab.Load()
	if t == nil {
		return
	}
	for i := range *t {
		if st := (*t)[i].Load(); st != nil {
			st.watch()
		}
	}
}

// waitPoll is the engine's poll hook: a receive from one peer over TCP
// reads that peer's stream itself (readRecv); one from a ring polls it
// (pollRecv); one from any source makes sure every stream is read.
func (w *world) waitPoll(ctx context.Context, src int, wt *waiter) {
	if src != AnySource {
		if st := w.directIn(src); st != nil {
			w.readRecv(ctx, st, wt)
			return
		}
	} else {
		w.watchTCP(AnySource)
	}
	w.pollRecv(ctx, src, wt)
}

// readRecv reads st's frames in the receive's goroutine until wt is
// answered or ctx ends; when another goroutine holds the stream it waits
// for it or for its own answer, whichever comes first. On return wt is
// answered (directly or on its channel) or the caller waits on its
// channel as usual.
func (w *world) readRecv(ctx context.Context, st *inStream, wt *waiter) {
	if !st.mu.TryLock() {
		st.wants.Add(1)
		for {
			if st.mu.TryLock() {
				break
			}
			if st.reading.Load() {
				st.kick()
			}
			select {
			case <-st.freed:
				continue
			case r := <-wt.ch:
				wt.res, wt.direct = r, true
			case <-ctx.Done():
			}
			st.wants.Add(-1)
			return
		}
		st.wants.Add(-1)
	}
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, st.kick)
		defer stop()
	}
	st.used.Add(1)
	st.self, st.selfCtx = wt, ctx
	wt.reading.Store(st)
	for !st.ended && !wt.answered() && ctx.Err() == nil {
		ok, err := st.waitFrame()
		if err != nil {
			w.lost(st.src, err)
			st.end()
		} else if ok && !st.step() {
			st.end()
		}
	}
	wt.reading.Store(nil)
	st.self, st.selfCtx = nil, nil
	left := st.ended || st.br.Buffered() > 0
	st.release()
	if left {
		st.watch() // frames nobody waits for yet, or the end: the reader takes over
	}
}
