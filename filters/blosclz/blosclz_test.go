package blosclz

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

func samples() map[string][]byte {
	r := rand.New(rand.NewPCG(3, 4))
	random := make([]byte, 5000)
	for i := range random {
		random[i] = byte(r.IntN(256))
	}
	far := make([]byte, 30000) // a 20000-byte period: far matches
	copy(far, random)
	copy(far[20000:], random)
	ramp := make([]byte, 40000)
	for i := range ramp {
		ramp[i] = byte(i / 7)
	}
	return map[string][]byte{
		"zeros": make([]byte, 70000), "random": random, "far": far, "ramp": ramp,
		"text": bytes.Repeat([]byte("blosc blocks of bytes, "), 300),
	}
}

func TestRoundTrip(t *testing.T) {
	for name, src := range samples() {
		enc := Compress(src)
		if name == "random" {
			if enc != nil {
				t.Errorf("random: compressed to %d bytes, want nil", len(enc))
			}
			continue
		}
		if enc == nil {
			t.Fatalf("%s: did not compress", name)
		}
		dec, err := Decompress(enc, len(src))
		if err != nil || !bytes.Equal(dec, src) {
			t.Fatalf("%s: round trip: %v", name, err)
		}
		if name == "far" && len(enc) > 5500 { // the random 5000 bytes, once
			t.Errorf("far: %d bytes, the second copy was not matched", len(enc))
		}
	}
}

// TestKnownStreams decodes streams built by hand from c-blosc's format.
func TestKnownStreams(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want string
	}{
		// first byte's top bits are ignored; literal "abc", match len 3 d 3, literal "x"
		{[]byte{0xe2, 'a', 'b', 'c', 1 << 5, 2, 0, 'x'}, "abcabcx"},
		// long match: l=7 then extra 1: length 10, distance 1
		{[]byte{0, 'z', 7 << 5, 1, 0, 0, 'y'}, "zzzzzzzzzzzy"},
	} {
		out, err := Decompress(tc.in, len(tc.want))
		if err != nil || string(out) != tc.want {
			t.Errorf("%v: got %q, %v; want %q", tc.in, out, err, tc.want)
		}
	}
	// A trailing match is not copied, as in c-blosc: "ab" only.
	if _, err := Decompress([]byte{1, 'a', 'b', 1 << 5, 1}, 5); !errors.Is(err, ErrFormat) {
		t.Errorf("trailing match: %v, want ErrFormat", err)
	}
}

func FuzzDecompress(f *testing.F) {
	for _, s := range samples() {
		if enc := Compress(s); enc != nil {
			f.Add(enc, len(s))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, n int) {
		if n < 0 || n > 1<<20 {
			return
		}
		out, err := Decompress(b, n)
		if err == nil && len(out) != n {
			t.Fatalf("%d bytes out, want %d", len(out), n)
		}
	})
}

// TestRandomThenRuns: a long incompressible stretch (the low bytes of
// shuffled floats) must not make the encoder skip the compressible data
// after it.
func TestRandomThenRuns(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	src := make([]byte, 1<<20)
	for i := 0; i < 512<<10; i++ {
		src[i] = byte(r.IntN(256))
	}
	for i := 512 << 10; i < len(src); i++ {
		src[i] = byte(i / 4096)
	}
	enc := Compress(src)
	if len(enc) == 0 || len(enc) > 540<<10 {
		t.Fatalf("%d bytes compress to %d, want under %d", len(src), len(enc), 540<<10)
	}
}
