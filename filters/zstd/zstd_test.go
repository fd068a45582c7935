package zstd

import (
	"bytes"
	"errors"
	"testing"

	kzstd "github.com/klauspost/compress/zstd"
)

func TestRoundTrip(t *testing.T) {
	for _, src := range [][]byte{{}, {1}, make([]byte, 100000), bytes.Repeat([]byte("zstd frames "), 1000)} {
		for _, level := range []int{0, 1, 3, 9, 22, 30} {
			enc, err := Compress(src, level)
			if err != nil {
				t.Fatal(err)
			}
			var h kzstd.Header
			if err := h.Decode(enc); err != nil || !h.HasFCS || h.FrameContentSize != uint64(len(src)) {
				t.Fatalf("level %d: frame header %+v, %v: want content size %d", level, h, err, len(src))
			}
			dec, err := Decompress(enc, len(src))
			if err != nil || !bytes.Equal(dec, src) {
				t.Fatalf("level %d, %d bytes: %v", level, len(src), err)
			}
			if len(src) > 0 {
				if _, err := Decompress(enc, len(src)-1); !errors.Is(err, ErrTooLarge) {
					t.Fatalf("level %d: decode into a byte less: %v", level, err)
				}
			}
		}
	}
}

// TestNoContentSize: a frame without a recorded size (a streaming writer)
// is read through the limit.
func TestNoContentSize(t *testing.T) {
	var buf bytes.Buffer
	w, _ := kzstd.NewWriter(&buf)
	w.Write(make([]byte, 5000))
	w.Close()
	if out, err := Decompress(buf.Bytes(), 5000); err != nil || len(out) != 5000 {
		t.Fatalf("%d bytes, %v", len(out), err)
	}
	if _, err := Decompress(buf.Bytes(), 4999); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("past the limit: %v", err)
	}
}

func FuzzDecompress(f *testing.F) {
	enc, _ := Compress(bytes.Repeat([]byte("fuzz"), 100), 3)
	f.Add(enc)
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := Decompress(b, 1<<16)
		if err == nil && len(out) > 1<<16 {
			t.Fatalf("%d bytes out, bound 65536", len(out))
		}
	})
}
