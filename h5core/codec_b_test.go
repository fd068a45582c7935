package h5core

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// filtersBEntry is one dataset of testdata/filters/filters_b.json.
type filtersBEntry struct {
	Name   string   `json:"name"`
	Dtype  string   `json:"dtype"`
	Shape  []uint64 `json:"shape"`
	Values string   `json:"values"`
}

// TestFiltersBLibhdf5 reads every dataset of testdata/filters/filters_b.h5
// (scale-offset, N-bit, SZIP and Bitshuffle chunks written by libhdf5 and
// its plugins, testdata/gen/filters_b.py) and compares the values with
// h5py's.
func TestFiltersBLibhdf5(t *testing.T) {
	jb, err := os.ReadFile("../testdata/filters/filters_b.json")
	if err != nil {
		t.Fatal(err)
	}
	var want []filtersBEntry
	if err := json.Unmarshal(jb, &want); err != nil {
		t.Fatal(err)
	}
	f, r := openPath(t, "../testdata/filters/filters_b.h5")
	for _, e := range want {
		t.Run(e.Name, func(t *testing.T) {
			o, err := f.Root().Lookup(e.Name)
			if err != nil {
				t.Fatal(err)
			}
			d := o.(*Dataset)
			if got := numpyDtype(d.Type()); got != e.Dtype && d.Type().Class != ClassCompound {
				t.Errorf("dtype %s, want %s", got, e.Dtype)
			}
			got := littleEndian(d.Type(), datasetBytes(t, r, d))
			// N-bit types with a bit offset: the stored bits sit at the
			// offset; h5py converts them to plain values.
			if off := d.Type().BitOffset; off > 0 {
				es := int(d.Type().Size)
				for i := 0; i < len(got); i += es {
					var v uint64
					for k := es - 1; k >= 0; k-- {
						v = v<<8 | uint64(got[i+k])
					}
					v >>= off
					for k := 0; k < es; k++ {
						got[i+k] = byte(v >> (8 * k))
					}
				}
			}
			if g := hex.EncodeToString(got); g != e.Values {
				t.Fatalf("values differ from h5py's:\n got %.200s\nwant %.200s", g, e.Values)
			}
		})
	}
}

