package comm

import (
	"encoding/binary"
	"maps"
	"runtime"
	"slices"
	"time"

	"github.com/gorun-hpc/gorun/rendezvous"
)

// Goodbyes: a rank that closes its world communicator says so on every
// stream it dialed and to the rendezvous, so that receives from it fail
// instead of waiting; and a rank that panics says that instead.

// closeWait bounds how long rank 0 under srun keeps serving the
// rendezvous for ranks that have not closed yet.
const closeWait = 30 * time.Second

// goodbyeCause decodes the cause a goodbye from src carries (see close):
// nil for a plain goodbye, or one that names no other valid rank.
func (w *world) goodbyeCause(src int, data []byte) *RankError {
	if len(data) < 4 {
		return nil
	}
	r := int(binary.LittleEndian.Uint32(data))
	if r < 0 || r >= w.size || r == src || r == w.rank {
		return nil
	}
	return &RankError{Rank: r, Op: "recv", How: string(data[4:])}
}

// peerLeft handles the rendezvous' notice that a rank closed its world
// communicator. A rank it said goodbye to on a stream learns there, after
// every message it sent (acting here could fail a receive whose message
// is still on its way); the others had no stream from it, so nothing more
// can come from it: receives from it fail now.
func (w *world) peerLeft(m rendezvous.Msg) {
	r := m.Rank
	if r < 0 || r >= w.size || r == w.rank || slices.Contains(m.Ranks, w.rank) {
		return
	}
	var cause *RankError
	if c := m.Cause - 1; c >= 0 && c < w.size && c != r && c != w.rank {
		cause = &RankError{Rank: c, Op: "recv", How: m.Text}
	}
	w.eng.leave(r, cause)
	w.markBye(r)
}

// markBye records that peer r said goodbye (after eng.leave, so a waiter
// woken here finds its error) and wakes byeWait's waiters.
func (w *world) markBye(r int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.bye[r] = true
	if ch := w.byeCh[r]; ch != nil {
		close(ch)
		delete(w.byeCh, r)
	}
}

// byeWait is closed once peer r has said goodbye.
func (w *world) byeWait(r int) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.bye[r] {
		ch := make(chan struct{})
		close(ch)
		return ch
	}
	if w.byeCh == nil {
		w.byeCh = map[int]chan struct{}{}
	}
	ch := w.byeCh[r]
	if ch == nil {
		ch = make(chan struct{})
		w.byeCh[r] = ch
	}
	return ch
}

// noteLeft records that one of this rank's operations failed because a
// peer left early (re from engine.goneErr or leftErr): the launcher and
// this rank's own goodbye then name re.Rank, not this follower.
func (w *world) noteLeft(re *RankError) {
	w.reportCause(re.Rank)
	w.leftCause.CompareAndSwap(nil, re)
}

// goodbye is the goodbye frame: with the rank this one failed because of
// when a peer's leaving broke one of its receives, so that the peers
// waiting on this rank name that rank, not this follower.
func (w *world) goodbye() []byte {
	var payload []byte
	if re := w.leftCause.Load(); re != nil {
		payload = binary.LittleEndian.AppendUint32(nil, uint32(re.Rank))
		payload = append(payload, re.How...)
	}
	h := frameHdr{kind: frameGoodbye, src: uint32(w.rank), len: uint64(len(payload))}
	b := make([]byte, frameHdrSize, frameHdrSize+len(payload))
	h.put(b)
	return append(b, payload...)
}

// panickedHow is how a rank whose Close ran while it panicked is
// described to its peers (the launcher adds the panic's first line).
const panickedHow = "panicked"

// close says goodbye to every peer we dialed and stops the readers. A
// rank that is panicking (its deferred Close runs as the panic unwinds)
// did not leave cleanly: its peers and the launcher are told it failed.
func (w *world) close(panicking bool) {
	if w.closed.Swap(true) {
		return
	}
	close(w.done)
	w.mu.Lock()
	dests := slices.Sorted(maps.Keys(w.out))
	w.mu.Unlock()
	bye := w.goodbye()
	if panicking {
		bye = w.failedFrame(w.rank, panickedHow)
	}
	var dialed []int
	for _, dest := range dests {
		w.mu.Lock()
		oc := w.out[dest]
		w.mu.Unlock()
		oc.mu.Lock()
		if oc.c != nil {
			_ = oc.c.SetWriteDeadline(time.Now().Add(time.Second))
			if _, err := oc.c.Write(bye); err == nil {
				dialed = append(dialed, dest)
			}
			oc.c.Close()
		}
		oc.err = ErrClosed
		oc.mu.Unlock()
	}
	w.ln.Close()
	w.mu.Lock()
	for _, c := range w.accepted {
		c.Close()
	}
	w.mu.Unlock()
	if w.stats != nil && !panicking {
		w.sendStats() // iostats.go: before the goodbye, on the same connection
	}
	if w.ctl != nil {
		w.ctl.close(dialed, w.leftCause.Load(), panicking)
	}
	if w.svc != nil {
		// The other ranks still need the rendezvous to report failures:
		// serve until every rank said goodbye, bounded so Close never hangs.
		t := time.NewTimer(closeWait)
		select {
		case <-w.svc.AllGone():
		case <-t.C:
		}
		t.Stop()
		if w.stats != nil {
			w.writeStats() // iostats.go: every rank's, merged
		}
		w.svc.Close()
	}
	w.eng.fail(ErrClosed)
	w.wg.Wait()
}

// panicking reports whether the calling goroutine is running deferred
// calls of a panic: runtime.gopanic is on its stack. (recover would tell,
// but only in the deferred function itself, and it stops the panic.)
func panicking() bool {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if f.Function == "runtime.gopanic" {
			return true
		}
		if !more {
			return false
		}
	}
}
