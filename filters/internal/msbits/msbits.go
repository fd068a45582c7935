// Package msbits packs and unpacks bit fields most significant bit first,
// as libhdf5's N-bit (H5Znbit.c) and scale-offset (H5Zscaleoffset.c)
// filters fill each output byte from its top bit down. Both filters share
// it.
package msbits

// Writer packs values most significant bit first.
type Writer struct {
	Buf []byte // packed so far (callers may preset capacity)
	acc uint64 // the low nb bits are pending
	nb  uint
}

// Write appends the low n (<= 64) bits of v.
func (w *Writer) Write(v uint64, n uint) {
	if n > 56 {
		w.Write(v>>32, n-32)
		n, v = 32, v&0xffffffff
	}
	w.acc = w.acc<<n | v&(1<<n-1)
	w.nb += n
	for w.nb >= 8 {
		w.nb -= 8
		w.Buf = append(w.Buf, byte(w.acc>>w.nb))
	}
}

// Finish returns the packed bytes. libhdf5 always counts the byte being
// filled, even when the values ended on a byte boundary, so its output is
// floor(bits/8)+1 bytes; we write the same.
func (w *Writer) Finish() []byte {
	return append(w.Buf, byte(w.acc<<(8-w.nb)))
}

// Reader reads what Writer wrote.
type Reader struct {
	src []byte
	pos int
	acc uint64 // the low nb bits are unread
	nb  uint
}

// NewReader reads src from its first bit.
func NewReader(src []byte) Reader { return Reader{src: src} }

// Read returns the next n (<= 64) bits, or false past the end of src.
func (r *Reader) Read(n uint) (uint64, bool) {
	if n > 56 {
		hi, ok := r.Read(n - 32)
		lo, ok2 := r.Read(32)
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
