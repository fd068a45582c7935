package bitshuffle

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// lz4Compress appends src as one LZ4 block (LZ4_compress_default's format;
// an incompressible block is stored as literals, never skipped).
func lz4Compress(dst, src []byte) ([]byte, error) {
	at := len(dst)
	bound := lz4.CompressBlockBound(len(src))
	dst = append(dst, make([]byte, bound)...)
	var c lz4.Compressor
	n, err := c.CompressBlock(src, dst[at:])
	if err != nil {
		return nil, fmt.Errorf("bitshuffle: lz4: %w", err)
	}
	return dst[:at+n], nil
}

// lz4Decompress fills dst exactly from one LZ4 block.
func lz4Decompress(dst, src []byte) error {
	n, err := lz4.UncompressBlock(src, dst)
	if err != nil {
		return fmt.Errorf("%w: lz4: %v", ErrData, err)
	}
	if n != len(dst) {
		return fmt.Errorf("%w: lz4 block of %d bytes, want %d", ErrData, n, len(dst))
	}
	return nil
}

// Zstandard encoders, one per level, made when first used: an encoder is
// safe for concurrent EncodeAll calls and costly to make.
var zstdEncoders [23]struct {
	once sync.Once
	enc  *zstd.Encoder
	err  error
}

func zstdCompress(dst, src []byte, level int) ([]byte, error) {
	level = max(1, min(level, 22))
	e := &zstdEncoders[level]
	e.once.Do(func() {
		e.enc, e.err = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(level)),
			zstd.WithEncoderConcurrency(1), zstd.WithZeroFrames(true))
	})
	if e.err != nil {
		return nil, fmt.Errorf("bitshuffle: zstd level %d: %w", level, e.err)
	}
	return e.enc.EncodeAll(src, dst), nil
}

// Streaming decoders: a stream is read through a limit, so a frame cannot
// expand past the block it claims to be.
var zstdDecoders = sync.Pool{New: func() any {
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	if err != nil {
		return err
	}
	return d
}}

// zstdDecompress fills dst exactly from src, one or more Zstandard frames.
func zstdDecompress(dst, src []byte) error {
	var h zstd.Header
	if err := h.Decode(src); err != nil {
		return fmt.Errorf("%w: zstd frame header: %v", ErrData, err)
	}
	if h.HasFCS && h.FrameContentSize != uint64(len(dst)) {
		return fmt.Errorf("%w: zstd frame of %d bytes, want %d", ErrData, h.FrameContentSize, len(dst))
	}
	v := zstdDecoders.Get()
	d, ok := v.(*zstd.Decoder)
	if !ok {
		return fmt.Errorf("bitshuffle: zstd decoder: %v", v)
	}
	defer zstdDecoders.Put(d)
	if err := d.Reset(bytes.NewReader(src)); err != nil {
		return fmt.Errorf("%w: zstd: %v", ErrData, err)
	}
	if _, err := io.ReadFull(d, dst); err != nil {
		return fmt.Errorf("%w: zstd: %v", ErrData, err)
	}
	var one [1]byte
	if n, _ := d.Read(one[:]); n != 0 {
		return fmt.Errorf("%w: zstd data longer than the %d-byte block", ErrData, len(dst))
	}
	return nil
}
