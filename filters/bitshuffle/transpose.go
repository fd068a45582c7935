package bitshuffle

import (
	"encoding/binary"

	"github.com/gorun-hpc/gorun/filters/shuffle"
)

// trans8x8 transposes the 8x8 bit matrix held in x (byte m is row m): bit
// k of byte m goes to bit m of byte k (bitshuffle's TRANS_BIT_8X8).
func trans8x8(x uint64) uint64 {
	t := (x ^ (x >> 7)) & 0x00AA00AA00AA00AA
	x = x ^ t ^ (t << 7)
	t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCC
	x = x ^ t ^ (t << 14)
	t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0
	x = x ^ t ^ (t << 28)
	return x
}

// TransBitElem is bshuf_trans_bit_elem: n elements (a multiple of 8) of es
// bytes in src become 8*es bit rows of n/8 bytes in dst; row 8*j+k holds
// bit k of byte j of every element, element i at bit i%8 of byte i/8.
func TransBitElem(dst, src []byte, n, es int) {
	transBitElem(dst, src, make([]byte, n*es), n, es)
}

// transBitElem is TransBitElem with scratch space of n*es bytes. As
// bitshuffle's scalar code it first groups byte j of every element (the
// byte shuffle), then transposes each run of 8 bytes as an 8x8 bit matrix.
func transBitElem(dst, src, scratch []byte, n, es int) {
	bytes := src[:n*es]
	if es > 1 {
		bytes = scratch[:n*es]
		shuffle.Shuffle(bytes, src[:n*es], es)
	}
	nb := n / 8
	for j := 0; j < es; j++ {
		row := bytes[j*n : j*n+8*nb]
		out := dst[8*j*nb : 8*(j+1)*nb]
		// One slice per bit row, so the loop below needs no bounds checks.
		r0, r1, r2, r3 := out[0*nb:1*nb], out[1*nb:2*nb], out[2*nb:3*nb], out[3*nb:4*nb]
		r4, r5, r6, r7 := out[4*nb:5*nb], out[5*nb:6*nb], out[6*nb:7*nb], out[7*nb:8*nb]
		for i := range r0 {
			x := trans8x8(binary.LittleEndian.Uint64(row[8*i:]))
			r0[i], r1[i], r2[i], r3[i] = byte(x), byte(x>>8), byte(x>>16), byte(x>>24)
			r4[i], r5[i], r6[i], r7[i] = byte(x>>32), byte(x>>40), byte(x>>48), byte(x>>56)
		}
	}
}

// UntransBitElem reverses TransBitElem (bshuf_untrans_bit_elem).
func UntransBitElem(dst, src []byte, n, es int) {
	untransBitElem(dst, src, make([]byte, n*es), n, es)
}

func untransBitElem(dst, src, scratch []byte, n, es int) {
	bytes := dst[:n*es]
	if es > 1 {
		bytes = scratch[:n*es]
	}
	nb := n / 8
	for j := 0; j < es; j++ {
		row := bytes[j*n : j*n+8*nb]
		in := src[8*j*nb : 8*(j+1)*nb]
		r0, r1, r2, r3 := in[0*nb:1*nb], in[1*nb:2*nb], in[2*nb:3*nb], in[3*nb:4*nb]
		r4, r5, r6, r7 := in[4*nb:5*nb], in[5*nb:6*nb], in[6*nb:7*nb], in[7*nb:8*nb]
		for i := range r0 {
			x := uint64(r0[i]) | uint64(r1[i])<<8 | uint64(r2[i])<<16 | uint64(r3[i])<<24 |
				uint64(r4[i])<<32 | uint64(r5[i])<<40 | uint64(r6[i])<<48 | uint64(r7[i])<<56
			binary.LittleEndian.PutUint64(row[8*i:], trans8x8(x))
		}
	}
	if es > 1 {
		shuffle.Unshuffle(dst[:n*es], bytes, es)
	}
}
