package comm

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorun-hpc/gorun/internal/jobauth"
	"github.com/gorun-hpc/gorun/rendezvous"
)

// world is one rank's transport: its listener, the connections it dialed
// for its own sends (directed: a dialed connection only carries our frames,
// an accepted one only the peer's, so no dial race needs resolving), and
// the matching engine its readers feed.
type world struct {
	rank, size int
	jobID      string
	secret     []byte
	addrs      []string
	ln         net.Listener
	eng        *engine
	log        *slog.Logger
	dialTO     time.Duration
	ctl        *ctlClient         // nil without a rendezvous (NewLocal keeps one too)
	svc        *rendezvous.Server // the rendezvous this rank serves (rank 0 under srun)

	mu       sync.Mutex
	out      map[int]*outConn
	accepted []net.Conn
	bye      map[int]bool          // peers that said goodbye
	byeCh    map[int]chan struct{} // closed when that peer's goodbye arrives (see byeWait)
	closed   atomic.Bool
	done     chan struct{} // closed by close: stalled readers stop waiting
	lazyWait atomic.Int64  // time.Duration; see defaultLazyWait
	lostWait atomic.Int64  // time.Duration; see defaultLostWait
	// causeSent: this rank told the launcher which rank it fails because of.
	causeSent atomic.Bool
	// leftCause is the first receive error this rank got because a peer
	// left (closed its communicator); its goodbye carries it, so a peer
	// waiting on this rank names the rank that left first.
	leftCause atomic.Pointer[RankError]
	// suspectHook, if set (tests), is called when a lost peer's verdict
	// starts waiting for a better-informed one.
	suspectHook atomic.Pointer[func(rank int)]
	compress    bool // Config.Compress: zstd for large frames to other hosts
	// compressAll compresses to every peer, same host or not (tests).
	compressAll atomic.Bool
	wg          sync.WaitGroup
}

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

// closeWait bounds how long rank 0 under srun keeps serving the
// rendezvous for ranks that have not closed yet.
const closeWait = 30 * time.Second

type outConn struct {
	mu  sync.Mutex
	c   net.Conn
	err error
}

// serve accepts peers until the listener closes.
func (w *world) serve() {
	defer w.wg.Done()
	for {
		c, err := w.ln.Accept()
		if err != nil {
			return
		}
		w.wg.Add(1)
		go w.read(c)
	}
}

