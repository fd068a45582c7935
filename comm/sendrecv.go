package comm

import "context"

// Sendrecv sends send to dest and receives one message from src into recv
// in one call (MPI_Sendrecv): the receive is posted before the send
// starts, and a send never waits for the peer to post its receive (its
// connection reader takes the bytes), so every rank of a ring can call
// Sendrecv(right, ..., left, ...) at once without deadlock, whatever the
// message size. dest or src may be ProcNull, which skips that half (the
// Status then has Source ProcNull). A message longer than recv is
// ErrTruncate, as for Recv.
func (c *Comm) Sendrecv(ctx context.Context, dest, sendTag int, send []byte, src, recvTag int, recv []byte) (Status, error) {
	p, err := c.post(src, recvTag, [][]byte{recv}, -1)
	if err != nil {
		return Status{}, err
	}
	if err := c.sendOrNull(ctx, dest, sendTag, 0, [][]byte{send}); err != nil {
		p.abandon()
		return Status{}, err
	}
	return p.bytesResult(p.wait(ctx))
}

// SendrecvReplace sends buf to dest and replaces its contents with the
// message from src (MPI_Sendrecv_replace): the halo swap of a ring or a
// grid in one buffer. The received message must have len(buf) bytes or
// fewer; the bytes past a shorter message keep their old values.
func (c *Comm) SendrecvReplace(ctx context.Context, dest, sendTag int, buf []byte, src, recvTag int) (Status, error) {
	tmp := make([]byte, len(buf))
	st, err := c.Sendrecv(ctx, dest, sendTag, buf, src, recvTag, tmp)
	if err == nil {
		copy(buf, tmp[:min(st.Count, len(buf))])
	}
	return st, err
}

// SendrecvSlice is Sendrecv for slices of numbers; Status.Count is in
// elements, and a message of another element type is an error, as for
// RecvSlice.
func SendrecvSlice[T Number](ctx context.Context, c *Comm, dest, sendTag int, send []T, src, recvTag int, recv []T) (Status, error) {
	p, err := c.post(src, recvTag, sliceBufs(recv), int(ElemKind[T]()))
	if err != nil {
		return Status{}, err
	}
	if err := c.sendOrNull(ctx, dest, sendTag, uint8(ElemKind[T]()), [][]byte{AsBytes(send)}); err != nil {
		p.abandon()
		return Status{}, err
	}
	return sliceResult(p, p.wait(ctx), recv)
}

// SendrecvReplaceSlice is SendrecvReplace for slices of numbers.
func SendrecvReplaceSlice[T Number](ctx context.Context, c *Comm, dest, sendTag int, buf []T, src, recvTag int) (Status, error) {
	tmp := make([]T, len(buf))
	st, err := SendrecvSlice(ctx, c, dest, sendTag, buf, src, recvTag, tmp)
	if err == nil {
		copy(buf, tmp[:min(st.Count, len(buf))])
	}
	return st, err
}

func (c *Comm) sendOrNull(ctx context.Context, dest, tag int, elem uint8, bufs [][]byte) error {
	if dest == ProcNull {
		return nil
	}
	return c.sendFrame(ctx, dest, tag, elem, bufs)
}
