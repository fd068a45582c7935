package nbit

// bitWriter packs values most significant bit first, as H5Znbit.c fills
// each output byte from its top bit down.
type bitWriter struct {
	buf []byte
	acc uint64 // the low nb bits are pending
	nb  uint
}

// write appends the low n (<= 64) bits of v.
func (w *bitWriter) write(v uint64, n uint) {
	if n > 56 {
		w.write(v>>32, n-32)
		n, v = 32, v&0xffffffff
	}
	w.acc = w.acc<<n | v&(1<<n-1)
	w.nb += n
	for w.nb >= 8 {
		w.nb -= 8
		w.buf = append(w.buf, byte(w.acc>>w.nb))
	}
}

// finish returns the packed bytes. libhdf5 always counts the byte being
// filled, even when the values ended on a byte boundary, so its output is
// floor(bits/8)+1 bytes; we write the same.
func (w *bitWriter) finish() []byte {
	return append(w.buf, byte(w.acc<<(8-w.nb)))
}

// bitReader reads what bitWriter wrote.
type bitReader struct {
	src []byte
	pos int
	acc uint64 // the low nb bits are unread
	nb  uint
}

func newBitReader(src []byte) bitReader { return bitReader{src: src} }

// read returns the next n (<= 64) bits, or false past the end of src.
func (r *bitReader) read(n uint) (uint64, bool) {
	if n > 56 {
		hi, ok := r.read(n - 32)
		lo, ok2 := r.read(32)
		return hi<<32 | lo, ok && ok2
	}
	for r.nb < n {
		if r.pos >= len(r.src) {
			return 0, false
		}
		r.acc = r.acc<<8 | uint64(r.src[r.pos])
		r.pos++
		r.nb += 8
	}
	r.nb -= n
	return r.acc >> r.nb & (1<<n - 1), true
}
