package comm

import (
	"encoding/binary"
	"fmt"
	"io"
)

// A frame is a fixed 32-byte header followed by Len payload bytes.
// Layout (little endian): magic u32 | kind u8 | elem u8 | flags u8 | pad u8 |
// tag i32 | src u32 | ctx u64 | len u64.
const (
	frameMagic   = 0x67724e31 // "grN1"
	frameHdrSize = 32

	frameData    = 1 // a message
	frameRevoke  = 2 // payload: revoking rank's error text
	frameGoodbye = 3 // the sender closed cleanly
	frameFailed  = 4 // payload: u32 world rank + text: the sender saw that rank fail
	frameShm     = 5 // payload: a nonce: map the shared-memory ring it names (shm.go)

	// maxFrame bounds one message; larger lengths are garbage.
	maxFrame = 1 << 36
	// readChunk: a payload nobody has a buffer for yet is allocated at its
	// full length up to this size, and beyond it grows by doubling as the
	// bytes arrive, so a lying length never makes a large allocation up
	// front.
	readChunk = 8 << 20
)

type frameHdr struct {
	kind  uint8
	elem  uint8
	flags uint8 // flagZstd
	tag   int32
	src   uint32
	ctx   uint64
	len   uint64
}

func (h *frameHdr) put(b []byte) {
	binary.LittleEndian.PutUint32(b[0:], frameMagic)
	b[4] = h.kind
	b[5] = h.elem
	b[6], b[7] = h.flags, 0
	binary.LittleEndian.PutUint32(b[8:], uint32(h.tag))
	binary.LittleEndian.PutUint32(b[12:], h.src)
	binary.LittleEndian.PutUint64(b[16:], h.ctx)
	binary.LittleEndian.PutUint64(b[24:], h.len)
}

// parseFrameHdr checks a header; it never trusts the length beyond maxFrame.
func parseFrameHdr(b []byte) (frameHdr, error) {
	if len(b) < frameHdrSize {
		return frameHdr{}, fmt.Errorf("comm: short frame header (%d bytes)", len(b))
	}
	if m := binary.LittleEndian.Uint32(b); m != frameMagic {
		return frameHdr{}, fmt.Errorf("comm: bad frame magic %#x: not a gorun peer or a corrupt stream", m)
	}
	h := frameHdr{
		kind: b[4], elem: b[5], flags: b[6],
		tag: int32(binary.LittleEndian.Uint32(b[8:])),
		src: binary.LittleEndian.Uint32(b[12:]),
		ctx: binary.LittleEndian.Uint64(b[16:]),
		len: binary.LittleEndian.Uint64(b[24:]),
	}
	if h.kind < frameData || h.kind > frameShm {
		return frameHdr{}, fmt.Errorf("comm: unknown frame kind %d", h.kind)
	}
	if h.flags&^flagZstd != 0 || (h.flags != 0 && h.kind != frameData) {
		return frameHdr{}, fmt.Errorf("comm: unknown frame flags %#x", h.flags)
	}
	if h.len > maxFrame {
		return frameHdr{}, fmt.Errorf("comm: frame length %d over the %d limit", h.len, uint64(maxFrame))
	}
	return h, nil
}

// readPayload reads n bytes, growing the buffer as data arrives.
func readPayload(r io.Reader, n uint64) ([]byte, error) {
	if n <= readChunk {
		b := make([]byte, n)
		_, err := io.ReadFull(r, b)
		return b, err
	}
	b := make([]byte, 0, readChunk)
	for uint64(len(b)) < n {
		step := min(n-uint64(len(b)), uint64(cap(b)-len(b)))
		if step == 0 {
			nb := make([]byte, len(b), min(uint64(cap(b))*2, n))
			copy(nb, b)
			b = nb
			continue
		}
		if _, err := io.ReadFull(r, b[len(b):len(b)+int(step)]); err != nil {
			return nil, err
		}
		b = b[:len(b)+int(step)]
	}
	return b, nil
}
