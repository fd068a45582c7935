// Package lz4h5 implements the chunk framing of HDF5's LZ4 filter (32004,
// H5Zlz4.c, shipped by hdf5plugin and Debian's hdf5-filter-plugin): a
// 12-byte big-endian header (decoded size as uint64, block size as
// uint32), then per block a big-endian uint32 compressed size and the
// block, in LZ4's block format, or stored as is when compressing did not
// shrink it (compressed size equal to the block's size). The LZ4 block
// codec is github.com/pierrec/lz4/v4, the standard pure-Go LZ4.
package lz4h5

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/pierrec/lz4/v4"
)

// ErrFormat is matched by errors about a malformed chunk.
var ErrFormat = errors.New("lz4h5: malformed chunk")

// ErrTooLarge is matched by errors about a chunk that decodes past its bound.
var ErrTooLarge = errors.New("lz4h5: output too large")

// DefaultBlockSize is the plugin's block size when its client data gives
// none (1 GiB: LZ4 needs blocks under 1.9 GiB).
const DefaultBlockSize = 1 << 30

// Compress frames src in blocks of blockSize bytes (0: DefaultBlockSize),
// as the plugin does.
func Compress(src []byte, blockSize int) ([]byte, error) {
	if len(src) > 1<<31-1 {
		return nil, fmt.Errorf("lz4h5: chunk of %d bytes (the plugin takes at most 2 GiB)", len(src))
	}
	if blockSize <= 0 {
		blockSize = DefaultBlockSize
	}
	blockSize = min(blockSize, len(src))
	nblocks := (len(src) + max(blockSize, 1) - 1) / max(blockSize, 1)
	out := make([]byte, 12, 12+len(src)+len(src)/255+nblocks*(4+16)+16)
	binary.BigEndian.PutUint64(out, uint64(len(src)))
	binary.BigEndian.PutUint32(out[8:], uint32(blockSize))
	var c lz4.Compressor
	for off := 0; off < len(src); off += blockSize {
		block := src[off:min(off+blockSize, len(src))]
		at := len(out)
		out = append(out, 0, 0, 0, 0)
		dst := out[len(out):cap(out)]
		n, err := c.CompressBlock(block, dst)
		if err != nil {
			return nil, fmt.Errorf("lz4h5: %w", err)
		}
		if n == 0 || n >= len(block) { // stored: the plugin's memcpy case
			n = copy(dst, block)
		}
		binary.BigEndian.PutUint32(out[at:], uint32(n))
		out = out[:len(out)+n]
	}
	return out, nil
}

// Decompress reverses Compress, refusing (ErrTooLarge) a chunk whose
// header claims more than max bytes before allocating.
func Decompress(src []byte, max int) ([]byte, error) {
	if len(src) < 12 {
		return nil, fmt.Errorf("lz4h5: chunk of %d bytes, shorter than its 12-byte header: %w", len(src), ErrFormat)
	}
	size := binary.BigEndian.Uint64(src)
	if size > uint64(max) {
		return nil, fmt.Errorf("lz4h5: chunk claims %d bytes, at most %d expected: %w", size, max, ErrTooLarge)
	}
	blockSize := uint64(binary.BigEndian.Uint32(src[8:]))
	if blockSize > size {
		blockSize = size
	}
	if blockSize == 0 && size > 0 {
		return nil, fmt.Errorf("lz4h5: block size 0 for %d bytes: %w", size, ErrFormat)
	}
	out := make([]byte, size)
	p := 12
	for done := uint64(0); done < size; {
		n := min(blockSize, size-done)
		if p+4 > len(src) {
			return nil, fmt.Errorf("lz4h5: block at %d of %d decoded bytes missing: %w", done, size, ErrFormat)
		}
		c := uint64(binary.BigEndian.Uint32(src[p:]))
		p += 4
		if c > uint64(len(src)-p) {
			return nil, fmt.Errorf("lz4h5: block of %d compressed bytes at offset %d runs past the chunk's %d: %w", c, p, len(src), ErrFormat)
		}
		block := src[p : p+int(c)]
		dst := out[done : done+n]
		if c == n {
			copy(dst, block)
		} else if k, err := lz4.UncompressBlock(block, dst); err != nil || uint64(k) != n {
			return nil, fmt.Errorf("lz4h5: block at offset %d decodes to %d bytes of %d (%v): %w", p, k, n, err, ErrFormat)
		}
		p += int(c)
		done += n
	}
	return out, nil
}
