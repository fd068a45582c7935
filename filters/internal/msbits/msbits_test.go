package msbits

import (
	"bytes"
	"testing"
)

// TestRoundTrip writes fields of every width, including ones wider than
// 56 bits, checks the packed bytes of a known case, and reads them back.
func TestRoundTrip(t *testing.T) {
	var w Writer
	w.Write(0b101, 3)
	w.Write(0b11, 2)
	if got := w.Finish(); !bytes.Equal(got, []byte{0b10111000}) {
		t.Fatalf("3+2 bits packed as %08b, want 10111000", got)
	}
	w = Writer{}
	var want []uint64
	for n := uint(1); n <= 64; n++ {
		v := uint64(0x9e3779b97f4a7c15) >> (64 - n)
		want = append(want, v)
		w.Write(v, n)
	}
	r := NewReader(w.Finish())
	for i, n := 0, uint(1); n <= 64; i, n = i+1, n+1 {
		got, ok := r.Read(n)
		if !ok || got != want[i] {
			t.Fatalf("field of %d bits: %#x, %v; want %#x", n, got, ok, want[i])
		}
	}
	short := NewReader([]byte{1})
	if _, ok := short.Read(9); ok {
		t.Fatal("reading 9 bits of a 1-byte input succeeded")
	}
}
