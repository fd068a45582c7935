package lz4h5

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	random := make([]byte, 3000)
	for i := range random {
		random[i] = byte(r.IntN(256))
	}
	for name, src := range map[string][]byte{"empty": {}, "one": {1}, "zeros": make([]byte, 10000), "random": random, "text": bytes.Repeat([]byte("lz4 blocks "), 500)} {
		for _, bs := range []int{0, 1, 100, 4096} {
			enc, err := Compress(src, bs)
			if err != nil {
				t.Fatalf("%s/%d: %v", name, bs, err)
			}
			dec, err := Decompress(enc, len(src))
			if err != nil || !bytes.Equal(dec, src) {
				t.Fatalf("%s/%d: round trip: %v", name, bs, err)
			}
		}
	}
}

// TestFraming checks the header and a stored (incompressible) block
// against the plugin's layout, byte for byte.
func TestFraming(t *testing.T) {
	src := []byte{9, 8, 7, 6, 5}
	enc, _ := Compress(src, 0)
	want := []byte{0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0, 5, 9, 8, 7, 6, 5}
	if !bytes.Equal(enc, want) {
		t.Fatalf("got % x, want % x", enc, want)
	}
	big := binary.BigEndian.AppendUint64(nil, 1<<40)
	big = append(big, 0, 0, 0, 1)
	if _, err := Decompress(big, 1<<20); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a chunk claiming 1 TiB: %v", err)
	}
	if _, err := Decompress(want[:18], 5); !errors.Is(err, ErrFormat) {
		t.Errorf("truncated: %v", err)
	}
}

func FuzzDecompress(f *testing.F) {
	for _, bs := range []int{0, 7} {
		enc, _ := Compress(bytes.Repeat([]byte("abcab"), 40), bs)
		f.Add(enc)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := Decompress(b, 1<<16)
		if err == nil && len(out) > 1<<16 {
			t.Fatalf("%d bytes out, bound 65536", len(out))
		}
	})
}
