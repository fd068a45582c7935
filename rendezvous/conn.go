package rendezvous

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/gorun-hpc/gorun/internal/jobauth"
)

// Conn is a rank's control connection to the rendezvous server. Its
// writes may come from any goroutine; one goroutine reads the server's
// notices with Next.
type Conn struct {
	mu sync.Mutex // one message at a time
	c  net.Conn
	// r reads the server's messages: the notices of many ranks that left
	// come in one batch (left.go), read with one system call.
	r *bufio.Reader
}

// Dial connects rank of job to the server at addr and proves the job
// secret. It retries until the server answers or ctx ends: the server may
// not be listening yet when a rank starts (rank 0 serves it under srun).
// dialTimeout bounds each attempt.
func Dial(ctx context.Context, addr string, job Job, rank int, dialTimeout time.Duration) (*Conn, error) {
	d := net.Dialer{Timeout: dialTimeout}
	wait := 5 * time.Millisecond
	for {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			if err := jobauth.Dial(c, job.Secret, job.ID, uint32(rank)); err != nil {
				c.Close()
				return nil, fmt.Errorf("rendezvous handshake with %s: %w", addr, err)
			}
			return &Conn{c: c, r: bufio.NewReaderSize(c, 16<<10)}, nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// LocalAddr is this end's address: by default a rank listens for its
// peers on the interface that reaches the server.
func (c *Conn) LocalAddr() net.Addr { return c.c.LocalAddr() }

// Register tells the server the address this rank listens on and waits,
// until ctx ends, for the table of every rank's address.
func (c *Conn) Register(ctx context.Context, addr string) ([]string, error) {
	if err := c.write(Msg{Type: TypeRegister, Text: addr}, 0); err != nil {
		return nil, fmt.Errorf("register with the rendezvous: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { _ = c.c.SetReadDeadline(time.Unix(1, 0)) })
	m, err := Read(c.r)
	if !stop() {
		return nil, fmt.Errorf("no address table from the rendezvous: %w", ctx.Err())
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		// A server drops a registration it cannot read, such as one of
		// another version of this protocol.
		return nil, fmt.Errorf("the rendezvous closed the connection before the address table (were gorun and this program built from the same version of gorun?): %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("no address table from the rendezvous: %w", err)
	}
	if m.Type != TypeTable {
		return nil, fmt.Errorf("the rendezvous sent %s before the address table: %w", m.Type, ErrFormat)
	}
	return m.Addrs, nil
}

// Next reads the server's next notice (TypeFailed, TypeAbort, TypeLeft).
func (c *Conn) Next() (Msg, error) { return Read(c.r) }

// Abort asks the launcher to end the job with code.
func (c *Conn) Abort(code int) error { return c.write(Msg{Type: TypeAbort, Code: code}, 0) }

// Cause reports that this rank fails because rank failed first. The write
// is bounded: a launcher that does not read must not hold up a failing
// rank.
func (c *Conn) Cause(rank int) error {
	return c.write(Msg{Type: TypeCause, Rank: rank}, 100*time.Millisecond)
}

// Goodbye says this rank closed its world communicator, and closes the
// connection. dialed are the ranks that got a goodbye on this rank's
// streams; cause (-1 = none) is the rank it failed because of, how that
// rank's failure, passed on to the ranks that had no stream from it.
func (c *Conn) Goodbye(dialed []int, cause int, how string) error {
	m := Msg{Type: TypeGoodbye, Ranks: dialed}
	if cause >= 0 {
		m.Cause, m.Text = cause+1, how
	}
	err := c.write(m, time.Second)
	c.finish()
	return err
}

// finish ends the rank's side after its last message with a half close:
// the server reads all the rank sent (a full close while the server's
// notices still arrive resets the connection, and a reset can drop what
// the server had not read yet: a goodbye, the statistics before it), and
// a reader of Next sees the server close in return, or its read ends
// after finishWait.
func (c *Conn) finish() {
	if cw, ok := c.c.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
		_ = c.c.SetReadDeadline(time.Now().Add(finishWait))
		return
	}
	c.c.Close()
}

// finishWait bounds how long Next waits for the server to close after
// the rank's goodbye.
const finishWait = 5 * time.Second

// Panicked says this rank's Close ran while it was panicking, and closes
// the connection: the others are told it failed.
func (c *Conn) Panicked() error {
	err := c.write(Msg{Type: TypePanicked}, time.Second)
	c.finish()
	return err
}

// Stats sends this rank's I/O statistics (the launcher merges every
// rank's into the job's report), in parts that fit a message. Each part's
// write is bounded so a launcher that reads nothing cannot hold up the
// rank's exit.
func (c *Conn) Stats(b []byte) error {
	const part = MaxPayload - 64
	for {
		n := min(len(b), part)
		more := 0
		if n < len(b) {
			more = 1
		}
		if err := c.write(Msg{Type: TypeStats, Code: more, Text: string(b[:n])}, 10*time.Second); err != nil {
			return err
		}
		b = b[n:]
		if more == 0 {
			return nil
		}
	}
}

// Close drops the connection without a word (the server sees a rank that
// left without a goodbye).
func (c *Conn) Close() error { return c.c.Close() }

func (c *Conn) write(m Msg, limit time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if limit > 0 {
		_ = c.c.SetWriteDeadline(time.Now().Add(limit))
		defer c.c.SetWriteDeadline(time.Time{})
	}
	return Write(c.c, m)
}