// read authenticates one accepted connection and feeds its frames to the
// engine; a connection that fails the handshake is dropped unread.
func (w *world) read(c net.Conn) {
	defer w.wg.Done()
	defer c.Close()
	r, err := jobauth.Accept(c, w.secret, w.jobID)
	if err != nil {
		w.log.Warn("comm: dropped a connection that failed the job-secret handshake", "remote", c.RemoteAddr().String(), "err", err)
		return
	}
	src := int(r)
	if src < 0 || src >= w.size {
		w.log.Warn("comm: dropped a connection claiming an unknown rank", "rank", src)
		return
	}
	w.mu.Lock()
	if w.closed.Load() {
		w.mu.Unlock()
		return
	}
	w.accepted = append(w.accepted, c)
	w.mu.Unlock()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4 << 20)
	}
	// A buffered reader takes a small frame's header and payload in one
	// system call; a payload larger than its buffer still goes straight
	// from the socket into the receiver's memory (bufio reads through).
	br := bufio.NewReaderSize(c, 32<<10)
	hb := make([]byte, frameHdrSize)
	for {
		if _, err := io.ReadFull(br, hb); err != nil {
			w.lost(src, err)
			return
		}
		h, err := parseFrameHdr(hb)
		if err == nil && int(h.src) != src {
			err = fmt.Errorf("comm: frame claims rank %d on rank %d's connection", h.src, src)
		}
		if err != nil {
			w.log.Warn("comm: dropped a peer that sent a malformed frame", "rank", src, "err", err)
			w.lost(src, err)
			return
		}
		if h.kind == frameData {
			m := message{ctx: h.ctx, src: src, tag: int(h.tag), elem: h.elem, n: int(h.len)}
			wt, pr := w.eng.arrive(m, h.len >= lazyMin)
			if pr != nil {
				if wt = w.await(pr); wt == nil && w.closed.Load() {
					return
				}
			}
			if wt != nil && wt.bufs != nil && wt.room >= m.n && (wt.elem < 0 || uint8(wt.elem) == m.elem) {
				if err := payloadInto(br, h, wt.bufs, m.n); err != nil {
					w.lost(src, err)
					wt.ch <- result{err: w.verdict(src, "connection lost mid-message: "+err.Error())}
					return
				}
				wt.ch <- result{m: m}
				continue
			}
			data, err := payloadBytes(br, h)
			if err != nil {
				w.lost(src, err)
				if wt != nil {
					wt.ch <- result{err: w.verdict(src, "connection lost mid-message: "+err.Error())}
				}
				return
			}
			m.data = data
			if wt != nil { // taken by a receive without room for it
				wt.ch <- result{m: m}
			} else {
				w.eng.deliver(m)
			}
			continue
		}
		data, err := readPayload(br, h.len)
		if err != nil {
			w.lost(src, err)
			return
		}
		switch h.kind {
		case frameData:
			w.eng.deliver(message{ctx: h.ctx, src: src, tag: int(h.tag), elem: h.elem, n: len(data), data: data})
		case frameRevoke:
			w.eng.revoke(h.ctx, &revokedError{by: src, msg: string(data)})
		case frameFailed:
			if len(data) >= 4 {
				r := int(binary.LittleEndian.Uint32(data))
				switch {
				case r == src: // src tells of its own end (it panicked)
					w.rankFailed(&RankError{Rank: r, Op: "recv", How: string(data[4:])})
				case r >= 0 && r < w.size && r != w.rank:
					// Passed on like our own finding: our peers that
					// src did not tell must not name us when we exit.
					w.rankFailed(&RankError{Rank: r, Op: "recv", How: string(data[4:]) + fmt.Sprintf(", as rank %d saw", src)})
				}
			}
		case frameGoodbye:
			w.eng.leave(src, w.goodbyeCause(src, data))
			w.markBye(src)
		}
	}
}

// await waits for a receive to take a payload left in the socket, at
// most w.lazyWait; nil means read it into memory (released, expired, or the
// world is closing).
func (w *world) await(pr *pendingRead) *waiter {
	t := time.NewTimer(time.Duration(w.lazyWait.Load()))
	defer t.Stop()
	select {
	case wt := <-pr.take:
		return wt
	case <-t.C:
		return w.eng.expire(pr)
	case <-w.done:
		if wt := w.eng.expire(pr); wt != nil {
			wt.ch <- result{err: ErrClosed}
		}
		return nil
	}
}

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
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-w.eng.down:
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
	return &RankError{Rank: src, Op: "recv", How: how}
}

