package h5core

import (
	"bytes"
	"errors"
	"testing"
)

// TestDecodeChunkInto checks that decoding into the caller's buffer gives
// DecodeChunk's bytes for pipelines with and without DecodeInto stages,
// masked stages, and refuses chunks of the wrong decoded size.
func TestDecodeChunkInto(t *testing.T) {
	data := make([]byte, 64<<10)
	for i := range data {
		data[i] = byte(i * 7 / 5)
	}
	cases := []struct {
		name string
		fs   []Filter
	}{
		{"deflate", []Filter{Deflate(4)}},
		{"shuffle+deflate", []Filter{Shuffle(8), Deflate(4)}},
		{"shuffle+deflate+fletcher32", []Filter{Shuffle(8), Deflate(4), Fletcher32()}},
		{"fletcher32 only", []Filter{Fletcher32()}},
		{"shuffle only", []Filter{Shuffle(4)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			enc, mask, err := EncodeChunk(c.fs, data)
			if err != nil {
				t.Fatal(err)
			}
			want, err := DecodeChunk(c.fs, mask, enc, len(data))
			if err != nil {
				t.Fatal(err)
			}
			encCopy := append([]byte(nil), enc...)
			dst := make([]byte, len(data))
			if err := DecodeChunkInto(c.fs, mask, enc, dst); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(dst, want) || !bytes.Equal(dst, data) {
				t.Fatal("DecodeChunkInto differs from DecodeChunk")
			}
			if !bytes.Equal(enc, encCopy) {
				t.Fatal("DecodeChunkInto modified its input")
			}
			for _, n := range []int{len(data) - 8, len(data) + 8} {
				if err := DecodeChunkInto(c.fs, mask, enc, make([]byte, n)); !errors.Is(err, ErrFormat) {
					t.Errorf("into %d bytes for a chunk of %d: %v, want ErrFormat", n, len(data), err)
				}
			}
		})
	}
	// Every filter masked: the stored bytes are the chunk.
	fs := []Filter{Deflate(4)}
	dst := make([]byte, 100)
	if err := DecodeChunkInto(fs, 1, data[:100], dst); err != nil || !bytes.Equal(dst, data[:100]) {
		t.Fatalf("masked: %v", err)
	}
}

// FuzzDecodeChunkInto feeds arbitrary stored bytes through a
// shuffle+deflate+fletcher32 pipeline: never a panic, and whenever
// DecodeChunk succeeds, DecodeChunkInto gives the same bytes.
func FuzzDecodeChunkInto(f *testing.F) {
	fs := []Filter{Shuffle(4), Deflate(4), Fletcher32()}
	enc, _, _ := EncodeChunk(fs, bytes.Repeat([]byte{1, 2, 3, 4}, 256))
	f.Add(enc, uint32(0), uint16(1024))
	f.Add([]byte{0x78, 0x9c, 1, 2, 3}, uint32(4), uint16(16))
	f.Fuzz(func(t *testing.T, data []byte, mask uint32, n uint16) {
		dst := make([]byte, n)
		err := DecodeChunkInto(fs, mask, data, dst)
		want, err2 := DecodeChunk(fs, mask, data, int(n))
		if err2 == nil && len(want) == int(n) {
			if err != nil || !bytes.Equal(dst, want) {
				t.Fatalf("DecodeChunk gives %d bytes, DecodeChunkInto %v", len(want), err)
			}
		}
	})
}
