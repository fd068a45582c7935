package h5core

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"testing"
	"time"
)

// TestRegionRoundTrip: every kind of region survives EncodeRegion and
// DecodeRegion, and the bytes of a block selection are libhdf5's (taken
// from a global heap object h5py 3.7 / libhdf5 1.10 wrote for
// d.regionref[2:5, 1:7:2] of a dataset at address 800).
func TestRegionRoundTrip(t *testing.T) {
	blocks := Region{Dataset: 800, Kind: SelBlocks, Rank: 2, Blocks: [][2][]uint64{
		{{2, 1}, {4, 1}}, {{2, 3}, {4, 3}}, {{2, 5}, {4, 5}},
	}}
	libhdf5 := "2003000000000000" + "02000000" + "01000000" + "00000000" + "38000000" + "02000000" + "03000000" +
		"02000000010000000400000001000000" + "02000000030000000400000003000000" + "02000000050000000400000005000000"
	b, err := EncodeRegion(blocks)
	if err != nil || hex.EncodeToString(b) != libhdf5 {
		t.Fatalf("EncodeRegion = %x, %v\nwant %s", b, err, libhdf5)
	}
	for _, r := range []Region{
		blocks,
		{Dataset: 96, Kind: SelAll},
		{Dataset: 96, Kind: SelNone},
		{Dataset: 1 << 40, Kind: SelPoints, Rank: 3, Points: [][]uint64{{1, 2, 3}, {0, 0, 0}}},
	} {
		b, err := EncodeRegion(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeRegion(b)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(r) {
			t.Errorf("round trip of %v: %v, %v", r, got, err)
		}
	}
}

// TestDecodeRegionVersions reads the selection versions libhdf5 1.12+
// writes (points 2, hyperslabs 2 and 3, regular and not).
func TestDecodeRegionVersions(t *testing.T) {
	addr := "0001000000000000"
	cases := []struct {
		name, hex string
		want      string
	}{
		{"points v2", addr + "01000000" + "02000000" + "04" + "02000000" + "02000000" + "0100000002000000" + "0300000004000000",
			"[[1 2] [3 4]]"},
		{"hyper v2 regular", addr + "02000000" + "02000000" + "01" + "00000000" + "01000000" +
			"0100000000000000" + "0300000000000000" + "0200000000000000" + "0200000000000000", "[[1] [2] [4] [5]]"},
		{"hyper v3 irregular", addr + "02000000" + "03000000" + "00" + "02" + "01000000" + "0100" + "0500" + "0700", "[[[5] [7]]]"},
		{"hyper v3 regular", addr + "02000000" + "03000000" + "01" + "02" + "01000000" + "0000" + "0a00" + "0200" + "0100", "[[0] [10]]"},
	}
	for _, c := range cases {
		b, _ := hex.DecodeString(c.hex)
		r, err := DecodeRegion(b)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got := fmt.Sprint(r.Points)
		if r.Kind == SelBlocks && r.Regular == nil {
			got = fmt.Sprint(r.Blocks)
		}
		if r.Regular != nil {
			els, err := r.SortedElements(nil, 100)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			got = fmt.Sprint(els)
		}
		if got != c.want || r.Dataset != 256 {
			t.Errorf("%s: %s at %d, want %s", c.name, got, r.Dataset, c.want)
		}
	}
}

// TestDecodeRegionBad: hostile selections are format errors, before any
// allocation of the size they claim.
func TestDecodeRegionBad(t *testing.T) {
	addr := "0001000000000000"
	for name, h := range map[string]string{
		"empty":           "",
		"kind 9":          addr + "09000000" + "01000000",
		"points v7":       addr + "01000000" + "07000000",
		"rank 0":          addr + "02000000" + "01000000" + "00000000" + "00000000" + "00000000" + "00000000",
		"huge count":      addr + "02000000" + "01000000" + "00000000" + "00000000" + "01000000" + "ffffffff",
		"overflowing":     addr + "02000000" + "03000000" + "01" + "08" + "01000000" + "0000000000000000" + "0200000000000000" + "ffffffffffffffff" + "0100000000000000",
		"stride 0":        addr + "02000000" + "03000000" + "01" + "08" + "01000000" + "0000000000000000" + "0000000000000000" + "0200000000000000" + "0100000000000000",
		"end before":      addr + "02000000" + "01000000" + "00000000" + "00000000" + "01000000" + "01000000" + "05000000" + "04000000",
		"coord size 3":    addr + "01000000" + "02000000" + "03",
		"truncated point": addr + "01000000" + "01000000" + "00000000" + "00000000" + "02000000" + "01000000" + "01000000",
	} {
		b, _ := hex.DecodeString(h)
		if _, err := DecodeRegion(b); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: %v, want ErrFormat", name, err)
		}
	}
}

