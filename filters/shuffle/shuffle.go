// Package shuffle implements the byte shuffle of HDF5's shuffle filter and
// Blosc: byte j of every element of a buffer grouped together, so that
// compressors see the slowly varying high bytes of numbers side by side.
// Bytes past the last whole element stay where they are. Element sizes 2,
// 4 and 8, the common ones, have unrolled loops (several times faster).
package shuffle

// Shuffle writes src shuffled for elements of size bytes into dst
// (len(dst) >= len(src)).
func Shuffle(dst, src []byte, size int) {
	n := len(src) / max(size, 1)
	dst = dst[:len(src)]
	if size <= 1 || n <= 1 {
		copy(dst, src)
		return
	}
	switch size {
	case 2:
		d0, d1 := dst[:n], dst[n:2*n]
		for i := range d0 {
			e := src[2*i : 2*i+2 : 2*i+2]
			d0[i], d1[i] = e[0], e[1]
		}
	case 4:
		d0, d1, d2, d3 := dst[:n], dst[n:2*n], dst[2*n:3*n], dst[3*n:4*n]
		for i := range d0 {
			e := src[4*i : 4*i+4 : 4*i+4]
			d0[i], d1[i], d2[i], d3[i] = e[0], e[1], e[2], e[3]
		}
	case 8:
		d0, d1, d2, d3 := dst[:n], dst[n:2*n], dst[2*n:3*n], dst[3*n:4*n]
		d4, d5, d6, d7 := dst[4*n:5*n], dst[5*n:6*n], dst[6*n:7*n], dst[7*n:8*n]
		for i := range d0 {
			e := src[8*i : 8*i+8 : 8*i+8]
			d0[i], d1[i], d2[i], d3[i] = e[0], e[1], e[2], e[3]
			d4[i], d5[i], d6[i], d7[i] = e[4], e[5], e[6], e[7]
		}
	default:
		for j := 0; j < size; j++ {
			d := dst[j*n : (j+1)*n]
			for i := range d {
				d[i] = src[i*size+j]
			}
		}
	}
	copy(dst[n*size:], src[n*size:])
}

// Unshuffle reverses Shuffle: src shuffled for elements of size bytes,
// restored into dst (len(dst) >= len(src)).
func Unshuffle(dst, src []byte, size int) {
	n := len(src) / max(size, 1)
	dst = dst[:len(src)]
	if size <= 1 || n <= 1 {
		copy(dst, src)
		return
	}
	switch size {
	case 2:
		s0, s1 := src[:n], src[n:2*n]
		for i := range s0 {
			e := dst[2*i : 2*i+2 : 2*i+2]
			e[0], e[1] = s0[i], s1[i]
		}
	case 4:
		s0, s1, s2, s3 := src[:n], src[n:2*n], src[2*n:3*n], src[3*n:4*n]
		for i := range s0 {
			e := dst[4*i : 4*i+4 : 4*i+4]
			e[0], e[1], e[2], e[3] = s0[i], s1[i], s2[i], s3[i]
		}
	case 8:
		s0, s1, s2, s3 := src[:n], src[n:2*n], src[2*n:3*n], src[3*n:4*n]
		s4, s5, s6, s7 := src[4*n:5*n], src[5*n:6*n], src[6*n:7*n], src[7*n:8*n]
		for i := range s0 {
			e := dst[8*i : 8*i+8 : 8*i+8]
			e[0], e[1], e[2], e[3] = s0[i], s1[i], s2[i], s3[i]
			e[4], e[5], e[6], e[7] = s4[i], s5[i], s6[i], s7[i]
		}
	default:
		for j := 0; j < size; j++ {
			s := src[j*n : (j+1)*n]
			for i := range s {
				dst[i*size+j] = s[i]
			}
		}
	}
	copy(dst[n*size:], src[n*size:])
}
