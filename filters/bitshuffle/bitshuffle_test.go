package bitshuffle

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand"
	"testing"

	"github.com/gorun-hpc/gorun/filters/internal/vectors"
)

// TestTransBitElemVector: bitshuffle.bitshuffle(np.arange(16, dtype='u2'))
// from bitshuffle's own library gives these bytes.
func TestTransBitElemVector(t *testing.T) {
	in := make([]byte, 32)
	for i := 0; i < 16; i++ {
		binary.LittleEndian.PutUint16(in[2*i:], uint16(i))
	}
	want := []byte{170, 170, 204, 204, 240, 240, 0, 255}
	want = append(want, make([]byte, 24)...)
	got := make([]byte, 32)
	TransBitElem(got, in, 16, 2)
	if !bytes.Equal(got, want) {
		t.Fatalf("TransBitElem = %v, want %v", got, want)
	}
	back := make([]byte, 32)
	UntransBitElem(back, got, 16, 2)
	if !bytes.Equal(back, in) {
		t.Fatalf("UntransBitElem = %v, want %v", back, in)
	}
}

// TestLibhdf5Chunks decodes the chunks of testdata/filters/filters_b.h5:
// LZ4 ones written by the bitshuffle plugin, Zstandard ones by bitshuffle's
// transpose and libzstd. Our LZ4 encoder is not liblz4, so for the
// re-encoding only the round trip is checked, and the header and block
// sizes against the plugin's.
func TestLibhdf5Chunks(t *testing.T) {
	for _, d := range vectors.Load(t, "bshuf_") {
		t.Run(d.Name, func(t *testing.T) {
			cd := d.Filters[0].CD
			es := d.ItemSize()
			rows := uint64(1)
			for _, c := range d.Chunks[1:] {
				rows *= c
			}
			vals := d.Values()
			for _, c := range d.Stored {
				raw := c.Raw()
				chunkBytes := int(rows) * es
				for _, n := range d.Chunks[:1] {
					chunkBytes *= int(n)
				}
				got, err := Decode(cd, raw, chunkBytes)
				if err != nil {
					t.Fatalf("chunk %v: %v", c.Offset, err)
				}
				// Chunks span whole rows here: the chunk's values are a
				// contiguous run of the dataset's, zero past its end.
				start := int(c.Offset[0]*rows) * es
				want := make([]byte, chunkBytes)
				copy(want, vals[start:])
				if !bytes.Equal(got, want) {
					t.Fatalf("chunk %v: decoded values differ from h5py's", c.Offset)
				}
				enc, err := Encode(cd, got)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(enc[:12], raw[:12]) {
					t.Fatalf("chunk %v: header % x, plugin wrote % x", c.Offset, enc[:12], raw[:12])
				}
				back, err := Decode(cd, enc, chunkBytes)
				if err != nil || !bytes.Equal(back, got) {
					t.Fatalf("chunk %v: round trip: %v", c.Offset, err)
				}
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, es := range []int{1, 2, 4, 8, 3, 16} {
		for _, n := range []int{0, 1, 7, 8, 9, 127, 1000, 4099} {
			for _, comp := range []int{None, LZ4, Zstd} {
				for _, block := range []uint32{0, 8, 64} {
					src := make([]byte, n*es)
					for i := range src {
						src[i] = byte(rng.Intn(4))
					}
					cd := ClientData(uint32(es), block, comp, 3)
					enc, err := Encode(cd, src)
					if err != nil {
						t.Fatal(err)
					}
					dec, err := Decode(cd, enc, len(src))
					if err != nil || !bytes.Equal(dec, src) {
						t.Fatalf("es %d n %d comp %d block %d: %v", es, n, comp, block, err)
					}
				}
			}
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	hdr := func(total uint64, block uint32, rest ...byte) []byte {
		b := binary.BigEndian.AppendUint64(nil, total)
		b = binary.BigEndian.AppendUint32(b, block)
		return append(b, rest...)
	}
	lz := ClientData(4, 0, LZ4, 0)
	tests := []struct {
		name string
		cd   []uint32
		src  []byte
		max  int
		want error
	}{
		{"claims more than max", lz, hdr(1<<40, 32), 1 << 20, ErrTooLarge},
		{"claims more than input holds", lz, hdr(1<<20, 32), 1 << 20, ErrData},
		{"short header", lz, []byte{1, 2, 3}, 100, ErrData},
		{"block size not whole elements", lz, hdr(64, 30), 100, ErrData},
		{"block size zero", lz, hdr(64, 0), 100, ErrData},
		{"block past input", lz, hdr(64, 64, 0, 0, 1, 0), 100, ErrData},
		{"bad lz4", lz, hdr(64, 64, 0, 0, 0, 2, 0xff, 0xff), 100, ErrData},
		{"bad zstd", ClientData(4, 0, Zstd, 3), hdr(64, 64, 0, 0, 0, 2, 0xff, 0xff), 100, ErrData},
		{"plain past max", ClientData(4, 0, None, 0), make([]byte, 200), 100, ErrTooLarge},
		{"unknown compression", []uint32{0, 4, 4, 0, 7}, hdr(8, 8), 100, ErrParams},
		{"block not multiple of 8", []uint32{0, 4, 4, 12, 2}, hdr(8, 8), 100, ErrParams},
		{"element size 0", []uint32{0, 4, 0}, nil, 100, ErrParams},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(tc.cd, tc.src, tc.max); !errors.Is(err, tc.want) {
				t.Fatalf("Decode error %v, want %v", err, tc.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, comp := range []int{None, LZ4, Zstd} {
		src := make([]byte, 400)
		for i := range src {
			src[i] = byte(i / 7)
		}
		enc, _ := Encode(ClientData(4, 0, comp, 3), src)
		f.Add(uint8(comp), uint8(4), enc)
	}
	f.Fuzz(func(t *testing.T, comp, es uint8, src []byte) {
		c := []int{None, LZ4, Zstd}[int(comp)%3]
		cd := ClientData(uint32(es%16)+1, 0, c, 3)
		const max = 1 << 16
		out, err := Decode(cd, src, max)
		if err == nil && len(out) > max {
			t.Fatalf("decoded %d bytes past max", len(out))
		}
	})
}

func BenchmarkEncodeLZ4(b *testing.B) {
	src := make([]byte, 1<<20)
	for i := range src {
		src[i] = byte(i / 1000)
	}
	cd := ClientData(4, 0, LZ4, 0)
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		Encode(cd, src)
	}
}

func BenchmarkDecodeLZ4(b *testing.B) {
	src := make([]byte, 1<<20)
	for i := range src {
		src[i] = byte(i / 1000)
	}
	cd := ClientData(4, 0, LZ4, 0)
	enc, _ := Encode(cd, src)
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		Decode(cd, enc, len(src))
	}
}
