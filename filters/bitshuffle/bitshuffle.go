package bitshuffle

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/pierrec/lz4/v4"
)

// Errors Encode and Decode return, wrapped with what was wrong.
var (
	ErrParams   = errors.New("bitshuffle: bad client data")
	ErrData     = errors.New("bitshuffle: corrupt chunk")
	ErrTooLarge = errors.New("bitshuffle: chunk larger than allowed")
)

// Compression inside the filter (client data value 4).
const (
	None = 0
	LZ4  = 2
	Zstd = 3
)

// Client data positions, as bshuf_h5filter.c reads them.
const (
	cdElemSize  = 2
	cdBlockSize = 3
	cdComp      = 4
	cdLevel     = 5
)

// blockedMult: block sizes are multiples of 8 elements (BSHUF_BLOCKED_MULT).
const blockedMult = 8

// ClientData returns the client data the bitshuffle plugin's set_local
// stores for hdf5plugin.Bitshuffle(nelems=blockSize, cname, clevel) on
// elements of elemSize bytes: plugin version 0.4 (the first with
// Zstandard), element size, block size, compression, and the Zstandard
// level when comp is Zstd.
func ClientData(elemSize, blockSize uint32, comp int, level int) []uint32 {
	cd := []uint32{0, 4, elemSize, blockSize, uint32(comp)}
	if comp == Zstd {
		cd = append(cd, uint32(int32(level)))
	}
	return cd
}

// DefaultBlockSize is bshuf_default_block_size.
func DefaultBlockSize(elemSize int) int {
	b := 8192 / elemSize / blockedMult * blockedMult
	if b < 128 {
		b = 128
	}
	return b
}

type params struct {
	es    int
	block int // elements
	comp  int
	level int
}

func parse(cd []uint32) (params, error) {
	if len(cd) < 3 {
		return params{}, fmt.Errorf("%w: %d values, at least 3 needed", ErrParams, len(cd))
	}
	p := params{es: int(cd[cdElemSize])}
	if p.es <= 0 || p.es > 1<<20 {
		return params{}, fmt.Errorf("%w: element size %d", ErrParams, cd[cdElemSize])
	}
	if len(cd) > cdBlockSize {
		p.block = int(cd[cdBlockSize])
	}
	if p.block == 0 {
		p.block = DefaultBlockSize(p.es)
	}
	if p.block%blockedMult != 0 || p.block > 1<<28 {
		return params{}, fmt.Errorf("%w: block size %d (a multiple of 8 elements)", ErrParams, p.block)
	}
	if len(cd) > cdComp {
		p.comp = int(cd[cdComp])
	}
	switch p.comp {
	case None, LZ4:
	case Zstd:
		p.level = 3
		if len(cd) > cdLevel {
			p.level = int(int32(cd[cdLevel]))
		}
	default:
		return params{}, fmt.Errorf("%w: compression %d (0 none, 2 lz4, 3 zstd)", ErrParams, p.comp)
	}
	return p, nil
}

// blocks calls f for each block of a chunk of n elements: its first
// element and its length in elements; it returns the leftover elements
// (fewer than 8) that follow the last block.
func blocks(n, block int, f func(start, size int) error) (int, error) {
	start := 0
	for ; start+block <= n; start += block {
		if err := f(start, block); err != nil {
			return 0, err
		}
	}
	last := (n - start) / blockedMult * blockedMult
	if last > 0 {
		if err := f(start, last); err != nil {
			return 0, err
		}
		start += last
	}
	return start, nil
}