// TestCodecsBRoundTrip writes chunks through each codec's pipeline as a
// dataset created with it would, and reads them back.
func TestCodecsBRoundTrip(t *testing.T) {
	i32 := IntType(4, true, LittleEndian)
	f64 := FloatType(8, BigEndian)
	u16x12 := IntType(2, false, LittleEndian)
	u16x12.Precision = 12
	vals := make([]byte, 4*1000)
	for i := 0; i < 1000; i++ {
		v := int32(i*i%5000 - 2000)
		vals[4*i], vals[4*i+1], vals[4*i+2], vals[4*i+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	u12 := make([]byte, 2000)
	for i := 0; i < 1000; i++ {
		u12[2*i], u12[2*i+1] = byte(i*7), byte(i*7>>8)&0x0f
	}
	tests := []struct {
		name  string
		t     *Datatype
		fs    []Filter
		data  []byte
		exact bool
	}{
		{"scaleoffset int", i32, []Filter{ScaleOffset(false, 0, nil)}, vals, true},
		{"scaleoffset int fill", i32, []Filter{ScaleOffset(false, 0, []byte{9, 0, 0, 0})}, vals, true},
		{"scaleoffset float", f64, []Filter{ScaleOffset(true, 3, nil)}, make([]byte, 8000), true},
		{"nbit 12 bits", u16x12, []Filter{Nbit()}, u12, true},
		{"nbit full", i32, []Filter{Nbit()}, vals, true},
		{"bitshuffle lz4", i32, []Filter{Bitshuffle(0, BitshuffleLZ4, 0)}, vals, true},
		{"bitshuffle zstd", i32, []Filter{Bitshuffle(0, BitshuffleZstd, 3)}, vals, true},
		{"bitshuffle none + deflate", i32, []Filter{Bitshuffle(64, BitshuffleNone, 0), Deflate(4)}, vals, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkFilters(tc.fs); err != nil {
				t.Fatal(err)
			}
			fs := setLocal(tc.fs, tc.t, []uint64{uint64(len(tc.data)) / uint64(tc.t.Size)})
			enc, mask, err := EncodeChunk(fs, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			dec, err := DecodeChunk(fs, mask, enc, len(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(dec, tc.data) {
				t.Fatalf("round trip differs")
			}
			// Decoding into less room than the chunk is refused.
			if _, err := DecodeChunk(fs, mask, enc, len(tc.data)-1); err == nil && fs[0].ID != FilterNbit {
				t.Fatalf("decoded %d bytes into %d", len(tc.data), len(tc.data)-1)
			}
		})
	}
}

// TestSetLocalB: the client data are those libhdf5 and the plugins store.
func TestSetLocalB(t *testing.T) {
	u16x12 := IntType(2, false, BigEndian)
	u16x12.Precision, u16x12.BitOffset = 12, 2
	tests := []struct {
		name string
		f    Filter
		t    *Datatype
		want []uint32
	}{
		{"nbit", Nbit(), u16x12, []uint32{8, 0, 100, 1, 2, 1, 12, 2}},
		{"nbit full", Nbit(), IntType(4, true, LittleEndian), []uint32{8, 1, 100, 1, 4, 0, 32, 0}},
		{"scaleoffset int", ScaleOffset(false, 0, nil), IntType(2, true, LittleEndian),
			[]uint32{2, 0, 100, 0, 2, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"scaleoffset float fill", ScaleOffset(true, 4, []byte{0, 0, 0, 0, 0, 0, 0xf8, 0xbf}), FloatType(8, LittleEndian),
			[]uint32{0, 4, 100, 1, 8, 0, 0, 1, 0, 3220701184, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"bitshuffle lz4", Bitshuffle(0, BitshuffleLZ4, 0), IntType(4, true, LittleEndian), []uint32{0, 4, 4, 0, 2}},
		{"bitshuffle zstd", Bitshuffle(0, BitshuffleZstd, 5), FloatType(8, LittleEndian), []uint32{0, 4, 8, 0, 3, 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := setLocal([]Filter{tc.f}, tc.t, []uint64{10, 10})[0].ClientData
			if !slicesEqual(got, tc.want) {
				t.Fatalf("client data %v, want %v", got, tc.want)
			}
		})
	}
}

func slicesEqual(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSZIPWriteRefused(t *testing.T) {
	_, _, err := EncodeChunk([]Filter{{ID: FilterSZIP, ClientData: []uint32{169, 16, 32, 500}}}, make([]byte, 64))
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "SZIP") {
		t.Fatalf("SZIP encode: %v", err)
	}
}

// FuzzDecodeCodecsB runs hostile chunks through each of this branch's
// codecs as DecodeChunk does: errors matching ErrFormat, never a panic nor
// more than the chunk's bytes.
func FuzzDecodeCodecsB(f *testing.F) {
	f.Add(uint8(0), []byte{1, 2, 3, 4, 5})
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		fs := [][]Filter{
			setLocal([]Filter{Nbit()}, &Datatype{Class: ClassInteger, Size: 2, Precision: 12}, []uint64{64}),
			setLocal([]Filter{ScaleOffset(false, 0, nil)}, IntType(4, true, LittleEndian), []uint64{64}),
			setLocal([]Filter{ScaleOffset(true, 2, nil)}, FloatType(4, LittleEndian), []uint64{64}),
			setLocal([]Filter{Bitshuffle(0, BitshuffleLZ4, 0)}, IntType(4, true, LittleEndian), []uint64{64}),
			setLocal([]Filter{Bitshuffle(0, BitshuffleZstd, 3)}, IntType(8, true, LittleEndian), []uint64{32}),
			{{ID: FilterSZIP, ClientData: []uint32{169, 16, 32, 64}}},
		}
		p := fs[int(which)%len(fs)]
		out, err := DecodeChunk(p, 0, data, 256)
		if err != nil && !errors.Is(err, ErrFormat) {
			t.Fatalf("error %v does not match ErrFormat", err)
		}
		if err == nil && len(out) > 256 {
			t.Fatalf("decoded %d bytes into a 256-byte chunk", len(out))
		}
	})
}

// TestFiltersBReencode: every N-bit and scale-offset chunk libhdf5 wrote in
// testdata/filters/filters_b.h5, decoded with the pipeline the file
// stores and encoded again, gives libhdf5's bytes exactly (the compound
// N-bit dataset included, whose client data h5py cannot report whole).
func TestFiltersBReencode(t *testing.T) {
	jb, err := os.ReadFile("../testdata/filters/filters_b.json")
	if err != nil {
		t.Fatal(err)
	}
	var all []struct {
		Name   string `json:"name"`
		Chunks []struct {
			Mask uint32 `json:"mask"`
			Raw  string `json:"raw"`
		} `json:"chunk_bytes"`
	}
	if err := json.Unmarshal(jb, &all); err != nil {
		t.Fatal(err)
	}
	f, _ := openPath(t, "../testdata/filters/filters_b.h5")
	n := 0
	for _, e := range all {
		if !strings.HasPrefix(e.Name, "nbit_") && !strings.HasPrefix(e.Name, "so_") {
			continue
		}
		o, err := f.Root().Lookup(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		d := o.(*Dataset)
		size := int(d.Type().Size)
		for _, c := range d.ChunkShape() {
			size *= int(c)
		}
		for i, c := range e.Chunks {
			raw, _ := hex.DecodeString(c.Raw)
			dec, err := DecodeChunk(d.Filters(), c.Mask, raw, size)
			if err != nil {
				t.Fatalf("%s chunk %d: %v", e.Name, i, err)
			}
			enc, mask, err := EncodeChunk(d.Filters(), dec)
			if err != nil {
				t.Fatalf("%s chunk %d: %v", e.Name, i, err)
			}
			if mask != c.Mask || !bytes.Equal(enc, raw) {
				t.Fatalf("%s chunk %d: re-encoded %d bytes (mask %d), libhdf5 wrote %d (mask %d)", e.Name, i, len(enc), mask, len(raw), c.Mask)
			}
			n++
		}
	}
	if n < 40 {
		t.Fatalf("only %d chunks checked", n)
	}
}
