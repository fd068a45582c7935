package blosc

import (
	"bytes"
	"fmt"
	"io"

	"github.com/gorun-hpc/gorun/filters/blosclz"
	"github.com/gorun-hpc/gorun/filters/zstd"
	"github.com/klauspost/compress/zlib"
	"github.com/pierrec/lz4/v4"
)

// compressor holds what compressing the blocks of one chunk reuses: the
// LZ4 compressors' tables and an output buffer.
type compressor struct {
	lz4   lz4.Compressor
	lz4hc lz4.CompressorHC
	dst   []byte
}

// compressBlock returns block compressed by codec at level, or nil when it
// does not shrink. The result is valid until the next call.
func (z *compressor) compressBlock(codec, level int, block []byte) ([]byte, error) {
	switch codec {
	case BloscLZ:
		return blosclz.Compress(block), nil
	case LZ4, LZ4HC:
		if n := lz4.CompressBlockBound(len(block)); cap(z.dst) < n {
			z.dst = make([]byte, n)
		}
		dst := z.dst[:cap(z.dst)]
		var n int
		var err error
		if codec == LZ4 {
			n, err = z.lz4.CompressBlock(block, dst)
		} else {
			// c-blosc passes clevel to LZ4HC; pierrec's levels are search depths.
			z.lz4hc.Level = lz4.CompressionLevel(1 << (8 + level))
			n, err = z.lz4hc.CompressBlock(block, dst)
		}
		if err != nil || n == 0 {
			return nil, err
		}
		return dst[:n], nil
	case Zlib:
		var buf bytes.Buffer
		w, err := zlib.NewWriterLevel(&buf, level)
		if err != nil {
			return nil, err
		}
		w.Write(block)
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	case Zstd:
		// c-blosc maps clevel 9 to zstd's 22 and others to 2*clevel-1.
		zl := 2*level - 1
		if level == 9 {
			zl = 22
		}
		return zstd.Compress(block, zl)
	}
	return nil, fmt.Errorf("blosc: compressor %d is not supported", codec)
}

// decompressBlock fills dst exactly from the compressed block src.
func decompressBlock(format int, src, dst []byte) error {
	var out []byte
	var err error
	switch format {
	case 0:
		out, err = blosclz.Decompress(src, len(dst))
	case 1:
		var n int
		n, err = lz4.UncompressBlock(src, dst)
		if err == nil && n != len(dst) {
			err = fmt.Errorf("lz4 block of %d bytes, want %d", n, len(dst))
		}
		if err != nil {
			return fmt.Errorf("%v: %w", err, ErrFormat)
		}
		return nil
	case 3:
		var r io.ReadCloser
		if r, err = zlib.NewReader(bytes.NewReader(src)); err == nil {
			out, err = io.ReadAll(io.LimitReader(r, int64(len(dst))+1))
		}
	case 4:
		out, err = zstd.Decompress(src, len(dst))
	default:
		return fmt.Errorf("blosc: compressor format %d (2 is snappy, which this reader lacks): %w", format, ErrFormat)
	}
	if err != nil {
		return fmt.Errorf("%v: %w", err, ErrFormat)
	}
	if len(out) != len(dst) {
		return fmt.Errorf("block decodes to %d bytes, want %d: %w", len(out), len(dst), ErrFormat)
	}
	copy(dst, out)
	return nil
}
