package szip

import (
	"errors"
	"fmt"
	"math/bits"
)

// Errors Decode returns, wrapped with what was wrong.
var (
	ErrParams   = errors.New("szip: bad client data")
	ErrData     = errors.New("szip: corrupt stream")
	ErrTooLarge = errors.New("szip: chunk larger than allowed")
)

// ros is libaec's "remainder of segment" code among zero-block runs.
const ros = 5

// seTable maps a second-extension code m to its pair sum (even index) and
// the first code with that sum (odd index), as libaec's create_se_table.
var seTable = func() [2 * 91]int32 {
	var t [2 * 91]int32
	k := 0
	for i := 0; i < 13; i++ {
		ms := k
		for j := 0; j <= i; j++ {
			t[2*k] = int32(i)
			t[2*k+1] = int32(ms)
			k++
		}
	}
	return t
}()

// bitReader reads an AEC stream most significant bit first.
type bitReader struct {
	src []byte
	pos int
	acc uint64
	n   uint // valid low bits of acc
	err bool // read past the end
}

func (r *bitReader) get(n uint) uint32 {
	for r.n < n {
		if r.pos >= len(r.src) {
			r.err = true
			return 0
		}
		r.acc = r.acc<<8 | uint64(r.src[r.pos])
		r.pos++
		r.n += 8
	}
	r.n -= n
	return uint32(r.acc>>r.n) & uint32(1<<n-1)
}

// fs reads a fundamental sequence: the number of 0 bits before a 1.
func (r *bitReader) fs() uint32 {
	var count uint32
	for {
		if r.n == 0 {
			if r.pos >= len(r.src) {
				r.err = true
				return 0
			}
			r.acc = uint64(r.src[r.pos])
			r.pos++
			r.n = 8
		}
		low := r.acc & (1<<r.n - 1)
		if low == 0 {
			count += uint32(r.n)
			r.n = 0
			continue
		}
		top := uint(63 - bits.LeadingZeros64(low)) // position of the first 1
		count += uint32(r.n - 1 - top)
		r.n = top
		return count
	}
}

// aec holds the stream parameters.
type aec struct {
	bps       uint // bits per sample, 1..32
	block     int  // samples per block
	rsi       int  // blocks per reference sample interval
	pp        bool // nearest-neighbour preprocessing
	msb       bool // samples written big-endian
	bytesPer  int
	idLen     uint
	xmax      uint32
	rsiBuffer []uint32
}

func newAEC(bps uint, block, rsi int, pp, msb bool) (*aec, error) {
	if bps == 0 || bps > 32 {
		return nil, fmt.Errorf("%w: %d bits per sample", ErrParams, bps)
	}
	switch block {
	case 8, 16, 32, 64:
	default:
		return nil, fmt.Errorf("%w: %d pixels per block (8, 16, 32 or 64)", ErrParams, block)
	}
	if rsi <= 0 || rsi > 4096 {
		return nil, fmt.Errorf("%w: %d blocks per scanline", ErrParams, rsi)
	}
	a := &aec{bps: bps, block: block, rsi: rsi, pp: pp, msb: msb}
	switch {
	case bps > 16:
		a.bytesPer, a.idLen = 4, 5
	case bps > 8:
		a.bytesPer, a.idLen = 2, 4
	default:
		a.bytesPer, a.idLen = 1, 3
	}
	a.xmax = uint32(uint64(1)<<bps - 1)
	return a, nil
}

// decode fills out with samples decoded from src (aec_buffer_decode into a
// buffer of len(out) bytes).
func (a *aec) decode(out, src []byte) error {
	need := (len(out) + a.bytesPer - 1) / a.bytesPer
	r := bitReader{src: src}
	rsiSize := a.rsi * a.block
	if a.rsiBuffer == nil {
		a.rsiBuffer = make([]uint32, rsiSize)
	}
	buf := a.rsiBuffer
	modi := uint32(1)<<a.idLen - 1
	produced := 0
	outPos := 0
	for produced < need {
		used := 0
		for used < rsiSize && produced+used < need {
			ref := 0
			if a.pp && used == 0 {
				ref = 1
			}
			id := r.get(a.idLen)
			switch {
			case id == 0:
				second := r.get(1)
				if ref == 1 {
					buf[used] = r.get(a.bps)
					used++
				}
				if second == 1 {
					for i := ref; i < a.block; {
						m := r.fs()
						if m > 90 || r.err {
							return fmt.Errorf("%w: second-extension code %d at byte %d", ErrData, m, r.pos)
						}
						d1 := int32(m) - seTable[2*m+1]
						if i&1 == 0 {
							buf[used] = uint32(seTable[2*m] - d1)
							used++
							i++
						}
						buf[used] = uint32(d1)
						used++
						i++
					}
				} else {
					zb := int(r.fs()) + 1
					if zb == ros {
						b := used / a.block
						zb = min(a.rsi-b, 64-b%64)
					} else if zb > ros {
						zb--
					}
					zs := zb*a.block - ref
					if used+zs > rsiSize || r.err {
						return fmt.Errorf("%w: %d zero blocks past the scanline at byte %d", ErrData, zb, r.pos)
					}
					clear(buf[used : used+zs])
					used += zs
				}
			case id == modi:
				for i := 0; i < a.block; i++ {
					buf[used] = r.get(a.bps)
					used++
				}
			default:
				k := uint(id - 1)
				if ref == 1 {
					buf[used] = r.get(a.bps)
					used++
				}
				n := a.block - ref
				for i := 0; i < n; i++ {
					buf[used+i] = r.fs() << k
					if r.err {
						break
					}
				}
				if k > 0 {
					for i := 0; i < n; i++ {
						buf[used+i] += r.get(k)
					}
				}
				used += n
			}
			if r.err {
				return fmt.Errorf("%w: stream ends after %d bytes, %d of %d samples decoded", ErrData, len(src), produced+used, need)
			}
		}
		n := min(used, need-produced)
		outPos = a.flush(out, outPos, buf[:n])
		produced += n
	}
	return nil
}

// flush writes one interval's samples, undoing the predictor (libaec's
// FLUSH for unsigned samples).
func (a *aec) flush(out []byte, pos int, buf []uint32) int {
	if a.pp && len(buf) > 0 {
		data := buf[0]
		pos = a.put(out, pos, data)
		xmax := a.xmax
		med := xmax/2 + 1
		for _, d := range buf[1:] {
			half := d>>1 + d&1
			var mask uint32
			if data&med != 0 {
				mask = xmax
			}
			if half <= mask^data {
				data += (d >> 1) ^ ^(d&1 - 1)
			} else {
				data = mask ^ d
			}
			pos = a.put(out, pos, data)
		}
		return pos
	}
	for _, d := range buf {
		pos = a.put(out, pos, d)
	}
	return pos
}

func (a *aec) put(out []byte, pos int, v uint32) int {
	var b [4]byte
	switch a.bytesPer {
	case 1:
		b[0] = byte(v)
	case 2:
		if a.msb {
			b[0], b[1] = byte(v>>8), byte(v)
		} else {
			b[0], b[1] = byte(v), byte(v>>8)
		}
	default:
		if a.msb {
			b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
		} else {
			b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		}
	}
	return pos + copy(out[pos:], b[:a.bytesPer])
}
