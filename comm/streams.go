package comm

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorun-hpc/gorun/internal/jobauth"
)

// The streams between ranks: every rank dials each peer it sends to, and
// a connection carries frames one way only: the reader of an accepted
// connection feeds the match engine, the writer of a dialed one sends.

// serve accepts peers until the listener closes.
func (w *world) serve() {
	defer w.wg.Done()
	for {
		c, err := w.ln.Accept()
		if err != nil {
			return
		}
		w.wg.Add(1)
		w.eng.handshake(1) // failed.go: Agree waits for its frames
		go w.read(c)
	}
}

// read authenticates one accepted connection and feeds its frames to the
// engine; a connection that fails the handshake is dropped unread.
func (w *world) read(c net.Conn) {
	defer w.wg.Done()
	defer c.Close()
	r, err := jobauth.Accept(c, w.secret, w.jobID)
	w.eng.streamFrom(int(r), err == nil) // failed.go; after the reader's last frame, its end
	defer w.eng.streamEnd(int(r), err == nil)
	if err != nil {
		w.refused.note(c.RemoteAddr(), "comm: dropped a connection that failed the job-secret handshake", "err", err)
		return
	}
	src := int(r)
	if src < 0 || src >= w.size {
		w.refused.note(c.RemoteAddr(), "comm: dropped a connection claiming an unknown rank", "rank", src)
		return
	}
	w.mu.Lock()
	if w.closed.Load() {
		w.mu.Unlock()
		return
	}
	if w.from[src] {
		// A rank dials each peer once (world.conn), so this one is not
		// that rank's: refuse it before it can be read, and leave the
		// real connection (and the job) alone.
		w.mu.Unlock()
		w.refused.note(c.RemoteAddr(), "comm: dropped a second connection claiming an already connected rank", "rank", src)
		return
	}
	w.from[src] = true
	w.accepted = append(w.accepted, c)
	w.mu.Unlock()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4 << 20)
	}
	// A buffered reader takes a small frame's header and payload in one
	// system call; a payload larger than its buffer still goes straight
	// from the socket into the receiver's memory (bufio reads through).
	kr := &kickReader{c: c, raw: newRawIO(c)}
	br := bufio.NewReaderSize(kr, 32<<10)
	st := &inStream{w: w, src: src, c: c, br: br, rd: br, hb: make([]byte, frameHdrSize), kr: kr}
	kr.st = st
	if !w.shmTo(src) {
		// A peer on another host (or over TCP only) offers no ring; a
		// ring's offer is always a stream's first frame, so from the
		// second on receives may read this stream themselves (tcpread.go).
		if !st.step() {
			return
		}
		if st.shm == nil {
			st.direct = true
			st.freed, st.wake = make(chan struct{}, 1), make(chan struct{}, 1)
			w.setDirect(src, st)
			defer w.setDirect(src, nil)
			st.readDirect()
			return
		}
	}
	for st.shm == nil {
		if !st.step() {
			return
		}
	}
	// The peer switched to a shared-memory ring (frameShm).
	w.mu.Lock()
	w.shmIn[src] = st
	w.rings = append(w.rings, st.shm)
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.shmIn, src)
		w.mu.Unlock()
	}()
	st.pump()
}

// inStream is the reading end of one peer's stream. On TCP only its
// reader goroutine (read) uses it. On a shared-memory ring, a receive
// waiting for this peer may read frames too (poll.go), so whoever reads
// frames holds mu, and the ring is unmapped under mu once ended is set.
type inStream struct {
	w   *world
	src int
	c   net.Conn
	br  *bufio.Reader
	rd  io.Reader // br, or rx once the peer switched to a ring
	hb  []byte
	shm *shmRing
	rx  *shmRx

	mu    sync.Mutex
	ended bool    // under mu: the stream is over, the ring unmapped
	polls pollers // receives polling this stream now
	self  *waiter // under mu: the waiter of the polling receive holding it

	// TCP streams that receives read themselves (tcpread.go).
	kr        *kickReader
	direct    bool            // receives may read this stream
	selfCtx   context.Context // under mu: self's context
	wants     atomic.Int32    // receives waiting for the token
	reading   atomic.Bool     // the reader goroutine holds the token
	lingering atomic.Bool     // the reader goroutine waits to take it back
	used      atomic.Uint32   // receives that held the token, ever
	freed     chan struct{}   // the token was let go while wants > 0
	wake      chan struct{}   // take the stream back now (watch)
}

