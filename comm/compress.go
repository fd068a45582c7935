package comm

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Wire compression (Config.Compress, gorun --compress): data frames of at
// least compressMin bytes to a peer on another host are sent zstd-
// compressed at its fastest level. Peers on the same host never use it:
// there it only costs CPU.
//
// A compressed frame has flagZstd set and its length is the message's
// length; its payload is a run of chunks, each a u32 wire length, a u32
// raw length (at most zChunk), then the bytes: a zstd frame, or the raw
// bytes when the wire length has zStored set. Chunks let compression
// overlap the transfer (the sender compresses chunk k+1 while the kernel
// sends chunk k; the receiver decompresses chunk k while k+1 arrives), so
// a link slower than the compressor gains the full ratio instead of
// paying compress + send + decompress in a row. When the message's first
// 64 KiB do not shrink by a fifth, every chunk goes raw without trying:
// noisy floating-point data costs little to send with --compress on.
// It pays on slow links between hosts, not on fast fabrics
// (bench/runtime/RESULTS.md, "Decisions measured").
const (
	compressMin = 64 << 10
	flagZstd    = 1
	zChunk      = 1 << 20
	zStored     = 1 << 31
	zChunkHdr   = 8
)

// compressTo reports whether data frames to dest are worth compressing.
func (w *world) compressTo(dest int) bool {
	if !w.compress {
		return false
	}
	if w.compressAll.Load() {
		return true
	}
	return hostOf(w.addrs[dest]) != hostOf(w.addrs[w.rank])
}

func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

var encoders = sync.Pool{New: func() any {
	e, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true))
	return e
}}

// chunkBufs holds zChunk-sized scratch for gathering and decoding chunks.
var chunkBufs = sync.Pool{New: func() any { b := make([]byte, zChunk); return &b }}

// bufsReader reads the concatenation of bufs, chunk by chunk, without
// copying when a chunk lies inside one buffer.
type bufsReader struct {
	bufs [][]byte
	off  int // offset in bufs[0]
}

func (r *bufsReader) next(n int, scratch []byte) []byte {
	for len(r.bufs) > 0 && r.off == len(r.bufs[0]) {
		r.bufs, r.off = r.bufs[1:], 0
	}
	if len(r.bufs) == 0 {
		return nil
	}
	if b := r.bufs[0][r.off:]; len(b) >= n {
		r.off += n
		return b[:n]
	}
	out := scratch[:0]
	for len(out) < n && len(r.bufs) > 0 {
		b := r.bufs[0][r.off:]
		k := min(len(b), n-len(out))
		out = append(out, b[:k]...)
		r.off += k
		if r.off == len(r.bufs[0]) {
			r.bufs, r.off = r.bufs[1:], 0
		}
	}
	return out
}

// writeCompressed writes a data frame's header and its payload as
// compressed chunks to c; raw is the payload length.
func writeCompressed(c io.Writer, h frameHdr, bufs [][]byte, raw uint64) error {
	h.flags |= flagZstd
	var hb [frameHdrSize]byte
	h.put(hb[:])
	if _, err := c.Write(hb[:]); err != nil {
		return err
	}
	enc := encoders.Get().(*zstd.Encoder)
	defer encoders.Put(enc)
	sp := chunkBufs.Get().(*[]byte)
	defer chunkBufs.Put(sp)
	out := make([]byte, 0, zChunk/2)
	// Probe the first compressMin bytes: if they do not shrink by a fifth,
	// send everything stored and spend no more CPU on this message.
	probe := (&bufsReader{bufs: bufs}).next(int(min(raw, compressMin)), *sp)
	out = enc.EncodeAll(probe, out[:0])
	stored := len(out) > len(probe)-len(probe)/5
	src := &bufsReader{bufs: bufs}
	for left := raw; left > 0; {
		n := min(left, zChunk)
		chunk := src.next(int(n), *sp)
		left -= n
		var ch [zChunkHdr]byte
		body := chunk
		wire := uint32(n) | zStored
		if !stored {
			out = enc.EncodeAll(chunk, out[:0])
			if uint64(len(out)) <= n-n/10 {
				body, wire = out, uint32(len(out))
			}
		}
		binary.LittleEndian.PutUint32(ch[0:], wire)
		binary.LittleEndian.PutUint32(ch[4:], uint32(n))
		nb := net.Buffers{ch[:], body}
		if _, err := nb.WriteTo(c); err != nil {
			return err
		}
	}
	return nil
}

