package comm

import (
	"bytes"
	"testing"
)

// FuzzFrameHeader feeds arbitrary 32-byte headers to the decoder every
// accepted connection runs first: it must reject or accept without
// panicking, never accept a length over maxFrame, and round-trip what it
// accepts.
func FuzzFrameHeader(f *testing.F) {
	for _, h := range []frameHdr{
		{kind: frameData, tag: 7, src: 1, ctx: 42, len: 100},
		{kind: frameData, flags: flagZstd, len: 1 << 20},
		{kind: frameRevoke, len: 5},
		{kind: frameGoodbye},
		{kind: frameData, len: maxFrame},
		{kind: frameData, len: 1 << 62},
	} {
		var b [frameHdrSize]byte
		h.put(b[:])
		f.Add(b[:])
	}
	f.Add([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseFrameHdr(b)
		if err != nil {
			return
		}
		if h.len > maxFrame {
			t.Fatalf("accepted length %d over the limit", h.len)
		}
		var out [frameHdrSize]byte
		h.put(out[:])
		h2, err := parseFrameHdr(out[:])
		if err != nil || h2 != h {
			t.Fatalf("round trip: %+v -> %+v, %v", h, h2, err)
		}
	})
}

// FuzzFrameStream decodes a header and its payload (plain or compressed)
// from an arbitrary byte stream, the way a rank's reader does: no panic,
// and the memory taken stays bounded by what actually arrived, whatever
// length the header claims.
func FuzzFrameStream(f *testing.F) {
	var plain bytes.Buffer
	h := frameHdr{kind: frameData, tag: 1, len: 5}
	var hb [frameHdrSize]byte
	h.put(hb[:])
	plain.Write(hb[:])
	plain.WriteString("hello")
	f.Add(plain.Bytes())
	var z bytes.Buffer
	payload := bytes.Repeat([]byte("gorun "), 20000)
	if err := writeCompressed(&z, frameHdr{kind: frameData, len: uint64(len(payload))}, [][]byte{payload}, uint64(len(payload))); err != nil {
		f.Fatal(err)
	}
	f.Add(z.Bytes())
	f.Add(z.Bytes()[:len(z.Bytes())/2])
	lie := frameHdr{kind: frameData, len: 1 << 35}
	lie.put(hb[:])
	f.Add(append(hb[:], "short"...))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < frameHdrSize {
			return
		}
		h, err := parseFrameHdr(b[:frameHdrSize])
		if err != nil {
			return
		}
		rest := b[frameHdrSize:]
		data, err := payloadBytes(bytes.NewReader(rest), h)
		if err == nil && uint64(len(data)) != h.len {
			t.Fatalf("payload of %d bytes for a length of %d", len(data), h.len)
		}
		// Memory follows the bytes that arrived, not the length claimed: a
		// plain payload grows by doubling as it is read, a compressed one by
		// at most one zChunk per chunk header.
		if bound := 2*(uint64(len(rest))/zChunkHdr+1)*zChunk + readChunk; uint64(cap(data)) > bound {
			t.Fatalf("buffer of %d bytes from %d input bytes (claimed %d)", cap(data), len(rest), h.len)
		}
		bufs := [][]byte{make([]byte, 10), make([]byte, 100)}
		if h.len <= 110 {
			_ = payloadInto(bytes.NewReader(rest), h, bufs, int(h.len))
		}
	})
}