// step reads and handles one frame; false means the stream ended (the
// peer is lost, or sent garbage) and the caller stops reading it.
func (st *inStream) step() bool {
	w, src, rd, hb, c := st.w, st.src, st.rd, st.hb, st.c
	if _, err := io.ReadFull(rd, hb); err != nil {
		w.lost(src, err)
		return false
	}
	h, err := parseFrameHdr(hb)
	if err == nil && int(h.src) != src {
		err = fmt.Errorf("comm: frame claims rank %d on rank %d's connection", h.src, src)
	}
	if err != nil {
		w.log.Warn("comm: dropped a peer that sent a malformed frame", "rank", src, "err", err)
		w.lost(src, err)
		return false
	}
	if h.kind == frameData {
		m := message{ctx: h.ctx, src: src, tag: int(h.tag), elem: h.elem, n: int(h.len)}
		wt, pr := w.eng.arrive(m, h.len >= lazyMin)
		if pr != nil {
			if wt = w.await(pr); wt == nil && w.closed.Load() {
				return false
			}
		}
		if wt != nil && wt.bufs != nil && wt.room >= m.n && (wt.elem < 0 || uint8(wt.elem) == m.elem) {
			if err := payloadInto(rd, h, wt.bufs, m.n); err != nil {
				w.lost(src, err)
				st.answer(wt, result{err: w.verdict(src, "connection lost mid-message: "+err.Error())})
				return false
			}
			st.answer(wt, result{m: m})
			return true
		}
		data, err := payloadBytes(rd, h)
		if err != nil {
			w.lost(src, err)
			if wt != nil {
				st.answer(wt, result{err: w.verdict(src, "connection lost mid-message: "+err.Error())})
			}
			return false
		}
		m.data = data
		if wt != nil { // taken by a receive without room for it
			st.answer(wt, result{m: m})
		} else {
			w.eng.deliver(m)
		}
		return true
	}
	data, err := readPayload(rd, h.len)
	if err != nil {
		w.lost(src, err)
		return false
	}
	switch h.kind {
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
	case frameShm:
		if st.shm != nil || st.direct || len(data) != shmNonceSize {
			err := fmt.Errorf("comm: rank %d offered a second or malformed shared-memory ring", src)
			w.log.Warn("comm: dropped a peer that sent a malformed frame", "rank", src, "err", err)
			w.lost(src, err)
			return false
		}
		if r := w.acceptShm(c, src, data); r != nil {
			st.shm = r
			st.rx = &shmRx{r: r, bell: st.br, c: c}
			st.rx.watch.polls = &st.polls
			st.rd = st.rx
		}
	}
	return true
}

