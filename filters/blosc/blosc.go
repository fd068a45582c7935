// Package blosc reads and writes c-blosc 1.x chunks (format version 2), as
// the HDF5 Blosc filter (32001, hdf5plugin.Blosc) stores them: a 16-byte
// header, a table of block offsets, and blocks, each optionally byte- or
// bit-shuffled and then compressed by one of BloscLZ, LZ4, LZ4HC, zlib or
// Zstandard (snappy is not supported). The inner codecs are
// filters/blosclz (written here: no Go implementation exists),
// github.com/pierrec/lz4/v4, klauspost/compress's zlib, and filters/zstd.
package blosc

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrFormat is matched by errors about a malformed chunk.
var ErrFormat = errors.New("blosc: malformed chunk")

// ErrTooLarge is matched by errors about a chunk that decodes past its bound.
var ErrTooLarge = errors.New("blosc: output too large")

// Compressor codes, as in blosc.h (BLOSC_BLOSCLZ ...) and the Blosc
// filter's client data.
const (
	BloscLZ = 0
	LZ4     = 1
	LZ4HC   = 2
	Snappy  = 3
	Zlib    = 4
	Zstd    = 5
)

// Shuffle modes (BLOSC_NOSHUFFLE, BLOSC_SHUFFLE, BLOSC_BITSHUFFLE).
const (
	NoShuffle  = 0
	Shuffle    = 1
	BitShuffle = 2
)

// Names maps the compressor names hdf5plugin.Blosc takes to their codes.
var Names = map[string]int{"blosclz": BloscLZ, "lz4": LZ4, "lz4hc": LZ4HC, "snappy": Snappy, "zlib": Zlib, "zstd": Zstd}

const (
	headerSize    = 16
	version       = 2 // BLOSC_VERSION_FORMAT
	flagShuffle   = 0x1
	flagMemcpyed  = 0x2
	flagBitshuf   = 0x4
	flagDontSplit = 0x10
	minBuffer     = 128 // MIN_BUFFERSIZE: smaller buffers are stored as is
	maxSplits     = 16
)

// format is the compressor format code in the top 3 flag bits; LZ4HC
// writes LZ4's format.
func format(codec int) int {
	switch codec {
	case LZ4HC:
		return 1
	case Zlib:
		return 3
	case Zstd:
		return 4
	}
	return codec
}

// Options are a chunk's compression parameters: the Blosc filter's client
// data values 2, 4, 5 and 6.
type Options struct {
	TypeSize int // element size in bytes, for shuffling (1..255)
	Level    int // 0 (stored) .. 9
	Shuffle  int // NoShuffle, Shuffle, BitShuffle
	Codec    int // BloscLZ, LZ4, LZ4HC, Zlib, Zstd
}