// Encode runs src through the filter as the plugin does on write.
func Encode(cd []uint32, src []byte) ([]byte, error) {
	p, err := parse(cd)
	if err != nil {
		return nil, err
	}
	if len(src)%p.es != 0 {
		return nil, fmt.Errorf("%w: %d bytes is not a whole number of %d-byte elements", ErrParams, len(src), p.es)
	}
	n := len(src) / p.es
	if p.comp == None {
		out := make([]byte, len(src))
		scratch := make([]byte, min(p.block, n)*p.es)
		done, _ := blocks(n, p.block, func(start, size int) error {
			transBitElem(out[start*p.es:], src[start*p.es:(start+size)*p.es], scratch, size, p.es)
			return nil
		})
		copy(out[done*p.es:], src[done*p.es:])
		return out, nil
	}
	out := make([]byte, 12, 12+len(src)/2)
	binary.BigEndian.PutUint64(out, uint64(len(src)))
	binary.BigEndian.PutUint32(out[8:], uint32(p.block*p.es))
	tmp := make([]byte, 2*min(p.block, n)*p.es)
	t0, scratch := tmp[:len(tmp)/2], tmp[len(tmp)/2:]
	var lz lz4.Compressor
	done, err := blocks(n, p.block, func(start, size int) error {
		t := t0[:size*p.es]
		transBitElem(t, src[start*p.es:], scratch, size, p.es)
		at := len(out)
		out = append(out, 0, 0, 0, 0)
		var err error
		if p.comp == LZ4 {
			out, err = lz4Compress(&lz, out, t)
		} else {
			out, err = zstdCompress(out, t, p.level)
		}
		if err != nil {
			return err
		}
		binary.BigEndian.PutUint32(out[at:], uint32(len(out)-at-4))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return append(out, src[done*p.es:]...), nil
}

// Decode reverses Encode for chunks the plugin or Encode wrote. max bounds
// the output; a chunk whose header claims more is refused before anything
// is allocated.
func Decode(cd []uint32, src []byte, max int) ([]byte, error) {
	p, err := parse(cd)
	if err != nil {
		return nil, err
	}
	if p.comp == None {
		if len(src) > max {
			return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(src), max)
		}
		if len(src)%p.es != 0 {
			return nil, fmt.Errorf("%w: %d bytes is not a whole number of %d-byte elements", ErrData, len(src), p.es)
		}
		out := make([]byte, len(src))
		scratch := make([]byte, min(p.block*p.es, len(src)))
		done, _ := blocks(len(src)/p.es, p.block, func(start, size int) error {
			untransBitElem(out[start*p.es:], src[start*p.es:(start+size)*p.es], scratch, size, p.es)
			return nil
		})
		copy(out[done*p.es:], src[done*p.es:])
		return out, nil
	}
	if len(src) < 12 {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the 12-byte header", ErrData, len(src))
	}
	total := binary.BigEndian.Uint64(src)
	blockBytes := int(binary.BigEndian.Uint32(src[8:]))
	if total > uint64(max) {
		return nil, fmt.Errorf("%w: header says %d bytes, at most %d", ErrTooLarge, total, max)
	}
	if total%uint64(p.es) != 0 || blockBytes%p.es != 0 || blockBytes == 0 || (blockBytes/p.es)%blockedMult != 0 {
		return nil, fmt.Errorf("%w: %d bytes in blocks of %d bytes for %d-byte elements", ErrData, total, blockBytes, p.es)
	}
	// Each block costs at least its 4-byte size, so a header claiming more
	// blocks than the input can hold is refused before allocating.
	n := int(total) / p.es
	if n/(blockBytes/p.es) > len(src)/4 {
		return nil, fmt.Errorf("%w: %d bytes cannot hold %d blocks of %d bytes", ErrData, len(src), n/(blockBytes/p.es), blockBytes)
	}
	out := make([]byte, total)
	in := src[12:]
	tmp := make([]byte, min(blockBytes, int(total)))
	scratch := make([]byte, len(tmp))
	done, err := blocks(n, blockBytes/p.es, func(start, size int) error {
		if len(in) < 4 {
			return fmt.Errorf("%w: block at element %d: input ends", ErrData, start)
		}
		c := int(binary.BigEndian.Uint32(in))
		if c > len(in)-4 || c < 0 {
			return fmt.Errorf("%w: block at element %d: %d compressed bytes, %d left", ErrData, start, c, len(in)-4)
		}
		t := tmp[:size*p.es]
		var err error
		if p.comp == LZ4 {
			err = lz4Decompress(t, in[4:4+c])
		} else {
			err = zstdDecompress(t, in[4:4+c])
		}
		if err != nil {
			return fmt.Errorf("block at element %d: %w", start, err)
		}
		untransBitElem(out[start*p.es:], t, scratch, size, p.es)
		in = in[4+c:]
		return nil
	})
	if err != nil {
		return nil, err
	}
	left := out[done*p.es:]
	if len(in) < len(left) {
		return nil, fmt.Errorf("%w: %d leftover bytes, %d in the input", ErrData, len(left), len(in))
	}
	copy(left, in)
	return out, nil
}
