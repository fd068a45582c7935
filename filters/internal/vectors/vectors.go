// Package vectors loads testdata/filters/filters_b.json, the chunks libhdf5
// wrote with the filters under filters/ (made by testdata/gen/filters_b.py),
// for the filter packages' tests.
package vectors

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Chunk is one stored chunk: its bytes as libhdf5 wrote them and its
// filter mask.
type Chunk struct {
	Offset []uint64 `json:"offset"`
	Mask   uint32   `json:"mask"`
	RawHex string   `json:"raw"`
}

// Raw returns the chunk's stored bytes.
func (c Chunk) Raw() []byte { b, _ := hex.DecodeString(c.RawHex); return b }

// Filter is one pipeline entry as libhdf5 stored it. h5py 3.7 reports at
// most 16 client data values: NCD says how many the file holds.
type Filter struct {
	ID    uint16   `json:"id"`
	Flags uint32   `json:"flags"`
	CD    []uint32 `json:"cd"`
	NCD   int      `json:"ncd"`
}

// Complete reports whether CD holds all the file's client data values.
func (f Filter) Complete() bool { return f.NCD == len(f.CD) }

// ZeroPadded returns CD extended with zeros to NCD values: right for
// scale-offset, whose set_local zeroes the values past the fill value.
func (f Filter) ZeroPadded() []uint32 {
	cd := append([]uint32(nil), f.CD...)
	for len(cd) < f.NCD {
		cd = append(cd, 0)
	}
	return cd
}

// Dataset is one dataset of the file.
type Dataset struct {
	Name      string   `json:"name"`
	Dtype     string   `json:"dtype"` // numpy's dtype.str, e.g. "<i4", ">f8", "|u1"
	Shape     []uint64 `json:"shape"`
	Chunks    []uint64 `json:"chunks"`
	Filters   []Filter `json:"filters"`
	Stored    []Chunk  `json:"chunk_bytes"`
	ValuesHex string   `json:"values"`
}

// Values returns the dataset's values as h5py reads them, little-endian.
func (d Dataset) Values() []byte { b, _ := hex.DecodeString(d.ValuesHex); return b }

// ItemSize is the element size in bytes.
func (d Dataset) ItemSize() int {
	n := 0
	for _, c := range d.Dtype[2:] {
		n = n*10 + int(c-'0')
	}
	return n
}

// BigEndian reports a big-endian dataset type.
func (d Dataset) BigEndian() bool { return d.Dtype[0] == '>' }

// ChunkValues returns the little-endian values of the chunk at offset
// (1-D datasets only), padded with zeros past the dataset's end as libhdf5
// pads an edge chunk, and how many of them are real.
func (d Dataset) ChunkValues(off uint64) ([]byte, int) {
	es := uint64(d.ItemSize())
	all := d.Values()
	n := d.Chunks[0]
	out := make([]byte, n*es)
	real := d.Shape[0] - off
	if real > n {
		real = n
	}
	copy(out, all[off*es:(off+real)*es])
	return out, int(real)
}

// Load returns the datasets whose names start with prefix.
func Load(t testing.TB, prefix string) []Dataset {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "filters", "filters_b.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var all []Dataset
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	var out []Dataset
	for _, d := range all {
		if strings.HasPrefix(d.Name, prefix) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no datasets %s* in %s", prefix, path)
	}
	return out
}