// answer hands a receive its result: on its channel, or, when the
// receive's own poll is reading this frame (st.self), straight into the
// waiter, which saves the channel's send and receive (issue 16).
func (st *inStream) answer(wt *waiter, r result) {
	if wt == st.self {
		wt.res, wt.direct = r, true
		return
	}
	wt.ch <- r
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

// outFor returns dest's entry in w.out, making it the first time. Entries
// are never replaced, so a table read without the lock finds them after
// the first send (the world's lock stays off a small message's path).
func (w *world) outFor(dest int) *outConn {
	if t := w.outTab.Load(); t != nil {
		if oc := (*t)[dest].Load(); oc != nil {
			return oc
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	oc := w.out[dest]
	if oc == nil {
		oc = &outConn{}
		w.out[dest] = oc
	}
	t := w.outTab.Load()
	if t == nil {
		tab := make([]atomic.Pointer[outConn], w.size)
		t = &tab
		w.outTab.Store(t)
	}
	(*t)[dest].Store(oc)
	return oc
}

// conn returns the connection for our sends to dest, dialing it once.
func (w *world) conn(ctx context.Context, dest int) (*outConn, error) {
	oc := w.outFor(dest)
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
		re := &RankError{Rank: dest, Op: "send", How: "cannot connect to " + w.addrs[dest] + ": " + err.Error()}
		if bestEffort(ctx) { // besteffort.go
			return nil, re
		}
		return nil, w.sendLost(re)
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
		_ = tc.SetWriteBuffer(4 << 20)
	}
	if w.shmTo(dest) {
		tx, err := w.offerShm(c, dest)
		if err != nil {
			c.Close()
			oc.mu.Unlock()
			re := &RankError{Rank: dest, Op: "send", How: "connection lost: " + err.Error()}
			if ctx.Err() != nil || bestEffort(ctx) {
				// A peer that finished and left while a best-effort
				// message (a watchdog's probe) was on its way: not a
				// failure, as for a refused dial above.
				return nil, re
			}
			return nil, w.sendLost(re)
		}
		oc.shm = tx
	}
	oc.c = c
	if oc.shm == nil {
		oc.raw = newRawIO(c)
	}
	return oc, nil
}

// send writes one frame to dest; the caller's buffers go to the kernel
// without a copy (writev). A frame to ourselves is queued directly.
func (w *world) send(ctx context.Context, dest int, h frameHdr, bufs [][]byte) error {
	if w.closed.Load() {
		return ErrClosed
	}
	if err := w.eng.failure(); err != nil {
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
		if ctx.Err() != nil || errors.Is(cause, os.ErrDeadlineExceeded) || bestEffort(ctx) {
			return re // our deadline, not the peer's end; or a message whose loss changes nothing
		}
		return w.sendLost(re)
	}
	return nil
}

// write writes one frame to dest on oc, which conn returned locked. A
// failed write closes the connection (a partial frame cannot be resumed)
// and returns the error for the caller and the write's own error.
func (w *world) write(ctx context.Context, oc *outConn, dest int, h frameHdr, bufs [][]byte) (*RankError, error) {
	defer oc.mu.Unlock()
	if oc.shm != nil {
		var hb [frameHdrSize]byte
		h.put(hb[:])
		var dl time.Time
		if d, ok := ctx.Deadline(); ok {
			dl = d
		}
		if err := oc.shm.write(dl, hb[:], bufs); err != nil {
			re := &RankError{Rank: dest, Op: "send", How: "connection lost: " + err.Error()}
			oc.err = re
			oc.shut()
			return re, err
		}
		return nil, nil
	}
	if h.kind == frameData && h.len >= compressMin && w.compressTo(dest) {
		if dl, ok := ctx.Deadline(); ok {
			_ = oc.c.SetWriteDeadline(dl)
			defer oc.c.SetWriteDeadline(time.Time{})
		}
		if err := writeCompressed(oc.c, h, bufs, h.len); err != nil {
			re := &RankError{Rank: dest, Op: "send", How: "connection lost: " + err.Error()}
			oc.err = re
			oc.shut()
			return re, err
		}
		return nil, nil
	}
	// The header lives in oc (we hold its lock): a local array would
	// escape to the heap through the write, an allocation per message.
	hb := oc.hdr[:]
	h.put(hb)
	if oc.raw != nil && h.len+frameHdrSize <= rawMax && len(bufs) < rawIovs {
		// A small frame: one raw writev (rawio_linux.go).
		if dl, ok := ctx.Deadline(); ok {
			_ = oc.c.SetWriteDeadline(dl)
			defer oc.c.SetWriteDeadline(time.Time{})
		}
		var all [rawIovs][]byte
		all[0] = hb
		n := 1 + copy(all[1:], bufs)
		if err := oc.raw.writev(all[:n]); err != nil {
			re := &RankError{Rank: dest, Op: "send", How: "connection lost: " + err.Error()}
			oc.err = re
			oc.shut()
			return re, err
		}
		return nil, nil
	}
	nb := make(net.Buffers, 0, len(bufs)+1)
	nb = append(nb, hb)
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
		oc.shut()
		return re, err
	}
	return nil, nil
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
