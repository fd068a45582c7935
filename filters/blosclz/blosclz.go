// Package blosclz implements BloscLZ, Blosc's default codec (a FastLZ
// derivative), as c-blosc 1.x reads it: no pure-Go implementation exists.
// Only the format is shared with c-blosc; the encoder here is a plain
// hash-chain-free LZ77 that emits what c-blosc's decoder accepts.
//
// The stream is a sequence of instructions, each starting with a control
// byte c (the first is always a literal run; its top 3 bits are ignored):
//
//	c < 32:  a literal run of c+1 bytes follows
//	c >= 32: a match of length (c>>5)+2, or, when c>>5 is 7, 9 plus the
//	         following bytes summed up to and including the first one
//	         below 255; then a byte d: distance ((c&31)<<8 | d) + 1, or,
//	         when c&31 is 31 and d is 255, 8192 plus a big-endian uint16
//
// A match as the last instruction is never copied (c-blosc's decoder
// stops first), so streams end with a literal run.
package blosclz

import (
	"errors"
	"fmt"
)

// ErrFormat is matched by errors about a malformed stream.
var ErrFormat = errors.New("blosclz: malformed stream")

const (
	maxCopy     = 32
	maxDistance = 8191
	maxFar      = 65535 + maxDistance // farthest encodable distance - 1
	hashLog     = 14
	minMatch    = 4
)

// Compress returns src compressed, or nil when the result would not be
// shorter than src (c-blosc then stores the block as is).
func Compress(src []byte) []byte {
	n := len(src)
	if n < 16 {
		return nil
	}
	out := make([]byte, 0, n)
	var table [1 << hashLog]int32
	lit := 0
	flush := func(end int) {
		for lit < end {
			k := min(end-lit, maxCopy)
			out = append(out, byte(k-1))
			out = append(out, src[lit:lit+k]...)
			lit += k
		}
	}
	// Matches stop one byte short of the end: the stream must end with a
	// literal.
	limit := n - 1
	i := 1
	for i+minMatch <= limit {
		v := uint32(src[i]) | uint32(src[i+1])<<8 | uint32(src[i+2])<<16 | uint32(src[i+3])<<24
		h := (v * 2654435761) >> (32 - hashLog)
		ref := int(table[h]) - 1
		table[h] = int32(i + 1)
		if ref < 0 || i-ref-1 > maxFar || src[ref] != src[i] || src[ref+1] != src[i+1] || src[ref+2] != src[i+2] || src[ref+3] != src[i+3] {
			i += min(1+(i-lit)>>6, 32) // faster through data that does not match
			continue
		}
		m := minMatch
		for i+m < limit && src[ref+m] == src[i+m] {
			m++
		}
		d := i - ref - 1 // stored distance
		if d >= maxDistance && m < 5 {
			i++ // a far match costs 4 bytes: not worth it for 4
			continue
		}
		flush(i)
		out = appendMatch(out, m, d)
		if len(out) >= n {
			return nil
		}
		i += m
		lit = i
	}
	flush(n)
	if len(out) >= n {
		return nil
	}
	return out
}

func appendMatch(out []byte, m, d int) []byte {
	l := m - 2 // 1..6 fit the control byte, 7 means more bytes follow
	far := d >= maxDistance
	hi := d >> 8
	if far {
		hi = 31
	}
	if l < 7 {
		out = append(out, byte(l<<5|hi))
	} else {
		out = append(out, byte(7<<5|hi))
		for l -= 7; l >= 255; l -= 255 {
			out = append(out, 255)
		}
		out = append(out, byte(l))
	}
	if far {
		f := d - maxDistance
		return append(out, 255, byte(f>>8), byte(f))
	}
	return append(out, byte(d))
}

// Decompress decodes src into exactly n bytes, the size c-blosc records
// for the block; any other outcome is an error.
func Decompress(src []byte, n int) ([]byte, error) {
	out := make([]byte, 0, n)
	if len(src) == 0 {
		return nil, fmt.Errorf("blosclz: empty stream for %d bytes: %w", n, ErrFormat)
	}
	ip := 1
	ctrl := int(src[0] & 31)
	for {
		if ctrl >= 32 {
			l := ctrl>>5 - 1
			ofs := (ctrl & 31) << 8
			if l == 6 {
				for {
					if ip+1 >= len(src) {
						return nil, truncated(ip)
					}
					c := int(src[ip])
					ip++
					l += c
					if c != 255 {
						break
					}
				}
			} else if ip+1 >= len(src) {
				return nil, truncated(ip)
			}
			code := int(src[ip])
			ip++
			l += 3
			back := ofs + code + 1
			if code == 255 && ofs == 31<<8 {
				if ip+1 >= len(src) {
					return nil, truncated(ip)
				}
				back = (int(src[ip])<<8 | int(src[ip+1])) + maxDistance + 1
				ip += 2
			}
			if len(out)+l > n {
				return nil, fmt.Errorf("blosclz: match of %d bytes at output offset %d passes the block's %d: %w", l, len(out), n, ErrFormat)
			}
			if back > len(out) {
				return nil, fmt.Errorf("blosclz: match %d bytes back at output offset %d: %w", back, len(out), ErrFormat)
			}
			if ip >= len(src) {
				break // c-blosc stops here without copying
			}
			ctrl = int(src[ip])
			ip++
			start := len(out) - back
			if back >= l {
				out = append(out, out[start:start+l]...)
			} else {
				for k := 0; k < l; k++ {
					out = append(out, out[start+k])
				}
			}
			continue
		}
		k := ctrl + 1
		if len(out)+k > n {
			return nil, fmt.Errorf("blosclz: literal run of %d bytes at output offset %d passes the block's %d: %w", k, len(out), n, ErrFormat)
		}
		if ip+k > len(src) {
			return nil, truncated(ip)
		}
		out = append(out, src[ip:ip+k]...)
		ip += k
		if ip >= len(src) {
			break
		}
		ctrl = int(src[ip])
		ip++
	}
	if len(out) != n {
		return nil, fmt.Errorf("blosclz: stream decodes to %d bytes, the block holds %d: %w", len(out), n, ErrFormat)
	}
	return out, nil
}

func truncated(ip int) error {
	return fmt.Errorf("blosclz: stream truncated at input offset %d: %w", ip, ErrFormat)
}