// TestSortedElements lists a region's elements as libhdf5 iterates them.
func TestSortedElements(t *testing.T) {
	r := Region{Kind: SelBlocks, Rank: 2, Blocks: [][2][]uint64{{{2, 1}, {3, 1}}, {{2, 3}, {2, 3}}, {{2, 1}, {2, 1}}}}
	got, err := r.SortedElements([]uint64{5, 5}, 25)
	if err != nil || fmt.Sprint(got) != "[[2 1] [2 3] [3 1]]" {
		t.Errorf("%v %v", got, err)
	}
	if _, err := (Region{Kind: SelAll}).SortedElements([]uint64{10, 10}, 5); err == nil {
		t.Error("no error past the limit")
	}
	// A regular hyperslab of 2^64-1 blocks stays compact, and listing
	// its elements stops at the limit.
	huge := Region{Kind: SelBlocks, Rank: 1, Regular: &Hyperslab{Start: []uint64{0}, Stride: []uint64{1}, Count: []uint64{1<<64 - 2}, Block: []uint64{1}}}
	b, err := EncodeRegion(huge)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeRegion(b)
	if err != nil || fmt.Sprint(*back.Regular) != fmt.Sprint(*huge.Regular) {
		t.Fatalf("regular round trip: %v %v", back, err)
	}
	if _, err := back.SortedElements([]uint64{10}, 1000); err == nil {
		t.Error("no error past the limit")
	}
	// Overlapping blocks (stride < block) list each element once.
	ov := Region{Kind: SelBlocks, Rank: 1, Regular: &Hyperslab{Start: []uint64{1}, Stride: []uint64{1}, Count: []uint64{3}, Block: []uint64{2}}}
	if got, err := ov.SortedElements(nil, 100); err != nil || fmt.Sprint(got) != "[[1] [2] [3] [4]]" {
		t.Errorf("overlapping: %v %v", got, err)
	}
}

func FuzzDecodeRegion(f *testing.F) {
	for _, r := range []Region{
		{Dataset: 800, Kind: SelBlocks, Rank: 2, Blocks: [][2][]uint64{{{2, 1}, {4, 1}}}},
		{Kind: SelAll}, {Kind: SelPoints, Rank: 1, Points: [][]uint64{{3}}},
	} {
		b, _ := EncodeRegion(r)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeRegion(b)
		if err != nil {
			return
		}
		if r.Kind == SelBlocks || r.Kind == SelPoints {
			if _, err := r.SortedElements([]uint64{8, 8, 8}, 1<<12); err != nil {
				return
			}
		}
		// What decodes re-encodes (as version 1) and decodes the same,
		// unless coordinates exceed version 1's 32 bits.
		enc, err := EncodeRegion(r)
		if err != nil {
			return
		}
		again, err := DecodeRegion(enc)
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("re-decode: %v %v, want %v", again, err, r)
		}
	})
}

// resolveRefs follows every reference a value of type t at b holds:
// object references to objects, region references to regions and their
// elements, sequences of references (DIMENSION_LIST) element by element,
// compound members (REFERENCE_LIST).
func resolveRefs(f *File, t *Datatype, b []byte, depth int) {
	if t == nil || depth > 8 || uint64(len(b)) < uint64(t.Size) {
		return
	}
	switch t.Class {
	case ClassReference:
		if t.RefType == RefObject && len(b) >= ObjectRefSize {
			f.ObjectAt(binary.LittleEndian.Uint64(b))
		} else if r, err := DecodeRegionRef(b); err == nil {
			if reg, err := f.GetRegion(r); err == nil {
				f.ObjectAt(reg.Dataset)
				reg.SortedElements([]uint64{4, 4}, 1<<12)
			}
		}
	case ClassVlen:
		if t.VlenString {
			return
		}
		v, err := DecodeVlenRef(b)
		if err != nil {
			return
		}
		data, err := f.GetVlen(v)
		if err != nil {
			return
		}
		for i := 0; i < int(min(v.Len, 64)) && (i+1)*int(t.Base.Size) <= len(data); i++ {
			resolveRefs(f, t.Base, data[i*int(t.Base.Size):], depth+1)
		}
	case ClassCompound:
		for _, m := range t.Members {
			if uint64(m.Offset) < uint64(len(b)) {
				resolveRefs(f, m.Type, b[m.Offset:], depth+1)
			}
		}
	}
}

// FuzzReferences opens damaged files holding object and region references
// and dimension scales, and follows every reference in their attributes
// and reference datasets: nothing may panic, hang or allocate without
// bound.
func FuzzReferences(f *testing.F) {
	for _, pat := range []string{"../testdata/libhdf5/refs/*.h5", "../testdata/libhdf5/dimscales/*.h5"} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tm := time.AfterFunc(20*time.Second, func() { debug.SetTraceback("all"); panic("slow input") })
		defer tm.Stop()
		file, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		file.Root().Visit(func(_ string, o Object) error {
			for _, a := range o.Attrs() {
				for i := 0; a.Type.Size > 0 && i < 64 && (i+1)*int(a.Type.Size) <= len(a.Data); i++ {
					resolveRefs(file, a.Type, a.Data[i*int(a.Type.Size):], 0)
				}
			}
			d, ok := o.(*Dataset)
			if !ok || d.Type().Class != ClassReference || d.Type().Size == 0 {
				return nil
			}
			addr, size := d.DataAddr()
			if addr == UndefinedAddr || size > 1<<16 || addr+size > uint64(len(data)) {
				return nil
			}
			raw := data[addr : addr+size]
			for i := 0; (i+1)*int(d.Type().Size) <= len(raw); i++ {
				resolveRefs(file, d.Type(), raw[i*int(d.Type().Size):], 0)
			}
			return nil
		})
	})
}