// rankFailed ends the world because rank re.Rank failed. Before any
// waiting call wakes (and its rank perhaps exits 1), every peer this rank
// sends to is told which rank failed: on the same ordered stream, ahead
// of this rank's own EOF, so peers name the rank that failed first, not
// this follower.
func (w *world) rankFailed(re *RankError) {
	w.eng.mu.Lock()
	first := w.eng.failed == nil
	w.eng.mu.Unlock()
	if first && !w.closed.Load() {
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
			_ = oc.c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
			_, _ = oc.c.Write(frame)
			_ = oc.c.SetWriteDeadline(time.Time{})
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

// conn returns the connection for our sends to dest, dialing it once.
func (w *world) conn(ctx context.Context, dest int) (*outConn, error) {
	w.mu.Lock()
	oc := w.out[dest]
	if oc == nil {
		oc = &outConn{}
		w.out[dest] = oc
	}
	w.mu.Unlock()
	oc.mu.Lock()
	if oc.err != nil {
		oc.mu.Unlock()
		return nil, oc.err
	}
	if oc.c != nil {
		return oc, nil
	}
	d := net.Dialer{Timeout: w.dialTO}
	c, err := d.DialContext(ctx, "tcp", w.addrs[dest])
	if err == nil {
		err = jobauth.Dial(c, w.secret, w.jobID, uint32(w.rank))
		if err != nil {
			c.Close()
		}
	}
	if err != nil {
		oc.mu.Unlock()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, w.sendLost(&RankError{Rank: dest, Op: "send", How: "cannot connect to " + w.addrs[dest] + ": " + err.Error()})
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
		_ = tc.SetWriteBuffer(4 << 20)
	}
	oc.c = c
	return oc, nil
}

// send writes one frame to dest; the caller's buffers go to the kernel
// without a copy (writev). A frame to ourselves is queued directly.
func (w *world) send(ctx context.Context, dest int, h frameHdr, bufs [][]byte) error {
	if w.closed.Load() {
		return ErrClosed
	}
	w.eng.mu.Lock()
	err := w.eng.failed
	w.eng.mu.Unlock()
	if err != nil {
		return err
	}
	h.src = uint32(w.rank)
	for _, b := range bufs {
		h.len += uint64(len(b))
	}
	if dest == w.rank {
		data := make([]byte, 0, h.len)
		for _, b := range bufs {
			data = append(data, b...)
		}
		switch h.kind {
		case frameData:
			w.eng.deliver(message{ctx: h.ctx, src: w.rank, tag: int(h.tag), elem: h.elem, n: len(data), data: data})
		case frameRevoke:
			w.eng.revoke(h.ctx, &revokedError{by: w.rank, msg: string(data)})
		}
		return nil
	}
	oc, err := w.conn(ctx, dest)
	if err != nil {
		return err
	}
	if re, cause := w.write(ctx, oc, dest, h, bufs); re != nil {
		if ctx.Err() != nil || errors.Is(cause, os.ErrDeadlineExceeded) {
			return re // our deadline, not the peer's end
		}
		return w.sendLost(re)
	}
	return nil
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

// write writes one frame to dest on oc, which conn returned locked. A
// failed write closes the connection (a partial frame cannot be resumed)
// and returns the error for the caller and the write's own error.
func (w *world) write(ctx context.Context, oc *outConn, dest int, h frameHdr, bufs [][]byte) (*RankError, error) {
	defer oc.mu.Unlock()
	if h.kind == frameData && h.len >= compressMin && w.compressTo(dest) {
		if dl, ok := ctx.Deadline(); ok {
			_ = oc.c.SetWriteDeadline(dl)
			defer oc.c.SetWriteDeadline(time.Time{})
		}
		if err := writeCompressed(oc.c, h, bufs, h.len); err != nil {
			re := &RankError{Rank: dest, Op: "send", How: "connection lost: " + err.Error()}
			oc.err = re
			oc.c.Close()
			return re, err
		}
		return nil, nil
	}
	var hb [frameHdrSize]byte
	h.put(hb[:])
	nb := make(net.Buffers, 0, len(bufs)+1)
	nb = append(nb, hb[:])
	for _, b := range bufs {
		if len(b) > 0 {
			nb = append(nb, b)
		}
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = oc.c.SetWriteDeadline(dl)
		defer oc.c.SetWriteDeadline(time.Time{})
	}
	if _, err := nb.WriteTo(oc.c); err != nil {
		re := &RankError{Rank: dest, Op: "send", How: "connection lost: " + err.Error()}
		oc.err = re
		oc.c.Close()
		return re, err
	}
	return nil, nil
}

// outConns is a snapshot of the connections this rank dialed.
func (w *world) outConns() []*outConn {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Collect(maps.Values(w.out))
}

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
		w.svc.Close()
	}
	w.eng.fail(ErrClosed)
	w.wg.Wait()
}

// readInto reads n bytes from r into bufs in order.
func readInto(r io.Reader, bufs [][]byte, n int) error {
	for _, b := range bufs {
		if n == 0 {
			break
		}
		k := min(len(b), n)
		if _, err := io.ReadFull(r, b[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}
