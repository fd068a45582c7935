package bitshuffle

import (
	"fmt"
	"slices"

	"github.com/gorun-hpc/gorun/filters/zstd"
	"github.com/pierrec/lz4/v4"
)

// lz4Compress appends src as one LZ4 block (LZ4_compress_default's format;
// an incompressible block is stored as literals, never skipped). c is
// reused across the blocks of a chunk: its hash table is large.
func lz4Compress(c *lz4.Compressor, dst, src []byte) ([]byte, error) {
	at := len(dst)
	dst = slices.Grow(dst, lz4.CompressBlockBound(len(src)))
	dst = dst[:cap(dst)]
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

// zstdCompress appends src as one Zstandard frame (filters/zstd, shared
// with the Zstandard filter).
func zstdCompress(dst, src []byte, level int) ([]byte, error) {
	c, err := zstd.Compress(src, max(1, min(level, zstd.MaxLevel)))
	if err != nil {
		return nil, fmt.Errorf("bitshuffle: %w", err)
	}
	return append(dst, c...), nil
}

// zstdDecompress fills dst exactly from src, one or more Zstandard frames;
// filters/zstd refuses output past len(dst) before allocating it.
func zstdDecompress(dst, src []byte) error {
	out, err := zstd.Decompress(src, len(dst))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrData, err)
	}
	if len(out) != len(dst) {
		return fmt.Errorf("%w: zstd block of %d bytes, want %d", ErrData, len(out), len(dst))
	}
	copy(dst, out)
	return nil
}
