package blosc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

func floats(n int) []byte {
	b := make([]byte, 4*n)
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(math.Sin(float64(i)/100))))
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 100, 127, 128, 1000, 40000, 300001} {
		src := floats(n)[:4*n-min(n, 3)] // a length that is no multiple of the element size
		if n == 0 {
			src = nil
		}
		for _, codec := range []int{BloscLZ, LZ4, LZ4HC, Zlib, Zstd} {
			for shuffle := NoShuffle; shuffle <= BitShuffle; shuffle++ {
				for _, level := range []int{0, 1, 5, 9} {
					o := Options{TypeSize: 4, Level: level, Shuffle: shuffle, Codec: codec}
					enc, err := Compress(src, o)
					if err != nil {
						t.Fatalf("%d bytes %+v: %v", len(src), o, err)
					}
					dec, err := Decompress(enc, len(src))
					if err != nil || !bytes.Equal(dec, src) {
						t.Fatalf("%d bytes %+v: round trip: %v", len(src), o, err)
					}
					if _, err := Decompress(enc, len(src)-1); len(src) > 0 && !errors.Is(err, ErrTooLarge) {
						t.Fatalf("%d bytes %+v: decode into one byte less: %v", len(src), o, err)
					}
				}
			}
		}
	}
}

// TestBitShuffleLayout checks the bit transpose against its definition on
// 16 two-byte elements: row 8j+k holds bit k of byte j of each element.
func TestBitShuffleLayout(t *testing.T) {
	src := make([]byte, 32)
	for i := range src {
		src[i] = byte(i*37 + 11)
	}
	dst := make([]byte, 32)
	bitShuffle(2, src, dst)
	for j := 0; j < 2; j++ {
		for k := 0; k < 8; k++ {
			for i := 0; i < 16; i++ {
				want := src[2*i+j] >> k & 1
				got := dst[(8*j+k)*2+i/8] >> (i % 8) & 1
				if got != want {
					t.Fatalf("row %d element %d: bit %d, want %d", 8*j+k, i, got, want)
				}
			}
		}
	}
	back := make([]byte, 32)
	bitUnshuffle(2, dst, back)
	if !bytes.Equal(back, src) {
		t.Fatal("bit unshuffle does not invert bit shuffle")
	}
}

func TestBadChunks(t *testing.T) {
	good, _ := Compress(floats(1000), Options{TypeSize: 4, Level: 5, Shuffle: Shuffle, Codec: LZ4})
	for name, mut := range map[string]func(b []byte){
		"version 3":      func(b []byte) { b[0] = 3 },
		"cbytes too big": func(b []byte) { binary.LittleEndian.PutUint32(b[12:], uint32(len(b)+1)) },
		"block size 0":   func(b []byte) { binary.LittleEndian.PutUint32(b[8:], 0) },
		"offset wild":    func(b []byte) { binary.LittleEndian.PutUint32(b[16:], 1<<30) },
		"snappy":         func(b []byte) { b[2] = b[2]&0x1f | 2<<5 },
		"typesize 0":     func(b []byte) { b[3] = 0 },
	} {
		b := append([]byte(nil), good...)
		mut(b)
		if _, err := Decompress(b, 4000); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: %v, want ErrFormat", name, err)
		}
	}
}

func FuzzDecompress(f *testing.F) {
	for _, c := range []int{BloscLZ, LZ4, Zlib, Zstd} {
		for s := NoShuffle; s <= BitShuffle; s++ {
			enc, _ := Compress(floats(300), Options{TypeSize: 4, Level: 5, Shuffle: s, Codec: c})
			f.Add(enc)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := Decompress(b, 1<<16)
		if err == nil && len(out) > 1<<16 {
			t.Fatalf("%d bytes out, limit 65536", len(out))
		}
	})
}
