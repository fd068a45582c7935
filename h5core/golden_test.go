package h5core

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func padded(b []byte) []byte {
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

// TestGoldenLibhdf5Messages encodes the messages libhdf5 wrote for h5py
// and requires the same bytes.
func TestGoldenLibhdf5Messages(t *testing.T) {
	fh, err := os.Open("../testdata/golden/libhdf5_messages.hex")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	want := map[string][]byte{}
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		fs := strings.Fields(line)
		b, err := hex.DecodeString(fs[1])
		if err != nil {
			t.Fatalf("%s: %v", fs[0], err)
		}
		want[fs[0]] = b
	}
	enc := func(t *Datatype) []byte {
		b, err := t.encode()
		if err != nil {
			panic(err)
		}
		return b
	}
	ref := make([]byte, 16)
	VlenRef{Len: 5, Addr: 0x1010, Index: 1}.Encode(ref)
	attr, _ := (&Attribute{Name: "s", Type: VlenString(UTF8), Data: ref}).encode()
	got := map[string][]byte{
		"dtype_i32le":          enc(Int32LE),
		"dtype_i16le":          enc(Int16LE),
		"dtype_f64le":          enc(Float64LE),
		"dtype_bool":           enc(Bool()),
		"dtype_fixed3":         enc(FixedString(3, ASCII, PadNull)),
		"dtype_vlenstr_utf8":   enc(VlenString(UTF8)),
		"dtype_compound_v1":    enc(Compound(12, Member{"a", 0, Int32LE}, Member{"b", 4, Float64LE})),
		"dtype_compound_array": enc(Compound(12, Member{"a", 0, ArrayOf(Int32LE, 3)})),
		"dtype_nested_compound": enc(Compound(16, Member{"id", 0, Int32LE},
			Member{"pt", 4, Compound(6, Member{"x", 0, Int16LE}, Member{"y", 2, Float32LE})},
			Member{"arr", 10, ArrayOf(Uint8LE, 2, 3)})),
		"space_1d_2":        encodeDataspace([]uint64{2}, []uint64{2}),
		"space_scalar":      encodeDataspace(nil, nil),
		"space_unlimited_2": encodeDataspace([]uint64{2}, []uint64{Unlimited}),
		"space_2d_3x4":      encodeDataspace([]uint64{3, 4}, nil),
		"fill_contiguous":   FillValue{AllocTime: AllocLate, FillTime: FillTimeIfSet}.encode(),
		"fill_chunked":      FillValue{AllocTime: AllocIncremental, FillTime: FillTimeAlloc}.encode(),
		"fill_i16_7":        FillValue{AllocTime: AllocLate, FillTime: FillTimeIfSet, Value: []byte{7, 0}}.encode(),
		"fillold_i16_7":     FillValue{Value: []byte{7, 0}}.encodeOld(),
		"pipeline_h5py_all": encodePipeline(H5pyFilters(8, true, 4, true)),
		"attr_vlenstr_s":    attr,
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("%s: no encoder in the test", name)
			continue
		}
		if !bytes.Equal(padded(g), w) {
			t.Errorf("%s:\n got %x\nwant %x", name, padded(g), w)
		}
	}
}

// TestGoldenSeedFile pins the bytes of the seed file: a change in any
// encoder or in the allocator shows up here (go test -update to accept).
func TestGoldenSeedFile(t *testing.T) {
	m := &memFile{}
	f := NewFile()
	d, err := f.Root().CreateDataset("test", DatasetSpec{Type: Int32LE, Shape: []uint64{4}})
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := d.DataAddr()
	m.WriteAt(int32s(0, 1, 2, 3), int64(addr))
	if err := f.Flush(m); err != nil {
		t.Fatal(err)
	}
	const path = "../testdata/golden/seed.bin"
	if *update {
		if err := os.WriteFile(path, m.b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.b, want) {
		t.Errorf("seed file bytes changed (%d bytes, golden %d); run go test -update if intended", len(m.b), len(want))
	}
	if uint64(len(m.b)) != f.EOF() {
		t.Errorf("file is %d bytes, EOF %d", len(m.b), f.EOF())
	}
}
