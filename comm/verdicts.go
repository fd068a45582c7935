package comm

import (
	"encoding/binary"
	"errors"
	"io"
	"sync"
	"time"
)

// Verdicts: when a peer's stream ends or a send to it fails without a
// goodbye, which rank to name as the one that failed, and telling the
// peers and the launcher before this rank's program wakes.

// defaultLostWait bounds how long a rank whose peer vanished (its stream
// ended without a goodbye or a failure notice, or a send to it failed)
// waits for a better-informed verdict before naming that peer. A peer that
// fails because another rank died often exits at once, and its EOF can
// reach us before the launcher's notice of the rank that died first (the
// launcher must reap it) or a third rank's notice: naming the follower would
// send the user to the wrong rank. The wait ends as soon as any verdict
// arrives (the launcher names a rank that died on its own at once), so it
// costs time only when nobody else knows more. Only a world with a
// launcher (gorun, or the self-hosted rendezvous under srun, which reports
// lost ranks) waits.
const defaultLostWait = 200 * time.Millisecond

// lost handles the end of a peer's stream: after a goodbye or our own
// Close it is normal; otherwise the peer is gone.
func (w *world) lost(src int, err error) {
	w.mu.Lock()
	clean := w.bye[src] || w.closed.Load()
	w.mu.Unlock()
	if clean {
		return
	}
	how := "connection lost"
	if err != nil && !errors.Is(err, io.EOF) {
		how = "connection lost: " + err.Error()
	}
	w.awaitVerdict(src)
	w.mu.Lock()
	clean = w.bye[src] // its goodbye came through the rendezvous
	w.mu.Unlock()
	if clean {
		return
	}
	w.rankFailed(&RankError{Rank: src, Op: "recv", How: how})
}

// awaitVerdict waits, at most lostWait, for the world to fail for a reason
// someone knows better than "rank src vanished": the launcher's notice or a
// peer's failure notice naming the rank that failed first (see
// defaultLostWait). Every frame src sent before it vanished has been read
// by now (the caller saw its stream end or a send to it fail).
func (w *world) awaitVerdict(src int) {
	d := time.Duration(w.lostWait.Load())
	if d <= 0 {
		return
	}
	select {
	case <-w.eng.down:
		return
	default:
	}
	if h := w.suspectHook.Load(); h != nil {
		(*h)(src)
	}
	var news <-chan struct{} // nil: never
	if w.eng.recovers {
		news = w.eng.deathWait() // a recovering world names each dead rank itself
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-w.eng.down:
	case <-news:
	case <-t.C:
	case <-w.done:
	case <-w.byeWait(src):
	}
}

// verdict is the error for an operation that lost its peer src: the
// world's failure if there is one (it may name the rank that failed
// first), else a *RankError naming src.
func (w *world) verdict(src int, how string) error {
	if err := w.eng.failure(); err != nil {
		return err
	}
	if re := w.eng.deadErr(src); re != nil {
		return re
	}
	return &RankError{Rank: src, Op: "recv", How: how}
}

// rankFailed ends the world because rank re.Rank failed. Before any
// waiting call wakes (and its rank perhaps exits 1), every peer this rank
// sends to is told which rank failed: on the same ordered stream, ahead
// of this rank's own EOF, so peers name the rank that failed first, not
// this follower.
func (w *world) rankFailed(re *RankError) {
	if w.eng.recovers {
		w.rankDied(re) // failed.go
		return
	}
	if w.eng.failure() == nil && !w.closed.Load() {
		w.reportCause(re.Rank)
		w.tellFailed(re)
	}
	w.eng.fail(re)
}

// reportCause tells the launcher that this rank fails because rank failed,
// before the engine wakes the program (which may print the error and exit
// at once): so gorun names the first cause, not this follower, whichever
// process it reaps first (launch/wait.go).
// Only the first report counts (the launcher keeps the first, too).
func (w *world) reportCause(rank int) {
	if w.ctl != nil && rank != w.rank && !w.closed.Load() && !w.causeSent.Swap(true) {
		w.ctl.cause(rank)
	}
}

func (w *world) tellFailed(re *RankError) {
	outs := w.outConns()
	frame := w.failedFrame(re.Rank, re.How)
	until := time.Now().Add(tellWait)
	for _, oc := range outs {
		if !lockBefore(&oc.mu, until) { // stuck sending: the notice cannot go first
			continue
		}
		if oc.c != nil && oc.err == nil {
			_ = oc.writeFrame(frame, 100*time.Millisecond)
		}
		oc.mu.Unlock()
	}
}

// failedFrame is the frame that tells a peer rank failed, and how.
func (w *world) failedFrame(rank int, how string) []byte {
	h := frameHdr{kind: frameFailed, src: uint32(w.rank), len: uint64(4 + len(how))}
	b := make([]byte, frameHdrSize, frameHdrSize+h.len)
	h.put(b)
	b = binary.LittleEndian.AppendUint32(b, uint32(rank))
	return append(b, how...)
}

// tellWait bounds how long tellFailed waits for connections that are busy
// sending (a frame in progress must end before the notice can follow it).
const tellWait = 100 * time.Millisecond

// lockBefore locks mu unless it stays held by others until the deadline.
// It polls: it runs only on the failure path, once per connection.
func lockBefore(mu *sync.Mutex, deadline time.Time) bool {
	for !mu.TryLock() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// sendLost fails the world because a send to re.Rank failed (its process
// is gone), after the same wait for a better verdict as a lost stream; it
// returns the world's failure, which may name the rank that failed first.
func (w *world) sendLost(re *RankError) error {
	w.mu.Lock()
	clean := w.bye[re.Rank] || w.closed.Load()
	w.mu.Unlock()
	if !clean {
		// Its goodbye may be on its way (through the rendezvous when it
		// never sent to this rank): the verdict wait ends on it too.
		w.awaitVerdict(re.Rank)
		w.mu.Lock()
		clean = w.bye[re.Rank] || w.closed.Load()
		w.mu.Unlock()
	}
	if clean { // it said goodbye: an error of this call, not a failed rank
		if g := w.eng.goneErr(re.Rank); g != nil {
			w.noteLeft(g)
			return g
		}
		return re
	}
	w.rankFailed(re)
	return w.verdict(re.Rank, re.How)
}
