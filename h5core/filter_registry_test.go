package h5core

import (
	"errors"
	"strings"
	"testing"
)

func TestUnknownFilterError(t *testing.T) {
	for _, tc := range []struct {
		f    Filter
		want []string
	}{
		{Filter{ID: 32013, Name: "H5Z-ZFP-1.0.1"}, []string{"filter 32013", "zfp", "H5Z-ZFP"}},
		{Filter{ID: 32026}, []string{"filter 32026", "blosc2", "hdf5plugin"}},
		{Filter{ID: 40000, Name: "mine"}, []string{"filter 40000", `"mine"`, "not a registered filter"}},
		{Filter{ID: 40001}, []string{"filter 40001", "not a registered filter"}},
	} {
		for _, err := range []error{
			checkFilters([]Filter{Deflate(4), tc.f}),
			func() error { _, _, err := EncodeChunk([]Filter{tc.f}, []byte{1}); return err }(),
			func() error { _, err := DecodeChunk([]Filter{tc.f}, 0, []byte{1}, 1); return err }(),
		} {
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("filter %d: %v, want ErrUnsupported", tc.f.ID, err)
			}
			var ue *UnknownFilterError
			if !errors.As(err, &ue) || ue.ID != tc.f.ID {
				t.Fatalf("filter %d: %v is not an *UnknownFilterError for it", tc.f.ID, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("filter %d: %q lacks %q", tc.f.ID, err, w)
				}
			}
		}
	}
}

// TestCreateDatasetUnknownFilter: an unknown filter is refused when the
// dataset is created, not when its first chunk is written.
func TestCreateDatasetUnknownFilter(t *testing.T) {
	f := NewFile()
	_, err := f.Root().CreateDataset("x", DatasetSpec{Type: Int32LE, Shape: []uint64{8}, Chunk: []uint64{4}, Filters: []Filter{{ID: 32017}}})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "sz") {
		t.Fatalf("create with filter 32017: %v", err)
	}
}

// TestRegistryTable: ids are unique, every codec has both directions, and
// every codec's id is among the known filters (so errors name it).
func TestRegistryTable(t *testing.T) {
	seen := map[uint16]bool{}
	for _, c := range codecs {
		if seen[c.ID] {
			t.Errorf("filter %d registered twice", c.ID)
		}
		seen[c.ID] = true
		if c.Encode == nil || c.Decode == nil || c.Name == "" {
			t.Errorf("filter %d: incomplete codec %+v", c.ID, c)
		}
		if err := unknownFilter(Filter{ID: c.ID}).(*UnknownFilterError); err.Name == "" {
			t.Errorf("filter %d is not in knownFilters", c.ID)
		}
	}
}

// TestSetLocal: shuffle's client data is filled with the element size when
// the caller leaves it out, as libhdf5's set_local does, and the caller's
// slice is not modified.
func TestSetLocal(t *testing.T) {
	cd := []uint32{}
	fs := setLocal([]Filter{{ID: FilterShuffle, ClientData: cd}, Deflate(3)}, Float64LE, []uint64{4})
	if len(fs[0].ClientData) != 1 || fs[0].ClientData[0] != 8 || fs[0].Name != "shuffle" {
		t.Fatalf("shuffle after set_local: %+v", fs[0])
	}
	if fs[1].ClientData[0] != 3 {
		t.Fatalf("deflate after set_local: %+v", fs[1])
	}
}

// TestDecodeBound: a chunk that decodes to more bytes than its shape holds
// is an error from each codec.
func TestDecodeBound(t *testing.T) {
	data := make([]byte, 1000)
	for _, fs := range [][]Filter{{Deflate(1)}, {Shuffle(4)}, {Fletcher32()}} {
		enc, mask, err := EncodeChunk(fs, data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeChunk(fs, mask, enc, len(data)-1); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: decode into 999 bytes: %v, want ErrFormat", fs[0].Name, err)
		}
		if out, err := DecodeChunk(fs, mask, enc, len(data)); err != nil || len(out) != len(data) {
			t.Errorf("%s: decode: %d bytes, %v", fs[0].Name, len(out), err)
		}
	}
}
