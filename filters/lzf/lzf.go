// Package lzf implements the LZF compressed format of Marc Lehmann's liblzf,
// as h5py's LZF filter (HDF5 filter 32000) stores chunks: a bare stream of
// literal runs and back references, no header. No maintained pure-Go
// implementation exists, and the format is small enough to own.
//
// The stream is a sequence of instructions, each starting with a control
// byte c:
//
//	c < 32:  a literal run of c+1 bytes follows
//	c >= 32: a back reference: length (c>>5)+2, or 9+next byte when c>>5
//	         is 7; distance ((c&31)<<8 | next byte) + 1, at most 8192
package lzf

import (
	"errors"
	"fmt"
)

// ErrFormat is matched by errors about a malformed stream.
var ErrFormat = errors.New("lzf: malformed stream")

// ErrTooLarge is returned by Decompress when the stream decodes to more
// bytes than allowed, and by Compress when the output would not be
// smaller than max.
var ErrTooLarge = errors.New("lzf: output too large")

const (
	maxLit  = 32      // longest literal run
	maxOff  = 1 << 13 // farthest back reference
	maxRef  = 255 + 9 // longest back reference
	hashLog = 14      // hash table of 16 Ki positions
)

// Compress returns src compressed. It fails with ErrTooLarge when the
// result would be longer than max bytes, as liblzf's lzf_compress does
// when its output buffer is full (h5py's filter gives it the input's size,
// so incompressible chunks are stored unfiltered).
func Compress(src []byte, max int) ([]byte, error) {
	out := make([]byte, 0, min(max, len(src)+len(src)/32+2))
	var table [1 << hashLog]int32
	lit := 0 // start of the pending literal run
	i := 0
	flush := func(end int) {
		for lit < end {
			n := min(end-lit, maxLit)
			out = append(out, byte(n-1))
			out = append(out, src[lit:lit+n]...)
			lit += n
		}
	}
	for i+2 < len(src) {
		v := uint32(src[i]) | uint32(src[i+1])<<8 | uint32(src[i+2])<<16
		h := (v * 2654435761) >> (32 - hashLog)
		ref := int(table[h]) - 1
		table[h] = int32(i + 1)
		if ref < 0 || i-ref > maxOff || src[ref] != src[i] || src[ref+1] != src[i+1] || src[ref+2] != src[i+2] {
			// Step faster through data that does not match (one more byte
			// per 64 without a match, at most 32): incompressible chunks cost little.
			i += min(1+(i-lit)>>6, 32)
			continue
		}
		n := 3
		for i+n < len(src) && n < maxRef && src[ref+n] == src[i+n] {
			n++
		}
		flush(i)
		off := i - ref - 1
		if l := n - 2; l < 7 {
			out = append(out, byte(l<<5|off>>8), byte(off))
		} else {
			out = append(out, byte(7<<5|off>>8), byte(l-7), byte(off))
		}
		if len(out) > max {
			return nil, ErrTooLarge
		}
		i += n
		lit = i
	}
	flush(len(src))
	if len(out) > max {
		return nil, ErrTooLarge
	}
	return out, nil
}

// Decompress returns src decompressed, refusing (with ErrTooLarge) to
// produce more than max bytes. The output buffer grows with the data, so a
// hostile stream costs at most max bytes of memory.
func Decompress(src []byte, max int) ([]byte, error) {
	out := make([]byte, 0, min(max, 4*len(src)+64))
	for i := 0; i < len(src); {
		c := int(src[i])
		i++
		if c < 32 {
			n := c + 1
			if i+n > len(src) {
				return nil, fmt.Errorf("lzf: literal run of %d bytes at input offset %d past the end (%d bytes): %w", n, i-1, len(src), ErrFormat)
			}
			if len(out)+n > max {
				return nil, fmt.Errorf("lzf: stream decodes past %d bytes: %w", max, ErrTooLarge)
			}
			out = append(out, src[i:i+n]...)
			i += n
			continue
		}
		n := c >> 5
		if n == 7 {
			if i >= len(src) {
				return nil, fmt.Errorf("lzf: back reference at input offset %d truncated: %w", i-1, ErrFormat)
			}
			n += int(src[i])
			i++
		}
		n += 2
		if i >= len(src) {
			return nil, fmt.Errorf("lzf: back reference at input offset %d truncated: %w", i-1, ErrFormat)
		}
		d := ((c&31)<<8 | int(src[i])) + 1
		i++
		if d > len(out) {
			return nil, fmt.Errorf("lzf: back reference %d bytes back at output offset %d: %w", d, len(out), ErrFormat)
		}
		if len(out)+n > max {
			return nil, fmt.Errorf("lzf: stream decodes past %d bytes: %w", max, ErrTooLarge)
		}
		start := len(out) - d
		if d >= n {
			out = append(out, out[start:start+n]...)
		} else {
			for k := 0; k < n; k++ { // overlapping: byte by byte
				out = append(out, out[start+k])
			}
		}
	}
	return out, nil
}