// decoder is shared by a world's readers; DecodeAll is safe for
// concurrent use.
var decoder = sync.OnceValue(func() *zstd.Decoder {
	d, _ := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(2*zChunk))
	return d
})

// chunkSink takes a compressed payload's bytes in order: decoded chunks
// by copy, stored chunks straight from the connection.
type chunkSink interface {
	put(b []byte)
	readFrom(r io.Reader, n int) error
}

// bufsSink fills the receiver's buffers in order.
type bufsSink struct{ bufs [][]byte }

func (s *bufsSink) put(b []byte) {
	for len(b) > 0 && len(s.bufs) > 0 {
		k := copy(s.bufs[0], b)
		b, s.bufs[0] = b[k:], s.bufs[0][k:]
		if len(s.bufs[0]) == 0 {
			s.bufs = s.bufs[1:]
		}
	}
}

func (s *bufsSink) readFrom(r io.Reader, n int) error {
	for n > 0 && len(s.bufs) > 0 {
		k := min(n, len(s.bufs[0]))
		if _, err := io.ReadFull(r, s.bufs[0][:k]); err != nil {
			return err
		}
		n -= k
		if s.bufs[0] = s.bufs[0][k:]; len(s.bufs[0]) == 0 {
			s.bufs = s.bufs[1:]
		}
	}
	return nil
}

// sliceSink appends to a new slice.
type sliceSink struct{ out []byte }

func (s *sliceSink) put(b []byte) { s.out = append(s.out, b...) }

func (s *sliceSink) readFrom(r io.Reader, n int) error {
	s.out = slices.Grow(s.out, n)
	k := len(s.out)
	s.out = s.out[:k+n]
	_, err := io.ReadFull(r, s.out[k:])
	return err
}

// readChunks reads a compressed payload of raw bytes into sink.
func readChunks(r io.Reader, raw uint64, sink chunkSink) error {
	wp := chunkBufs.Get().(*[]byte)
	defer chunkBufs.Put(wp)
	dp := chunkBufs.Get().(*[]byte)
	defer chunkBufs.Put(dp)
	for left := raw; left > 0; {
		var ch [zChunkHdr]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return err
		}
		wire := binary.LittleEndian.Uint32(ch[0:])
		n := binary.LittleEndian.Uint32(ch[4:])
		wlen := wire &^ zStored
		if n == 0 || n > zChunk || uint64(n) > left || wlen > zChunk+zChunk/8 || (wire&zStored != 0 && wlen != n) {
			return fmt.Errorf("comm: corrupt compressed chunk (wire %d, raw %d bytes, %d of the message left)", wlen, n, left)
		}
		left -= uint64(n)
		if wire&zStored != 0 {
			if err := sink.readFrom(r, int(n)); err != nil {
				return err
			}
			continue
		}
		var body []byte
		if wlen > zChunk {
			body = make([]byte, wlen)
		} else {
			body = (*wp)[:wlen]
		}
		if _, err := io.ReadFull(r, body); err != nil {
			return err
		}
		out, err := decoder().DecodeAll(body, (*dp)[:0])
		if err != nil || uint32(len(out)) != n {
			return fmt.Errorf("comm: corrupt compressed chunk: %d bytes decoded, %d declared: %v", len(out), n, err)
		}
		sink.put(out)
	}
	return nil
}

// payloadInto reads a frame's payload of n <= room bytes into bufs.
func payloadInto(r io.Reader, h frameHdr, bufs [][]byte, n int) error {
	if h.flags&flagZstd == 0 {
		return readInto(r, bufs, n)
	}
	// The sink trims its own copy of the slice headers, not the caller's.
	return readChunks(r, uint64(n), &bufsSink{bufs: slices.Clone(bufs)})
}

// payloadBytes reads a frame's payload into new memory.
func payloadBytes(r io.Reader, h frameHdr) ([]byte, error) {
	if h.flags&flagZstd == 0 {
		return readPayload(r, h.len)
	}
	s := &sliceSink{out: make([]byte, 0, min(h.len, readChunk))}
	err := readChunks(r, h.len, s)
	return s.out, err
}
