package h5core

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

func mustBlosc(cname string, level, shuffle int) Filter {
	f, err := Blosc(cname, level, shuffle)
	if err != nil {
		panic(err)
	}
	return f
}

// TestCodecRoundTrip runs compressible and random chunks through every
// registered plugin codec, alone and chained with shuffle and fletcher32,
// and checks the bound on decoded size.
func TestCodecRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(r.IntN(256))
	}
	ramp := make([]byte, 4096)
	for i := range ramp {
		ramp[i] = byte(i / 64)
	}
	for _, f := range []Filter{LZF(), LZ4(0), LZ4(100), Zstd(3), Bzip2(1), mustBlosc("blosclz", 5, 1), mustBlosc("lz4", 9, 2), mustBlosc("zstd", 1, 0)} {
		for _, fs := range [][]Filter{{f}, {Shuffle(4), f, Fletcher32()}} {
			fs = setLocal(fs, Float32LE, []uint64{1024})
			for name, data := range map[string][]byte{"random": random, "ramp": ramp} {
				enc, mask, err := EncodeChunk(fs, data)
				if err != nil {
					t.Fatalf("%s %s: %v", f.Name, name, err)
				}
				dec, err := DecodeChunk(fs, mask, enc, len(data))
				if err != nil || !bytes.Equal(dec, data) {
					t.Fatalf("%s %s: round trip: %v", f.Name, name, err)
				}
				if _, err := DecodeChunk(fs, mask, enc, len(data)-1); err == nil && mask == 0 {
					t.Errorf("%s %s: decoding into a byte less succeeded", f.Name, name)
				}
				if name == "ramp" && len(enc) > len(data)/2 {
					t.Errorf("%s: ramp of %d bytes compressed to %d", f.Name, len(data), len(enc))
				}
			}
		}
	}
}

// TestOptionalSkip: LZF cannot shrink random bytes; as an optional filter
// it is skipped, its bit set in the mask, as libhdf5 does. As a mandatory
// one the chunk cannot be written.
func TestOptionalSkip(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(r.IntN(256))
	}
	fs := []Filter{Shuffle(4), LZF(), Fletcher32()}
	enc, mask, err := EncodeChunk(fs, data)
	if err != nil || mask != 0b010 || len(enc) != len(data)+4 {
		t.Fatalf("mask %b, %d bytes, %v; want mask 010, %d bytes", mask, len(enc), err, len(data)+4)
	}
	if dec, err := DecodeChunk(fs, mask, enc, len(data)); err != nil || !bytes.Equal(dec, data) {
		t.Fatalf("decode skipped chunk: %v", err)
	}
	mandatory := LZF()
	mandatory.Flags = 0
	if _, _, err := EncodeChunk([]Filter{mandatory}, data); !errors.Is(err, ErrIncompressible) {
		t.Fatalf("mandatory LZF on random data: %v", err)
	}
}

func TestBloscOptions(t *testing.T) {
	for _, bad := range []struct {
		cname         string
		level, shuffl int
	}{{"snappy", 5, 1}, {"gzip", 5, 1}, {"lz4", 10, 1}, {"lz4", -1, 1}, {"lz4", 5, 3}} {
		if _, err := Blosc(bad.cname, bad.level, bad.shuffl); err == nil {
			t.Errorf("Blosc(%q, %d, %d) accepted", bad.cname, bad.level, bad.shuffl)
		}
	}
	fs := setLocal([]Filter{mustBlosc("zstd", 5, 2)}, Float64LE, []uint64{10, 3})
	want := []uint32{2, 2, 8, 240, 5, 2, 5}
	if got := fs[0].ClientData; len(got) != len(want) || got[2] != 8 || got[3] != 240 || got[6] != 5 {
		t.Errorf("blosc client data %v, want %v", got, want)
	}
}

// FuzzDecodePlugins runs hostile chunks through each plugin codec's
// decoder with a 64 KiB bound.
func FuzzDecodePlugins(f *testing.F) {
	data := bytes.Repeat([]byte("fuzz me with codecs "), 50)
	fs := []Filter{LZF(), LZ4(0), Zstd(3), Bzip2(9), mustBlosc("blosclz", 5, 1), mustBlosc("zlib", 5, 2)}
	for i, fl := range fs {
		enc, _, _ := EncodeChunk([]Filter{fl}, data)
		f.Add(uint8(i), enc)
	}
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		fl := fs[int(which)%len(fs)]
		out, err := DecodeChunk([]Filter{fl}, 0, b, 1<<16)
		if err == nil && len(out) > 1<<16 {
			t.Fatalf("%s: %d bytes out, bound 65536", fl.Name, len(out))
		}
	})
}
