package jobauth

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// fuzzConn is a net.Conn that reads a fixed script and swallows writes.
type fuzzConn struct{ r io.Reader }

func (c *fuzzConn) Read(b []byte) (int, error)       { return c.r.Read(b) }
func (c *fuzzConn) Write(b []byte) (int, error)      { return len(b), nil }
func (c *fuzzConn) Close() error                     { return nil }
func (c *fuzzConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *fuzzConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *fuzzConn) SetDeadline(time.Time) error      { return nil }
func (c *fuzzConn) SetReadDeadline(time.Time) error  { return nil }
func (c *fuzzConn) SetWriteDeadline(time.Time) error { return nil }

var _ net.Conn = (*fuzzConn)(nil)

// FuzzHandshake plays an arbitrary dialer against the acceptor's side of
// the job-secret handshake, and an arbitrary acceptor against the dialer's:
// no panic, and no input without the secret is ever accepted (the nonce is
// fresh, so a replayed proof cannot match).
func FuzzHandshake(f *testing.F) {
	secret := bytes.Repeat([]byte{7}, 32)
	f.Add([]byte(Magic + string(make([]byte, NonceSize+4+MACSize))))
	f.Add([]byte("GORUNHS1"))
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff}, 200))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := Accept(&fuzzConn{r: bytes.NewReader(b)}, secret, "job"); err == nil {
			t.Fatal("acceptor accepted a peer that cannot know the secret")
		}
		if err := Dial(&fuzzConn{r: bytes.NewReader(b)}, secret, "job", 1); err == nil {
			t.Fatal("dialer accepted a peer that cannot know the secret")
		}
	})
}

// TestHandshake: the same secret and job id pass both ways and carry the
// dialer's rank; a different secret or job id fails with ErrAuth on both
// sides.
func TestHandshake(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, 32)
	for _, tc := range []struct {
		name      string
		secret    []byte
		job       string
		wantError bool
	}{
		{"same job", secret, "job", false},
		{"other secret", bytes.Repeat([]byte{8}, 32), "job", true},
		{"other job id", secret, "job2", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Loopback TCP: both sides write before they read, which
			// net.Pipe's unbuffered writes would deadlock.
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			a, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			b, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			type acc struct {
				rank uint32
				err  error
			}
			got := make(chan acc, 1)
			go func() {
				r, err := Accept(b, secret, "job")
				if err != nil {
					b.Close() // the dialer's read ends instead of waiting
				}
				got <- acc{r, err}
			}()
			derr := Dial(a, tc.secret, tc.job, 5)
			if tc.wantError {
				a.Close()
			}
			ac := <-got
			if tc.wantError {
				if !errors.Is(derr, ErrAuth) && !errors.Is(ac.err, ErrAuth) {
					t.Fatalf("dial %v, accept %v: want ErrAuth", derr, ac.err)
				}
				return
			}
			if derr != nil || ac.err != nil || ac.rank != 5 {
				t.Fatalf("dial %v, accept rank %d %v: want rank 5, no errors", derr, ac.rank, ac.err)
			}
		})
	}
}
