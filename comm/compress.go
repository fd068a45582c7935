package comm

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Wire compression (Config.Compress, gorun --compress): data frames of at
// least compressMin bytes to a peer on another host are sent zstd-
// compressed at its fastest level when that saves at least a tenth. It
// pays only where the link is slower than the compressor: on loopback or
// one host it only costs CPU, so peers on the same host never use it.
//
// A compressed frame has flagZstd set, its length is the wire length, and
// its payload is the uncompressed length (u64, little endian) followed by
// one zstd frame.
const (
	compressMin  = 64 << 10
	flagZstd     = 1
	rawLenPrefix = 8
)

// wireForm is how a data frame's payload travels.
type wireForm struct {
	comp    bool
	wireLen uint64 // bytes after the frame header
	rawLen  uint64 // the message's length
}

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

// compressBufs returns the compressed payload of bufs (raw bytes in all),
// or nil when compression saves less than a tenth.
func compressBufs(bufs [][]byte, raw uint64) []byte {
	src := bufs[0]
	if len(bufs) > 1 {
		src = make([]byte, 0, raw)
		for _, b := range bufs {
			src = append(src, b...)
		}
	}
	enc := encoders.Get().(*zstd.Encoder)
	defer encoders.Put(enc)
	out := make([]byte, rawLenPrefix, rawLenPrefix+raw/2)
	binary.LittleEndian.PutUint64(out, raw)
	out = enc.EncodeAll(src, out)
	if uint64(len(out)) > raw-raw/10 {
		return nil
	}
	return out
}

// decoder is shared by a world's readers; DecodeAll is safe for
// concurrent use. Its memory is bounded by maxFrame, and every frame is
// checked against the length it declares.
var decoder = sync.OnceValue(func() *zstd.Decoder {
	d, _ := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxFrame))
	return d
})

// readWireForm reads a compressed frame's length prefix.
func readWireForm(r io.Reader, h frameHdr) (wireForm, error) {
	if h.flags&flagZstd == 0 {
		return wireForm{wireLen: h.len, rawLen: h.len}, nil
	}
	if h.len < rawLenPrefix {
		return wireForm{}, fmt.Errorf("comm: compressed frame of %d bytes has no length prefix", h.len)
	}
	var b [rawLenPrefix]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return wireForm{}, err
	}
	raw := binary.LittleEndian.Uint64(b[:])
	if raw > maxFrame {
		return wireForm{}, fmt.Errorf("comm: compressed frame declares %d bytes, over the %d limit", raw, uint64(maxFrame))
	}
	return wireForm{comp: true, wireLen: h.len - rawLenPrefix, rawLen: raw}, nil
}

// payloadInto reads a payload of f.rawLen <= room bytes into bufs.
func payloadInto(r io.Reader, f wireForm, bufs [][]byte) error {
	if !f.comp {
		return readInto(r, bufs, int(f.rawLen))
	}
	data, err := inflate(r, f, bufs)
	if err != nil {
		return err
	}
	if len(bufs) == 1 && len(data) > 0 && &data[0] == &bufs[0][0] {
		return nil // decoded in place
	}
	for _, b := range bufs {
		n := copy(b, data)
		data = data[n:]
	}
	return nil
}

// payloadBytes reads a payload into new memory.
func payloadBytes(r io.Reader, f wireForm) ([]byte, error) {
	if !f.comp {
		return readPayload(r, f.rawLen)
	}
	return inflate(r, f, nil)
}

// inflate reads and decompresses one compressed payload, into bufs[0]
// when it is the only buffer and large enough.
func inflate(r io.Reader, f wireForm, bufs [][]byte) ([]byte, error) {
	comp, err := readPayload(r, f.wireLen)
	if err != nil {
		return nil, err
	}
	var dst []byte
	if len(bufs) == 1 && uint64(len(bufs[0])) >= f.rawLen {
		dst = bufs[0][:0:f.rawLen]
	}
	out, err := decoder().DecodeAll(comp, dst)
	if err != nil {
		return nil, fmt.Errorf("comm: corrupt compressed frame: %w", err)
	}
	if uint64(len(out)) != f.rawLen {
		return nil, fmt.Errorf("comm: compressed frame holds %d bytes, declares %d", len(out), f.rawLen)
	}
	return out, nil
}
