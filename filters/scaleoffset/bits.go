package scaleoffset

// bitWriter packs values most significant bit first, as H5Zscaleoffset.c fills
// each output byte from its top bit down.
type bitWriter struct {
	buf  []byte
	cur  byte
	free uint // bits still free in cur, 8 when empty
}

func (w *bitWriter) write(v uint64, n uint) {
	for n > 0 {
		take := n
		if take > w.free {
			take = w.free
		}
		bits := (v >> (n - take)) & (1<<take - 1)
		w.cur |= byte(bits << (w.free - take))
		w.free -= take
		n -= take
		if w.free == 0 {
			w.buf = append(w.buf, w.cur)
			w.cur, w.free = 0, 8
		}
	}
}

// finish returns the packed bytes. libhdf5 always counts the byte being
// filled, even when the values ended on a byte boundary, so its output is
// floor(bits/8)+1 bytes; we write the same.
func (w *bitWriter) finish() []byte {
	return append(w.buf, w.cur)
}

// bitReader reads what bitWriter wrote.
type bitReader struct {
	src  []byte
	pos  int  // byte being read
	left uint // bits left in src[pos]
}

func newBitReader(src []byte) bitReader { return bitReader{src: src, left: 8} }

// read returns the next n (<= 64) bits, or false past the end of src.
func (r *bitReader) read(n uint) (uint64, bool) {
	var v uint64
	for n > 0 {
		if r.pos >= len(r.src) {
			return 0, false
		}
		take := n
		if take > r.left {
			take = r.left
		}
		b := uint64(r.src[r.pos]>>(r.left-take)) & (1<<take - 1)
		v = v<<take | b
		r.left -= take
		n -= take
		if r.left == 0 {
			r.pos++
			r.left = 8
		}
	}
	return v, true
}
