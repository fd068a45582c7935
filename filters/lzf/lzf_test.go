package lzf

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

func samples() map[string][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 5000)
	for i := range random {
		random[i] = byte(r.IntN(256))
	}
	text := bytes.Repeat([]byte("the quick brown fox jumps over the lazy dog. "), 200)
	ramp := make([]byte, 40000)
	for i := range ramp {
		ramp[i] = byte(i / 7)
	}
	return map[string][]byte{
		"empty": {}, "one": {7}, "two": {7, 8}, "three": {1, 1, 1},
		"zeros": make([]byte, 70000), "random": random, "text": text, "ramp": ramp,
	}
}

func TestRoundTrip(t *testing.T) {
	for name, src := range samples() {
		enc, err := Compress(src, len(src)+len(src)/32+8)
		if err != nil {
			t.Fatalf("%s: compress: %v", name, err)
		}
		dec, err := Decompress(enc, len(src))
		if err != nil || !bytes.Equal(dec, src) {
			t.Fatalf("%s: round trip: %v (%d of %d bytes)", name, err, len(dec), len(src))
		}
		if name == "zeros" && len(enc) > len(src)/50 {
			t.Errorf("zeros: %d bytes compress to %d", len(src), len(enc))
		}
	}
}

// TestKnownStream decodes a stream written by hand from the format:
// literal "abc", then a back reference of length 6 at distance 3.
func TestKnownStream(t *testing.T) {
	in := []byte{2, 'a', 'b', 'c', 4 << 5, 2}
	out, err := Decompress(in, 100)
	if err != nil || string(out) != "abcabcabc" {
		t.Fatalf("got %q, %v", out, err)
	}
}

func TestLimits(t *testing.T) {
	src := make([]byte, 1000)
	enc, _ := Compress(src, 1000)
	if _, err := Decompress(enc, 999); !errors.Is(err, ErrTooLarge) {
		t.Errorf("decode 1000 bytes into 999: %v", err)
	}
	random := samples()["random"]
	if _, err := Compress(random, len(random)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("compress random data into its own size: %v", err)
	}
	for _, bad := range [][]byte{{5, 1}, {1 << 5}, {7 << 5, 1}, {1 << 5, 0}, {0, 1, 1 << 5, 5}} {
		if _, err := Decompress(bad, 100); !errors.Is(err, ErrFormat) {
			t.Errorf("decode %v: %v, want ErrFormat", bad, err)
		}
	}
}

func FuzzDecompress(f *testing.F) {
	for _, s := range samples() {
		enc, err := Compress(s, 2*len(s)+8)
		if err == nil {
			f.Add(enc)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := Decompress(b, 1<<16)
		if err == nil {
			if len(out) > 1<<16 {
				t.Fatalf("%d bytes out, limit 65536", len(out))
			}
			re, err := Compress(out, 2*len(out)+8)
			if err != nil {
				t.Fatal(err)
			}
			if back, err := Decompress(re, len(out)); err != nil || !bytes.Equal(back, out) {
				t.Fatalf("re-encode round trip: %v", err)
			}
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
	enc, _ := Compress(src, len(src))
	if len(enc) == 0 || len(enc) > 540<<10 {
		t.Fatalf("%d bytes compress to %d, want under %d", len(src), len(enc), 540<<10)
	}
}
