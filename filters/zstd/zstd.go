// Package zstd compresses and decompresses single Zstandard frames with
// klauspost/compress/zstd, with what HDF5 filters need on top: a cache of
// encoders per level (an encoder is costly to build, and safe for
// concurrent EncodeAll), frames that record their content size (the
// Zstandard plugin's decoder sizes its buffer from it), and decoding that
// refuses, before allocating, output larger than a bound.
package zstd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	kzstd "github.com/klauspost/compress/zstd"
)

// ErrFormat is matched by errors about malformed compressed data.
var ErrFormat = errors.New("zstd: malformed frame")

// ErrTooLarge is matched by errors about data that decodes past its bound.
var ErrTooLarge = errors.New("zstd: output too large")

// MaxLevel is the highest level the encoder distinguishes (zstd's 22 maps
// to klauspost's best).
const MaxLevel = 22

var encoders [MaxLevel + 1]struct {
	once sync.Once
	enc  *kzstd.Encoder
	err  error
}

// Compress returns src as one Zstandard frame compressed at level (zstd's
// 1..22; 0 or less means zstd's default 3), with its content size
// recorded.
func Compress(src []byte, level int) ([]byte, error) {
	if level <= 0 {
		level = 3
	}
	level = min(level, MaxLevel)
	e := &encoders[level]
	e.once.Do(func() {
		e.enc, e.err = kzstd.NewWriter(nil, kzstd.WithEncoderLevel(kzstd.EncoderLevelFromZstd(level)),
			kzstd.WithEncoderConcurrency(1), kzstd.WithZeroFrames(true),
			// A single segment always records the content size, which the
			// plugin sizes its buffer from (even for chunks under 256 bytes).
			kzstd.WithSingleSegment(true))
	})
	if e.err != nil {
		return nil, fmt.Errorf("zstd: encoder for level %d: %w", level, e.err)
	}
	return e.enc.EncodeAll(src, make([]byte, 0, len(src)/2+64)), nil
}

var decoders = sync.Pool{New: func() any {
	d, err := kzstd.NewReader(nil, kzstd.WithDecoderConcurrency(1), kzstd.WithDecoderLowmem(true))
	if err != nil {
		return err
	}
	return d
}}

// Decompress returns the frames in src decompressed, refusing (ErrTooLarge)
// output longer than max: a frame whose header records a larger size is
// refused before anything is allocated, and frames without one are read
// through a limit.
func Decompress(src []byte, max int) ([]byte, error) {
	var h kzstd.Header
	if err := h.Decode(src); err != nil {
		return nil, fmt.Errorf("zstd: frame header: %v: %w", err, ErrFormat)
	}
	capacity := min(max, 4*len(src)+1024)
	if h.HasFCS {
		if h.FrameContentSize > uint64(max) {
			return nil, fmt.Errorf("zstd: frame holds %d bytes, at most %d expected: %w", h.FrameContentSize, max, ErrTooLarge)
		}
		capacity = int(h.FrameContentSize)
	}
	v := decoders.Get()
	d, ok := v.(*kzstd.Decoder)
	if !ok {
		return nil, fmt.Errorf("zstd: decoder: %v", v)
	}
	defer decoders.Put(d)
	if err := d.Reset(bytes.NewReader(src)); err != nil {
		return nil, fmt.Errorf("zstd: %v: %w", err, ErrFormat)
	}
	out := bytes.NewBuffer(make([]byte, 0, capacity))
	n, err := io.Copy(out, io.LimitReader(d, int64(max)+1))
	if err != nil {
		return nil, fmt.Errorf("zstd: %v: %w", err, ErrFormat)
	}
	if n > int64(max) {
		return nil, fmt.Errorf("zstd: data decodes past %d bytes: %w", max, ErrTooLarge)
	}
	return out.Bytes(), nil
}