// Compress returns src as one Blosc chunk.
func Compress(src []byte, o Options) ([]byte, error) {
	if len(src) > 1<<31-1-headerSize {
		return nil, fmt.Errorf("blosc: chunk of %d bytes (at most 2 GiB)", len(src))
	}
	if o.Level < 0 || o.Level > 9 {
		return nil, fmt.Errorf("blosc: level %d, want 0..9", o.Level)
	}
	if o.Shuffle < NoShuffle || o.Shuffle > BitShuffle {
		return nil, fmt.Errorf("blosc: shuffle %d, want 0 (none), 1 (byte) or 2 (bit)", o.Shuffle)
	}
	switch o.Codec {
	case BloscLZ, LZ4, LZ4HC, Zlib, Zstd:
	default:
		return nil, fmt.Errorf("blosc: compressor %d is not supported (blosclz 0, lz4 1, lz4hc 2, zlib 4, zstd 5)", o.Codec)
	}
	ts := o.TypeSize
	if ts <= 0 || ts > 255 {
		ts = 1
	}
	bs := blockSize(o.Level, o.Codec, ts, len(src))
	nblocks := 0
	if bs > 0 {
		nblocks = (len(src) + bs - 1) / bs
	}
	h := make([]byte, headerSize, headerSize+4*nblocks+len(src))
	h[0] = version
	h[1] = 1 // version of every inner format
	split := splits(o.Codec, ts, bs)
	flags := byte(format(o.Codec) << 5)
	if !split {
		flags |= flagDontSplit
	}
	switch o.Shuffle {
	case Shuffle:
		flags |= flagShuffle
	case BitShuffle:
		flags |= flagBitshuf
	}
	h[3] = byte(ts)
	binary.LittleEndian.PutUint32(h[4:], uint32(len(src)))
	binary.LittleEndian.PutUint32(h[8:], uint32(bs))
	if o.Level > 0 && len(src) >= minBuffer {
		out := h[:headerSize+4*nblocks]
		tmp := make([]byte, bs)
		var z compressor
		ok := true
		for j := 0; j < nblocks && ok; j++ {
			block := src[j*bs : min((j+1)*bs, len(src))]
			binary.LittleEndian.PutUint32(out[headerSize+4*j:], uint32(len(out)))
			shuffled := shuffleBlock(o.Shuffle, ts, block, tmp[:len(block)])
			// Full blocks of a split chunk are compressed as ts streams
			// (byte planes, after shuffling), as c-blosc does.
			nsplits := 1
			if split && len(block) == bs {
				nsplits = ts
			}
			neblock := len(block) / nsplits
			for k := 0; k < nsplits; k++ {
				part := shuffled[k*neblock : (k+1)*neblock]
				c, err := z.compressBlock(o.Codec, o.Level, part)
				if err != nil {
					return nil, err
				}
				if c == nil || len(c) >= len(part) {
					c = part // stored: the decoder copies streams of the stream's size
				}
				out = binary.LittleEndian.AppendUint32(out, uint32(len(c)))
				out = append(out, c...)
			}
			ok = len(out) < len(src)+headerSize
		}
		if ok {
			out[2] = flags
			binary.LittleEndian.PutUint32(out[12:], uint32(len(out)))
			return out, nil
		}
	}
	// Stored as is (level 0, tiny or incompressible chunks): no offsets,
	// no shuffling, as c-blosc does.
	out := append(h[:headerSize], src...)
	out[2] = flags | flagMemcpyed
	binary.LittleEndian.PutUint32(out[12:], uint32(len(out)))
	return out, nil
}

// blockSize follows c-blosc's compute_blocksize for unsplit blocks:
// 32 KiB scaled by level (twice that for the high-ratio codecs), a
// multiple of the element size.
func blockSize(level, codec, ts, n int) int {
	if n < ts {
		return max(n, 1)
	}
	bs := n
	if n >= 32<<10 {
		bs = 32 << 10
		if codec == LZ4HC || codec == Zlib || codec == Zstd {
			bs *= 2
		}
		switch level {
		case 0:
			bs /= 4
		case 1:
			bs /= 2
		case 3:
			bs *= 2
		case 4, 5:
			bs *= 4
		case 6, 7, 8:
			bs *= 8
		case 9:
			bs *= 8
			if codec == LZ4HC || codec == Zlib || codec == Zstd {
				bs *= 2
			}
		}
	}
	// Larger blocks for codecs that compress each byte plane apart.
	if level > 0 && splits(codec, ts, bs) {
		bs = max(min(bs, 1<<18)*ts, 1<<16)
		bs = min(bs, 1<<20)
	}
	bs = min(bs, n)
	if bs > ts {
		bs = bs / ts * ts
	}
	// Bit shuffling works on whole groups of 8 elements: keep blocks a
	// multiple of 8 elements so that only the last one has a remainder.
	if bs >= 8*ts && bs < n {
		bs = bs / (8 * ts) * (8 * ts)
	}
	return bs
}

// splits is c-blosc's split_block in its default (forward-compatible)
// mode: blocks are compressed as one stream per byte of the element,
// except with Zstandard, large elements or small blocks.
func splits(codec, ts, bs int) bool {
	return codec != Zstd && ts <= maxSplits && bs/ts >= minBuffer
}

// Header is what a chunk's 16-byte header says.
type Header struct {
	Flags     byte
	TypeSize  int
	NBytes    int // decoded size
	BlockSize int
	CBytes    int // stored size, header included
}

