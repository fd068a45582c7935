package blosc

import "github.com/gorun-hpc/gorun/filters/shuffle"

// shuffleBlock returns block shuffled as c-blosc's blosc_c does before
// compressing it, using tmp (len(block) bytes) for the result, or block
// itself when the mode leaves it as is.
func shuffleBlock(mode, ts int, block, tmp []byte) []byte {
	switch {
	case mode == Shuffle && ts > 1:
		byteShuffle(ts, block, tmp)
		return tmp
	case mode == BitShuffle && len(block) >= ts:
		bitShuffle(ts, block, tmp)
		return tmp
	}
	return block
}

// unshuffleBlock reverses shuffleBlock from src into dst, as blosc_d does
// after decompressing a block.
func unshuffleBlock(flags byte, ts int, src, dst []byte) {
	switch {
	case flags&flagShuffle != 0 && ts > 1:
		byteUnshuffle(ts, src, dst)
	case flags&flagBitshuf != 0 && len(src) >= ts:
		bitUnshuffle(ts, src, dst)
	default:
		copy(dst, src)
	}
}

func byteShuffle(ts int, src, dst []byte)   { shuffle.Shuffle(dst, src, ts) }
func byteUnshuffle(ts int, src, dst []byte) { shuffle.Unshuffle(dst, src, ts) }

// bitShuffle is bitshuffle's bshuf_trans_bit_elem as c-blosc applies it:
// for n elements (n a multiple of 8; otherwise the block is left as is),
// row 8*j+k holds bit k of byte j of every element, element i at bit i%8
// of the row's byte i/8. Bytes past the last whole element stay in place.
func bitShuffle(ts int, src, dst []byte) {
	n := len(src) / ts
	if n%8 != 0 {
		copy(dst, src)
		return
	}
	row := n / 8
	for j := 0; j < ts; j++ {
		for q := 0; q < row; q++ {
			// Gather byte j of elements 8q..8q+7 into a 64-bit word and
			// transpose its 8x8 bit matrix.
			var x uint64
			for m := 0; m < 8; m++ {
				x |= uint64(src[(8*q+m)*ts+j]) << (8 * m)
			}
			x = transpose8(x)
			for k := 0; k < 8; k++ {
				dst[(8*j+k)*row+q] = byte(x >> (8 * k))
			}
		}
	}
	copy(dst[n*ts:], src[n*ts:])
}

func bitUnshuffle(ts int, src, dst []byte) {
	n := len(src) / ts
	if n%8 != 0 {
		copy(dst, src)
		return
	}
	row := n / 8
	for j := 0; j < ts; j++ {
		for q := 0; q < row; q++ {
			var x uint64
			for k := 0; k < 8; k++ {
				x |= uint64(src[(8*j+k)*row+q]) << (8 * k)
			}
			x = transpose8(x)
			for m := 0; m < 8; m++ {
				dst[(8*q+m)*ts+j] = byte(x >> (8 * m))
			}
		}
	}
	copy(dst[n*ts:], src[n*ts:])
}

// transpose8 transposes the 8x8 bit matrix in x (byte r, bit c) to (byte
// c, bit r): bitshuffle's TRANS_BIT_8X8.
func transpose8(x uint64) uint64 {
	t := (x ^ (x >> 7)) & 0x00AA00AA00AA00AA
	x = x ^ t ^ (t << 7)
	t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCC
	x = x ^ t ^ (t << 14)
	t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0
	return x ^ t ^ (t << 28)
}
