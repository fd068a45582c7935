package comm

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

func compressible(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i / 4096 * 3)
	}
	return b
}

func random(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestCompressBufs(t *testing.T) {
	if compressBufs([][]byte{compressible(1 << 20)}, 1<<20) == nil {
		t.Error("a compressible MiB was sent raw")
	}
	if compressBufs([][]byte{random(1 << 20)}, 1<<20) != nil {
		t.Error("random bytes were compressed (no saving)")
	}
	two := compressBufs([][]byte{compressible(100), compressible(1 << 20)[100:]}, 1<<20)
	if two == nil {
		t.Fatal("two buffers were sent raw")
	}
}

// TestCompressedFrames sends compressible and random messages with
// compression on between every pair (as between hosts) and receives them
// every way a receive can take them.
func TestCompressedFrames(t *testing.T) {
	const big = 1 << 20
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		data []byte
		lazy bool
		recv func(c *Comm, want []byte) error
	}{
		{"Recv", compressible(big), false, func(c *Comm, want []byte) error {
			b := make([]byte, len(want))
			if _, err := c.Recv(ctx, 0, 1, b); err != nil || !bytes.Equal(b, want) {
				return errors.Join(err, errors.New("Recv data differs"))
			}
			return nil
		}},
		{"Recv random", random(big), false, func(c *Comm, want []byte) error {
			b := make([]byte, len(want))
			if _, err := c.Recv(ctx, 0, 1, b); err != nil || !bytes.Equal(b, want) {
				return errors.Join(err, errors.New("Recv data differs"))
			}
			return nil
		}},
		{"Recvv two buffers, lazy", compressible(big), true, func(c *Comm, want []byte) error {
			a, b := make([]byte, 100), make([]byte, len(want)-100)
			if _, err := c.Recvv(ctx, 0, 1, a, b); err != nil || !bytes.Equal(append(a, b...), want) {
				return errors.Join(err, errors.New("Recvv data differs"))
			}
			return nil
		}},
		{"RecvBytes, lazy", compressible(big), true, func(c *Comm, want []byte) error {
			b, st, err := c.RecvBytes(ctx, 0, 1)
			if err != nil || st.Count != len(want) || !bytes.Equal(b, want) {
				return errors.Join(err, errors.New("RecvBytes data differs"))
			}
			return nil
		}},
		{"short buffer", compressible(big), false, func(c *Comm, want []byte) error {
			b := make([]byte, 1000)
			st, err := c.Recv(ctx, 0, 1, b)
			if !errors.Is(err, ErrTruncate) || st.Count != len(want) || !bytes.Equal(b, want[:1000]) {
				return errors.Join(err, errors.New("short Recv wrong"))
			}
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := lazyLocal(t, 2, time.Hour)
			for _, c := range cs {
				c.w.compress = true
				c.w.compressAll.Store(true)
			}
			if err := cs[0].Send(ctx, 1, 1, tc.data); err != nil {
				t.Fatal(err)
			}
			if tc.lazy {
				untilQueued(t, cs[1], 0, 1)
				if !pendingAt(cs[1], 0, 1) {
					t.Error("compressed payload was not left in the socket")
				}
			}
			if err := tc.recv(cs[1], tc.data); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCompressOnlyToOtherHosts(t *testing.T) {
	w := &world{rank: 0, compress: true, addrs: []string{"10.0.0.1:5000", "10.0.0.1:5001", "10.0.0.2:5000"}}
	if w.compressTo(1) || !w.compressTo(2) {
		t.Errorf("compressTo(same host) = %v, compressTo(other host) = %v", w.compressTo(1), w.compressTo(2))
	}
	w.compress = false
	if w.compressTo(2) {
		t.Error("compressed with Compress off")
	}
}