// ReadHeader parses and checks a chunk's header against the chunk's
// length.
func ReadHeader(src []byte) (Header, error) {
	if len(src) < headerSize {
		return Header{}, fmt.Errorf("blosc: chunk of %d bytes, shorter than its header: %w", len(src), ErrFormat)
	}
	h := Header{
		Flags:     src[2],
		TypeSize:  int(src[3]),
		NBytes:    int(binary.LittleEndian.Uint32(src[4:])),
		BlockSize: int(binary.LittleEndian.Uint32(src[8:])),
		CBytes:    int(binary.LittleEndian.Uint32(src[12:])),
	}
	if src[0] == 0 || src[0] > version {
		return h, fmt.Errorf("blosc: format version %d (this reader knows 1 and 2; Blosc2 chunks are filter 32026): %w", src[0], ErrFormat)
	}
	if h.CBytes > len(src) || h.CBytes < headerSize {
		return h, fmt.Errorf("blosc: header says %d stored bytes, chunk has %d: %w", h.CBytes, len(src), ErrFormat)
	}
	if h.TypeSize == 0 {
		return h, fmt.Errorf("blosc: element size 0: %w", ErrFormat)
	}
	if h.Flags&flagMemcpyed == 0 && h.NBytes > 0 && (h.BlockSize <= 0 || h.BlockSize > h.NBytes) {
		return h, fmt.Errorf("blosc: block size %d for %d bytes: %w", h.BlockSize, h.NBytes, ErrFormat)
	}
	return h, nil
}

// Decompress returns the chunk src decoded, refusing (ErrTooLarge), before
// allocating, a chunk whose header claims more than max bytes.
func Decompress(src []byte, max int) ([]byte, error) {
	h, err := ReadHeader(src)
	if err != nil {
		return nil, err
	}
	if h.NBytes > max {
		return nil, fmt.Errorf("blosc: chunk claims %d bytes, at most %d expected: %w", h.NBytes, max, ErrTooLarge)
	}
	src = src[:h.CBytes]
	if h.Flags&flagMemcpyed != 0 {
		if h.CBytes != headerSize+h.NBytes {
			return nil, fmt.Errorf("blosc: stored chunk of %d bytes for %d: %w", h.CBytes, h.NBytes, ErrFormat)
		}
		return append([]byte(nil), src[headerSize:]...), nil
	}
	if h.NBytes == 0 {
		return []byte{}, nil
	}
	codec := int(h.Flags >> 5)
	bs := h.BlockSize
	nblocks := (h.NBytes + bs - 1) / bs
	if headerSize+4*nblocks > len(src) {
		return nil, fmt.Errorf("blosc: %d block offsets do not fit in %d bytes: %w", nblocks, len(src), ErrFormat)
	}
	out := make([]byte, h.NBytes)
	tmp := make([]byte, bs)
	ts := h.TypeSize
	for j := 0; j < nblocks; j++ {
		dst := out[j*bs : min((j+1)*bs, h.NBytes)]
		leftover := len(dst) < bs
		nsplits := 1
		if h.Flags&flagDontSplit == 0 && ts <= maxSplits && bs/ts >= minBuffer && !leftover {
			nsplits = ts
		}
		neblock := len(dst) / nsplits
		p := int(binary.LittleEndian.Uint32(src[headerSize+4*j:]))
		shuffled := h.Flags&(flagShuffle|flagBitshuf) != 0
		w := dst
		if shuffled {
			w = tmp[:len(dst)]
		}
		for s := 0; s < nsplits; s++ {
			if p < 0 || p > len(src)-4 {
				return nil, fmt.Errorf("blosc: block %d offset %d outside the chunk's %d bytes: %w", j, p, len(src), ErrFormat)
			}
			c := int(binary.LittleEndian.Uint32(src[p:]))
			p += 4
			if c < 0 || c > len(src)-p {
				return nil, fmt.Errorf("blosc: block %d of %d bytes runs past the chunk: %w", j, c, ErrFormat)
			}
			part := w[s*neblock : (s+1)*neblock]
			if c == neblock {
				copy(part, src[p:p+c])
			} else if err := decompressBlock(codec, src[p:p+c], part); err != nil {
				return nil, fmt.Errorf("blosc: block %d: %w", j, err)
			}
			p += c
		}
		if shuffled {
			unshuffleBlock(h.Flags, ts, w, dst)
		}
	}
	return out, nil
}
