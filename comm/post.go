package comm

import (
	"context"
	"fmt"
	"unsafe"
)

// pendingRecv is a receive posted to the match engine and not yet
// completed: Irecv, Sendrecv and the typed I-calls post first (so
// receives match in the order they were started) and wait later.
type pendingRecv struct {
	c    *Comm
	w    *waiter
	m    message
	done bool
	null bool // from ProcNull: completes at once with nothing
	bufs [][]byte
}

// post starts a receive from src with tag into bufs; elem >= 0 restricts a
// direct read to messages of that element kind (RecvSlice). The returned
// pendingRecv is never nil.
func (c *Comm) post(src, tag int, bufs [][]byte, elem int) (*pendingRecv, error) {
	p := &pendingRecv{c: c, bufs: bufs}
	if src == ProcNull {
		p.done, p.null = true, true
		return p, nil
	}
	if err := c.checkPeer(src, true, "recv"); err != nil {
		p.done = true
		return p, err
	}
	if err := checkTag(tag, true, "recv"); err != nil {
		p.done = true
		return p, err
	}
	wsrc := AnySource
	if src != AnySource {
		wsrc = c.members[src]
	}
	w, m, done, err := c.w.eng.postRecv(c.id, c.members, wsrc, tag, false, bufs, elem)
	if err != nil {
		p.done = true
		return p, c.recvErr(err)
	}
	p.w, p.m, p.done = w, m, done
	return p, nil
}

// wait completes the receive, or gives up when ctx ends (a message that
// arrives meanwhile stays queued for the next receive).
func (p *pendingRecv) wait(ctx context.Context) error {
	if p.done {
		return nil
	}
	m, err := p.c.w.eng.waitRecv(ctx, p.w)
	p.done, p.w = true, nil // the engine reuses the waiter
	if err != nil {
		return p.c.recvErr(err)
	}
	p.m = m
	return nil
}

// abandon withdraws a posted receive that will not be waited for (its
// Sendrecv's send failed).
func (p *pendingRecv) abandon() {
	if p.done {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = p.wait(ctx)
}

func (p *pendingRecv) status() Status {
	if p.null {
		return Status{Source: ProcNull, Tag: AnyTag}
	}
	return Status{Source: p.c.localRank(p.m.src), Tag: p.m.tag, Count: p.m.n}
}

// bytesResult finishes a byte receive as Recvv does: a message already in
// memory is copied into the buffers, one longer than them is ErrTruncate.
func (p *pendingRecv) bytesResult(err error) (Status, error) {
	if err != nil {
		return Status{}, err
	}
	st := p.status()
	if p.null || p.m.data == nil { // nil data: read straight into bufs
		return st, nil
	}
	data := p.m.data
	for _, b := range p.bufs {
		n := copy(b, data)
		data = data[n:]
	}
	if len(data) > 0 {
		return st, fmt.Errorf("comm: message of %d bytes from rank %d tag %d is longer than the receive buffer: %w", st.Count, st.Source, st.Tag, ErrTruncate)
	}
	return st, nil
}

// sliceResult finishes a typed receive into s as RecvSlice does.
func sliceResult[T Number](p *pendingRecv, err error, s []T) (Status, error) {
	if err != nil {
		return Status{}, err
	}
	st := p.status()
	if p.null {
		return st, nil
	}
	want := ElemKind[T]()
	if Kind(p.m.elem) != want {
		return st, fmt.Errorf("comm: rank %d sent %s elements but the receive wants %s: %w", st.Source, Kind(p.m.elem), want, ErrArgument)
	}
	var z T
	st.Count = p.m.n / int(unsafe.Sizeof(z))
	if p.m.data == nil {
		return st, nil
	}
	if n := copy(AsBytes(s), p.m.data); n < len(p.m.data) {
		return st, fmt.Errorf("comm: %d %s elements from rank %d do not fit in %d: %w", st.Count, want, st.Source, len(s), ErrTruncate)
	}
	return st, nil
}

// recvErr notes, as recvMsgElem does, a receive that failed because a peer
// left, so this rank's failure names that peer.
func (c *Comm) recvErr(err error) error {
	if re, ok := c.w.eng.leftErr(err); ok {
		c.w.noteLeft(re)
	}
	return err
}

func sliceBufs[T Number](s []T) [][]byte {
	if b := AsBytes(s); len(b) > 0 {
		return [][]byte{b}
	}
	return nil
}

// Queued reports a matching message that has already arrived, as Iprobe
// does, but without Iprobe's side effect: Iprobe moves large payloads that
// wait in the socket for their receive along into memory, so that a
// polling loop makes progress; Queued leaves them there (they cost a copy
// once read into memory). For libraries that look for a message they will
// not wait for (collectives' check for messages of a mismatch).
func (c *Comm) Queued(src, tag int) (Status, bool) {
	if c.checkPeer(src, true, "queued") != nil || checkTag(tag, true, "queued") != nil {
		return Status{}, false
	}
	wsrc := AnySource
	if src != AnySource {
		wsrc = c.members[src]
	}
	m, ok := c.w.eng.queued(c.id, wsrc, tag)
	if !ok {
		return Status{}, false
	}
	return Status{Source: c.localRank(m.src), Tag: m.tag, Count: m.n}, true
}
