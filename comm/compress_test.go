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

// TestChunkCodec round-trips payloads through writeCompressed and
// readChunks: compressible, incompressible (sent stored after the first
// chunk), split over several buffers, not a multiple of the chunk size.
func TestChunkCodec(t *testing.T) {
	for _, tc := range []struct {
		name       string
		data       []byte
		split      int
		compressed bool
	}{
		{"compressible", compressible(3*zChunk + 12345), 0, true},
		{"random", random(2*zChunk + 7), 0, false},
		{"split", compressible(2*zChunk + 99), 1000, true},
		{"one chunk", compressible(compressMin), 17, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bufs := [][]byte{tc.data}
			if tc.split > 0 {
				mid := min(tc.split+zChunk, len(tc.data)-1)
				bufs = [][]byte{tc.data[:tc.split], tc.data[tc.split:mid], tc.data[mid:]}
			}
			var wire bytes.Buffer
			h := frameHdr{kind: frameData, len: uint64(len(tc.data))}
			if err := writeCompressed(&wire, h, bufs, h.len); err != nil {
				t.Fatal(err)
			}
			if got := wire.Len() < len(tc.data)/2; got != tc.compressed {
				t.Errorf("%d bytes on the wire for %d: compressed = %v, want %v", wire.Len(), len(tc.data), got, tc.compressed)
			}
			hh, err := parseFrameHdr(wire.Next(frameHdrSize))
			if err != nil || hh.flags != flagZstd || hh.len != uint64(len(tc.data)) {
				t.Fatalf("header %+v %v", hh, err)
			}
			out := make([]byte, len(tc.data))
			if err := payloadInto(&wire, hh, [][]byte{out[:5], out[5:]}, len(out)); err != nil || !bytes.Equal(out, tc.data) {
				t.Fatalf("payloadInto: %v, equal %v", err, bytes.Equal(out, tc.data))
			}
			if wire.Len() != 0 {
				t.Errorf("%d bytes left after the payload", wire.Len())
			}
		})
	}
}

// TestCorruptChunks feeds damaged compressed payloads to the reader:
// errors, never a panic or a large allocation.
func TestCorruptChunks(t *testing.T) {
	var good bytes.Buffer
	data := compressible(2 * zChunk)
	if err := writeCompressed(&good, frameHdr{kind: frameData, len: uint64(len(data))}, [][]byte{data}, uint64(len(data))); err != nil {
		t.Fatal(err)
	}
	payload := good.Bytes()[frameHdrSize:]
	h := frameHdr{kind: frameData, flags: flagZstd, len: uint64(len(data))}
	cases := map[string][]byte{
		"truncated":      payload[:len(payload)/2],
		"raw too large":  append([]byte{1, 0, 0, 0, 0, 0, 0x20, 0}, payload[8:]...),
		"wire too large": append([]byte{0xff, 0xff, 0xff, 0x7f, 0, 0, 0x10, 0}, payload[8:]...),
		"zero chunk":     append([]byte{0, 0, 0, 0, 0, 0, 0, 0}, payload[8:]...),
		"flipped":        func() []byte { b := bytes.Clone(payload); b[20] ^= 0xff; b[21] ^= 0x55; return b }(),
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := payloadBytes(bytes.NewReader(p), h); err == nil {
				t.Fatal("accepted a corrupt payload")
			}
		})
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
