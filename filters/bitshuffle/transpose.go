package bitshuffle

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
	nb := n / 8
	for i := 0; i < nb; i++ {
		el := src[8*i*es : 8*(i+1)*es]
		for j := 0; j < es; j++ {
			var x uint64
			for m := 0; m < 8; m++ {
				x |= uint64(el[m*es+j]) << (8 * m)
			}
			x = trans8x8(x)
			row := dst[8*j*nb:]
			for k := 0; k < 8; k++ {
				row[k*nb+i] = byte(x >> (8 * k))
			}
		}
	}
}

// UntransBitElem reverses TransBitElem (bshuf_untrans_bit_elem).
func UntransBitElem(dst, src []byte, n, es int) {
	nb := n / 8
	for i := 0; i < nb; i++ {
		el := dst[8*i*es : 8*(i+1)*es]
		for j := 0; j < es; j++ {
			row := src[8*j*nb:]
			var x uint64
			for k := 0; k < 8; k++ {
				x |= uint64(row[k*nb+i]) << (8 * k)
			}
			x = trans8x8(x)
			for m := 0; m < 8; m++ {
				el[m*es+j] = byte(x >> (8 * m))
			}
		}
	}
}
