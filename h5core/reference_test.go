package h5core

import (
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
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
			"0100000000000000" + "0300000000000000" + "0200000000000000" + "0200000000000000", "[[[1] [2]] [[4] [5]]]"},
		{"hyper v3 irregular", addr + "02000000" + "03000000" + "00" + "02" + "01000000" + "0100" + "0500" + "0700", "[[[5] [7]]]"},
		{"hyper v3 regular", addr + "02000000" + "03000000" + "01" + "02" + "01000000" + "0000" + "0a00" + "0200" + "0100", "[[[0] [0]] [[10] [10]]]"},
	}
	for _, c := range cases {
		b, _ := hex.DecodeString(c.hex)
		r, err := DecodeRegion(b)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got := fmt.Sprint(r.Points)
		if r.Kind == SelBlocks {
			got = fmt.Sprint(r.Blocks)
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
		"huge regular":    addr + "02000000" + "03000000" + "01" + "08" + "01000000" + "0000000000000000" + "0100000000000000" + "ffffffffffffffff" + "0100000000000000",
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
		if err != nil || fmt.Sprint(again) != fmt.Sprint(r) {
			t.Fatalf("re-decode: %v %v, want %v", again, err, r)
		}
	})
}
